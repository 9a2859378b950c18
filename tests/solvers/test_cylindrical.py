"""Axisymmetric (r, z) problems on ``Grid(..., coords="cylindrical")`` against exact solutions.

* a solid cylinder with a uniform source: ``u = q (R^2 - r^2) / (4 k)`` is quadratic in r, which
  the finite-volume rows (axis cell a disc of radius h/2) reproduce to round-off;
* a heated core (source for r < a, cell-averaged on the node at r = a) inside a cooled shell:
  the piecewise log/quadratic solution, second order in h;
* an annulus (pipe wall) with a held inner temperature and a flux at the outer radius:
  ``u = A ln r + B``, second order;
* heat balance: the flow through the outer surface of revolution equals the source integral
  ``q pi a^2 L`` to round-off; a convection surface gives the exact surface temperature;
* every solver method agrees; refusals name the argument.
"""
import numpy as np
import pytest

from fieldgrad import Convection, Dirichlet, Grid, Neumann, laplacian, solve_poisson
from fieldgrad.errors import BoundaryError, GridError
from fieldgrad.fields import TemperatureField


def cylinder(n, nz=5, r=(0.0, 1.0), length=0.4):
    return Grid((n, nz), extent=[r, (0.0, length)], coords="cylindrical")


def core_source(g, a):
    """Source 1 for r < a, the node at r = a getting the inside fraction of its ring's volume."""
    r = g.mesh()[0]
    h = g.spacing[0]
    q = np.where(r < a - 1e-12, 1.0, 0.0)
    q[np.abs(r - a) < 1e-12] = (a ** 2 - (a - h / 2) ** 2) / ((a + h / 2) ** 2 - (a - h / 2) ** 2)
    return q


def core_exact(r, a, k=1.0, R=1.0):
    inner = (a ** 2 - r ** 2) / (4 * k) + a ** 2 / (2 * k) * np.log(R / a)
    outer = a ** 2 / (2 * k) * np.log(R / np.maximum(r, 1e-300))
    return np.where(r < a, inner, outer)


def orders(errors, ns):
    e = np.asarray(errors)
    h = 1.0 / (np.asarray(ns) - 1)
    return np.log(e[:-1] / e[1:]) / np.log(h[:-1] / h[1:])


@pytest.mark.parametrize("method", ["multigrid", "cg", "direct"])
def test_uniform_source_is_exact(method):
    g = cylinder(17, nz=4)
    r = g.mesh()[0]
    res = solve_poisson(-np.ones(g.shape), g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, method=method, rtol=1e-12)
    assert np.abs(res.u - (1 - r ** 2) / 4).max() < 1e-12


def test_heated_core_second_order():
    ns = (11, 21, 41, 81)
    errs = []
    for n in ns:
        g = cylinder(n)
        u = solve_poisson(-core_source(g, 0.5), g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, rtol=1e-12).u
        errs.append(np.abs(u - core_exact(g.mesh()[0], 0.5)).max())
    assert np.all(orders(errs, ns) > 1.9), errs


def test_annulus_log_profile_second_order():
    ns = (11, 21, 41, 81)
    errs = []
    for n in ns:
        g = cylinder(n, nz=4, r=(0.5, 2.0))
        r = g.mesh()[0]
        # u = A ln r + B with u(0.5) = 1 and du/dr(2) = -0.25, i.e. A = -0.5
        exact = -0.5 * np.log(r) + 1 + 0.5 * np.log(0.5)
        bc = {"r-": Dirichlet(1.0), "r+": Neumann(-0.25), "z": Neumann(0.0)}
        errs.append(np.abs(solve_poisson(np.zeros(g.shape), g, bc, rtol=1e-12).u - exact).max())
    assert np.all(orders(errs, ns) > 1.9), errs


def test_axial_variation_matches_separable_solution():
    """u = J0-free separable check: u = (1 - r^2) cos(pi z / L) solves
    lap u = -4 cos - (pi/L)^2 (1 - r^2) cos; second order with Dirichlet z faces."""
    L = 1.0
    errs, ns = [], (9, 17, 33)
    for n in ns:
        g = Grid((n, n), extent=[(0, 1), (0, L)], coords="cylindrical")
        r, z = g.mesh()
        c = np.cos(np.pi * z / L)
        exact = (1 - r ** 2) * c
        f = -4 * c - (np.pi / L) ** 2 * (1 - r ** 2) * c
        bc = {"r+": Dirichlet(0.0), "z-": Dirichlet(lambda r, z: 1 - r ** 2), "z+": Dirichlet(lambda r, z: -(1 - r ** 2))}
        errs.append(np.abs(solve_poisson(f, g, bc, rtol=1e-12).u - exact).max())
    assert np.all(orders(errs, ns) > 1.9), errs


