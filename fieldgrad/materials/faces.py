"""Face conductances from cell values (arrays padded to three axes, as in
:mod:`fieldgrad.solvers.discretize`).

The link from node ``i`` to ``i + 1`` along axis ``a`` crosses the dual face around that edge;
the cells touching the edge (2 in 2D, 4 in 3D, fewer on the box boundary, 1 in 1D) each own an
equal part of that face, so its conductance is the *mean of the cells that exist*.  At a node on
a Neumann/Robin box face the operator row is twice the half-cell balance (a reflected ghost), and
with this mean the doubled row is exactly the finite-volume balance of the node's (half or
quarter) control volume divided by its volume.  The conductivity that multiplies boundary data at
such a node is the mean of the cells touching it (:func:`node_mean`), again the finite-volume
weight of its boundary patch.

Example
-------
>>> c = np.array([[1.0], [3.0]]).reshape(2, 1, 1)    # 1D: 3 nodes, 2 cells
>>> cell_links(c, 0, (3, 1, 1), (1.0, 1.0, 1.0), (False, False, False))[:, 0, 0].tolist()
[1.0, 3.0, 0.0]
>>> node_mean(c, (3, 1, 1), (False, False, False))[:, 0, 0].tolist()
[1.0, 2.0, 3.0]
"""
from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from ..grid import half_ring_radii

__all__ = ["cell_links", "cell_links_xy", "node_mean", "apply_contact", "radial_half_weights"]


#: Cell arrays from this size on take the one-pass kernel (:func:`_mean_into`); smaller ones (a
#: face layer) the NumPy chain, which gives the same values without a fork-join of the threads.
ONE_PASS_MIN = 1 << 15


def _to_nodes(s, b, n, periodic, radial=None):
    """Sum over axis ``b`` of the cells touching each node (cells ``j - 1`` and ``j``); with
    ``radial = (wlo, whi)`` (a cylindrical grid's ``r`` axis) cell ``j - 1`` counts ``wlo[j]`` and
    cell ``j`` counts ``whi[j]`` (the ``r dr`` integrals of the two half cells)."""
    if n == 1:
        return s
    if periodic:
        return s + np.roll(s, 1, axis=b)
    def at(arr, part):
        sl = [slice(None)] * 3
        sl[b] = part
        return arr[tuple(sl)]

    shape = list(s.shape)
    shape[b] = n
    out = np.empty(shape)
    if radial is None:  # the cells below and above each node (one of them at the two ends)
        at(out, 0)[...] = at(s, 0)
        np.add(at(s, slice(None, -1)), at(s, slice(1, None)), out=at(out, slice(1, -1)))
        at(out, -1)[...] = at(s, -1)
        return out
    wlo, whi = (w.reshape([-1 if c == b else 1 for c in range(3)]) for w in radial)
    at(out, 0)[...] = at(whi, 0) * at(s, 0)
    np.multiply(at(wlo, slice(1, -1)), at(s, slice(None, -1)), out=at(out, slice(1, -1)))
    at(out, slice(1, -1))[...] += at(whi, slice(1, -1)) * at(s, slice(1, None))
    at(out, -1)[...] = at(wlo, -1) * at(s, -1)
    return out


def _sum_tables(n, periodic, ncells=None):
    """Per-axis tables of :func:`_cell_mean`: the cells below (``lo``) and above (``hi``) each
    node (-1: none) and how many there are (``cnt``) -- as :func:`_to_nodes` and
    :func:`_touch_count` without ``radial``.  With ``ncells`` the axis is not summed: node ``i``
    takes cell ``i`` (counted once) where ``i < ncells`` and nothing beyond (the links' own axis)."""
    i = np.arange(n, dtype=np.int64)
    if ncells is not None or n == 1:
        m = n if ncells is None else ncells
        return np.full(n, -1, dtype=np.int64), np.where(i < m, i, -1), np.ones(n)
    if periodic:
        return (i - 1) % n, i, np.full(n, 2.0)
    lo, hi = i - 1, i.copy()
    hi[-1] = -1
    return lo, hi, _touch_count(0, n, False).reshape(n)


