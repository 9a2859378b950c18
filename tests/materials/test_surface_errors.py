"""``bc["surface"]``: bad input is refused with a message naming it, and the places that do not
discretise the surface refuse it instead of ignoring it.  Also: a Dirichlet surface merges with a
user's held region."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Dirichlet, Grid, Neumann, Periodic, Robin
from fieldgrad.errors import BoundaryError, ParameterError
from fieldgrad.materials import cell_centres, cell_shape


def plate(n=17):
    g = Grid((n, n), extent=[(0, 1), (0, 1)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((np.abs(xc - 0.5) < 0.2) & (np.abs(yc - 0.5) < 0.2))
    return g, fg.Cells(np.ones(cell_shape(g)), domain=dom)


def test_surface_without_a_domain_is_refused():
    g, _ = plate()
    with pytest.raises(BoundaryError, match=r"surface.*domain"):
        fg.solve_poisson(np.zeros(g.shape), g, {"*": Dirichlet(0.0), "surface": Neumann(1.0)}, k=2.0)


@pytest.mark.parametrize("cond, match", [
    (Periodic(), "Dirichlet, Neumann or Robin"),
    (3.0, "Dirichlet, Neumann or Robin"),
    (Robin(-1.0, 1.0, 0.0), "alpha/beta < 0"),
    (Robin(lambda x, y, t: 1.0 + t + 0 * x, 1.0, 0.0), "must not depend on time"),
    (Neumann(np.zeros((3, 3))), r"shape \(3, 3\)"),
    (fg.Radiation(0.5, 300.0, conductivity=1.0), "Dirichlet, Neumann or Robin"),
])
def test_bad_surface_conditions(cond, match):
    g, k = plate()
    with pytest.raises(BoundaryError, match=match):
        fg.solve_poisson(np.zeros(g.shape), g, {"*": Dirichlet(0.0), "surface": cond}, k=k, method="direct")


def test_operators_refuse_a_surface_they_would_ignore():
    g, _ = plate()
    with pytest.raises(BoundaryError, match=r"bc\['surface'\].*does not discretise it"):
        fg.laplacian(np.zeros(g.shape), g, bc={"*": Dirichlet(0.0), "surface": Neumann(1.0)})


def test_heat_refuses_a_surface_with_alpha_only():
    # (a Dirichlet surface with k / rho_c is held: tests/heat/test_capacity_dirichlet_surface.py)
    g, k = plate()
    with pytest.raises(BoundaryError, match="k / rho_c form"):
        fg.solve_heat(np.zeros(g.shape), g, {"*": Neumann(0.0), "surface": Neumann(1.0)}, alpha=1.0, steps=1)


def test_problem_built_directly_refuses_a_dirichlet_surface():
    g, k = plate()
    with pytest.raises(BoundaryError, match="make_problem"):
        fg.solvers.discretize.Problem(g, {"*": Neumann(0.0), "surface": Dirichlet(1.0)}, k=k)


def test_cylindrical_grid_refuses_a_surface():
    g = Grid((9, 9), extent=[(0, 1), (0, 1)], coords="cylindrical")
    dom = np.ones(cell_shape(g), bool)
    dom[3:5, 3:5] = False
    with pytest.raises(BoundaryError, match="cylindrical"):
        fg.solve_poisson(np.zeros(g.shape), g, {"*": Dirichlet(0.0), "surface": Convection(1.0, 0.0, conductivity=1.0)},
                         k=fg.Cells(np.ones(cell_shape(g)), domain=dom))


def test_fixed_value_without_fixed_is_refused_with_a_dirichlet_surface():
    g, k = plate()
    with pytest.raises(ParameterError, match="fixed_value was given but no held region"):
        fg.solve_poisson(np.zeros(g.shape), g, {"*": Dirichlet(0.0), "surface": Dirichlet(1.0)}, k=k,
                         fixed_value=2.0)


def test_insulated_everywhere_but_a_convecting_hole_is_anchored():
    g, k = plate()
    res = fg.solve_poisson(np.zeros(g.shape), g, {"*": Neumann(0.0), "surface": Convection(3.0, 7.0, conductivity=1.0)},
                           k=k, method="direct")
    inside = fg.solvers.discretize.Problem(g, Neumann(0.0), k=k).phi3[..., 0] > 0
    assert np.allclose(res.u[inside], 7.0, rtol=0, atol=1e-12)  # no source: the plate sits at the ambient


def test_dirichlet_surface_is_a_held_region_merged_with_fixed():
    g, k = plate()
    X, Y = g.mesh()
    u = lambda x, y: x * x - y + 0.3  # noqa: E731
    f = np.full(g.shape, 2.0)
    mine = np.zeros(g.shape, bool)
    mine[3, 12] = True
    via_surface = fg.solve_poisson(f, g, {"*": Dirichlet(u), "surface": Dirichlet(u)}, k=k, method="cg", rtol=1e-12,
                                   fixed=mine, fixed_value=5.0).u
    surf = fg.solvers.discretize.Problem(g, {"*": Dirichlet(0.0), "surface": Neumann(0.0)}, k=k).surface_nodes()
    assert surf.sum() == 24  # the perimeter nodes of the 6 x 6 cell hole
    held = surf | mine
    by_hand = fg.solve_poisson(f, g, {"*": Dirichlet(u)}, k=k, method="cg", rtol=1e-12, fixed=held,
                               fixed_value=np.where(mine, 5.0, u(X, Y))).u
    assert via_surface[3, 12] == 5.0
    assert np.array_equal(via_surface[surf], u(X, Y)[surf])
    assert np.abs(via_surface - by_hand).max() < 1e-12


def test_a_neumann_surface_does_not_anchor_a_flux_only_plate():
    g, k = plate()
    with pytest.raises(ParameterError, match="level is undetermined"):
        fg.solve_poisson(np.zeros(g.shape), g, {"*": Neumann(0.0), "surface": Neumann(1.0)}, k=k)
