"""Least squares: closed-form flow vs an independent matrix exponential, the GD filter, the ridge
limit, the generalized-ridge equivalence; SGD decoupled decay == L2, AdamW != Adam + L2."""
import numpy as np
import pytest
import scipy.linalg

from fieldgrad.errors import ParameterError, ShapeError
from fieldgrad.gradflow import (SGD, Adam, generalized_ridge_penalty, least_squares_path, run_optimizer,
                                spectral_filter)


def _data(n=30, p=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.linspace(0.2, 3, p)
    y = X @ rng.standard_normal(p) + 0.3 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_flow_matches_an_independent_matrix_exponential(lam):
    # d beta/dt = -(S + lam) beta + z from 0: augmented expm (no eigendecomposition), 1e-10 relative
    X, y = _data()
    n, p = X.shape
    S, z = X.T @ X / n, X.T @ y / n
    aug = np.zeros((p + 1, p + 1))
    aug[:p, :p] = -(S + lam * np.eye(p))
    aug[:p, p] = z
    times = [0.0, 0.1, 1.0, 7.0]
    ref = np.array([scipy.linalg.expm(t * aug)[:p, p] for t in times])
    got = least_squares_path(X, y, times, "flow", weight_decay=lam)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10 * np.abs(ref).max())


def test_gd_iterates_have_the_filter_one_minus_one_minus_eta_s_to_the_k():
    X, y = _data(seed=1)
    n, p = X.shape
    lam, eta = 0.2, 0.05
    s, V = np.linalg.eigh(X.T @ X / n)
    z = X.T @ y / n
    ks = np.array([0, 1, 5, 40])
    got = least_squares_path(X, y, ks * eta, "gd", weight_decay=lam, lr=eta)
    for k, g in zip(ks, got):
        ref = V @ ((1 - (1 - eta * (s + lam)) ** k) / (s + lam) * (V.T @ z))
        np.testing.assert_allclose(g, ref, rtol=0, atol=1e-12 * max(1, np.abs(ref).max()))
    np.testing.assert_allclose(spectral_filter(s, 40 * eta, "gd", lam, eta), 1 - (1 - eta * (s + lam)) ** 40,
                               rtol=1e-13)


def test_ridge_limit_as_t_goes_to_infinity():
    X, y = _data(seed=2)
    n, p = X.shape
    lam = 0.1
    ridge = np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)
    far = least_squares_path(X, y, [1e4, np.inf], "flow", weight_decay=lam)
    np.testing.assert_allclose(far, [ridge, ridge], rtol=1e-10)
    np.testing.assert_allclose(least_squares_path(X, y, [np.inf], "ridge", lam)[0], ridge, rtol=1e-10)
    # overparameterised, no decay: the flow from 0 tends to the minimum-norm interpolant
    Xw, yw = _data(n=6, p=10, seed=3)
    np.testing.assert_allclose(least_squares_path(Xw, yw, [np.inf, 1e7], "flow"),
                               [np.linalg.pinv(Xw) @ yw] * 2, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("lam", [0.0, 0.25])
def test_early_stopping_equals_a_generalized_ridge_not_ridge_at_one_over_t(lam):
    X, y = _data(seed=4)
    n, p = X.shape
    S, z = X.T @ X / n, X.T @ y / n
    t = 2.0
    flow = least_squares_path(X, y, [t], "flow", weight_decay=lam)[0]
    P, pe = generalized_ridge_penalty(X, t, weight_decay=lam)
    np.testing.assert_allclose(np.linalg.solve(S + P, z), flow, rtol=1e-10)  # equal (1e-10)
    np.testing.assert_allclose(P, P.T, atol=1e-14)
    ridge = least_squares_path(X, y, [t], "ridge", weight_decay=lam)[0]  # penalty lam + 1/t
    assert np.linalg.norm(ridge - flow) > 1e-2 * np.linalg.norm(flow)  # only resembles
    s = np.linalg.eigvalsh(S)
    # generalized penalty: ~1/t (+ lam/2) along weak directions, tiny along strong ones
    assert pe[0] == pytest.approx((s[0] + lam) / -np.expm1(-t * (s[0] + lam)) - s[0], rel=1e-12)
    assert pe[-1] - lam < 0.05 / t  # strong directions keep only the weight decay


def test_sgd_decoupled_weight_decay_equals_l2_penalty():
    X, y = _data(n=40, seed=5)
    rng = np.random.default_rng(6)
    batches = [rng.choice(40, 8, replace=False) for _ in range(200)]

    def grad(theta, k):
        b = batches[k]
        return X[b].T @ (X[b] @ theta - y[b]) / len(b)

    a = run_optimizer(SGD(0.02, weight_decay=0.5), grad, np.ones(8), 200)
    d = run_optimizer(SGD(0.02, weight_decay=0.5, decoupled=True), grad, np.ones(8), 200)
    np.testing.assert_allclose(a, d, rtol=1e-12, atol=1e-12)


def test_adamw_is_not_adam_with_l2():
    X, y = _data(n=40, seed=7)
    n, p = X.shape
    lam, lr = 0.5, 0.01
    theta0 = np.linspace(-2, 2, p)

    def grad(theta, k):
        return X.T @ (X @ theta - y) / n

    # first step, in closed form (m_hat = g, v_hat = g^2 after bias correction)
    g = grad(theta0, 0)
    l2 = run_optimizer(Adam(lr, weight_decay=lam), grad, theta0, 1)[1]
    w = run_optimizer(Adam(lr, weight_decay=lam, decoupled=True), grad, theta0, 1)[1]
    gl = g + lam * theta0
    np.testing.assert_allclose(l2, theta0 - lr * gl / (np.abs(gl) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(w, theta0 - lr * (g / (np.abs(g) + 1e-8) + lam * theta0), rtol=1e-12)
    assert np.abs(l2 - w).max() > 0.1 * lr
    # long runs: Adam + L2 settles at the ridge minimiser (its gradient -> 0); AdamW does not
    ridge = np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n)
    l2_run = run_optimizer(Adam(0.003, weight_decay=lam), grad, theta0, 6000)[-1]
    w_run = run_optimizer(Adam(0.003, weight_decay=lam, decoupled=True), grad, theta0, 6000)[-1]
    assert np.linalg.norm(l2_run - ridge) < 0.02 * np.linalg.norm(ridge)
    assert np.linalg.norm(w_run - ridge) > 0.1 * np.linalg.norm(ridge)


def test_bad_arguments():
    X, y = _data()
    with pytest.raises(ShapeError, match="y must have shape"):
        least_squares_path(X, y[:-1], [1.0])
    with pytest.raises(ParameterError, match="method"):
        least_squares_path(X, y, [1.0], method="lasso")
    with pytest.raises(ParameterError, match="multiples of lr"):
        least_squares_path(X, y, [0.15], method="gd", lr=0.1)
