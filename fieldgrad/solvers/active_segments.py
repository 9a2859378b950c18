"""Active nodes of a 2D multigrid level as runs along rows: the 2D row kernels
(:mod:`.mg_links_2d`, :func:`.mg_2d.prolong2d`) smooth, take residuals and interpolate only there.

A domain with holes (``Cells(..., domain=)``) has no unknowns outside it; its multigrid levels
keep every node, but the work there only moves zeros.  Level ``l + 1`` is active at a coarse
node exactly when a fine node its restriction reads is active, so the active nodes of every
level form a sub-problem on which the V-cycle is the same symmetric operator: an inactive node
holds 0 in a cycle started from 0, its residual is 0, and a prolongation never writes it.

``(sp, sv)``: the runs of row ``i`` are ``sv[sp[i]:sp[i+1]]``, each a half-open ``[a, b)`` in
ascending order.

Example
-------
>>> sp, sv = row_segments(np.array([[True, True, False, True], [False, False, False, False]]))
>>> sp.tolist(), sv.tolist()
([0, 2, 2], [[0, 2], [3, 4]])
"""
from __future__ import annotations

import numpy as np


def row_segments(active):
    """``(sp, sv)`` of the runs of True in each row of the 2D boolean array ``active``.

    Parameters
    ----------
    active : bool ndarray (nx, ny)

    Returns
    -------
    sp : int64 (nx + 1,) -- row ``i``'s runs are ``sv[sp[i]:sp[i + 1]]``
    sv : int64 (nruns, 2) -- ``[a, b)`` per run
    """
    a = np.asarray(active, dtype=bool)
    nx, ny = a.shape
    pad = np.zeros((nx, ny + 2), dtype=np.int8)
    pad[:, 1:-1] = a
    d = np.diff(pad, axis=1)  # +1 where a run starts, -1 one past its end
    ri, start = np.nonzero(d == 1)
    _, stop = np.nonzero(d == -1)  # row-major: the same order as the starts
    sp = np.zeros(nx + 1, dtype=np.int64)
    np.cumsum(np.bincount(ri, minlength=nx), out=sp[1:])
    return sp, np.ascontiguousarray(np.stack([start, stop], axis=1).astype(np.int64).reshape(-1, 2))


def full_segments(nx, ny):
    """``(sp, sv)`` with every node active: one run ``[0, ny)`` per row."""
    return np.arange(nx + 1, dtype=np.int64), np.tile(np.array([[0, ny]], dtype=np.int64), (nx, 1))


def coarse_active(active, rix, riy):
    """The active nodes of the next coarser level: coarse ``(I, J)`` is active when one of the fine
    nodes ``(rix[I, a], riy[J, b])`` its restriction reads (``-1``: none) is.

    Parameters
    ----------
    active : bool ndarray (nx, ny)
    rix, riy : int64 (ncx, 3), (ncy, 3) -- restriction tables of the two axes

    Returns
    -------
    bool ndarray (ncx, ncy)
    """
    rows = np.zeros((rix.shape[0], active.shape[1]), dtype=bool)
    for a in range(rix.shape[1]):
        ok = rix[:, a] >= 0
        rows[ok] |= active[rix[ok, a]]
    out = np.zeros((rix.shape[0], riy.shape[0]), dtype=bool)
    for b in range(riy.shape[1]):
        ok = riy[:, b] >= 0
        out[:, ok] |= rows[:, riy[ok, b]]
    return out
