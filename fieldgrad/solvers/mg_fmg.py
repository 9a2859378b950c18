"""Cubic interpolation of the coarse solution in full multigrid (FMG).

FMG interpolates each coarse-level solution to the next finer level before that level's
cycle.  With linear interpolation the interpolated solution carries an O(h^2) error with a
large constant and one V-cycle does not remove all of it (the FMG result is then a few times
the discretisation error); interpolation of order >= 4 (cubic) is the standard FMG choice for
second-order discretisations, after which one V-cycle per level reaches discretisation accuracy.

Per axis the four coarse nodes nearest a fine node (two on each side, shifted inwards at a
non-periodic end, wrapped on a periodic axis) give Lagrange weights at the fine node's position;
coarse nodes that coincide with fine nodes are copied.  Axes that are not coarsened, or whose
coarse level has fewer than four nodes, are copied / interpolated linearly.  The kernel applies
the three axes one after the other on per-thread plane buffers (about 7 multiply-adds per fine
node, no grid-sized temporary).

Example
-------
>>> import numpy as np
>>> ci, cw = cubic_tables(9, np.arange(0, 9, 2), False)
>>> float(np.dot(cw[1], np.arange(0, 9, 2)[ci[1]] ** 3))  # cubics are reproduced: 1**3
1.0
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .mg_fused import slab


def cubic_tables(nf, cf, periodic):
    """Per-axis interpolation tables ``(ci[nf, 4], cw[nf, 4])`` from the coarse nodes at fine
    indices ``cf`` (sorted); unused entries have index 0 and weight 0.

    Parameters
    ----------
    nf : int -- fine node count
    cf : int array -- fine index of every coarse node
    periodic : bool

    Returns
    -------
    ci : int64 array (nf, 4); cw : float64 array (nf, 4)
    """
    cf = np.asarray(cf, dtype=np.int64)
    nc = cf.size
    ci = np.zeros((nf, 4), dtype=np.int64)
    cw = np.zeros((nf, 4))
    where = np.full(nf, -1, dtype=np.int64)
    where[cf] = np.arange(nc)
    npts = 4 if nc >= 4 else min(nc, 2)
    for q in range(nf):
        if where[q] >= 0:
            ci[q, 0], cw[q, 0] = where[q], 1.0
            continue
        left = int(np.searchsorted(cf, q) - 1)  # coarse node just below q (-1: q before cf[0], periodic)
        first = left - (npts // 2 - 1)
        if not periodic:
            first = min(max(first, 0), nc - npts)
        idx = np.arange(first, first + npts)
        pos = cf[idx % nc] + nf * np.floor_divide(idx, nc)
        for a in range(npts):
            w = 1.0
            for b in range(npts):
                if b != a:
                    w *= (q - pos[b]) / (pos[a] - pos[b])
            ci[q, a], cw[q, a] = idx[a] % nc, w
    return ci, cw


@njit(cache=True)
def _combine_rows(out, rows, idx, w):
    """``out = sum_b w[b] * rows[idx[b]]`` over the nonzero weights of one table row (4 entries),
    added in order.  Not inlined: it writes into ``out`` and is called inside ``prange`` (inlined
    helpers that write arrays there have miscompiled)."""
    n = out.shape[0]
    for K in range(n):
        out[K] = 0.0
    for b in range(4):
        wb = w[b]
        if wb != 0.0:
            r = rows[idx[b]]
            for K in range(n):
                out[K] += wb * r[K]


@njit(inline="always")
def _cubic_point(v, ci, cw, k):
    """The table row ``k`` applied to the 1D ``v``: ``sum_c cw[k, c] * v[ci[k, c]]``."""
    return cw[k, 0] * v[ci[k, 0]] + cw[k, 1] * v[ci[k, 1]] + cw[k, 2] * v[ci[k, 2]] + cw[k, 3] * v[ci[k, 3]]


@njit(parallel=True, cache=True)
def prolong_cubic(e, u, cix, cwx, ciy, cwy, ciz, cwz, fx, fy, fz):
    """``u = P3 e`` at unknown nodes (fixed nodes keep their values), ``P3`` the tensor product of
    the per-axis tables of :func:`cubic_tables`."""
    nx, ny, nz = u.shape
    cny, cnz = e.shape[1], e.shape[2]
    planes = np.ascontiguousarray(e).reshape(e.shape[0], cny * cnz)  # a coarse x plane as one row
    nch = min(nx, 64)
    for c in prange(nch):
        pflat = np.empty(cny * cnz)
        p = pflat.reshape(cny, cnz)
        q = np.empty(cnz)
        i0, i1 = slab(c, nx, nch)
        for i in range(i0, i1):
            if fx[i]:
                continue
            _combine_rows(pflat, planes, cix[i], cwx[i])
            for j in range(ny):
                if fy[j]:
                    continue
                _combine_rows(q, p, ciy[j], cwy[j])
                ur = u[i, j]
                for k in range(nz):
                    if not fz[k]:
                        ur[k] = _cubic_point(q, ciz, cwz, k)


@njit(parallel=True, cache=True)
def prolong_cubic2(e, u, cix, cwx, ciy, cwy, fx, fy):
    """2D (``(nx, ny)`` views) version of :func:`prolong_cubic`."""
    nx, ny = u.shape
    cny = e.shape[1]
    nch = min(nx, 64)
    for c in prange(nch):
        p = np.empty(cny)
        i0, i1 = slab(c, nx, nch)
        for i in range(i0, i1):
            if fx[i]:
                continue
            _combine_rows(p, e, cix[i], cwx[i])
            ur = u[i]
            for j in range(ny):
                if not fy[j]:
                    ur[j] = _cubic_point(p, ciy, cwy, j)
