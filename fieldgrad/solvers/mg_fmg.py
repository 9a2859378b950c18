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


@njit(parallel=True, cache=True)
def prolong_cubic(e, u, cix, cwx, ciy, cwy, ciz, cwz, fx, fy, fz):
    """``u = P3 e`` at unknown nodes (fixed nodes keep their values), ``P3`` the tensor product of
    the per-axis tables of :func:`cubic_tables`."""
    nx, ny, nz = u.shape
    cny, cnz = e.shape[1], e.shape[2]
    nch = min(nx, 64)
    for c in prange(nch):
        p = np.empty((cny, cnz))
        q = np.empty(cnz)
        for i in range((c * nx) // nch, ((c + 1) * nx) // nch):
            if fx[i]:
                continue
            for J in range(cny):
                for K in range(cnz):
                    p[J, K] = 0.0
            for a in range(4):
                w = cwx[i, a]
                if w != 0.0:
                    ea = e[cix[i, a]]
                    for J in range(cny):
                        pr, er = p[J], ea[J]
                        for K in range(cnz):
                            pr[K] += w * er[K]
            for j in range(ny):
                if fy[j]:
                    continue
                for K in range(cnz):
                    q[K] = 0.0
                for b in range(4):
                    w = cwy[j, b]
                    if w != 0.0:
                        pr = p[ciy[j, b]]
                        for K in range(cnz):
                            q[K] += w * pr[K]
                ur = u[i, j]
                for k in range(nz):
                    if fz[k]:
                        continue
                    ur[k] = (cwz[k, 0] * q[ciz[k, 0]] + cwz[k, 1] * q[ciz[k, 1]] + cwz[k, 2] * q[ciz[k, 2]]
                             + cwz[k, 3] * q[ciz[k, 3]])


@njit(parallel=True, cache=True)
def prolong_cubic2(e, u, cix, cwx, ciy, cwy, fx, fy):
    """2D (``(nx, ny)`` views) version of :func:`prolong_cubic`."""
    nx, ny = u.shape
    cny = e.shape[1]
    nch = min(nx, 64)
    for c in prange(nch):
        p = np.empty(cny)
        for i in range((c * nx) // nch, ((c + 1) * nx) // nch):
            if fx[i]:
                continue
            for J in range(cny):
                p[J] = 0.0
            for a in range(4):
                w = cwx[i, a]
                if w != 0.0:
                    er = e[cix[i, a]]
                    for J in range(cny):
                        p[J] += w * er[J]
            ur = u[i]
            for j in range(ny):
                if not fy[j]:
                    ur[j] = (cwy[j, 0] * p[ciy[j, 0]] + cwy[j, 1] * p[ciy[j, 1]] + cwy[j, 2] * p[ciy[j, 2]]
                             + cwy[j, 3] * p[ciy[j, 3]])
