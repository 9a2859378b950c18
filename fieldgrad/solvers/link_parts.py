"""Connected parts of the graph of links (nodes joined by a link of positive conductance), for
the check that every part of a domain with holes is anchored
(:func:`fieldgrad.solvers.discretize.check_domain_parts`).

One union-find over the links of ``shape3`` arrays (link ``i -> i + 1`` along each axis, index
``n - 1`` the wrap link of a periodic axis and 0 otherwise, as
:meth:`~fieldgrad.solvers.discretize.Problem.link_coefficients` gives them): each thread starts
the nodes of its slab of x-planes in raster order and joins the links inside the slab (every tree of a slab stays in the slab, roots are the
smallest index), then the links between slabs are joined on one thread.  Memory: one int64
per node (a sparse graph of the links took six).

Example
-------
>>> Lx = np.zeros((4, 1, 1)); Lx[0] = Lx[2] = 1.0    # nodes 0-1 and 2-3 joined
>>> state = np.array([2, 1, 1, 1], dtype=np.int8).reshape(4, 1, 1)  # node 0 anchored
>>> loose_parts(Lx, np.zeros_like(Lx), np.zeros_like(Lx), state)
(1, 2)
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .mg_fused import slab

__all__ = ["loose_parts"]


@njit(inline="always")
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # path halving
        x = parent[x]
    return x


@njit(inline="always")
def _union(parent, a, b):
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra < rb:
        parent[rb] = ra
    elif rb < ra:
        parent[ra] = rb


@njit(inline="always")
def _join_plane(parent, Lx, Ly, Lz, i, back, ny, nz):
    """Start the nodes of x-plane ``i`` (raster order) and join their links: back along x to
    plane ``i - 1`` when ``back``, back along y and z, and the wrap links of a periodic y or z
    axis (a non-periodic end link is 0)."""
    for j in range(ny):
        for k in range(nz):
            p = (i * ny + j) * nz + k
            parent[p] = _find(parent, p - 1) if (k > 0 and Lz[i, j, k - 1] > 0.0) else p
            if j > 0 and Ly[i, j - 1, k] > 0.0:
                _union(parent, p, p - nz)
            if back and Lx[i - 1, j, k] > 0.0:
                _union(parent, p, p - ny * nz)
        if nz > 1 and Lz[i, j, nz - 1] > 0.0:
            _union(parent, (i * ny + j) * nz + nz - 1, (i * ny + j) * nz)
    if ny > 1:
        for k in range(nz):
            if Ly[i, ny - 1, k] > 0.0:
                _union(parent, (i * ny + ny - 1) * nz + k, i * ny * nz + k)


@njit(parallel=True, cache=True)
def _link_forest(Lx, Ly, Lz, nslab, parent):
    nx, ny, nz = Lx.shape
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            _join_plane(parent, Lx, Ly, Lz, i, i > i0, ny, nz)
    # the x links from the last plane of each slab to the next (the wrap link after the last)
    for s in range(nslab):
        i = slab(s, nx, nslab)[1] - 1
        inext = i + 1 if i + 1 < nx else 0
        for j in range(ny):
            for k in range(nz):
                if Lx[i, j, k] > 0.0:
                    p = (i * ny + j) * nz + k
                    _union(parent, p, (inext * ny + j) * nz + k)


@njit(cache=True)
def _loose(parent, state):
    """Count the parts holding a node of state 1 (inside, free) but none of state 2 (inside,
    anchored); return ``(count, flat index of the first such node or -1)``."""
    n = parent.size
    anchored = np.zeros(n, dtype=np.bool_)
    for p in range(n):
        if state[p] == 2:
            anchored[_find(parent, p)] = True
    seen = np.zeros(n, dtype=np.bool_)
    count, first = 0, -1
    for p in range(n):
        if state[p] == 1:
            r = _find(parent, p)
            if not anchored[r]:
                if first < 0:
                    first = p
                if not seen[r]:
                    seen[r] = True
                    count += 1
    return count, first


def loose_parts(Lx, Ly, Lz, state):
    """The connected parts of the link graph with no anchor.

    Parameters
    ----------
    Lx, Ly, Lz : float64 arrays of ``shape3`` -- the links (> 0: the nodes are joined)
    state : int8 array of ``shape3`` -- 0 for a node not checked (outside the domain, or a
        Dirichlet node outside it), 1 for an inside node that needs an anchor, 2 for an inside
        anchor (a Dirichlet, held, Robin or screened node)

    Returns
    -------
    (count, first) : the number of parts with nodes of state 1 and no node of state 2, and the
        flat (C-order) index of the first node of state 1 in such a part (-1 when none)
    """
    parent = np.empty(Lx.size, dtype=np.int64)
    nslab = max(1, min(numba.get_num_threads(), Lx.shape[0]))
    _link_forest(Lx, Ly, Lz, nslab, parent)
    count, first = _loose(parent, np.ascontiguousarray(state).ravel())
    return int(count), int(first)
