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
from numba import njit, prange


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
    a = np.ascontiguousarray(active, dtype=np.bool_)
    counts = np.empty(a.shape[0], dtype=np.int64)
    _count_runs(a, counts)
    sp = np.zeros(a.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=sp[1:])
    sv = np.empty((int(sp[-1]), 2), dtype=np.int64)
    _fill_runs(a, sp, sv)
    return sp, sv


# (two passes over a 1025^2 mask in Numba: 0.2 ms; the NumPy diff/nonzero chain took 2.8 ms)
@njit(parallel=True, cache=True)
def _count_runs(a, counts):
    nx, ny = a.shape
    for i in prange(nx):
        c = 0
        for j in range(ny):
            if a[i, j] and (j == 0 or not a[i, j - 1]):
                c += 1
        counts[i] = c


@njit(parallel=True, cache=True)
def _fill_runs(a, sp, sv):
    nx, ny = a.shape
    for i in prange(nx):
        k = sp[i]
        for j in range(ny):
            if a[i, j] and (j == 0 or not a[i, j - 1]):
                sv[k, 0] = j
            if a[i, j] and (j == ny - 1 or not a[i, j + 1]):
                sv[k, 1] = j + 1
                k += 1


@njit(inline="always")
def run_bounds(sv, k, lo, hi):
    """Run ``k`` of ``sv`` clipped to ``[lo, hi)``.  (The explicit clamps let LLVM prove the
    indices non-negative: with ``max``/``min`` the loops kept Numba's negative-index wraparound
    and did not vectorise, 3-5x slower.)"""
    a, b = sv[k, 0], sv[k, 1]
    if a < lo:
        a = lo
    if b > hi:
        b = hi
    return a, b


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
    out = np.empty((rix.shape[0], riy.shape[0]), dtype=np.bool_)
    _coarse_active(np.ascontiguousarray(active, dtype=np.bool_), rix, riy, out)
    return out


@njit(parallel=True, cache=True)
def _coarse_active(active, rix, riy, out):
    ncx, ncy = out.shape
    for I in prange(ncx):
        for J in range(ncy):
            hit = False
            for a in range(rix.shape[1]):
                p = rix[I, a]
                if p < 0 or hit:
                    continue
                for b in range(riy.shape[1]):
                    q = riy[J, b]
                    if q >= 0 and active[p, q]:
                        hit = True
                        break
            out[I, J] = hit
