"""Transient heat in a plate with a hole (``Cells(..., domain=)``): a node's capacity is the
inside part of its control volume, so with insulated walls and an insulated hole the heat
``sum(w * phi * rho_c * u)`` is conserved to round-off by every method, a uniform source adds
exactly ``q * inside area`` per unit time, and the long-time state with a held face equals the
steady solve on the same domain."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.materials import cell_centres
from fieldgrad.solvers.discretize import Problem


def plate(n=33):
    g = fg.Grid((n, n))
    xc, yc = cell_centres(g)
    hole = (np.abs(xc[:, None] - 0.5) < 0.2) & (np.abs(yc[None, :] - 0.45) < 0.15)
    k = fg.Cells(np.full((n - 1, n - 1), 2.0), domain=~hole)
    phi = Problem(g, fg.Neumann(0.0), k).phi3.reshape(g.shape)
    return g, k, phi, hole


@pytest.mark.parametrize("method", ["ftcs", "rkl2", "backward_euler", "crank_nicolson"])
def test_heat_in_a_plate_with_a_hole_is_conserved_and_sourced(method):
    g, k, phi, hole = plate()
    X, Y = g.mesh()
    u0 = np.cos(np.pi * X) * (1 + Y)
    rho_c = np.where(X < 0.3, 3.0, 1.0)
    w = g.quadrature_weights() * phi * rho_c
    dt = 1e-4
    r = fg.solve_heat(u0, g, fg.Neumann(0.0), k=k, rho_c=rho_c, steps=30, dt=dt, method=method, progress=False)
    assert np.sum(w * r.u) == pytest.approx(np.sum(w * u0), rel=1e-11, abs=1e-12)
    q = 5.0
    r = fg.solve_heat(u0, g, fg.Neumann(0.0), k=k, rho_c=rho_c, steps=30, dt=dt, method=method, source=q,
                      progress=False)
    inside_area = 1.0 - hole.sum() * g.cell_volume
    assert np.sum(w * r.u) - np.sum(w * u0) == pytest.approx(q * inside_area * 30 * dt, rel=1e-10)


def test_long_time_state_is_the_steady_solution_on_the_same_domain():
    g, k, phi, hole = plate(17)
    bc = {"x-": fg.Dirichlet(1.0), "*": fg.Neumann(0.0)}
    q = 2.0
    steady = fg.solve_poisson(np.full(g.shape, -q), g, bc, k=k, rtol=1e-12).u
    r = fg.solve_heat(np.zeros(g.shape), g, bc, k=k, rho_c=1.0, t_end=20.0, dt=0.5, method="backward_euler",
                      source=q, progress=False)
    inside = phi > 0
    assert np.abs(r.u - steady)[inside].max() < 1e-8


@pytest.mark.parametrize("method", ["ftcs", "rkl2", "backward_euler", "crank_nicolson"])
def test_nodes_outside_the_domain_hold_zero_with_every_method(method):
    """Nodes with no cell inside are no unknowns and hold 0 (as in the Poisson solvers), whatever
    ``u0`` or a Dirichlet face says there; the explicit methods kept ``u0`` (and the Dirichlet
    value on a box face outside the domain) while the implicit ones returned 0."""
    n = 17
    g = fg.Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    hole = (np.abs(xc - 0.5) < 0.2) & (np.abs(yc - 0.5) < 0.2)
    hole |= yc > 0.8                                   # the domain leaves the y+ face (Dirichlet 3)
    k = fg.Cells(np.ones((n - 1, n - 1)), domain=~hole)
    outside = Problem(g, fg.Neumann(0.0), k).outside3.reshape(g.shape)
    assert outside[5:12, 5:12].any() and outside[:, -1].all()
    X, Y = g.mesh()
    u0 = 1.0 + X * Y
    bc = {"y+": fg.Dirichlet(3.0), "*": fg.Neumann(0.0)}
    r = fg.solve_heat(u0, g, bc, k=k, rho_c=2.0, steps=20, dt=2e-4, method=method, progress=False)
    assert np.all(r.u[outside] == 0.0)
    ref = fg.solve_heat(u0, g, bc, k=k, rho_c=2.0, steps=20, dt=2e-4, method="backward_euler", progress=False)
    # inside: the same ODE system (first order in dt apart)
    assert np.abs(r.u - ref.u)[~outside].max() < 5e-3
