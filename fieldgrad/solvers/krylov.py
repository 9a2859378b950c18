"""Conjugate gradients preconditioned with one multigrid V-cycle.

The homogeneous operator ``A`` is self-adjoint in the inner product ``<x, y>_W = sum w x y``
(``w`` the trapezoid row scaling, 1/2 per Neumann/Robin face), so CG runs in that inner product;
the V-cycle (red-black pre-smoothing, black-red post-smoothing, full weighting = the W-adjoint of
linear interpolation, exact coarse solve) is a symmetric preconditioner in it.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from . import mg_kernels as K


def cg(ops, u, b, rtol, maxiter, bnorm, *, callback=None):
    """Preconditioned conjugate gradients over an operations object: the one CG of fieldgrad.

    The same iteration serves NumPy arrays (:class:`HostOps`) and CUDA device arrays
    (:class:`fieldgrad.solvers.cuda_poisson.DeviceOps`); only the vector operations differ.

    Parameters
    ----------
    ops : object
        The vector space and operator: ``empty_like(x)``, ``copy(x)``, ``residual(u, b, out)``
        (``out = b - A u``), ``apply(x, out)`` (``out = A x``, the homogeneous operator),
        ``precondition(r, z)`` (``z = M^-1 r``, projected for singular problems; for plain CG
        ``z = r``), ``project(x)``, ``dot(x, y)`` (the inner product in which ``A`` and ``M`` are
        self-adjoint), ``norm(x)`` (Euclidean), ``axpy(alpha, x, y)`` (``y += alpha x``),
        ``xpby(x, beta, y)`` (``y = x + beta y``); optionally ``update(alpha, p, q, u, r)``
        (``u += alpha p``, ``r -= alpha q``, returns ``norm(r)``: the three in one pass).
    u : array
        Initial guess, updated in place (fixed nodes hold their values).
    b : array
        Right-hand side.
    rtol : float
        Stop when ``||b - A u||_2 <= rtol * bnorm``.
    maxiter : int
    bnorm : float
        The norm the residual is measured against (0: nothing to solve).
    callback : callable, optional
        ``callback(iteration, relative_residual)`` after every iteration.

    Returns
    -------
    (iterations, residuals, converged)

    Example
    -------
    See :func:`fieldgrad.solve_poisson` with ``method="cg"``.
    """
    residuals = []
    if bnorm == 0.0:
        return 0, residuals, True
    r = ops.residual(u, b, ops.empty_like(u))
    ops.project(r)
    # z (preconditioned residual) and q = A p are never alive together: one buffer holds both
    z = ops.empty_like(u)
    q = z
    ops.precondition(r, z)
    rz = ops.dot(r, z)
    p = ops.copy(z)
    update = getattr(ops, "update", None)
    for it in range(1, maxiter + 1):
        ops.apply(p, q)  # overwrites z, no longer needed
        pq = ops.dot(p, q)
        if pq == 0.0 or not np.isfinite(pq):
            # p = 0: the residual is 0 (a start that solves the system, e.g. a warm start at the
            # steady state) -- converged, not a breakdown
            done = pq == 0.0 and ops.norm(r) <= rtol * bnorm
            return it - 1, residuals, done
        alpha = rz / pq
        if update is not None:
            res = update(alpha, p, q, u, r) / bnorm
        else:
            ops.axpy(alpha, p, u)
            ops.axpy(-alpha, q, r)
            res = ops.norm(r) / bnorm
        residuals.append(res)
        if callback is not None:
            callback(it, res)
        if res <= rtol:
            return it, residuals, True
        if not np.isfinite(res):
            return it, residuals, False
        ops.precondition(r, z)  # overwrites q
        rz_new = ops.dot(r, z)
        beta = rz_new / rz
        rz = rz_new
        ops.xpby(z, beta, p)
    return maxiter, residuals, False


class HostOps:
    """The operations :func:`cg` needs, on NumPy arrays of a CPU multigrid :class:`Hierarchy`:
    the fine-level operator, the W-weighted inner product and one symmetric V-cycle as the
    preconditioner.

    Parameters
    ----------
    hier : Hierarchy
    nu : int
        Pre- and post-smoothing sweeps of the preconditioning V-cycle.
    precondition : bool
        False gives plain CG (in the W inner product).
    level : Level, optional -- the operator CG solves, when the hierarchy (the preconditioner)
        belongs to a nearby problem (holes filled by a weak conductor); default its finest level
    """

    def __init__(self, hier, nu=1, precondition=True, level=None):
        self.hier, self.nu, self.use_mg = hier, nu, precondition
        self.level = hier.levels[0] if level is None else level
        self.w = hier.prob.weights1()
        self._ones = None
        self._wsum = float(self.w[0].sum() * self.w[1].sum() * self.w[2].sum())

    def empty_like(self, x):
        return np.zeros_like(x)

    def copy(self, x):
        return x.copy()

    def residual(self, u, b, out):
        self.level.residual(u, b, out)
        return out

    def apply(self, x, out):
        self.level.residual(x, x, out, use_f=False)
        return out

    def project(self, x):
        if self.hier.singular:
            if self._ones is None:
                self._ones = np.ones(x.shape)
            x -= K.wdot(x, self._ones, *self.w) / self._wsum

    def precondition(self, r, z):
        if self.use_mg:
            z[...] = 0.0
            self.hier.cycle(z, r, 0, "V", self.nu, self.nu, symmetric=True)
            self.project(z)
        else:
            z[...] = r

    def dot(self, x, y):
        return K.wdot(x, y, *self.w)

    def norm(self, x):
        return K.norm2(x)

    def axpy(self, alpha, x, y):
        K.axpy(alpha, x, y)

    def xpby(self, x, beta, y):
        K.xpby(x, beta, y)

    def update(self, alpha, p, q, u, r):
        return float(_update(alpha, p, q, u, r))


@njit(parallel=True, cache=True)
def _update(alpha, p, q, u, r):
    """``u += alpha p``, ``r -= alpha q`` and ``||r||_2`` in one pass: bitwise the results of
    :func:`~.mg_kernels.axpy` twice and :func:`~.mg_kernels.norm2` (the same row partial sums)."""
    nx, ny, nz = p.shape
    acc = np.zeros(nx)
    malpha = -alpha
    for i in prange(nx):
        s = 0.0
        for j in range(ny):
            for k in range(nz):
                u[i, j, k] += alpha * p[i, j, k]
                v = r[i, j, k] + malpha * q[i, j, k]
                r[i, j, k] = v
                s += v * v
        acc[i] = s
    return np.sqrt(acc.sum())


def pcg(hier, u, b, rtol, maxiter, *, callback=None, nu=1, bnorm=None, ud=None, precondition=True, level=None):
    """Solve ``A u = b`` (Dirichlet values held in ``u``) by MG-preconditioned CG, in place:
    :func:`cg` with :class:`HostOps`.

    ``u`` is the float64 padded array with Dirichlet values on fixed nodes (initial guess
    elsewhere), ``b`` the padded right-hand side; ``nu`` and ``precondition`` are those of
    :class:`HostOps`; ``bnorm`` defaults to the norm of the residual of ``ud`` (or of the
    initial ``u``); ``rtol``, ``maxiter``, ``callback`` and the returned
    ``(iterations, residuals, converged)`` are those of :func:`cg`.
    """
    ops = HostOps(hier, nu, precondition, level)
    if bnorm is None:
        bnorm = ops.level.residual_norm(ud if ud is not None else u, b)
    return cg(ops, u, b, rtol, maxiter, bnorm, callback=callback)
