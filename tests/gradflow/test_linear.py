"""Descent on the Poisson bowl: exact line search, Kantorovich contraction, CG; the matrix is
minus the package Laplacian, whose condition number is known in closed form."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid
from fieldgrad.errors import ConvergenceError
from fieldgrad.gradflow import (bowl_energy, conjugate_gradient, fixed_step_descent, laplacian_eigenvalues,
                                laplacian_matrix, steepest_descent, step_size_limits)


def _bowl(n=15):
    grid = Grid((n, n))
    A = -laplacian_matrix(grid, Dirichlet(0))
    X, Y = grid.mesh()
    b = (np.exp(X) * np.sin(5 * Y))[1:-1, 1:-1].ravel()
    mu = laplacian_eigenvalues(grid, Dirichlet(0))
    return grid, A, b, mu.max() / mu.min()


def test_exact_line_search_step_minimises_the_energy_along_the_residual():
    grid, A, b, _ = _bowl()
    r = steepest_descent(A, b, maxiter=5, keep_iterates=True, tol=1e-30)
    for k in range(5):
        x = r.iterates[k]
        res = b - A @ x
        alpha = (res @ res) / (res @ (A @ res))
        assert r.steps[k] == pytest.approx(alpha, rel=1e-12)
        e0 = bowl_energy(A, b, x + alpha * res)
        for d in (1e-3, -1e-3):
            assert bowl_energy(A, b, x + alpha * (1 + d) * res) > e0


def test_steepest_descent_contracts_the_a_norm_error_by_the_kantorovich_factor():
    grid, A, b, kappa = _bowl()
    xs = np.linalg.solve(A.toarray(), b)
    r = steepest_descent(A, b, maxiter=60, keep_iterates=True, tol=1e-30)
    err = [np.sqrt((x - xs) @ (A @ (x - xs))) for x in r.iterates]
    ratios = np.array(err[1:]) / np.array(err[:-1])
    bound = (kappa - 1) / (kappa + 1)
    assert np.all(ratios <= bound * (1 + 1e-12))
    assert ratios.max() > 0.9 * bound  # and the bound is not loose here: the slowdown is real


def test_iterations_grow_like_one_over_h_squared_for_steepest_descent_not_for_cg():
    its_sd, its_cg = [], []
    for n in (9, 17):
        grid, A, b, kappa = _bowl(n)
        its_sd.append(steepest_descent(A, b, tol=1e-6, raise_on_failure=True).iterations)
        its_cg.append(conjugate_gradient(A, b, tol=1e-6, raise_on_failure=True).iterations)
    # halving h multiplies kappa by ~4: steepest descent iterations by ~4, CG by ~2
    assert 3.0 < its_sd[1] / its_sd[0] < 5.0
    assert its_cg[1] / its_cg[0] < 2.6


def test_fixed_step_descent_is_ftcs_and_converges_at_the_optimal_rate():
    grid, A, b, kappa = _bowl(11)
    lim = step_size_limits(grid, Dirichlet(0))
    r = fixed_step_descent(A, b, step=lim["optimal"], tol=1e-8, raise_on_failure=True)
    xs = np.linalg.solve(A.toarray(), b)
    np.testing.assert_allclose(r.x, xs, rtol=0, atol=1e-6 * np.abs(xs).max())
    # residual contraction per step tends to (kappa - 1)/(kappa + 1) = lim["contraction"]
    rate = (r.residuals[-1] / r.residuals[-21]) ** (1 / 20)
    assert rate == pytest.approx(lim["contraction"], rel=1e-3)


def test_cg_solves_and_failure_is_reported():
    grid, A, b, _ = _bowl(9)
    r = conjugate_gradient(A, b, tol=1e-12)
    np.testing.assert_allclose(A @ r.x, b, rtol=0, atol=1e-10 * np.abs(b).max())
    with pytest.raises(ConvergenceError) as exc:
        steepest_descent(A, b, tol=1e-12, maxiter=3, raise_on_failure=True)
    assert len(exc.value.residuals) == 4 and exc.value.result is not None
