"""Gradient descent on E_lambda is FTCS for du/dt = lap u - lambda u + f: bitwise, plus the
consequences (energy decrease, mass decay, stability and monotonicity limits)."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, laplacian
from fieldgrad.errors import ParameterError
from fieldgrad.gradflow import gradient_descent, heat_steps, step_size_limits


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("lam", [0.0, 3.0])
def test_gd_step_is_bitwise_the_ftcs_step(setup, lam, dtype):
    name, grid, bc, _ = setup
    rng = np.random.default_rng(5)
    u0 = rng.standard_normal(grid.shape).astype(dtype)
    f = rng.standard_normal(grid.shape).astype(dtype)
    eta = 0.8 * step_size_limits(grid, bc, lam)["stable"]
    a = gradient_descent(u0, grid, bc, lr=eta, steps=7, weight_decay=lam, source=f)
    b = heat_steps(u0, grid, bc, dt=eta, steps=7, absorption=lam, source=f)
    assert a.u.dtype == dtype
    assert np.array_equal(a.snapshots, b.snapshots)  # bit for bit, every step
    # and one step is literally u + dt (lap u - lambda u + f) with the package Laplacian (round-off)
    u1 = b.snapshots[0] + eta * (laplacian(b.snapshots[0], grid, bc) - lam * b.snapshots[0] + f)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    expect = np.where(_free(grid, bc), u1, a.snapshots[0])  # Dirichlet nodes carry data and stay
    np.testing.assert_allclose(a.snapshots[1], expect, rtol=tol, atol=tol * np.abs(u1).max())


def _free(grid, bc):
    from _gradflow_helpers import free_box

    m = np.zeros(grid.shape, bool)
    m[free_box(grid, bc)] = True
    return m


def test_euclidean_inner_product_means_dt_equals_lr_times_h_to_the_d():
    grid = Grid((12, 10), extent=[(0, 1.2), (0, 1)], periodic=True)  # h = 0.1 on both axes
    u0 = np.random.default_rng(6).standard_normal(grid.shape)
    lr = 5.0  # huge as a grid step, fine as a Euclidean one
    a = gradient_descent(u0, grid, Periodic(), lr=lr, steps=10, weight_decay=2.0, inner="euclidean")
    b = heat_steps(u0, grid, Periodic(), dt=lr * 0.01, steps=10, absorption=2.0)
    assert a.dt == pytest.approx(lr * 0.01)
    np.testing.assert_allclose(a.u, b.u, rtol=1e-13, atol=1e-13)


def test_euclidean_step_is_halved_on_neumann_faces():
    grid = Grid((9,), extent=(0, 0.8))  # h = 0.1
    u0 = np.cos(np.linspace(0, 3, 9))
    lr = 2.0
    a = gradient_descent(u0, grid, Neumann(0.5), lr=lr, steps=1, inner="euclidean")
    dt = np.full(9, lr * 0.1)
    dt[[0, -1]] /= 2
    np.testing.assert_allclose(a.u, u0 + dt * laplacian(u0, grid, Neumann(0.5)), rtol=1e-14)


def test_decoupled_weight_decay_equals_the_coupled_step_for_plain_gd(setup):
    name, grid, bc, _ = setup
    u0 = np.random.default_rng(7).standard_normal(grid.shape)
    eta = 0.5 * step_size_limits(grid, bc, 5.0)["stable"]
    a = gradient_descent(u0, grid, bc, lr=eta, steps=20, weight_decay=5.0, record_every=0)
    b = gradient_descent(u0, grid, bc, lr=eta, steps=20, weight_decay=5.0, decoupled=True, record_every=0)
    np.testing.assert_allclose(a.u, b.u, rtol=1e-12, atol=1e-12)


def test_energy_strictly_decreases_for_stable_steps(setup):
    name, grid, bc, _ = setup
    u0 = np.random.default_rng(8).standard_normal(grid.shape)
    for lam in (0.0, 10.0):
        eta = 0.99 * step_size_limits(grid, bc, lam)["stable"]
        r = gradient_descent(u0, grid, bc, lr=eta, steps=40, weight_decay=lam, source=1.0)
        assert r.stable and r.energy_decreasing
        assert np.all(np.diff(r.grad_norm) < 0) or name != "periodic"  # gradient norm too (no growth)


@pytest.mark.parametrize("bc,periodic", [(Neumann(0.0), False), (Periodic(), True)])
def test_mass_decays_exactly_as_one_minus_eta_lambda_to_the_n(bc, periodic):
    # Trapezoid mass <1, u>_h: ghost-node Neumann and periodic Laplacians conserve it exactly.
    grid = Grid((10, 9), extent=[(0, 1), (0, 2)], periodic=periodic)
    u0 = np.random.default_rng(9).random(grid.shape)
    lam, steps = 6.0, 50
    eta = 0.9 * step_size_limits(grid, bc, lam)["stable"]
    r = gradient_descent(u0, grid, bc, lr=eta, steps=steps, weight_decay=lam)
    expect = r.mass[0] * (1 - eta * lam) ** np.arange(steps + 1)
    np.testing.assert_allclose(r.mass, expect, rtol=1e-12)
    assert r.mass[0] == pytest.approx(grid.integrate(u0), rel=1e-14)


def test_stable_below_the_limit_and_growing_above_it():
    grid = Grid((17, 17))
    lam = 2.0
    lim = step_size_limits(grid, Dirichlet(0), lam)["stable"]
    u0 = np.random.default_rng(10).standard_normal(grid.shape)
    below = gradient_descent(u0, grid, Dirichlet(0), lr=0.999 * lim, steps=120, weight_decay=lam, record_every=0)
    above = gradient_descent(u0, grid, Dirichlet(0), lr=1.05 * lim, steps=120, weight_decay=lam, record_every=0)
    assert below.stable and not above.stable
    n0 = np.abs(u0[1:-1, 1:-1]).max()
    assert np.abs(below.u).max() < n0
    # the checkerboard mode grows like |1 - eta (mu_max + lambda)|^n = |1 - 2.1|^120 = 1.1^120 ~ 9e4
    assert np.abs(above.u).max() > 30 * n0


def test_monotone_bound_keeps_nonnegative_data_nonnegative():
    grid = Grid((11, 11))
    lam = 400.0  # strong decay widens the window between the monotone (1/800) and stable (1/600) steps
    lim = step_size_limits(grid, Neumann(0), lam)
    spike = np.zeros(grid.shape)
    spike[5, 5] = 1.0
    ok = gradient_descent(spike, grid, Neumann(0), lr=lim["monotone"], steps=30, weight_decay=lam)
    # at the bound the spike's diagonal coefficient is 0: allow round-off (1e-15) below zero
    assert ok.snapshots.min() >= -1e-15
    assert np.all(np.diff(ok.snapshots.max(axis=(1, 2))) <= 0)  # the maximum never grows
    # just above it the spike's own node goes negative after one step (1 - eta (4/h^2 + lambda) < 0),
    # although the step is still stable
    bad = gradient_descent(spike, grid, Neumann(0), lr=1.05 * lim["monotone"], steps=1, weight_decay=lam)
    assert bad.stable and bad.u[5, 5] < 0


def test_argument_errors():
    grid = Grid((5, 5))
    with pytest.raises(ParameterError, match="lr"):
        gradient_descent(np.zeros(grid.shape), grid, Neumann(0), lr=-1.0, steps=3)
    with pytest.raises(ParameterError, match="steps"):
        gradient_descent(np.zeros(grid.shape), grid, Neumann(0), lr=1e-3, steps=2.5)
    with pytest.raises(ParameterError, match="absorption"):
        heat_steps(np.zeros(grid.shape), grid, Neumann(0), dt=1e-3, steps=1, absorption=-2)


@pytest.mark.parametrize("bc", [{"x": Dirichlet(0.5), "y": Neumann(0.3)}, Neumann(0.0)])
def test_heat_steps_is_the_heat_modules_ftcs(bc):
    # fieldgrad.heat's FTCS (its own fused kernel) for du/dt = lap u + f: same trajectory to 1e-13.
    # (The heat module has no absorption term, so this identity is checked at lambda = 0.)
    from fieldgrad.heat import solve_heat

    grid = Grid((17, 13))
    rng = np.random.default_rng(13)
    u0, f = rng.standard_normal((2,) + grid.shape)
    dt = 1e-4
    ref = solve_heat(u0, grid, bc, alpha=1.0, t_end=20 * dt, dt=dt, method="ftcs", source=f, progress=False)
    ours = heat_steps(u0, grid, bc, dt=dt, steps=20, source=f)
    assert ref.steps == 20
    np.testing.assert_allclose(ours.u, ref.u, rtol=0, atol=1e-13 * np.abs(ref.u).max())
