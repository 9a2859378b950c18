"""cuda_poisson.solve agrees with the CPU direct solve for every boundary kind, array k and
screening (simulator, tiny grids), and behaves like the CPU solver on singular problems."""
import warnings

import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ConvergenceError, ParameterError


def _direct(f, g, bc, k=None, screening=0.0):
    from fieldgrad.solvers import solve_poisson

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_poisson(f, g, bc, k=k, screening=screening, method="direct").u


def _case(name):
    g = fg.Grid((9, 7), extent=[(0, 1), (0, 0.75)])
    X, Y = g.mesh()
    f = np.cos(3 * X) + Y ** 2
    if name == "neumann+screening":
        return g, f, fg.Neumann(lambda x, y: 0.3 * x), None, 2.0
    if name == "robin+dirichlet":
        return g, f, {"x-": fg.Robin(1.0, 2.0, 0.5), "y+": fg.Dirichlet(lambda x, y: x), "*": fg.Neumann(0.2)}, 3.0, 0.0
    if name == "variable k, array screening, mixed":
        return (g, f, {"x-": fg.Dirichlet(1.0), "y": fg.Robin(2.0, 1.0, 0.0), "*": fg.Neumann(0.1)},
                1.0 + 4.0 * (X > 0.5) + X * Y, 0.5 * (1 + X))
    if name == "periodic x, neumann/dirichlet y":
        gp = fg.Grid((8, 9), periodic=(True, False))
        Xp, Yp = gp.mesh()
        return gp, np.sin(2 * np.pi * Xp) + Yp, {"y-": fg.Dirichlet(0.0), "y+": fg.Neumann(1.0)}, 1 + 0.5 * np.sin(2 * np.pi * Xp), 0.0
    if name == "3D mixed, variable k":
        g3 = fg.Grid((5, 6, 5), periodic=(False, True, False))
        X3, Y3, Z3 = g3.mesh()
        bc = {"x-": fg.Dirichlet(0.5), "x+": fg.Robin(1.0, 1.0, 0.0), "z": fg.Neumann(0.3)}
        return g3, X3 * Z3 + np.cos(2 * np.pi * Y3), bc, 1 + X3 + Z3 ** 2, 0.0
    raise KeyError(name)


CASES = ["neumann+screening", "robin+dirichlet", "variable k, array screening, mixed",
         "periodic x, neumann/dirichlet y", "3D mixed, variable k"]


@pytest.mark.parametrize("name", CASES)
def test_matches_cpu_direct(cu, name):
    from fieldgrad.solvers.cuda_poisson import solve

    g, f, bc, k, s = _case(name)
    res = solve(f, g, bc, k=k, screening=s, rtol=1e-10, coarse_size=12)
    ref = _direct(f, g, bc, k, s)
    assert res.converged and res.info["backend"] == "cuda"
    assert len(res.info["levels"]) >= 2  # really a multilevel solve, not only the host LU
    want = "cg-cuda" if (np.ndim(k) or np.ndim(s)) else "multigrid-cuda"
    assert res.method == want
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-8 * max(1.0, np.abs(ref).max()))
    # multigrid-quality convergence: few iterations to 1e-10
    assert res.iterations <= 12, res.residuals


def test_singular_neumann_projection_and_zero_mean(cu):
    from fieldgrad.solvers.cuda_poisson import solve
    from fieldgrad.solvers import CompatibilityWarning

    g = fg.Grid((9, 9))
    X, Y = g.mesh()
    f = np.cos(np.pi * X) + 0.3  # incompatible with zero flux: the mean 0.3 must be projected out
    with pytest.warns(CompatibilityWarning):
        res = solve(f, g, fg.Neumann(0.0), rtol=1e-10, coarse_size=12)
    u = res.u.copy_to_host()
    assert abs(res.info["compatibility_shift"] - 0.3) < 0.05
    assert abs(g.integrate(u)) < 1e-10  # zero (trapezoid) mean, like the CPU solver
    np.testing.assert_allclose(u, _direct(f, g, fg.Neumann(0.0)), atol=1e-9)
    with pytest.raises(ParameterError, match="strict"):
        solve(f, g, fg.Neumann(0.0), strict=True)


