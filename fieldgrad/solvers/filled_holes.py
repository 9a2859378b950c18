"""Domains with holes: the problem whose multigrid hierarchy preconditions MG-CG.

The exact operator of a domain with holes has decoupled rows outside the domain, which
Galerkin coarse levels cannot represent (MG-CG iterations grew as ``sqrt(n)``: 17, 29, 45, 67 from
129^2 to 1025^2 on a finned plate).  The preconditioner is the hierarchy of the same problem with
the holes filled by a ``1e-8`` conductor (:func:`soft_problem`); CG runs on the exact operator
with its outside block taken from the filled one (:func:`outside_from`).  The CPU solver
(:class:`~fieldgrad.solvers.poisson.PoissonSolver`), the CUDA stencil multigrid and the MPI
links solver all use these.

Example
-------
>>> from fieldgrad.materials import Cells
>>> soften(Cells(np.ones((2, 2)), domain=np.array([[True, False], [True, True]]))).values.tolist()
[[1.0, 1e-08], [1.0, 1.0]]
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .discretize import unpad
from .held import make_problem


def outside_from(exact, soft, outside):
    """The exact links operator with the block of the nodes outside the domain (decoupled rows
    there) taken from ``soft``: inside rows stay exact, the solution outside stays 0, and the
    preconditioned operator has no tiny eigenvalues from the outside block.  (A padded axis
    has no links, its exact zeros serve as they are.)"""
    out = [np.empty(outside.shape) if outside.shape[a] > 1 else exact[a] for a in range(3)]
    D = np.empty(outside.shape)
    _outside_select(*exact[:4], *soft[:4], outside, *out, D)
    return (*out, D, exact[4])


@njit(parallel=True, cache=True)
def _outside_select(eLx, eLy, eLz, eD, sLx, sLy, sLz, sD, outside, Lx, Ly, Lz, D):
    """One pass: a link from the soft operator where both its nodes are outside (the next node
    wrapping, as ``np.roll``), the diagonal where the node is, else the exact ones; nothing is
    written along a padded axis."""
    nx, ny, nz = outside.shape
    for i in prange(nx):
        ip = i + 1 if i + 1 < nx else 0
        for j in range(ny):
            jp = j + 1 if j + 1 < ny else 0
            for k in range(nz):
                o = outside[i, j, k]
                if nx > 1:
                    Lx[i, j, k] = sLx[i, j, k] if (o and outside[ip, j, k]) else eLx[i, j, k]
                if ny > 1:
                    Ly[i, j, k] = sLy[i, j, k] if (o and outside[i, jp, k]) else eLy[i, j, k]
                if nz > 1:
                    kp = k + 1 if k + 1 < nz else 0
                    Lz[i, j, k] = sLz[i, j, k] if (o and outside[i, j, kp]) else eLz[i, j, k]
                D[i, j, k] = sD[i, j, k] if o else eD[i, j, k]


def soften(k, ratio=1e-8, prob=None):
    """``k`` with the cells outside a ``Cells`` domain filled by ``ratio`` times the largest inside
    value (no domain): the problem whose multigrid hierarchy preconditions the one with holes.
    With ``prob`` (a problem of ``k``), that conductivity already resolved, formed from
    ``prob.material`` where it can be (:func:`~.discretize._filled_conductivity`)."""
    from ..materials import Cells, Orthotropic

    if prob is not None:
        from .discretize import _Resolved, _filled_conductivity

        soft = _filled_conductivity(prob, k, ratio)
        if soft is not None:
            return _Resolved(soft)

    def one(c):
        if isinstance(c, Cells) and c.domain is not None:
            kmax = float(np.max(c.values, where=c.domain, initial=-np.inf))  # (the domain is not empty)
            return Cells._owned(np.where(c.domain, c.values, ratio * kmax))  # (a fresh array: no copy)
        return c

    return Orthotropic(*[one(c) for c in k.components]) if isinstance(k, Orthotropic) else one(k)


def soft_problem(prob, bc, k, screening, contact, fixed):
    """The problem with the holes of ``prob`` filled (:func:`soften`); a surface condition is
    carried over as ``prob`` discretises it (its Robin diagonal, its held surface nodes)."""
    ks = soften(k, prob=prob)
    if prob.surface is None:
        return make_problem(prob.grid, bc, ks, screening, contact, fixed)
    bare = prob.bcs.faces_only()
    held = getattr(prob, "held_all", None)
    mask = None if held is None else unpad(held, prob.grid.shape)
    sprob = make_problem(prob.grid, bare, ks, screening, contact, mask)
    sprob.take_surface(prob)
    return sprob


def exact_level(prob, sprob):
    """The multigrid :class:`~fieldgrad.solvers.multigrid.Level` CG solves with on a domain with holes:
    ``prob``'s links with the outside block from the filled problem ``sprob``
    (:func:`outside_from`)."""
    from .multigrid import Level

    lev = Level(prob.shape3, prob.h3, prob.periodic3, [fx.copy() for fx in prob.fixed1])
    lev.set_links(*outside_from(prob.links_diag(), sprob.links_diag(), prob.outside3))
    return lev
