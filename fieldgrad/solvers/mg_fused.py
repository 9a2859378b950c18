"""Red-black Gauss-Seidel with both colours in one pass over memory (constant 7-point operator, 3D).

A plain red-black sweep reads ``u`` and ``f`` twice (once per colour).  Here the x planes are
swept as a wavefront: the first colour on plane ``i+1``, then the second colour on plane ``i``,
so the planes ``i-1 .. i+2`` a step touches are still in cache when the second colour needs
them.  The result is bit-for-bit that of the two-pass sweep (every node sees the same
neighbour values).

Parallelism: the x axis is cut into one slab per thread.  The first colour on each slab's first
and last plane is done first (all slabs at once); after that barrier each slab runs its
wavefront on its own -- the only planes it reads from a neighbouring slab are those end planes,
which nobody writes in the second phase, and the planes it writes are read by nobody else.

Example
-------
Internal; :meth:`fieldgrad.solvers.multigrid.Level.smooth` calls it for constant-coefficient 3D
levels.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .mg_fast import colour_weights, plane_sum_squares, smooth_plane


@njit(inline="always")
def slab(s, n, nslab):
    """Planes ``i0 <= i < i1`` of slab ``s`` when ``n`` planes are cut into ``nslab`` slabs.

    Example
    -------
    >>> [slab(s, 10, 3) for s in range(3)]
    [(0, 3), (3, 6), (6, 10)]
    """
    return (s * n) // nslab, ((s + 1) * n) // nslab


@njit(parallel=True, cache=True)
def smooth_rb_fused(u, f, nslab, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, color0, omega=1.0,
                    norm=False):
    """One full red-black sweep (colour ``color0`` first), one pass over ``u`` and ``f``.

    Parameters
    ----------
    u, f : float64 arrays (nx, ny, nz), C order; ``u`` updated in place
    nslab : int -- number of x slabs (one per thread; any value in 1..nx is correct)
    cx ... pz : the constant-operator arguments of :mod:`fieldgrad.solvers.mg_fast`
    color0 : 0 or 1 -- the colour updated first
    omega : float -- over-relaxation at interior nodes (1: Gauss-Seidel)
    norm : bool -- also return ``||f - A u||_2`` of the smoothed ``u`` (else 0.0), computed in the
        same pass: plane ``i - 1``'s residual right after plane ``i`` is final (its neighbours are
        then final and still in cache); each slab's two end planes, whose neighbours belong to
        other slabs, after a third barrier.
    """
    nx, nz = u.shape[0], u.shape[2]
    c1 = 1 - color0
    w = colour_weights(nz, omega)
    acc = np.zeros(nx if norm else 0)
    for s in prange(nslab):  # phase 1: first colour on the slab end planes
        t = np.empty(nz)
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0:
            smooth_plane(u, f, i0, color0, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz,
                         t, w)
        if i1 - 1 > i0:
            smooth_plane(u, f, i1 - 1, color0, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz,
                         pz, t, w)
    for s in prange(nslab):  # phase 2: wavefront inside each slab
        t = np.empty(nz)
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            if i + 1 < i1 - 1:
                smooth_plane(u, f, i + 1, color0, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz,
                             pz, t, w)
            smooth_plane(u, f, i, c1, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, t,
                         w)
            if norm and i0 < i - 1 < i1 - 1:  # plane i-1: its neighbours i-2, i are final, in this slab
                acc[i - 1] = plane_sum_squares(u, f, i - 1, t, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz,
                                               mx, px, my, py, mz, pz)
    if not norm:
        return 0.0
    for s in prange(nslab):  # phase 3: the slab end planes' residuals
        t = np.empty(nz)
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0:
            acc[i0] = plane_sum_squares(u, f, i0, t, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz,
                                        pz)
        if i1 - 1 > i0:
            acc[i1 - 1] = plane_sum_squares(u, f, i1 - 1, t, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my,
                                            py, mz, pz)
    return np.sqrt(acc.sum())
