"""Transient heat with a Dirichlet condition on the surface of a hole (``bc["surface"] =
Dirichlet(...)``, the ``k`` / ``rho_c`` form): the nodes touching the hole are held, as in
``solve_poisson`` (:class:`fieldgrad.solvers.held.HeldProblem`).

* every method's long-time limit is the steady solution of the sparse direct solve
  (``solve_poisson(method="direct")``, an independent path) of the same problem;
* the surface nodes take the condition's value at every step, to the bit, also when the value
  depends on time, and the nodes off the surface move.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.materials import cell_centres, cell_shape
from fieldgrad.solvers.held import make_problem

RHO_C = 3.0


def plate(n=33):
    g = Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.25) & (xc < 0.5) & (yc > 0.375) & (yc < 0.75))
    X, Y = g.mesh()
    q = 2.0 + np.sin(3 * X) * Y
    k = fg.Cells(np.where(yc < 0.6, 2.0, 5.0), domain=dom)
    return g, k, q


@pytest.mark.parametrize("method, dt, steps", [("backward_euler", 1e3, 8), ("crank_nicolson", 1e3, 8),
                                               ("rkl2", 0.05, 400)])
def test_long_time_limit_is_the_steady_solution(method, dt, steps):
    g, k, q = plate()
    bc = {"*": Neumann(0.0), "x-": Dirichlet(0.0), "surface": Dirichlet(1.5)}
    steady = fg.solve_poisson(-q, g, bc, k=k, method="direct").u
    insulated = fg.solve_poisson(-q, g, {f: c for f, c in bc.items() if f != "surface"}, k=k, method="direct").u
    assert np.max(np.abs(insulated - steady)) > 0.1 * np.max(np.abs(steady))  # the surface matters
    opts = {"rtol": 1e-13} if method != "rkl2" else {}
    r = fg.solve_heat(np.zeros(g.shape), g, bc, k=k, rho_c=RHO_C, source=q, dt=dt, steps=steps, method=method,
                      progress=False, **opts)
    # measured 4e-14 (BE), 5e-14 (CN), 2e-14 (RKL2)
    assert np.max(np.abs(r.u - steady)) < 1e-10 * np.max(np.abs(steady))


def test_ftcs_reaches_the_steady_solution():
    g, k, q = plate(17)
    bc = {"*": Neumann(0.0), "y+": Dirichlet(0.5), "surface": Dirichlet(-1.0)}
    steady = fg.solve_poisson(-q, g, bc, k=k, method="direct").u
    r = fg.solve_heat(np.zeros(g.shape), g, bc, k=k, rho_c=RHO_C, source=q, t_end=30.0, method="ftcs",
                      progress=False)
    assert np.max(np.abs(r.u - steady)) < 1e-10 * np.max(np.abs(steady))


@pytest.mark.parametrize("method", ["ftcs", "backward_euler", "crank_nicolson", "rkl2"])
def test_surface_nodes_follow_a_time_dependent_value(method):
    g, k, q = plate(17)
    value = lambda x, y, t: 1.0 + x * y + 20.0 * t  # noqa: E731
    bc = {"*": Neumann(0.0), "surface": Dirichlet(value)}
    on = make_problem(g, bc, k, 0.0).surface_nodes()
    assert on.sum() > 10
    X, Y = g.mesh()
    seen = []
    sim = fg.Simulation(np.zeros(g.shape), g, bc, k=k, rho_c=RHO_C, dt=2e-4, method=method, progress=False)
    sim.add_callback(lambda s: seen.append((s.t, s.host_u().copy())), every=1)
    sim.run(steps=5)
    assert len(seen) == 5
    for t, u in seen:
        np.testing.assert_array_equal(u[on], value(X, Y, t)[on])
        assert np.max(np.abs(u[~on])) > 0.0  # the held surface heats the plate
