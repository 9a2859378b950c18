"""The k / rho_c form of solve_heat: conservation of the rho_c-weighted heat, agreement with the
alpha form where both describe the same problem, the node-by-node stability limit, bad input."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin, Simulation, solve_heat
from fieldgrad.errors import NonFiniteError, ParameterError, ShapeError, StabilityError
from fieldgrad.heat import explicit_limit
from fieldgrad.heat.stability import capacity_limit
from fieldgrad.solvers.discretize import Problem

METHODS = ["ftcs", "rkl2", "backward_euler", "crank_nicolson"]


def _two_materials(g):
    """rho_c 1 and 100 on the two halves of x, a k field with a 30x contrast, rough data."""
    X, Y = g.mesh()[:2]
    rc = np.where(X < 0.5, 1.0, 100.0)
    k = np.where(Y < 0.3, 30.0, 1.0) * (1.0 + 0.5 * X)
    u0 = np.random.default_rng(4).random(g.shape)
    return rc, k, u0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(33, 25), (13, 11, 9)])
def test_rho_c_weighted_heat_conserved_to_round_off(method, shape):
    g = Grid(shape, extent=[(0.0, 1.0)] * len(shape))
    rc, k, u0 = _two_materials(g)
    w = Problem(g, Neumann(0.0)).weights().reshape(g.shape) * g.cell_volume  # trapezoid weights
    heat0 = float(np.sum(w * rc * u0))
    lim = capacity_limit(g, Neumann(0.0), k=k, rho_c=rc)
    dt = {"ftcs": 0.9, "rkl2": 40.0}.get(method, 200.0) * lim
    r = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=dt, steps=12, method=method, progress=False)
    assert r.steps == 12
    assert abs(float(np.sum(w * rc * r.u)) - heat0) < 1e-13 * heat0
    # something happened: the rho_c-weighted energy of the deviation from the mean fell
    m = heat0 / float(np.sum(w * rc))
    assert float(np.sum(w * rc * (r.u - m) ** 2)) < (1 - 1e-3) * float(np.sum(w * rc * (u0 - m) ** 2))


@pytest.mark.parametrize("method", METHODS)
def test_constant_rho_c_equals_the_alpha_form(method):
    # k = rho_c * alpha with rho_c constant (as an array) is the alpha problem: the same field.  (The
    # limits differ: the alpha form bounds every row by alpha_max, the k form takes each node's row.)
    g = Grid((21, 17), extent=[(0.0, 1.0), (0.0, 0.8)])
    X, Y = g.mesh()
    alpha = 1.0 + X * Y + 0.5 * np.sin(3 * X)
    rc = np.full(g.shape, 3.0)
    bc = {"x-": Dirichlet(lambda x, y, t: np.sin(np.pi * y) * (1 + t)), "x+": Robin(2.0, 1.0, 0.5),
          "y-": Neumann(lambda x, y, t: 0.3 * x * t), "y+": Neumann(0.0)}
    src = lambda x, y, t: x * y * (1 + t)  # noqa: E731  (a heat source q; alpha form takes q / rho_c)
    u0 = np.cos(X) * Y
    dt = {"ftcs": 0.5, "rkl2": 30.0}.get(method, 60.0) * explicit_limit(g, alpha, bc)
    kw = {"rtol": 1e-12} if method in ("backward_euler", "crank_nicolson") else {}
    ra = solve_heat(u0, g, bc, alpha=alpha, source=lambda x, y, t: src(x, y, t) / 3.0, dt=dt, t_end=40 * dt,
                    method=method, progress=False, **kw)
    rk = solve_heat(u0, g, bc, k=3.0 * alpha, rho_c=rc, source=src, dt=dt, t_end=40 * dt, method=method,
                    progress=False, **kw)
    assert rk.steps == ra.steps == 40
    assert np.max(np.abs(rk.u - ra.u)) < 1e-10 * np.max(np.abs(ra.u))
    assert np.max(np.abs(ra.u)) > 0.1


def test_capacity_limit_is_the_largest_row_sum_over_rho_c():
    g = Grid((11, 11))  # h = 0.1; every row of the Neumann Laplacian has |row| sum 8 / h^2 = 800
    rc = np.full(g.shape, 100.0)
    rc[4, 6] = 2.0
    assert capacity_limit(g, Neumann(0.0), k=1.0, rho_c=rc) == pytest.approx(2.0 / (800.0 / 2.0), rel=1e-14)
    # a Robin face: the same bound as the alpha form's limit (corner row 800 + 2 * 2 k a / (b h))
    bc = {"x-": Robin(3.0, 1.0, 0.0), "*": Neumann(0.0)}
    assert capacity_limit(g, bc, k=2.0, rho_c=1.0) == pytest.approx(explicit_limit(g, 2.0, bc), rel=1e-14)
    assert capacity_limit(g, bc, k=2.0, rho_c=1.0) == pytest.approx(2.0 / (1600.0 + 2 * 2.0 * 3.0 / 0.1), rel=1e-14)
    # a held node's row does not count: the small rho_c sits on a Dirichlet face
    rc2 = np.full(g.shape, 100.0)
    rc2[0, 5] = 1e-3
    lim = capacity_limit(g, {"x-": Dirichlet(0.0), "*": Neumann(0.0)}, k=1.0, rho_c=rc2)
    assert lim == pytest.approx(2.0 / (800.0 / 100.0), rel=1e-14)


def test_ftcs_at_the_limit_keeps_the_maximum_principle_and_refuses_above_it():
    # without Robin faces the limit is rho_c_i / |A0_ii| at the worst node: FTCS is then monotone
    g = Grid((25, 25))
    rc, k, u0 = _two_materials(g)
    lim = capacity_limit(g, Neumann(0.0), k=k, rho_c=rc)
    r = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=lim, steps=300, method="ftcs", progress=False)
    assert r.u.min() >= u0.min() - 1e-14 and r.u.max() <= u0.max() + 1e-14
    with pytest.raises(StabilityError, match="capacity_limit"):
        solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=1.01 * lim, steps=1, method="ftcs", progress=False)
    sim = Simulation(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=1.5 * lim, method="ftcs", reduce_dt=True, progress=False)
    assert sim.dt == pytest.approx(0.9 * lim, rel=1e-14)
    # auto picks by the same limit, and RKL2 takes its stage count from it
    assert Simulation(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=0.99 * lim, progress=False).method == "ftcs"
    r2 = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=27.0 * lim, steps=1, method="auto", progress=False)
    assert (r2.method, r2.info["stages"]) == ("rkl2", 10)  # (s^2 + s - 2) / 4 >= 27 first at s = 10


def test_heat_capacity_field_slows_the_heavy_side():
    # exact statement of the ODE: with no flux and a uniform source q, d/dt sum(w rho_c u) = q * area
    g = Grid((17, 17))
    rc, k, u0 = _two_materials(g)
    w = g.quadrature_weights()
    t_end = 0.2
    r = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, source=2.0, t_end=t_end, dt=0.01,
                   method="crank_nicolson", progress=False)
    assert float(np.sum(w * rc * (r.u - u0))) == pytest.approx(2.0 * t_end * 1.0, rel=1e-12)


@pytest.mark.parametrize("bad, err, words", [
    (-1.0, ParameterError, "rho_c"), (0.0, ParameterError, "rho_c"), (np.nan, ParameterError, "rho_c"),
    ("neg_array", ParameterError, "rho_c"), ("zero_array", ParameterError, "rho_c"),
    ("nan_array", NonFiniteError, "rho_c"), ("shape", ShapeError, "rho_c")])
def test_bad_rho_c_is_refused_naming_it(bad, err, words):
    g = Grid((9, 9))
    if isinstance(bad, str):
        arr = np.ones(g.shape)
        if bad == "neg_array":
            arr[3, 3] = -2.0
        elif bad == "zero_array":
            arr[0, 0] = 0.0
        elif bad == "nan_array":
            arr[2, 1] = np.nan
        else:
            arr = np.ones((9, 8))
        bad = arr
    with pytest.raises(err, match=words):
        solve_heat(np.zeros(g.shape), g, Neumann(0.0), k=1.0, rho_c=bad, steps=1, progress=False)


def test_alpha_with_k_or_rho_c_is_refused():
    g = Grid((9, 9))
    for kw in ({"k": 1.0}, {"rho_c": 2.0}, {"k": 1.0, "rho_c": 2.0}):
        with pytest.raises(ParameterError, match="alpha.*" + next(iter(kw))):
            solve_heat(np.zeros(g.shape), g, Neumann(0.0), alpha=1.0, steps=1, progress=False, **kw)
    with pytest.raises(ParameterError, match="alpha .* or k"):
        solve_heat(np.zeros(g.shape), g, Neumann(0.0), steps=1, progress=False)
    with pytest.raises(ParameterError, match="k must be positive"):
        solve_heat(np.zeros(g.shape), g, Neumann(0.0), k=-1.0, rho_c=1.0, steps=1, progress=False)


# (the k / rho_c form runs on CUDA, tests/backends/test_cuda_capacity.py, and under MPI,
# tests/distributed/test_mpi_materials.py)


def test_k_alone_means_rho_c_one_and_state_round_trip():
    g = Grid((17, 17))
    rc, k, u0 = _two_materials(g)
    dt = 0.9 * capacity_limit(g, Neumann(0.0), k=k, rho_c=1.0)
    r1 = solve_heat(u0, g, Neumann(0.0), k=k, steps=5, dt=dt, method="ftcs", progress=False)
    r2 = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=np.ones(g.shape), steps=5, dt=dt, method="ftcs", progress=False)
    assert np.array_equal(r1.u, r2.u)
    sim = Simulation(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=1e-3, method="rkl2", progress=False).run(steps=3)
    again = Simulation.from_state(sim.state(), bc=Neumann(0.0))
    assert np.array_equal(again.problem.rho_c, rc) and again.dt == sim.dt
    sim.run(steps=2)
    again.run(steps=2)
    assert np.array_equal(again.u, sim.u)


def test_checkpoint_restart_continues_bit_for_bit(tmp_path):
    g = Grid((13, 11))
    rc, k, u0 = _two_materials(g)
    sim = Simulation(u0, g, Neumann(0.0), k=k, rho_c=rc, dt=1e-3, method="crank_nicolson", progress=False)
    sim.run(steps=2)
    sim.checkpoint(tmp_path / "ck.h5")
    again = Simulation.restart(tmp_path / "ck.h5")
    sim.run(steps=3)
    again.run(steps=3)
    assert np.array_equal(again.u, sim.u) and again.method == "crank_nicolson"


def test_time_dependent_robin_coefficients_are_refused_in_the_k_form():
    from fieldgrad.errors import BoundaryError

    g = Grid((9, 9))
    bc = {"x-": Robin(lambda x, y, t: 1.0 + t, 1.0, 0.0), "*": Neumann(0.0)}
    with pytest.raises(BoundaryError, match="k / rho_c form.*Robin alpha"):
        solve_heat(np.zeros(g.shape), g, bc, k=1.0, rho_c=2.0, steps=1, progress=False)


def test_small_rho_c_with_a_strong_source_is_not_mistaken_for_growth():
    # u grows at q / rho_c = 1e5 per unit time (exactly t q / rho_c: no flux, uniform data), 1e4 times
    # faster than a source of 10 moves the alpha form's u
    g = Grid((9, 9))
    r = solve_heat(np.zeros(g.shape), g, Neumann(0.0), k=1.0, rho_c=1e-4, source=10.0, t_end=1.0, dt=0.05,
                   method="backward_euler", nan_check_every=1, progress=False)
    assert np.allclose(r.u, 1e5, rtol=1e-10)


def test_temperature_field_with_a_heat_capacity_field():
    from fieldgrad import TemperatureField

    g = Grid((17, 17))
    rc, k, u0 = _two_materials(g)
    T = TemperatureField(g, u0, conductivity=k, heat_capacity=rc, bc=Neumann(0.0), source=3.0)
    T1, res = T.evolve(0.1, dt=0.01, method="crank_nicolson", progress=False)
    # the heat gained is the source's: thermal_energy = int rho_c T dV grows by q * area * t
    assert T1.thermal_energy() - T.thermal_energy() == pytest.approx(3.0 * 0.1, rel=1e-12)
    ref = solve_heat(u0, g, Neumann(0.0), k=k, rho_c=rc, source=3.0, t_end=0.1, dt=0.01, method="crank_nicolson",
                     progress=False)
    assert np.array_equal(T1.data, ref.u)
    with pytest.raises(ParameterError, match="rho_c"):
        TemperatureField(g, u0, heat_capacity=-rc)


@pytest.mark.parametrize("shape", [(12, 9), (9, 8, 7)])
def test_one_ftcs_step_is_the_operator_over_rho_c(shape):
    # the links sweep equals u + dt (div(k grad u) + q) / rho_c with fieldgrad.operators.div_k_grad
    # (ghost-node operator, harmonic face means) at every node off the Dirichlet face
    from fieldgrad.operators import div_k_grad

    g = Grid(shape)
    rng = np.random.default_rng(7)
    u0 = rng.random(shape)
    k = 0.5 + rng.random(shape)
    rc = np.where(g.mesh()[0] < 0.4, 2.0, 50.0)
    q = rng.random(shape)
    bc = {"x-": Dirichlet(0.3), "x+": Robin(2.0, 1.0, 0.7), "y-": Neumann(-0.4), "*": Neumann(0.2)}
    dt = 0.9 * capacity_limit(g, bc, k=k, rho_c=rc)
    r = solve_heat(u0, g, bc, k=k, rho_c=rc, source=q, dt=dt, steps=1, method="ftcs", progress=False)
    u0d = u0.copy()
    u0d[0] = 0.3
    ref = u0d + dt * (div_k_grad(u0d, g, bc, k=k) + q) / rc
    assert np.all(r.u[0] == 0.3)
    assert np.max(np.abs(r.u[1:] - ref[1:])) < 1e-13


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
def test_implicit_step_from_a_uniform_insulated_field_with_varying_rho_c(method):
    """A uniform start with insulated walls is already the steady state: every implicit step
    keeps it.  With a node-array rho_c (the links path, MG-CG warm-started from the last field)
    the first step raised ConvergenceError; a scalar rho_c took the stencil path and was fine."""
    import fieldgrad as fg

    g = fg.Grid((9, 9))
    rc = np.full(g.shape, 5.0)
    rc[3, 3] = 7.0
    r = fg.solve_heat(np.ones(g.shape), g, fg.Neumann(0.0), k=1.0, rho_c=rc, steps=3, dt=1e-3, method=method,
                      progress=False)
    assert np.allclose(r.u, 1.0, rtol=0, atol=1e-12)
    s = fg.solve_poisson(-rc, g, fg.Neumann(0.0), k=1.0, screening=rc, method="cg", x0=np.ones(g.shape))
    assert np.allclose(s.u, 1.0, rtol=0, atol=1e-12)