def test_float32_device_rhs_and_x0(cu):
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((9, 7))
    X, Y = g.mesh()
    exact = X ** 2 - Y ** 2 + 0.5 * X  # harmonic; the 5-point stencil and the ghost closures are exact
    bc = {"x-": fg.Dirichlet(lambda x, y: x ** 2 - y ** 2 + 0.5 * x), "x+": fg.Neumann(lambda x, y: 2 * x + 0.5),
          "y": fg.Neumann(lambda x, y: -2 * np.abs(y))}
    f = cu.as_device(np.zeros(g.shape, np.float32))
    res = solve(f, g, bc, rtol=1e-5, coarse_size=12, x0=np.ones(g.shape))
    u = res.u.copy_to_host()
    assert u.dtype == np.float32
    np.testing.assert_allclose(u, exact, atol=2e-5)


def test_device_k_checked_and_convergence_error(cu):
    from fieldgrad.kernels import cuda_ops
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((9, 9))
    k = np.ones(g.shape)
    k[3, 4] = -1.0
    kd = cu.as_device(k)
    with pytest.raises(ParameterError, match="positive"):
        solve(np.ones(g.shape), g, fg.Neumann(0.0), k=kd, screening=1.0)
    with pytest.raises(ParameterError, match="positive"):
        cuda_ops.div_k_grad(np.ones(g.shape), kd, g, fg.Neumann(0.0))
    with pytest.raises(ConvergenceError) as info:
        solve(np.ones(g.shape), g, fg.Neumann(0.0), screening=1.0, rtol=1e-14, maxiter=1, coarse_size=12)
    assert len(info.value.residuals) == 1 and info.value.result is not None


def test_order4_error_says_what_to_do(cu):
    from fieldgrad.kernels import cuda_ops

    g = fg.Grid((9, 9))
    with pytest.raises(ParameterError, match="order=2.*backend='cpu'"):
        cuda_ops.laplacian(np.ones(g.shape), g, order=4)


def test_setup_cache_sees_robin_array_changed_in_place(cu):
    """u'' = 0, u(0) = 0, alpha u + u' = 20 at x = 1: u = 20 x / (1 + alpha), exact on the grid.
    Changing alpha in place must give a new setup, not the one cached for the old values."""
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((9, 5))
    X, _ = g.mesh()
    alpha = np.ones(g.face_shape("x+"))
    bc = {"x-": fg.Dirichlet(0.0), "x+": fg.Robin(alpha, 1.0, 20.0), "y": fg.Neumann(0.0)}
    u = solve(np.zeros(g.shape), g, bc, rtol=1e-10, coarse_size=12).u.copy_to_host()
    np.testing.assert_allclose(u, 10.0 * X, atol=1e-7)
    alpha[:] = 3.0
    u = solve(np.zeros(g.shape), g, bc, rtol=1e-10, coarse_size=12).u.copy_to_host()
    np.testing.assert_allclose(u, 5.0 * X, atol=1e-7)


def test_undetermined_level_warns_like_the_cpu_solver(cu):
    """All-Neumann, zero data: every constant solves it -- the CUDA path says so as the CPU one does."""
    from fieldgrad.errors import UndeterminedLevelWarning
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((9, 9))
    with pytest.warns(UndeterminedLevelWarning, match="undetermined"):
        res = solve(np.zeros(g.shape), g, fg.Neumann(0.0), rtol=1e-8)
    assert np.abs(res.u.copy_to_host()).max() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndeterminedLevelWarning)
        solve(np.cos(np.pi * g.mesh()[0]), g, fg.Neumann(0.0), rtol=1e-8)  # data: the level is fixed by f
