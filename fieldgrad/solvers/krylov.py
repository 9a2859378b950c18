"""Conjugate gradients preconditioned with one multigrid V-cycle.

The homogeneous operator ``A`` is self-adjoint in the inner product ``<x, y>_W = sum w x y``
(``w`` the trapezoid row scaling, 1/2 per Neumann/Robin face), so CG runs in that inner product;
the V-cycle (red-black pre-smoothing, black-red post-smoothing, full weighting = the W-adjoint of
linear interpolation, exact coarse solve) is a symmetric preconditioner in it.
"""
from __future__ import annotations

import numpy as np

from . import mg_kernels as K


def pcg(hier, u, b, rtol, maxiter, *, callback=None, nu=1, bnorm=None, ud=None, precondition=True):
    """Solve ``A u = b`` (Dirichlet values held in ``u``) by MG-preconditioned CG, in place.

    Parameters
    ----------
    hier : Hierarchy
    u : float64 padded array with Dirichlet values on fixed nodes (initial guess elsewhere)
    b : padded right-hand side
    rtol : float
        Stop when ``||b - A u||_2 <= rtol * bnorm``.
    maxiter : int
    nu : int
        Pre- and post-smoothing sweeps of the preconditioning V-cycle.
    precondition : bool
        False gives plain CG (in the W inner product), for comparison.

    Returns
    -------
    (iterations, residuals, converged)

    Example
    -------
    See :func:`fieldgrad.solve_poisson` with ``method="cg"``.
    """
    lev = hier.levels[0]
    wx, wy, wz = hier.prob.weights1()
    r = np.empty_like(u)
    lev.residual(u, b, r)
    if bnorm is None:
        bnorm = lev.residual_norm(ud, b) if ud is not None else K.norm2(r)
    residuals = []
    if bnorm == 0.0:
        return 0, residuals, True
    wsum = float(wx.sum() * wy.sum() * wz.sum())
    ones = np.ones(u.shape) if hier.singular else None

    def project(x):
        if hier.singular:
            x -= K.wdot(x, ones, wx, wy, wz) / wsum

    project(r)
    # z (preconditioned residual) and q = A p are never alive together: one buffer holds both
    z = np.zeros_like(u)
    q = z

    def precond(rr, zz):
        if precondition:
            zz[...] = 0.0
            hier.cycle(zz, rr, 0, "V", nu, nu, symmetric=True)
            project(zz)
        else:
            zz[...] = rr

    precond(r, z)
    rz = K.wdot(r, z, wx, wy, wz)
    p = z.copy()
    for it in range(1, maxiter + 1):
        lev.residual(p, p, q, use_f=False)  # q = A p (overwrites z, no longer needed)
        pq = K.wdot(p, q, wx, wy, wz)
        if pq == 0.0 or not np.isfinite(pq):
            return it - 1, residuals, False
        alpha = rz / pq
        K.axpy(alpha, p, u)
        K.axpy(-alpha, q, r)
        res = K.norm2(r) / bnorm
        residuals.append(res)
        if callback is not None:
            callback(it, res)
        if res <= rtol:
            return it, residuals, True
        if not np.isfinite(res):
            return it, residuals, False
        precond(r, z)  # overwrites q
        rz_new = K.wdot(r, z, wx, wy, wz)
        beta = rz_new / rz
        rz = rz_new
        K.xpby(z, beta, p)
    return maxiter, residuals, False