def test_multigrid_iterations_do_not_grow():
    its = []
    for n in (65, 129, 257):
        g = Grid((n, n), extent=[(0, 1), (0, 1)], coords="cylindrical")
        res = solve_poisson(-np.ones(g.shape), g, {"r+": Dirichlet(0.0), "z": Dirichlet(0.0)},
                            method="multigrid", rtol=1e-10, fmg=False)
        its.append(res.iterations)
    assert max(its) <= 12 and its[-1] <= its[0] + 2, its


def test_heat_balance_through_surface_of_revolution():
    g = cylinder(41, nz=9)
    a, L, k = 0.5, 0.4, 2.0
    q = core_source(g, a)
    T = TemperatureField.steady(g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, conductivity=k, source=q)
    flows = T.balance()["faces"]
    assert flows["r+"] == pytest.approx(q.max() * np.pi * a ** 2 * L, rel=1e-10)
    assert abs(flows["z-"]) < 1e-12 and abs(flows["z+"]) < 1e-12 and flows["r-"] == 0.0


def test_convection_surface_temperature_exact():
    g = cylinder(41, nz=5)
    a, L, k, h, amb = 0.5, 0.4, 2.0, 10.0, 20.0
    bc = {"r+": Convection(h, amb, conductivity=k), "z": Neumann(0.0)}
    u = solve_poisson(-core_source(g, a), g, bc, k=k, rtol=1e-12).u
    # all of Q = pi a^2 L leaves through the outer surface 2 pi R L: T(R) = amb + Q / (2 pi R L h)
    assert u[-1, 0] == pytest.approx(amb + np.pi * a ** 2 * L / (2 * np.pi * L * h), rel=1e-10)


def test_integrate_is_the_volume_of_revolution():
    g = cylinder(9, nz=3, r=(0.5, 2.0), length=3.0)
    assert g.integrate(np.ones(g.shape)) == pytest.approx(np.pi * (2.0 ** 2 - 0.5 ** 2) * 3.0, rel=1e-13)
    r = g.mesh()[0]
    # integral of r over the volume: 2 pi L (R^3 - a^3)/3 -- not exact for trapezoid-like weights,
    # but second order: check to h^2
    assert g.integrate(r) == pytest.approx(2 * np.pi * 3.0 * (2.0 ** 3 - 0.5 ** 3) / 3, rel=1e-2)


def test_laplacian_on_cylinder():
    g = Grid((21, 11), extent=[(0, 1), (0, 1)], coords="cylindrical")
    r, z = g.mesh()
    lap = laplacian(r ** 2 + z ** 2, g)  # (1/r)(r u_r)_r + u_zz = 4 + 2, on the axis too
    assert np.allclose(lap[:-1, 1:-1], 6.0, atol=1e-10)


def test_refusals():
    with pytest.raises(GridError, match="r >= 0"):
        Grid((5, 5), extent=[(-1, 1), (0, 1)], coords="cylindrical")
    with pytest.raises(GridError, match="coords"):
        Grid((5, 5), coords="spherical")
    with pytest.raises(GridError, match="1 or 2 axes"):
        Grid((5, 5, 5), coords="cylindrical")
    g = cylinder(9)
    with pytest.raises(BoundaryError, match="symmetry axis"):
        solve_poisson(np.zeros(g.shape), g, {"r-": Dirichlet(1.0), "*": Dirichlet(0.0)})
    from fieldgrad import div
    with pytest.raises(GridError, match="cylindrical"):  # div is order 2 there (tests/test_operators_cylindrical.py)
        div(np.zeros((2,) + g.shape), g, order=4)


def test_grid_round_trip_and_names():
    g = cylinder(9)
    assert g.faces == ("r-", "r+", "z-", "z+") and g.on_axis
    assert Grid.from_dict(g.to_dict()) == g
    assert g != Grid((9, 5), extent=[(0, 1), (0, 0.4)])


