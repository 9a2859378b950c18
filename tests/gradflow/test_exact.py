"""Exact flow: spectral vs expm_multiply, decay commutes with diffusion, gradient descent
converges to it at order 1, and to the screened Poisson solution."""
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin
from fieldgrad.gradflow import exact_flow, gradient_descent, step_size_limits
from _gradflow_helpers import SETUPS


@pytest.mark.parametrize("name,grid,bc", [(s[0], s[1], s[2]) for s in SETUPS if s[0] in ("dirichlet", "neumann",
                                                                                           "periodic")])
def test_spectral_and_expm_routes_agree(name, grid, bc):
    rng = np.random.default_rng(11)
    u0, f = rng.standard_normal((2,) + grid.shape)
    a = exact_flow(u0, grid, bc, [0.0, 0.003, 0.05], weight_decay=1.5, source=f, method="spectral")
    b = exact_flow(u0, grid, bc, [0.0, 0.003, 0.05], weight_decay=1.5, source=f, method="expm")
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-10 * np.abs(a).max())


def test_decay_and_diffusion_commute(setup):
    # exp(t(lap - lambda)) u0 == exp(-lambda t) exp(t lap) u0 for homogeneous data (1e-12 relative)
    name, grid, _, hom = setup
    u0 = np.random.default_rng(12).standard_normal(grid.shape)
    from fieldgrad import apply_bc

    apply_bc(u0, grid, hom)
    t, lam = 0.02, 7.0
    both = exact_flow(u0, grid, hom, t, weight_decay=lam)
    diff_only = exact_flow(u0, grid, hom, t)
    np.testing.assert_allclose(both, np.exp(-lam * t) * diff_only, rtol=0, atol=1e-12 * np.abs(both).max())


@pytest.mark.parametrize("bc", [Dirichlet(0.0), {"x-": Robin(1.0, 0.5, 1.0), "x+": Dirichlet(0.0), "y": Neumann(0.5)}])
def test_gradient_descent_converges_to_the_exact_flow_at_order_one(bc):
    grid = Grid((13, 13))
    X, Y = grid.mesh()
    u0 = np.exp(-40 * ((X - 0.4) ** 2 + (Y - 0.5) ** 2))
    t, lam = 0.02, 5.0
    ref = exact_flow(u0, grid, bc, t, weight_decay=lam)
    eta_max = step_size_limits(grid, bc, lam)["monotone"]
    steps = np.array([1, 2, 4, 8]) * int(np.ceil(t / eta_max))
    errs = []
    for n in steps:
        r = gradient_descent(u0, grid, bc, lr=t / n, steps=int(n), weight_decay=lam, record_every=0)
        errs.append(np.abs(r.u - ref).max())
    slope = np.polyfit(np.log(t / steps), np.log(errs), 1)[0]
    assert abs(slope - 1.0) < 0.1, (slope, errs)


def _screened_poisson_reference(grid, bc_values, lam, f):
    """Screened Poisson (-lap + lam) u = f with Dirichlet values, by a sparse direct solve of a
    5-point matrix assembled here (independent of fieldgrad.gradflow)."""
    nx, ny = grid.shape
    hx, hy = grid.spacing
    u = np.zeros(grid.shape)
    u[0, :], u[-1, :], u[:, 0], u[:, -1] = bc_values
    m, k = nx - 2, ny - 2
    Tx = sp.diags([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], [-1, 0, 1]) / hx ** 2
    Ty = sp.diags([-np.ones(k - 1), 2 * np.ones(k), -np.ones(k - 1)], [-1, 0, 1]) / hy ** 2
    A = sp.kron(Tx, sp.identity(k)) + sp.kron(sp.identity(m), Ty) + lam * sp.identity(m * k)
    rhs = f[1:-1, 1:-1].copy()
    rhs[0, :] += u[0, 1:-1] / hx ** 2
    rhs[-1, :] += u[-1, 1:-1] / hx ** 2
    rhs[:, 0] += u[1:-1, 0] / hy ** 2
    rhs[:, -1] += u[1:-1, -1] / hy ** 2
    u[1:-1, 1:-1] = spla.spsolve(A.tocsc(), rhs.ravel()).reshape(m, k)
    return u


def test_gradient_descent_converges_to_the_screened_poisson_solution():
    # The steady state of du/dt = lap u - lambda u + f is solve_poisson(-f, ..., screening=lambda).
    grid = Grid((17, 13), extent=[(0, 1), (0, 0.75)])
    X, Y = grid.mesh()
    f = 50 * np.sin(3 * X) * np.cos(2 * Y)
    lam = 20.0
    vals = (0.5 * np.ones(13), np.zeros(13), grid.coords[0], np.ones(17))
    bc = {"x-": Dirichlet(vals[0]), "x+": Dirichlet(vals[1]), "y-": Dirichlet(vals[2]), "y+": Dirichlet(vals[3])}
    ref = _screened_poisson_reference(grid, vals, lam, f)
    try:
        from fieldgrad.solvers import solve_poisson
    except ImportError:  # the package solver is not exported yet: the sparse direct solve above stands in
        solve_poisson = None
    if solve_poisson is not None:  # the package solver: div grad u - lambda u = -f
        sol = solve_poisson(-f, grid, bc, screening=lam, rtol=1e-12)
        np.testing.assert_allclose(sol.u, ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    lim = step_size_limits(grid, bc, lam)
    # contraction^steps < 1e-13
    steps = int(np.log(1e-13) / np.log(lim["contraction"])) + 1
    r = gradient_descent(np.zeros(grid.shape), grid, bc, lr=lim["optimal"], steps=steps, weight_decay=lam,
                         source=f, record_every=0)
    np.testing.assert_allclose(r.u, ref, rtol=0, atol=1e-10 * np.abs(ref).max())
    # and the exact flow's long-time limit is the same state
    np.testing.assert_allclose(exact_flow(np.zeros(grid.shape), grid, bc, 10.0, weight_decay=lam, source=f), ref,
                               rtol=0, atol=1e-10 * np.abs(ref).max())
