"""Least squares: gradient flow with weight decay, gradient descent and ridge share one spectral
filter form; early stopping at time ``t`` equals a *generalized* ridge, not ridge at ``1/t``.

Loss ``L(beta) = (1/2n) |y - X beta|^2 + (lambda/2) |beta|^2`` from ``beta = 0``.  With
``S = X^T X / n = V diag(s) V^T`` and ``z = X^T y / n`` every method returns
``beta = V diag(phi(s) / (s + lambda)) V^T z`` with a filter ``phi``:

* gradient flow at time ``t``:   ``phi = 1 - exp(-t (s + lambda))``
* gradient descent, ``k`` steps:  ``phi = 1 - (1 - eta (s + lambda))^k``
* ridge with penalty ``lambda + 1/t``: ``phi = (s + lambda) / (s + lambda + 1/t)``

For ``t -> infinity`` the flow tends to ridge with penalty ``lambda`` (the minimum-norm least
squares solution when ``lambda = 0``).  Ali, Kolter & Tibshirani (2019) show that the risk of the
flow at ``t`` is within a constant factor of that of ridge at ``1/t``; the two estimators are not
equal.  The flow *equals* the generalized ridge ``(S + P_t)^{-1} z`` with
``P_t = V diag(p) V^T``, ``p = (s + lambda) / (1 - exp(-t (s + lambda))) - s``, which is
``~ 1/t + lambda/2`` along weak directions and tends to ``lambda`` (excess
``~ (s + lambda) exp(-t (s + lambda))``) along strong ones.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, ShapeError
from ..validation import check_nonneg, check_positive

__all__ = ["least_squares_path", "spectral_filter", "generalized_ridge_penalty", "least_squares_gradient",
           "LS_METHODS"]

LS_METHODS = ("flow", "gd", "ridge")


def _check_xy(X, y):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2:
        raise ShapeError(f"X must be a 2D array (n samples, p features); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ShapeError(f"y must have shape ({X.shape[0]},) to match X {X.shape}; got {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ParameterError("X and y must be finite")
    return X, y


def _check_times(times):
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or np.any(np.isnan(t)) or np.any(t < 0):
        raise ParameterError(f"times must be a 1D sequence of numbers >= 0 (inf allowed); got {times!r}")
    return t


def least_squares_gradient(X, y, beta, weight_decay=0.0):
    """Gradient of the loss: ``X^T (X beta - y) / n + lambda beta``."""
    return X.T @ (X @ beta - y) / X.shape[0] + weight_decay * beta


def spectral_filter(s, t, method="flow", weight_decay=0.0, lr=None):
    """The filter ``phi(s)`` of a method (see the module docstring).

    Parameters
    ----------
    s : array
        Eigenvalues of ``X^T X / n``.
    t : float
        Time (``inf`` allowed); for ``"gd"`` the step count is ``t / lr``.
    method : {"flow", "gd", "ridge"}
    weight_decay : float
    lr : float
        Step of ``"gd"``.

    Returns
    -------
    ndarray like ``s``

    Example
    -------
    >>> spectral_filter([1.0], 2.0, "ridge")  # s / (s + 1/t)
    array([0.66666667])
    """
    s = np.asarray(s, dtype=float)
    a = s + weight_decay
    if method == "flow":
        return -np.expm1(-t * a) if np.isfinite(t) else np.where(a > 0, 1.0, 0.0)
    if method == "gd":
        k = t / check_positive(lr, "lr")
        return 1.0 - (1.0 - lr * a) ** k
    if method == "ridge":
        if t == 0:
            return np.zeros_like(a)
        return a / (a + 1.0 / t)
    raise ParameterError(f"method must be one of {LS_METHODS}; got {method!r}")


def least_squares_path(X, y, times, method="flow", weight_decay=0.0, lr=None):
    """Estimates ``beta(t)`` of the weighted least-squares loss from ``beta = 0``.

    Parameters
    ----------
    X : array (n, p)
    y : array (n,)
    times : sequence of float
        ``"flow"``: times of the gradient flow (``inf`` gives the limit).  ``"gd"``: times
        ``k * lr`` (multiples of ``lr``); the iterations are run, not the formula.  ``"ridge"``:
        ridge with penalty ``weight_decay + 1/t`` (``t = inf``: penalty ``weight_decay``).
    method : {"flow", "gd", "ridge"}
    weight_decay : float
        ``lambda >= 0``.
    lr : float, optional
        Step of ``"gd"``; default ``1 / (s_max + lambda)``.

    Returns
    -------
    ndarray of shape ``(len(times), p)``

    Example
    -------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]]); y = np.array([1.0, 1.0])
    >>> least_squares_path(X, y, [np.inf])  # -> the least-squares solution
    array([[1. , 0.5]])
    """
    if method not in LS_METHODS:
        raise ParameterError(f"method must be one of {LS_METHODS}; got {method!r}")
    X, y = _check_xy(X, y)
    times = _check_times(times)
    lam = check_nonneg(weight_decay, "weight_decay")
    n, p = X.shape
    S = X.T @ X / n
    z = X.T @ y / n
    s, V = np.linalg.eigh(S)
    s = np.clip(s, 0.0, None)
    zt = V.T @ z
    a = s + lam
    null = a <= 1e-12 * max(a.max(), 1e-300)
    out = np.empty((len(times), p))
    if method == "gd":
        eta = 1.0 / a.max() if lr is None else check_positive(lr, "lr")
        ks = np.rint(times / eta)
        if np.any(~np.isfinite(times)) or np.any(np.abs(ks * eta - times) > 1e-9 * np.maximum(times, eta)):
            raise ParameterError(f"method='gd' needs finite times that are multiples of lr={eta:g}; got {times!r}")
        beta = np.zeros(p)
        done = 0
        for i in np.argsort(ks, kind="stable"):
            for _ in range(int(ks[i]) - done):
                beta = beta - eta * least_squares_gradient(X, y, beta, lam)
            done = int(ks[i])
            out[i] = beta
        return out
    for i, t in enumerate(times):
        if method == "ridge" and np.isfinite(t) and t > 0:
            coef = 1.0 / (a + 1.0 / t)
        elif method == "ridge" and t == 0:
            coef = np.zeros_like(a)
        else:
            phi = spectral_filter(s, t, "flow", lam)
            coef = np.where(null, (t if np.isfinite(t) else 0.0), phi / np.where(null, 1.0, a))
        out[i] = V @ (coef * zt)
    return out


def generalized_ridge_penalty(X, t, weight_decay=0.0):
    """The penalty matrix ``P_t`` with ``(X^T X / n + P_t)^{-1} X^T y / n`` equal to the gradient
    flow at time ``t`` (for every ``y``).

    Parameters
    ----------
    X : array (n, p)
    t : float > 0
    weight_decay : float

    Returns
    -------
    P : ndarray (p, p), symmetric positive definite
    p : ndarray (p,)
        Its eigenvalues, paired with the eigenvalues ``s`` of ``X^T X / n`` in ascending order.

    Example
    -------
    >>> P, p = generalized_ridge_penalty(np.eye(2) * np.sqrt(2), t=1.0)  # s = 1: p = 1/(e - 1)
    >>> bool(np.allclose(p, 1 / (np.e - 1)))
    True
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ShapeError(f"X must be a 2D array; got shape {X.shape}")
    t = check_positive(t, "t")
    lam = check_nonneg(weight_decay, "weight_decay")
    s, V = np.linalg.eigh(X.T @ X / X.shape[0])
    s = np.clip(s, 0.0, None)
    a = s + lam
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(a > 0, a / -np.expm1(-t * np.where(a > 0, a, 1.0)) - s, 1.0 / t)
    return (V * p) @ V.T, p