@njit(inline="always")
def _pair_rows(src, lo, hi, dst):
    """``dst[j] = src[lo[j]] + src[hi[j]]`` row by row (one term where the other is -1; a row with
    neither is left alone and reported False in the returned mask)."""
    n = dst.shape[0]
    m = dst.shape[1]
    ok = np.ones(n, dtype=np.bool_)
    for j in range(n):
        l, g = lo[j], hi[j]
        if l < 0 and g < 0:
            ok[j] = False
        elif l < 0:
            for k in range(m):
                dst[j, k] = src[g, k]
        elif g < 0:
            for k in range(m):
                dst[j, k] = src[l, k]
        else:
            for k in range(m):
                dst[j, k] = src[l, k] + src[g, k]
    return ok


@njit(parallel=True, cache=True)
def _cell_mean(c, lo0, hi0, t0, lo1, hi1, t1, lo2, hi2, t2, h2, nch, out):
    """``out = (sum / count) / h2`` of the cells ``c`` touching each node, per axis the tables of
    :func:`_sum_tables`: the sums along x, then y, then z, as the :func:`_to_nodes` chain adds
    them (so every value is the same to the last bit), one x-plane at a time in buffers of the
    plane; 0 where an axis has no cell.  ``nch`` chunks of x-planes run in parallel."""
    nx, ny, nz = out.shape
    cy, cz = c.shape[1], c.shape[2]
    for s in prange(nch):
        r = np.empty((cy, cz))
        q = np.empty((ny, cz))
        qt = np.empty((nz, ny))
        w = np.empty(ny)
        for i in range((s * nx) // nch, ((s + 1) * nx) // nch):
            l0, g0 = lo0[i], hi0[i]
            if l0 < 0 and g0 < 0:
                out[i] = 0.0
                continue
            if l0 < 0:
                r[:, :] = c[g0]
            elif g0 < 0:
                r[:, :] = c[l0]
            else:
                for jj in range(cy):
                    for kk in range(cz):
                        r[jj, kk] = c[l0, jj, kk] + c[g0, jj, kk]
            oky = _pair_rows(r, lo1, hi1, q)
            if nz == 1 and lo2[0] < 0 and hi2[0] == 0:  # no z sum (a 2D plane): the rows as they are
                ci = t0[i] * 1.0
                for j in range(ny):  # (branch-free, so the divisions vectorise)
                    w[j] = q[j, 0] / (ci * t1[j] * t2[0]) / h2
                for j in range(ny):
                    out[i, j, 0] = w[j] if oky[j] else 0.0
                continue
            okz = _pair_rows(q.T, lo2, hi2, qt)
            for j in range(ny):
                cij = t0[i] * t1[j]
                for k in range(nz):
                    out[i, j, k] = qt[k, j] / (cij * t2[k]) / h2 if (oky[j] and okz[k]) else 0.0


@njit(inline="always")
def _plane2(c, i, l0, g0, ci, ymode, t1, h2, r, out):
    """Row ``i`` of :func:`_cell_mean2`: the cells ``l0`` and ``g0`` summed along x (-1: none),
    then along y by ``ymode``, over the count ``ci * t1[j]``, over ``h2``."""
    ny = out.shape[1]
    cy = c.shape[1]
    if l0 < 0 and g0 < 0:
        for j in range(ny):
            out[i, j] = 0.0
        return
    if l0 < 0:
        for j in range(cy):
            r[j] = c[g0, j]
    elif g0 < 0:
        for j in range(cy):
            r[j] = c[l0, j]
    else:
        for j in range(cy):
            r[j] = c[l0, j] + c[g0, j]
    if ymode == 0:
        for j in range(cy):
            out[i, j] = r[j] / (ci * t1[j]) / h2
        for j in range(cy, ny):
            out[i, j] = 0.0
    elif ymode == 1:
        out[i, 0] = r[0] / (ci * t1[0]) / h2
        for j in range(1, ny - 1):
            out[i, j] = (r[j - 1] + r[j]) / (ci * t1[j]) / h2
        out[i, ny - 1] = r[ny - 2] / (ci * t1[ny - 1]) / h2
    else:
        out[i, 0] = (r[ny - 1] + r[0]) / (ci * t1[0]) / h2
        for j in range(1, ny):
            out[i, j] = (r[j - 1] + r[j]) / (ci * t1[j]) / h2


@njit(parallel=True, cache=True)
def _cell_mean2(c, lo0, hi0, t0, ymode, t1, h2, nch, out):
    """:func:`_cell_mean` of a 2D (or 1D) grid on ``(nx, ny)`` views, the y sums written out so
    that the loops along the contiguous axis vectorise: ``ymode`` 0 -- node ``j`` takes cell
    ``j`` (where ``j < c.shape[1]``, else 0: the links' own axis, or a single node), 1 -- the
    cells ``j - 1`` and ``j`` (one at each end), 2 -- the same, wrapping (periodic)."""
    nx = out.shape[0]
    for s in prange(nch):
        r = np.empty(c.shape[1])
        for i in range((s * nx) // nch, ((s + 1) * nx) // nch):
            _plane2(c, i, lo0[i], hi0[i], t0[i], ymode, t1, h2, r, out)


@njit(parallel=True, cache=True)
def _cell_links2(c, lo0, hi0, t0, ymode, t1, hx2, hy2, nch, Lx, Ly):
    """``Lx`` and ``Ly`` of a 2D grid in one pass over the cells: per row, :func:`_plane2` of
    cell row ``i`` summed along y (the x links) and of the rows around node ``i`` (the y links)."""
    nx = Lx.shape[0]
    cx = c.shape[0]
    one = np.ones(t1.size)
    for s in prange(nch):
        r = np.empty(c.shape[1])
        for i in range((s * nx) // nch, ((s + 1) * nx) // nch):
            _plane2(c, i, -1, i if i < cx else -1, 1.0, ymode, t1, hx2, r, Lx)
            _plane2(c, i, lo0[i], hi0[i], t0[i], 0, one, hy2, r, Ly)


def cell_links_xy(c3, shape3, h3, periodic3, radial=None):
    """``(Lx, Ly)`` = :func:`cell_links` ``(c3, 0, ...)``, ``(c3, 1, ...)`` of a 2D grid (``shape3[2]
    == 1``, both axes with nodes) in one pass over ``c3``; None where that does not apply (then
    call :func:`cell_links` per axis)."""
    if radial is not None or shape3[2] != 1 or shape3[0] == 1 or shape3[1] == 1 or c3.size < ONE_PASS_MIN:
        return None
    Lx, Ly = np.empty(shape3), np.empty(shape3)
    lo0, hi0, t0 = _sum_tables(shape3[0], periodic3[0])
    t1 = _sum_tables(shape3[1], periodic3[1])[2]
    _cell_links2(np.ascontiguousarray(c3[:, :, 0]), lo0, hi0, t0, 2 if periodic3[1] else 1, t1,
                 float(h3[0] ** 2), float(h3[1] ** 2), _chunks(shape3[0]), Lx[:, :, 0], Ly[:, :, 0])
    return Lx, Ly


def _mean_into(c3, shape3, periodic3, direct, h2):
    """The :func:`_cell_mean` of ``c3`` on the nodes of ``shape3`` (axis ``direct`` not summed, or
    None), divided by ``h2``: a new array."""
    out = np.empty(shape3)
    tabs = [_sum_tables(n, p, c3.shape[b] if b == direct else None) for b, (n, p) in enumerate(zip(shape3, periodic3))]
    if shape3[2] == 1:
        ny, py = shape3[1], periodic3[1]
        ymode = 0 if (direct == 1 or ny == 1) else (2 if py else 1)
        _cell_mean2(np.ascontiguousarray(c3[:, :, 0]), *tabs[0], ymode, tabs[1][2], h2, _chunks(shape3[0]),
                    out[:, :, 0])
    else:
        _cell_mean(c3, *tabs[0], *tabs[1], *tabs[2], h2, _chunks(shape3[0]), out)
    return out


def _chunks(nx):
    """How many chunks of x-planes :func:`_cell_mean` spreads over the threads."""
    return max(1, min(nx, 4 * numba.get_num_threads()))


def _touch_count(b, n, periodic, radial=None):
    """How many cells along axis ``b`` touch each node (their total weight with ``radial``),
    shaped to broadcast on axis ``b``."""
    shp = [1, 1, 1]
    shp[b] = n
    if radial is not None and n > 1 and not periodic:
        wlo, whi = radial
        c = np.concatenate([[0.0], wlo[1:]]) + np.concatenate([whi[:-1], [0.0]])
        return c.reshape(shp)
    c = np.full(n, 2.0 if (periodic and n > 1) else 1.0)
    if not periodic and n > 2:
        c[1:-1] = 2.0
    return c.reshape(shp)


def radial_half_weights(grid):
    """``(wlo, whi)`` of a cylindrical grid's ``r`` axis (None on a Cartesian grid): the
    ``r dr`` integrals, over the node's dual cell, of its part in the cell below and above
    (``h/2 (r_i - h/4)`` and ``h/2 (r_i + h/4)``), so a cell mean around a node is a volume mean.

    Example
    -------
    >>> wlo, whi = radial_half_weights(fg.Grid((3, 2), coords="cylindrical"))
    >>> whi.tolist()
    [0.03125, 0.15625, 0.28125]
    """
    if not getattr(grid, "cylindrical", False):
        return None
    h = grid.spacing[0]
    lo, hi = half_ring_radii(grid.coords[0], h)
    return 0.5 * h * lo, 0.5 * h * hi


def cell_links(c3, a, shape3, h3, periodic3, radial=None):
    """Link conductances ``k_face / h_a^2`` along axis ``a`` from cell values ``c3``.

    Parameters
    ----------
    c3 : float64 array of the padded cell shape (``n - 1`` per non-periodic axis, ``n`` per
        periodic one, 1 on padded axes)
    a : int -- the axis of the links
    shape3, h3, periodic3 : padded node shape, spacings, periodic flags
    radial : None or the :func:`radial_half_weights` of a cylindrical grid (axis 0 is ``r``)

    Returns
    -------
    float64 array of ``shape3`` -- entry ``i`` along ``a`` is the link ``i -> i + 1`` (the wrap
    link at ``n - 1`` on a periodic axis, else 0 there)
    """
    if shape3[a] == 1:
        return np.zeros(shape3)
    if radial is None and c3.size >= ONE_PASS_MIN:  # one pass (the NumPy chain below makes about
        return _mean_into(c3, shape3, periodic3, a, float(h3[a] ** 2))  # five full-array temporaries)
    out = np.zeros(shape3)
    s = c3
    cnt = 1.0
    for b in range(3):
        if b != a:
            rad = radial if b == 0 else None
            s = _to_nodes(s, b, shape3[b], periodic3[b], rad)
            cnt = cnt * _touch_count(b, shape3[b], periodic3[b], rad)
    sl = [slice(None)] * 3
    sl[a] = slice(0, c3.shape[a])
    o = out[tuple(sl)]
    np.divide(s, cnt, out=o)
    o /= h3[a] ** 2
    return out


def node_mean(c3, shape3, periodic3, radial=None):
    """Mean of the cells touching each node (array of ``shape3``; volume-weighted in ``r`` with
    ``radial``): the conductivity of the node's boundary patch at a box face, and the
    node-sampled view of cell values."""
    if radial is None and c3.size >= ONE_PASS_MIN:
        return _mean_into(c3, shape3, periodic3, None, 1.0)
    s = c3
    cnt = 1.0
    for b in range(3):
        rad = radial if b == 0 else None
        s = _to_nodes(s, b, shape3[b], periodic3[b], rad)
        cnt = cnt * _touch_count(b, shape3[b], periodic3[b], rad)
    return s / cnt


def apply_contact(L, a, labels3, resistance, h):
    """Put a contact resistance in series with the links of axis ``a`` that join differently
    labelled nodes (in place): ``1/L -> 1/L + R h``, i.e. per unit area the series resistance
    ``h/k + R`` of the two half links and the interface (for node ``k``: ``h/(2k_i) + R +
    h/(2k_j)``).

    Parameters
    ----------
    L : float64 array of ``shape3`` (links along ``a``, changed in place)
    a : int
    labels3 : int array of ``shape3`` -- region label of every node
    resistance : callable ``resistance(label_i, label_j) -> R array`` (0 where none)
    h : float -- spacing of axis ``a``

    Returns
    -------
    L
    """
    n = labels3.shape[a]
    if n == 1:
        return L
    nxt = np.roll(labels3, -1, axis=a)
    R = resistance(labels3, nxt)
    with np.errstate(divide="ignore", invalid="ignore"):
        cut = (labels3 != nxt) & (R > 0) & (L > 0)
        L[cut] = L[cut] / (1.0 + R[cut] * h * L[cut])
    return L
