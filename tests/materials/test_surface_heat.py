"""Transient heat with a convecting hole surface (``rho_c du/dt = div(k grad u) + q``, box faces
insulated, ``bc["surface"] = Convection(h, T)``).

Per step the heat stored, ``sum rho_c V_i (u1 - u0)`` over each node's control volume inside
the domain (counted here cell by cell), equals ``dt`` times the source minus the surface loss
``h (u - T) A_i`` (A_i the node's share of the hole's edges), evaluated at the old state for
FTCS, the new one for backward Euler and their mean for Crank--Nicolson: to round-off (worst
step over 30, relative: 3.6e-14 FTCS, 5.1e-15 backward Euler at rtol 1e-13).  The long-time
limits of backward Euler (8 steps of 1e3) and RKL2 (300 steps of 0.05) are the steady
``solve_poisson`` solution (8.1e-14 and 3.7e-11 relative measured).  The FTCS limit is the
Gershgorin bound with the surface's Robin diagonal.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Grid, Neumann
from fieldgrad.materials import cell_centres, cell_shape

K, RHO_C, HS, TS = 2.0, 3.0, 5.0, -1.0


def setup(n=33):
    g = Grid((n, n), extent=[(0, 1), (0, 1)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.25) & (xc < 0.5) & (yc > 0.375) & (yc < 0.75))
    X, Y = g.mesh()
    q = 2.0 + np.sin(3 * X) * Y
    bc = {"*": Neumann(0.0), "surface": Convection(HS, TS, conductivity=K)}
    return g, dom, q, bc, fg.Cells(np.full(cell_shape(g), K), domain=dom)


def volumes_and_areas(g, dom):
    """Inside control volume and hole-surface length of every node."""
    n, h = g.shape[0], g.spacing[0]
    vol = np.zeros(g.shape)
    area = np.zeros(g.shape)
    for di in (0, 1):
        for dj in (0, 1):
            vol[di:n - 1 + di, dj:n - 1 + dj] += dom * (h / 2) ** 2
    cut_x = dom[:-1, :] != dom[1:, :]   # edge on node line i + 1 from node j to j + 1
    cut_y = dom[:, :-1] != dom[:, 1:]
    for dj in (0, 1):
        area[1:-1, dj:n - 1 + dj] += cut_x * h / 2
    for di in (0, 1):
        area[di:n - 1 + di, 1:-1] += cut_y * h / 2
    return vol, area


def run(method, steps, dt, u0):
    g, dom, q, bc, k = setup()
    states = [u0.copy()]
    opts = {"ftcs": {}, "rkl2": {}, "backward_euler": {"rtol": 1e-13},  # to the linear solve's tolerance
            "crank_nicolson": {"rtol": 1e-13, "rannacher": 0}}[method]
    sim = fg.Simulation(u0, g, bc, k=k, rho_c=RHO_C, dt=dt, method=method, source=q, progress=False, **opts)
    sim.add_callback(lambda s: states.append(s.host_u().copy()), every=1)
    sim.run(steps=steps)
    return g, dom, q, states


@pytest.mark.parametrize("method", ["ftcs", "backward_euler", "crank_nicolson"])
def test_stored_heat_is_source_minus_surface_loss(method):
    g, dom, q, bc, k = setup()
    X, Y = g.mesh()
    u0 = 1.0 + X * Y
    dt = 2e-5 if method == "ftcs" else 1e-2
    g, dom, q, states = run(method, 30, dt, u0)
    vol, area = volumes_and_areas(g, dom)
    Q = float(np.sum(vol * q))
    worst = 0.0
    weight_new = {"ftcs": 0.0, "backward_euler": 1.0, "crank_nicolson": 0.5}[method]
    for u_old, u_new in zip(states, states[1:]):
        u_ex = (1 - weight_new) * u_old + weight_new * u_new
        loss = float(np.sum(HS * (u_ex - TS) * area))
        stored = float(np.sum(RHO_C * vol * (u_new - u_old)))
        worst = max(worst, abs(stored - dt * (Q - loss)) / (dt * (abs(Q) + abs(loss))))
    assert len(states) == 31
    assert abs(loss) > 0.1 * Q       # the surface matters
    assert worst < 1e-11


@pytest.mark.parametrize("method, steps, dt, tol", [("backward_euler", 8, 1e3, 1e-9), ("rkl2", 300, 5e-2, 1e-9)])
def test_long_run_settles_on_the_steady_solution(method, steps, dt, tol):
    g, dom, q, bc, k = setup()
    steady = fg.solve_poisson(-q, g, bc, k=k, method="direct").u
    g, dom, q, states = run(method, steps, dt, np.zeros(g.shape))
    inside = volumes_and_areas(g, dom)[0] > 0
    assert np.abs(states[-1] - steady)[inside].max() < tol * np.abs(steady).max()


def test_ftcs_limit_includes_the_surface_robin_diagonal():
    g, dom, q, bc, k = setup()
    with_surface = fg.Simulation(np.zeros(g.shape), g, bc, k=k, rho_c=RHO_C, progress=False).problem.dt_explicit
    insulated = fg.Simulation(np.zeros(g.shape), g, {"*": Neumann(0.0)}, k=k, rho_c=RHO_C,
                              progress=False).problem.dt_explicit
    # Gershgorin rate (|D| + sum of links) / (rho_c phi), largest on a hole edge node: half its
    # box inside (phi = 1/2), links k/(2 h^2) twice along the edge and k/h^2 into the plate, and the
    # surface term h_s A / V = h_s h / h^2
    h = g.spacing[0]
    rate = (2 * 2 * K / h ** 2 + HS / h) / (RHO_C * 0.5)
    assert with_surface < insulated
    assert with_surface == pytest.approx(2.0 / rate, rel=1e-12)
