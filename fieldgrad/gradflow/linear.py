"""Descent on the quadratic bowl ``Q(x) = 1/2 x^T A x - b^T x`` (``A`` symmetric positive
definite), whose minimiser solves ``A x = b``: steepest descent with exact line search, plain
gradient descent with a fixed step, and conjugate gradients, each recording its residuals.

Steepest descent takes ``alpha = r^T r / r^T A r`` along the residual ``r = b - A x = -grad Q``;
its error contracts in the A-norm by at most ``(kappa - 1)/(kappa + 1)`` per step (Kantorovich),
so for the discrete Poisson matrix (``kappa ~ 1/h^2``) it needs ``O(1/h^2)`` iterations.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse.linalg as spla

from ..errors import ConvergenceError, ParameterError
from ..validation import check_count, check_positive

__all__ = ["LinearDescentResult", "steepest_descent", "fixed_step_descent", "conjugate_gradient", "bowl_energy"]


@dataclass
class LinearDescentResult:
    """Outcome of a descent on the quadratic bowl.

    Attributes
    ----------
    x : ndarray
    residuals : ndarray
        ``|b - A x_k| / |b|`` for ``k = 0 .. iterations``.
    steps : ndarray
        The step length taken at each iteration.
    iterations : int
    converged : bool
    matvecs : int
        Products with ``A`` (the work).
    iterates : list
        Every ``x_k`` when ``keep_iterates=True``.
    """

    x: np.ndarray
    residuals: np.ndarray
    steps: np.ndarray
    iterations: int
    converged: bool
    matvecs: int
    iterates: list = field(default_factory=list)


def _operator(A, size):
    op = spla.aslinearoperator(A)
    if op.shape != (size, size):
        raise ParameterError(f"A has shape {op.shape}; b has {size} entries, so A must be ({size}, {size})")
    return op


def bowl_energy(A, b, x):
    """``1/2 x^T A x - b^T x``."""
    return float(0.5 * x @ (spla.aslinearoperator(A) @ x) - b @ x)


def _setup(A, b, x0, tol, maxiter):
    b = np.asarray(b, dtype=float).ravel()
    op = _operator(A, b.size)
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=float).ravel()
    if x.shape != b.shape:
        raise ParameterError(f"x0 must have {b.size} entries; got {x.size}")
    tol = check_positive(tol, "tol")
    maxiter = check_count(maxiter, "maxiter", 1)
    bnorm = np.linalg.norm(b) or 1.0
    return b, op, x, tol, maxiter, bnorm


def _finish(x, res, steps, k, tol, matvecs, iterates, raise_on_failure, name):
    out = LinearDescentResult(x=x, residuals=np.array(res), steps=np.array(steps), iterations=k,
                              converged=bool(res[-1] <= tol), matvecs=matvecs, iterates=iterates)
    if raise_on_failure and not out.converged:
        raise ConvergenceError(f"{name} reached relative residual {res[-1]:.3g} after {k} iterations; "
                               f"tol was {tol:g} (raise maxiter)", residuals=res, result=out)
    return out


def steepest_descent(A, b, x0=None, tol=1e-8, maxiter=10000, keep_iterates=False, raise_on_failure=False):
    """Steepest descent with exact line search on ``1/2 x^T A x - b^T x``.

    Parameters
    ----------
    A : matrix, sparse matrix or LinearOperator (symmetric positive definite)
    b : array
    x0 : array, optional (default 0)
    tol : float
        Relative residual target.
    maxiter : int
    keep_iterates : bool
    raise_on_failure : bool
        Raise :class:`~fieldgrad.errors.ConvergenceError` when ``tol`` is not reached.

    Returns
    -------
    LinearDescentResult

    Example
    -------
    >>> r = steepest_descent(np.diag([1.0, 4.0]), np.array([1.0, 4.0]), tol=1e-12)
    >>> bool(np.allclose(r.x, [1.0, 1.0])), r.converged
    (True, True)
    """
    b, op, x, tol, maxiter, bnorm = _setup(A, b, x0, tol, maxiter)
    r = b - op @ x
    res, steps, iterates = [np.linalg.norm(r) / bnorm], [], [x.copy()] if keep_iterates else []
    k = 0
    while k < maxiter and res[-1] > tol:
        Ar = op @ r
        rr = r @ r
        alpha = rr / (r @ Ar)
        x = x + alpha * r
        r = r - alpha * Ar
        k += 1
        res.append(np.linalg.norm(r) / bnorm)
        steps.append(alpha)
        if keep_iterates:
            iterates.append(x.copy())
    return _finish(x, res, steps, k, tol, 1 + k, iterates, raise_on_failure, "steepest_descent")


def fixed_step_descent(A, b, step, x0=None, tol=1e-8, maxiter=10000, keep_iterates=False, raise_on_failure=False):
    """Plain gradient descent ``x <- x + step (b - A x)`` (one heat/FTCS step per iteration when
    ``A = -lap_h``).  Parameters as :func:`steepest_descent`, plus ``step`` (> 0).

    Example
    -------
    >>> fixed_step_descent(np.diag([1.0, 4.0]), np.array([1.0, 4.0]), step=0.4, tol=1e-10).converged
    True
    """
    b, op, x, tol, maxiter, bnorm = _setup(A, b, x0, tol, maxiter)
    eta = check_positive(step, "step")
    r = b - op @ x
    res, iterates = [np.linalg.norm(r) / bnorm], [x.copy()] if keep_iterates else []
    k = 0
    while k < maxiter and res[-1] > tol:
        x = x + eta * r
        r = b - op @ x
        k += 1
        res.append(np.linalg.norm(r) / bnorm)
        if keep_iterates:
            iterates.append(x.copy())
    return _finish(x, res, [eta] * k, k, tol, 1 + k, iterates, raise_on_failure, "fixed_step_descent")


def conjugate_gradient(A, b, x0=None, tol=1e-8, maxiter=10000, keep_iterates=False, raise_on_failure=False):
    """Conjugate gradients (Hestenes-Stiefel).  Parameters as :func:`steepest_descent`.

    Example
    -------
    >>> conjugate_gradient(np.diag([1.0, 4.0, 9.0]), np.ones(3), tol=1e-14).iterations  # <= 3 in exact arithmetic
    3
    """
    b, op, x, tol, maxiter, bnorm = _setup(A, b, x0, tol, maxiter)
    r = b - op @ x
    d = r.copy()
    rr = r @ r
    res, steps, iterates = [np.sqrt(rr) / bnorm], [], [x.copy()] if keep_iterates else []
    k = 0
    while k < maxiter and res[-1] > tol:
        Ad = op @ d
        alpha = rr / (d @ Ad)
        x = x + alpha * d
        r = r - alpha * Ad
        rr_new = r @ r
        d = r + (rr_new / rr) * d
        rr = rr_new
        k += 1
        res.append(np.sqrt(rr) / bnorm)
        steps.append(alpha)
        if keep_iterates:
            iterates.append(x.copy())
    return _finish(x, res, steps, k, tol, 1 + k, iterates, raise_on_failure, "conjugate_gradient")
