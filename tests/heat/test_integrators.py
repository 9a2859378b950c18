"""Heat integrators against exact solutions, observed temporal orders, conservation and stability."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.errors import NonFiniteError, ParameterError, StabilityError
from fieldgrad.heat import explicit_limit, solve_heat
from fieldgrad.operators import div_k_grad
from fieldgrad.solvers import solve_poisson

METHODS = ["ftcs", "rkl2", "backward_euler", "crank_nicolson"]


def _run(u0, g, bc, method, dt, t_end, **kw):
    return solve_heat(u0, g, bc, alpha=kw.pop("alpha", 1.0), t_end=t_end, dt=dt, method=method, progress=False, **kw)


def _semi_discrete_mode(g, t):
    """Sum of two Dirichlet eigenmodes of the discrete Laplacian and their exact decay."""
    X, Y = g.mesh()
    h = g.spacing
    out0 = np.zeros(g.shape)
    out = np.zeros(g.shape)
    for (p, q), amp in (((1, 1), 1.0), ((2, 3), 0.5)):
        lam = -4 / h[0] ** 2 * np.sin(p * np.pi * h[0] / 2) ** 2 - 4 / h[1] ** 2 * np.sin(q * np.pi * h[1] / 2) ** 2
        m = amp * np.sin(p * np.pi * X) * np.sin(q * np.pi * Y)
        out0 += m
        out += m * np.exp(lam * t)
    return out0, out


@pytest.mark.parametrize("method, ratios, order", [
    ("ftcs", (0.8, 0.4, 0.2), 1), ("backward_euler", (8, 4, 2), 1),
    ("crank_nicolson", (4, 2, 1), 2), ("rkl2", (8, 4, 2), 2)])
def test_temporal_order(method, ratios, order):
    # spatial error removed: the reference is the exact semi-discrete solution of the same grid
    g = Grid((33, 33))
    t_end = 0.02
    u0, exact = _semi_discrete_mode(g, t_end)
    lim = explicit_limit(g, 1.0)
    errs = []
    for r in ratios:
        n = int(np.ceil(t_end / (r * lim)))
        # RKL2's error constant depends on its stage count: hold it fixed while refining dt
        kw = {"stages": 10} if method == "rkl2" else {}
        res = _run(u0, g, Dirichlet(0.0), method, t_end / n, t_end, **kw)
        errs.append(np.abs(res.u - exact).max())
    obs = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(obs - order) < 0.15), (errs, obs)


def _mode(g, kind):
    """A continuous eigenmode of the Laplacian for the boundary kind and its decay rate."""
    coords = g.mesh()
    m = np.ones(g.shape)
    k2 = 0.0
    for a, x in enumerate(coords):
        k = np.pi * (a + 1) if kind != "periodic" else 2 * np.pi
        m = m * (np.sin(k * x) if kind == "dirichlet" else np.cos(k * x))
        k2 += k * k
    return m, k2


@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize("kind", ["dirichlet", "neumann", "periodic"])
def test_eigenmode_decay_matches_exact_solution_to_second_order(kind, ndim):
    alpha, t_end = 0.7, 0.01
    bc = {"dirichlet": Dirichlet(0.0), "neumann": Neumann(0.0), "periodic": None}[kind]
    errs = []
    sizes = (9, 17) if ndim == 3 else (17, 33)
    for n in sizes:
        g = Grid((n if kind != "periodic" else n - 1,) * ndim, periodic=(kind == "periodic"))
        m, k2 = _mode(g, kind)
        res = _run(m, g, bc, "crank_nicolson", explicit_limit(g, alpha), t_end, alpha=alpha)
        errs.append(np.abs(res.u - m * np.exp(-alpha * k2 * t_end)).max())
    rate = np.log2(errs[0] / errs[1])
    assert 1.8 < rate < 2.8, (errs, rate)  # second order in space (approached from above on 8^3 grids)
    assert errs[1] < 0.05 * np.exp(-alpha * k2 * t_end)


def test_constant_source_reaches_poisson_steady_state():
    g = Grid((17, 21), extent=[(0, 1), (0, 2)])
    bc = {"x-": Dirichlet(1.0), "x+": Dirichlet(0.0), "y": Neumann(0.0)}
    res = _run(np.zeros(g.shape), g, bc, "backward_euler", 0.05, 50.0, alpha=2.0, source=3.0, steady_tol=1e-10)
    assert res.stop_reason == "steady_state"
    # steady state: div(2 grad u) + 3 = 0  <=>  solve_poisson(f=-3, k=2)
    ref = solve_poisson(-3.0 * np.ones(g.shape), g, bc, k=2.0, method="direct").u
    assert np.abs(res.u - ref).max() < 1e-9
    X, _ = g.mesh()
    assert np.abs(res.u - (1 - X + 0.75 * X * (1 - X))).max() < 1e-9  # exact quadratic, exact on the grid


@pytest.mark.parametrize("method", METHODS)
def test_time_dependent_boundary_value(method):
    # u = t + (x^2 + y^2) / 4 solves u_t = lap u exactly, and every scheme is exact for it
    g = Grid((13, 11))
    bc = Dirichlet(lambda x, y, t: t + (x ** 2 + y ** 2) / 4)
    X, Y = g.mesh()
    lim = explicit_limit(g, 1.0)
    dt = {"ftcs": 0.9, "rkl2": 30.0}.get(method, 10.0) * lim
    res = _run((X ** 2 + Y ** 2) / 4, g, bc, method, dt, 0.3)
    assert res.t == pytest.approx(0.3, abs=1e-15)
    assert np.abs(res.u - (0.3 + (X ** 2 + Y ** 2) / 4)).max() < 1e-10


@pytest.mark.parametrize("method", METHODS)
def test_total_heat_conserved_with_zero_flux_walls(method):
    g = Grid((15, 12, 10))
    rng = np.random.default_rng(1)
    u0 = 1.0 + rng.random(g.shape)
    alpha = 0.5 + rng.random(g.shape)
    lim = explicit_limit(g, alpha.max())
    dt = {"ftcs": 0.9, "rkl2": 40.0}.get(method, 20.0) * lim
    res = _run(u0, g, Neumann(0.0), method, dt, 30 * dt, alpha=alpha)
    h0, h1 = g.integrate(u0), g.integrate(res.u)
    assert abs(h1 - h0) / h0 < 1e-12
    assert res.u.std() < 0.5 * u0.std()  # it did diffuse


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
def test_conservative_shift_keeps_heat_with_loose_solves(method):
    """A loose solve (rtol 1e-4) drifts in total heat; the conservative shift restores it to rounding
    while leaving the solution within the solver tolerance of a tight solve."""
    g = Grid((33, 17, 9))  # past the coarse-solve size, so the multigrid cycles really run
    X, Y, Z = g.mesh()
    u0 = 1.0 + np.cos(np.pi * X) * np.cos(2 * np.pi * Y) + (Z > 0.5)
    bc = {"x": Neumann(0.0), "*": Neumann(lambda *c, t: 0.0 * c[0] + 0.2 * t)}
    lim = explicit_limit(g, 1.0)
    dt = 15 * lim
    tight = _run(u0, g, bc, method, dt, 8 * dt, rtol=1e-12, conservative=False)
    loose = _run(u0, g, bc, method, dt, 8 * dt, rtol=1e-4, conservative=False)
    fixed = _run(u0, g, bc, method, dt, 8 * dt, rtol=1e-4)
    h_tight, h_loose, h_fixed = (g.integrate(r.u) for r in (tight, loose, fixed))
    assert abs(h_loose - h_tight) > 1e-11 * abs(h_tight)  # the loose solves alone miss 1e-12
    assert abs(h_fixed - h_tight) < 1e-12 * abs(h_tight)
    assert np.abs(fixed.u - tight.u).max() < 1e-3 * np.abs(tight.u).max()
    assert fixed.solver_iterations < tight.solver_iterations


@pytest.mark.parametrize("method", METHODS)
def test_heat_grows_by_the_integral_of_the_source(method):
    g = Grid((12, 14), periodic=(True, False))
    X, Y = g.mesh()
    src = 1.0 + np.cos(2 * np.pi * X) * Y
    u0 = np.sin(2 * np.pi * X) + Y ** 2
    lim = explicit_limit(g, 1.0)
    dt = {"ftcs": 0.9, "rkl2": 40.0}.get(method, 20.0) * lim
    t_end = 20 * dt
    res = _run(u0, g, {"y": Neumann(0.0)}, method, dt, t_end, source=src)
    expect = g.integrate(u0) + t_end * g.integrate(src)
    assert abs(g.integrate(res.u) - expect) < 1e-12 * abs(expect)


def test_robin_ftcs_step_equals_operator():
    # the fused sweep is u + dt * div_k_grad(u) with the operators' ghost nodes, array alpha and source
    g = Grid((9, 8, 7))
    rng = np.random.default_rng(3)
    u0, alpha, src = rng.random(g.shape), 1 + rng.random(g.shape), rng.random(g.shape)
    bc = {"x-": Robin(2.0, 1.0, 0.3), "x+": Neumann(0.4), "*": Neumann(lambda x, y, z, t: x + t)}
    dt = 0.5 * explicit_limit(g, alpha.max())
    res = _run(u0, g, bc, "ftcs", dt, dt, alpha=alpha, source=src)
    ref = u0 + dt * (div_k_grad(u0, alpha, g, bc, t=0.0) + src)
    assert np.abs(res.u - ref).max() < 1e-13


def test_ftcs_just_under_limit_bounded_just_over_refused():
    g = Grid((21, 21))
    u0 = np.random.default_rng(0).random(g.shape)
    lim = explicit_limit(g, 1.0)
    res = _run(u0, g, Neumann(0.0), "ftcs", 0.999 * lim, 300 * lim)
    assert np.abs(res.u).max() <= np.abs(u0).max() + 1e-12
    with pytest.raises(StabilityError, match=str(lim)[:6]):
        _run(u0, g, Neumann(0.0), "ftcs", 1.01 * lim, 10 * lim)
    auto = _run(u0, g, Neumann(0.0), "ftcs", 1.01 * lim, 10 * lim, reduce_dt=True)
    assert auto.dt <= lim


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson", "rkl2"])
def test_large_steps_stay_bounded(method):
    g = Grid((17, 17))
    u0 = np.random.default_rng(2).random(g.shape)  # rough data: CN without damping would ring
    dt = 100 * explicit_limit(g, 1.0)
    res = _run(u0, g, Dirichlet(0.0), method, dt, 10 * dt)
    assert np.abs(res.u).max() <= np.abs(u0).max()
    if method == "crank_nicolson":
        # Rannacher start: the checkerboard is damped, not carried with factor ~ -1 per step
        assert np.abs(res.u).max() < 0.1


def test_input_checks():
    g = Grid((9, 9))
    u0 = np.zeros(g.shape)
    bad = u0.copy()
    bad[3, 3] = np.nan
    with pytest.raises(NonFiniteError):
        _run(bad, g, Dirichlet(0.0), "ftcs", None, 0.01)
    with pytest.raises(ParameterError, match="alpha"):
        _run(u0, g, Dirichlet(0.0), "ftcs", None, 0.01, alpha=-1.0)
    with pytest.raises(ParameterError, match="alpha"):
        _run(u0, g, Dirichlet(0.0), "ftcs", None, 0.01, alpha=-np.ones(g.shape))
    with pytest.raises(ParameterError, match="method"):
        _run(u0, g, Dirichlet(0.0), "euler", None, 0.01)
    with pytest.raises(ParameterError, match="source"):
        _run(u0, g, Dirichlet(0.0), "ftcs", None, 0.01, source=lambda a, b, c, d: 0)


def test_source_callables_told_apart_by_signature():
    g = Grid((9, 9))
    X, Y = g.mesh()
    lim = explicit_limit(g, 1.0)
    a = _run(np.zeros(g.shape), g, Neumann(0.0), "ftcs", lim / 2, lim, source=lambda t: 2.0 * t)
    b = _run(np.zeros(g.shape), g, Neumann(0.0), "ftcs", lim / 2, lim, source=lambda x, y, t: 2.0 * t + 0 * x)
    c = _run(np.zeros(g.shape), g, Neumann(0.0), "ftcs", lim / 2, lim, source=lambda x, y: x)
    dt = lim / 2  # forward Euler: u1 = dt * s(0) = 0, u2 = u1 + dt * s(dt) = 2 dt^2
    assert np.allclose(a.u, 2 * dt ** 2)
    assert np.allclose(b.u, a.u)
    assert np.allclose(c.u[1:-1], lim * X[1:-1])  # the boundary rows also feel the walls


def test_nan_guard_names_step_and_time():
    from fieldgrad.simulation import Simulation

    g = Grid((9, 9))
    sim = Simulation(np.ones(g.shape), g, Dirichlet(1.0), alpha=1.0, method="ftcs", progress=False, nan_check_every=1)

    def plant(s):
        s.u[4, 4] = np.nan

    sim.add_callback(plant, every=5)
    with pytest.raises(NonFiniteError, match=r"step 6, t = "):
        sim.run(steps=20)
