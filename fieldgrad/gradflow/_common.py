"""Shared helpers of :mod:`fieldgrad.gradflow`: the free nodes, the node weights of the grid
inner product, and argument checks.

The unknowns of a gradient flow are the *free* nodes: every node except those on Dirichlet
faces (those carry data and never move).  Because Dirichlet faces remove whole layers, the free
nodes form a box: one index range per axis.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, Periodic, Robin, resolve_bc
from ..errors import BoundaryError


def resolve_complete(bc, grid, what="gradient flow"):
    """Resolve ``bc`` and insist on a condition on every face (no one-sided closures: those
    are not the gradient of any energy) and on time-independent values."""
    bcs = resolve_bc(bc, grid)
    bcs.require_complete(what)
    if bcs.time_dependent:
        raise BoundaryError(f"{what} needs time-independent boundary values; got time-dependent ones in {bcs!r}")
    return bcs


def free_slices(grid, bcs):
    """Per-axis slices of the free nodes (Dirichlet faces excluded)."""
    out = []
    for axis in range(grid.ndim):
        lo, hi = bcs.on_axis(axis)
        start = 1 if isinstance(lo, Dirichlet) else 0
        stop = grid.shape[axis] - 1 if isinstance(hi, Dirichlet) else grid.shape[axis]
        out.append(slice(start, stop))
    return tuple(out)


def free_mask(grid, bcs):
    """Boolean array of ``grid.shape``: True on free nodes."""
    m = np.zeros(grid.shape, dtype=bool)
    m[free_slices(grid, bcs)] = True
    return m


def axis_weights(grid, bcs, axis):
    """1D trapezoid weights along ``axis``: ``h`` inside, ``h/2`` on a non-periodic end node."""
    n, h = grid.shape[axis], grid.spacing[axis]
    w = np.full(n, h)
    if not grid.periodic[axis]:
        w[0] = w[-1] = h / 2
    return w


def node_weights(grid, bcs=None):
    """Weights ``w`` of the grid inner product ``<u, v>_h = sum(w u v)``.

    ``w = h^d`` at interior nodes and on periodic axes, halved once per non-periodic face a node
    lies on (the trapezoid rule, ``grid.quadrature_weights()``).  These are the weights that
    make the ghost-node Neumann/Robin Laplacian self-adjoint; on free nodes of Dirichlet and
    periodic problems they all equal ``h^d``.
    """
    return grid.quadrature_weights()


def robin_coefficient(cond, grid, face, dtype=np.float64):
    """``alpha / beta`` on a Robin face (an array of the face's shape)."""
    a = cond.evaluate("alpha", grid, face, 0.0, dtype)
    b = cond.evaluate("beta", grid, face, 0.0, dtype)
    return a / b


__all__ = ["resolve_complete", "free_slices", "free_mask", "node_weights", "axis_weights", "robin_coefficient",
           "Dirichlet", "Neumann", "Robin", "Periodic"]
