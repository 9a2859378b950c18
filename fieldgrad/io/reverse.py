"""Reversing the axes of a frame (``a.T`` made C-contiguous) fast enough for the writer.

Output frames are stored axis-reversed (:mod:`fieldgrad.io.layout`).  ``np.ascontiguousarray(a.T)``
walks one of the two arrays with the largest stride and runs at a fraction of copy speed (about
5x slower than a copy for a 128^3 float64 frame); the kernels here move small tiles so that both
arrays are touched a cache line at a time, in parallel over planes (about 2-3x faster than NumPy,
2-3x the time of a plain copy).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Tile edge (elements).  Small tiles matter more than big ones here: the two strides of a
#: transposition are often powers of two, and 8 rows of each array stay clear of the cache-set
#: conflicts that 32-row tiles run into (measured 2-3x slower at 128^3).
TILE = 8


@njit(parallel=True, cache=True)
def _reverse2(a, out):
    n0, n1 = a.shape
    for tb in prange((n1 + TILE - 1) // TILE):  # out[j, i] = a[i, j]; tiles of out's rows
        j0 = tb * TILE
        j1 = min(j0 + TILE, n1)
        for i0 in range(0, n0, TILE):
            i1 = min(i0 + TILE, n0)
            for j in range(j0, j1):
                for i in range(i0, i1):
                    out[j, i] = a[i, j]


@njit(parallel=True, cache=True)
def _reverse4(a, out):
    nc, n0, n1, n2 = a.shape
    for j in prange(n1):  # out[k, j, i, c] = a[c, i, j, k]: one (i, k) plane per j, in tiles
        # (a vector frame; a scalar frame comes as one component, nc = 1, at the same speed)
        for i0 in range(0, n0, TILE):
            i1 = min(i0 + TILE, n0)
            for k0 in range(0, n2, TILE):
                k1 = min(k0 + TILE, n2)
                for k in range(k0, k1):
                    for i in range(i0, i1):
                        for c in range(nc):
                            out[k, j, i, c] = a[c, i, j, k]


_KERNELS = {2: _reverse2, 3: _reverse4, 4: _reverse4}


def reverse_axes(a, out=None):
    """``a`` with its axes reversed (``a.T``) as a new C-contiguous array, or written into ``out``.

    Parameters
    ----------
    a : ndarray
    out : ndarray, optional
        C-contiguous, shape ``a.shape[::-1]``, dtype ``a.dtype``.

    Returns
    -------
    ndarray
        ``out`` (a new array if not given).

    Example
    -------
    >>> a = np.arange(24.0).reshape(2, 3, 4)
    >>> bool((reverse_axes(a) == a.T).all()), reverse_axes(a).flags.c_contiguous
    (True, True)
    """
    a = np.asarray(a)
    if out is None:
        out = np.empty(a.shape[::-1], dtype=a.dtype)
    kernel = _KERNELS.get(a.ndim)
    if kernel is None or a.dtype.kind not in "fc" or not a.dtype.isnative or not a.flags.c_contiguous \
            or not out.flags.c_contiguous or a.size < TILE * TILE:
        out[...] = a.T  # small, 1D, integer or strided input: NumPy's copy is fine
        return out
    if a.ndim == 3:  # a scalar frame is a vector frame of one component
        kernel(a[np.newaxis], out[..., np.newaxis])
    else:
        kernel(a, out)
    return out