def test_paths_without_a_cylindrical_form_refuse():
    from fieldgrad.errors import BackendError

    g = cylinder(9)
    # (the CUDA heat steppers step (r, z) grids since the k / rho_c device path:
    # tests/backends/test_cuda_capacity.py::test_cuda_cylindrical_heat_matches_cpu)
    # (and laplacian, div_k_grad, div on (r, z) grids run on CUDA: tests/backends/test_cuda_rows.py;
    # without CUDA the BackendError says why CUDA cannot run)
    from fieldgrad.backends import cuda_available

    u = g.mesh()[0] ** 2
    if cuda_available():
        np.testing.assert_allclose(laplacian(u, g, backend="cuda").copy_to_host(), laplacian(u, g), rtol=1e-12)
    else:
        with pytest.raises(BackendError, match="backend 'cuda'"):
            laplacian(u, g, backend="cuda")


def test_singular_problem_projects_with_volume_weights():
    """All faces insulated: a uniform source is incompatible and must be shifted by exactly itself
    (the shift is weighted by the ring volumes, not by node counts); a source whose volume
    integral vanishes is compatible and gives the exact (quadratic) solution up to a constant."""
    from fieldgrad.solvers import CompatibilityWarning

    g = cylinder(21, nz=5)
    with pytest.warns(CompatibilityWarning, match="off by"):
        res = solve_poisson(np.full(g.shape, 2.0), g, Neumann(0.0))
    assert res.info["compatibility_shift"] == pytest.approx(2.0, rel=1e-13)
    r = g.mesh()[0]
    # u = r^2 - r^4/2 has u'(1) = 0 and lap u = 4 - 8 r^2, whose volume integral over r <= 1 is 0
    # (to the discrete weights: compatible up to round-off only for the exact volume weights)
    u = solve_poisson(4 - 8 * r ** 2, g, Neumann(0.0), rtol=1e-12).u
    exact = r ** 2 - r ** 4 / 2
    err = (u - g.integrate(u) / g.integrate(np.ones(g.shape))) - (exact - g.integrate(exact) / g.integrate(np.ones(g.shape)))
    assert np.abs(err).max() < 5e-3


def _two_material(n, k1=10.0, k2=1.0, a=0.5):
    """Cells k1 (r < a) and k2 (r > a); u = f(r) cos(pi z) with k f' = -2 r in both materials
    (flux continuous, f continuous at a, f(1) = 0): div(k grad u) = (-4 - k pi^2 f) cos(pi z)."""
    from fieldgrad import Cells
    from fieldgrad.materials import cell_centres

    g = Grid((n, n), extent=[(0, 1), (0, 1)], coords="cylindrical")
    rc = cell_centres(g)[0]
    kc = np.where(rc < a, k1, k2)[:, None] * np.ones((1, n - 1))
    r, z = g.mesh()
    f = np.where(r <= a, (a ** 2 - r ** 2) / k1 + (1 - a ** 2) / k2, (1 - r ** 2) / k2)
    h = g.spacing[0]
    # the source k f of each node's ring volume: at r = a half of it in each material, by r dr
    wlo, whi = h / 2 * (r - h / 4), h / 2 * (r + h / 4)
    kf = np.where(r < a - 1e-12, k1, k2) * f
    at = np.abs(r - a) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):  # r = 0 is not at the interface
        kf[at] = ((wlo * k1 + whi * k2) / (wlo + whi) * f)[at]
    rhs = (-4 - np.pi ** 2 * kf) * np.cos(np.pi * z)
    return g, Cells(kc), rhs, f * np.cos(np.pi * z)


def test_two_materials_on_cells_second_order_with_ring_weighted_faces():
    errs, ns = [], (17, 33, 65)
    for n in ns:
        g, k, rhs, exact = _two_material(n)
        u = solve_poisson(rhs, g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, k=k, rtol=1e-12).u
        errs.append(np.abs(u - exact).max())
    assert np.all(orders(errs, ns) > 1.9), errs


def test_z_links_at_a_radial_interface_are_ring_volume_means():
    from fieldgrad.solvers.discretize import Problem

    g, k, _, _ = _two_material(17)
    p = Problem(g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, k)
    Lz = p.link_coefficients()[1]
    h, hz = g.spacing
    i = 8  # r = 0.5, the interface: cells below conduct 10, above 1
    r = g.coords[0][i]
    want = (10.0 * (r - h / 4) + 1.0 * (r + h / 4)) * (h / 2) / h / hz ** 2
    assert Lz[i, 3, 0] == pytest.approx(want, rel=1e-13)
