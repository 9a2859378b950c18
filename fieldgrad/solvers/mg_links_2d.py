"""Multigrid kernels for the 2D variable-coefficient path: the links operator (:mod:`.mg_links`)
on the fine level and the 9-point Galerkin ``R A P`` operators on the coarse levels.

2D grids are stored padded as ``(nx, ny, 1)``; the 3D kernels send every node there through
their boundary-shell form (no z interior) and loop over one node in their innermost loop.
These kernels take the free ``(nx, ny)`` views (:func:`fieldgrad.solvers.mg_2d.view2`) and
loop over contiguous rows, plain-indexed where every neighbour is inside the grid; the rows
``0, nx-1`` and the nodes ``j = 0, ny-1`` use the neighbour tables, exactly as the 3D kernels.

Links (``Lx, Ly, D`` the ``(nx, ny)`` views of the level's link and diagonal arrays; ``nb*``,
``wt*`` the tables of :func:`fieldgrad.solvers.mg_links.axis_tables`): row ``x`` of the
operator is ``D u_x + sum of w * L * u`` over the 4 neighbours, summed in the order of the 3D
kernels (x minus, x plus, y minus, y plus; the z terms there are exact zeros), so the results
agree with them to the last bit.  The red-black smoother updates both colours in one pass over
memory (row ``i+1`` first colour, then row ``i`` second colour, one slab per thread, as
:func:`fieldgrad.solvers.mg_2d.smooth_rb_fused2`); a row's colour is computed over the whole
row into a buffer (a contiguous loop LLVM vectorises; a node of one colour depends only on the
other colour) and written back to every other node.

9-point (``C[i, j, s]`` the ``(nx, ny, 9)`` view of a point-major Galerkin stencil, offsets
``OFF9``: centre first, then ``(dx, dy)`` in ``(dx+1)*3 + dy+1`` order, the order
``Hierarchy._rap`` stores them in 2D): the 4-colour Gauss-Seidel of the 3D kernels' 8-colour
scheme (colour = index parities; in 2D the odd-``k`` colours are empty).  An even row couples
only to odd rows and to itself, so the colours (even rows: even then odd ``j``; odd rows: even
then odd ``j``) run in one pass over memory with the slab scheme above; the reverse order
(symmetric post-smoothing) starts with odd rows and odd ``j``.

Fixed nodes (``fx``/``fy`` flags; only the end nodes of an axis may be flagged -- the callers
check) are left untouched and have a zero residual.  Every row kernel works on the row's active
runs ``(sp, sv)`` (:mod:`.active_segments`: the nodes of a domain with holes, one run ``[0, ny)``
per row otherwise): the nodes off them are neither smoothed nor written, and their residual is 0.

Example
-------
>>> OFF9.tolist()[:3]
[[0, 0], [-1, -1], [-1, 0]]
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .active_segments import run_bounds
from .mg_fused import slab
from .mg_kernels import coarse_offset

OFF9 = np.array([[0, 0], [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]], dtype=np.int64)


# ------------------------------------------------------------------ links (fine level)
@njit(inline="always")
def _off_shell(u, Lx, Ly, i, j, nbx, wtx, nby, wty):
    return (wtx[0, i] * Lx[nbx[2, i], j] * u[nbx[0, i], j] + wtx[1, i] * Lx[i, j] * u[nbx[1, i], j]
            + wty[0, j] * Ly[i, nby[2, j]] * u[i, nby[0, j]] + wty[1, j] * Ly[i, j] * u[i, nby[1, j]])


@njit(inline="always")
def _row_interior(i, nx, ny):
    return 0 < i < nx - 1 and ny >= 3


@njit(inline="always")
def first_of_parity(a, p):
    """The first index ``>= a`` of parity ``p`` (``a >= 0``)."""
    return a + (a + p) % 2


@njit(inline="always")
def smooth_row_links(u, f, i, color, buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv):
    """Gauss-Seidel update of the colour-``color`` nodes (``(i+j) % 2 == color``) of row ``i``,
    on the row's active segments ``sv[sp[i]:sp[i+1]]`` (:func:`row_segments`)."""
    nx, ny = u.shape
    if fx[i]:
        return
    j0 = (i + color) % 2
    inner = _row_interior(i, nx, ny)
    i_m, i_p = max(i - 1, 0), min(i + 1, nx - 1)  # rows i -+ 1 (read only when inner)
    uc, um, up, fr, lm, lc, ly, dr = u[i], u[i_m], u[i_p], f[i], Lx[i_m], Lx[i], Ly[i], D[i]
    for k in range(sp[i], sp[i + 1]):
        if inner:
            a, b = sv[k, 0], sv[k, 1]
            for j in (0, ny - 1):
                if a <= j < b and j % 2 == j0 and not fy[j]:
                    u[i, j] = (f[i, j] - _off_shell(u, Lx, Ly, i, j, nbx, wtx, nby, wty)) / D[i, j]
            lo, hi = run_bounds(sv, k, 1, ny - 1)
            for jj in range(hi - lo):  # both colours, contiguous: vectorised; colour j0 read only
                j = lo + jj
                buf[j] = (fr[j] - (lm[j] * um[j] + lc[j] * up[j] + ly[j - 1] * uc[j - 1] + ly[j] * uc[j + 1])) / dr[j]
            s0 = first_of_parity(lo, j0)
            for jj in range((hi - s0 + 1) // 2):
                j = s0 + 2 * jj
                uc[j] = buf[j]
        else:
            a, b = run_bounds(sv, k, 0, ny)
            s0 = first_of_parity(a, j0)
            for jj in range((b - s0 + 1) // 2):
                j = s0 + 2 * jj
                if not fy[j]:
                    u[i, j] = (f[i, j] - _off_shell(u, Lx, Ly, i, j, nbx, wtx, nby, wty)) / D[i, j]


@njit(parallel=True, cache=True)
def smooth_links_fused2(u, f, nslab, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, color0):
    """One red-black sweep (colour ``color0`` first) in one pass over memory (module docstring)."""
    nx, ny = u.shape
    c1 = 1 - color0
    for s in prange(nslab):
        buf = np.empty(ny)
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0:
            smooth_row_links(u, f, i0, color0, buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)
        if i1 - 1 > i0:
            smooth_row_links(u, f, i1 - 1, color0, buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)
    for s in prange(nslab):
        buf = np.empty(ny)
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            if i + 1 < i1 - 1:
                smooth_row_links(u, f, i + 1, color0, buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)
            smooth_row_links(u, f, i, c1, buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)


@njit(inline="always")
def _res_value(fv, off, du, mode):
    """The residual-row value in the grouping of the 3D kernels: ``mode`` 0 ``A u = off + D u``;
    1 ``f - (off + D u)`` (:func:`~fieldgrad.solvers.mg_links.residual_links`); 2 ``(f - off) - D u``
    (its fused restriction and norm)."""
    if mode == 0:
        return off + du
    if mode == 1:
        return fv - (off + du)
    return fv - off - du


@njit(inline="always")
def _zero_gap(o, a, b):
    """``o[a:b] = 0`` (``0 <= a``)."""
    for jj in range(b - a):
        o[a + jj] = 0.0


@njit(inline="always")
def residual_row_links(u, f, o, i, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, mode):
    """Row ``i`` of the residual (``mode``: :func:`_res_value`) into the 1D array ``o``; 0 at fixed
    nodes and off the row's active segments."""
    nx, ny = u.shape
    if fx[i]:
        for j in range(ny):
            o[j] = 0.0
        return
    inner = _row_interior(i, nx, ny)
    i_m, i_p = max(i - 1, 0), min(i + 1, nx - 1)  # rows i -+ 1 (read only when inner)
    uc, um, up, fr, lm, lc, ly, dr = u[i], u[i_m], u[i_p], f[i], Lx[i_m], Lx[i], Ly[i], D[i]
    prev = 0
    for k in range(sp[i], sp[i + 1]):
        a, b = run_bounds(sv, k, 0, ny)
        _zero_gap(o, prev, a)
        prev = b
        if inner:
            lo, hi = run_bounds(sv, k, 1, ny - 1)
            for jj in range(hi - lo):
                j = lo + jj
                o[j] = _res_value(fr[j], lm[j] * um[j] + lc[j] * up[j] + ly[j - 1] * uc[j - 1] + ly[j] * uc[j + 1],
                                  dr[j] * uc[j], mode)
            for j in (0, ny - 1):
                if a <= j < b:
                    off = _off_shell(u, Lx, Ly, i, j, nbx, wtx, nby, wty)
                    o[j] = 0.0 if fy[j] else _res_value(f[i, j], off, D[i, j] * u[i, j], mode)
        else:
            for jj in range(b - a):
                j = a + jj
                off = _off_shell(u, Lx, Ly, i, j, nbx, wtx, nby, wty)
                o[j] = 0.0 if fy[j] else _res_value(f[i, j], off, D[i, j] * u[i, j], mode)
    _zero_gap(o, prev, ny)


@njit(parallel=True, cache=True)
def residual_links2d(u, f, r, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, use_f):
    """``r = f - A u`` (``r = A u`` when ``use_f`` is False); 0 at fixed nodes."""
    mode = 1 if use_f else 0
    for i in prange(u.shape[0]):
        residual_row_links(u, f, r[i], i, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, mode)


@njit(parallel=True, cache=True)
def residual_norm_links2d(u, f, nch, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv):
    """``||f - A u||_2`` without storing the residual."""
    nx, ny = u.shape
    acc = np.zeros(nch)
    for c in prange(nch):
        o = np.empty(ny)
        s = 0.0
        for i in range((c * nx) // nch, ((c + 1) * nx) // nch):
            residual_row_links(u, f, o, i, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, 2)
            for j in range(ny):
                s += o[j] * o[j]
        acc[c] = s
    return np.sqrt(acc.sum())


@njit(inline="always")
def _row_slot(p, ids, used):
    """Buffer slot for fine row ``p`` in the three-row cache ``ids`` (``used``: slots taken for the
    current coarse row); returns ``(slot, fresh)``, ``fresh`` when the row must be computed."""
    for s in range(3):
        if ids[s] == p and used[s]:
            return s, False
    for s in range(3):
        if not used[s]:
            used[s] = True
            ids[s] = p
            return s, True
    return -1, True  # never: at most three fine rows per coarse row


@njit(inline="always")
def _start_coarse_row(rix, I, ids, used, t):
    for j in range(t.shape[0]):
        t[j] = 0.0
    for s in range(3):
        used[s] = False
    for a in range(3):  # keep the rows still valid from the previous coarse row
        p = rix[I, a]
        for s in range(3):
            if p >= 0 and ids[s] == p:
                used[s] = True


@njit(inline="always")
def _restrict_y(t, o, riy, rwy):
    for J in range(o.shape[0]):
        acc = 0.0
        for b in range(3):
            q = riy[J, b]
            if q >= 0:
                acc += rwy[J, b] * t[q]
        o[J] = acc


@njit(parallel=True, cache=True)
def residual_restrict_links2d(u, f, out, nch, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, rix, rwx, riy,
                              rwy):
    """Fused ``out = R (f - A u)`` by the per-axis restriction tables ``ri[I, 3]`` / ``rw[I, 3]``;
    residual rows live in three per-chunk row buffers, each computed about once (the scheme of
    :func:`fieldgrad.solvers.mg_2d.residual_restrict2d`)."""
    ny = u.shape[1]
    cnx = out.shape[0]
    for c in prange(nch):
        buf = np.empty((3, ny))
        t = np.empty(ny)
        ids = np.full(3, -1, dtype=np.int64)
        used = np.zeros(3, dtype=np.bool_)
        for I in range((c * cnx) // nch, ((c + 1) * cnx) // nch):
            _start_coarse_row(rix, I, ids, used, t)
            for a in range(3):
                p = rix[I, a]
                if p < 0:
                    continue
                slot, fresh = _row_slot(p, ids, used)
                if fresh:
                    residual_row_links(u, f, buf[slot], p, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, 2)
                w = rwx[I, a]
                b = buf[slot]
                for j in range(ny):
                    t[j] += w * b[j]
            _restrict_y(t, out[I], riy, rwy)


@njit(parallel=True, cache=True)
def diag_from_links2d(Lx, Ly, nbx, wtx, nby, wty, D):
    """``D = -(sum of the row's off-diagonal coefficients)``: the sums of
    :func:`fieldgrad.solvers.mg_links.diag_from_links3` (whose z terms are exact zeros in 2D)."""
    nx, ny = D.shape
    for i in prange(nx):
        lm, lc, ly, d = Lx[nbx[2, i]], Lx[i], Ly[i], D[i]
        w0, w1 = wtx[0, i], wtx[1, i]
        for j in range(ny):
            if 0 < j < ny - 1:  # wty 1, nby[2, j] = j - 1
                d[j] = -(w0 * lm[j] + w1 * lc[j] + ly[j - 1] + ly[j])
            else:
                d[j] = -(w0 * lm[j] + w1 * lc[j] + wty[0, j] * ly[nby[2, j]] + wty[1, j] * ly[j])


# ------------------------------------------------------------------ 9-point (Galerkin coarse levels)
@njit(inline="always")
def _off9_shell(u, C, i, j, nbr):
    """Off-diagonal sum through the neighour maps ``nbr[axis, side, i]`` (-1: outside), the order
    and skips of :func:`fieldgrad.solvers.mg_kernels.stencil_offdiag`."""
    acc = 0.0
    for s in range(1, 9):
        c = C[i, j, s]
        if c == 0.0:
            continue
        dx, dy = OFF9[s, 0], OFF9[s, 1]
        ia = np.int64(i) if dx == 0 else nbr[0, (dx + 1) // 2, i]
        ib = np.int64(j) if dy == 0 else nbr[1, (dy + 1) // 2, j]
        if ia < 0 or ib < 0:
            continue
        acc += c * u[ia, ib]
    return acc


@njit(inline="always")
def _off9_inner(um, uc, up, cr, j):
    acc = 0.0
    acc += cr[1] * um[j - 1]
    acc += cr[2] * um[j]
    acc += cr[3] * um[j + 1]
    acc += cr[4] * uc[j - 1]
    acc += cr[5] * uc[j + 1]
    acc += cr[6] * up[j - 1]
    acc += cr[7] * up[j]
    acc += cr[8] * up[j + 1]
    return acc


@njit(inline="always")
def smooth_row9(u, f, C, i, first, fy, nbr, sp, sv):
    """Both colours of row ``i`` on its active segments: the nodes of ``j`` parity ``first``, then
    the others."""
    nx, ny = u.shape
    inner = _row_interior(i, nx, ny)
    for jp in range(2):
        j0 = (first + jp) % 2
        for k in range(sp[i], sp[i + 1]):
            a, b = run_bounds(sv, k, 0, ny)
            s0 = first_of_parity(a, j0)
            for jj in range((b - s0 + 1) // 2):
                j = s0 + 2 * jj
                if fy[j]:
                    continue
                if inner and 0 < j < ny - 1:
                    off = _off9_inner(u[i - 1], u[i], u[i + 1], C[i, j], j)
                else:
                    off = _off9_shell(u, C, i, j, nbr)
                u[i, j] = (f[i, j] - off) / C[i, j, 0]


@njit(parallel=True, cache=True)
def smooth9_fused(u, f, C, nslab, fx, fy, nbr, sp, sv, first):
    """One 4-colour Gauss-Seidel sweep (rows of parity ``first`` first, ``j`` parity ``first``
    first in each row; module docstring) in one pass over memory."""
    nx = u.shape[0]
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0 and i0 % 2 == first and not fx[i0]:
            smooth_row9(u, f, C, i0, first, fy, nbr, sp, sv)
        il = i1 - 1
        if il > i0 and il % 2 == first and not fx[il]:
            smooth_row9(u, f, C, il, first, fy, nbr, sp, sv)
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            ia = i + 1
            if ia < i1 - 1 and ia % 2 == first and not fx[ia]:
                smooth_row9(u, f, C, ia, first, fy, nbr, sp, sv)
            if i % 2 != first and not fx[i]:
                smooth_row9(u, f, C, i, first, fy, nbr, sp, sv)


@njit(inline="always")
def residual_row9(u, f, o, C, i, fx, fy, nbr, sp, sv, use_f):
    """Row ``i`` of ``f - A u`` (``A u`` when ``use_f`` is False) into ``o``; 0 at fixed nodes and
    off the row's active segments."""
    nx, ny = u.shape
    if fx[i]:
        for j in range(ny):
            o[j] = 0.0
        return
    inner = _row_interior(i, nx, ny)
    prev = 0
    for k in range(sp[i], sp[i + 1]):
        a, b = run_bounds(sv, k, 0, ny)
        _zero_gap(o, prev, a)
        prev = b
        for jj in range(b - a):
            j = a + jj
            if fy[j]:
                o[j] = 0.0
                continue
            if inner and 0 < j < ny - 1:
                au = _off9_inner(u[i - 1], u[i], u[i + 1], C[i, j], j) + C[i, j, 0] * u[i, j]
            else:
                au = _off9_shell(u, C, i, j, nbr) + C[i, j, 0] * u[i, j]
            o[j] = f[i, j] - au if use_f else au
    _zero_gap(o, prev, ny)


@njit(parallel=True, cache=True)
def residual9(u, f, r, C, fx, fy, nbr, sp, sv, use_f):
    """``r = f - A u`` (``r = A u`` when ``use_f`` is False); 0 at fixed nodes."""
    for i in prange(u.shape[0]):
        residual_row9(u, f, r[i], C, i, fx, fy, nbr, sp, sv, use_f)


@njit(parallel=True, cache=True)
def residual_restrict9(u, f, out, nch, C, fx, fy, nbr, sp, sv, rix, rwx, riy, rwy):
    """Fused ``out = R (f - A u)`` for a 9-point level (scheme of :func:`residual_restrict_links2d`)."""
    ny = u.shape[1]
    cnx = out.shape[0]
    for c in prange(nch):
        buf = np.empty((3, ny))
        t = np.empty(ny)
        ids = np.full(3, -1, dtype=np.int64)
        used = np.zeros(3, dtype=np.bool_)
        for I in range((c * cnx) // nch, ((c + 1) * cnx) // nch):
            _start_coarse_row(rix, I, ids, used, t)
            for a in range(3):
                p = rix[I, a]
                if p < 0:
                    continue
                slot, fresh = _row_slot(p, ids, used)
                if fresh:
                    residual_row9(u, f, buf[slot], C, p, fx, fy, nbr, sp, sv, True)
                w = rwx[I, a]
                b = buf[slot]
                for j in range(ny):
                    t[j] += w * b[j]
            _restrict_y(t, out[I], riy, rwy)


# ------------------------------------------------------------------ Galerkin R A P (setup)
@njit(inline="always")
def _scatter9(o, I, J, x, y, wc, pix, pwx, piy, pwy, ncx, ncy, perx, pery):
    """Add ``wc P[(x, y), (X, Y)]`` into the 9-point row ``o`` of coarse node ``(I, J)`` (slot of
    offset ``(X - I, Y - J)`` in ``OFF9`` order), by the prolongation tables ``pi[q, 2]`` / ``pw[q, 2]``."""
    for ax in range(2):
        X = pix[x, ax]
        if X < 0:
            continue
        dx = coarse_offset(X - I, perx, ncx)
        wx = wc * pwx[x, ax]
        for ay in range(2):
            Y = piy[y, ay]
            if Y < 0:
                continue
            dy = coarse_offset(Y - J, pery, ncy)
            b = (dx + 1) * 3 + dy + 1
            o[0 if b == 4 else (b + 1 if b < 4 else b)] += wx * pwy[y, ay]


@njit(parallel=True, cache=True)
def galerkin_links2d(Lx, Ly, D, nbx, wtx, nby, wty, out, rix, rwx, riy, rwy, pix, pwx, piy, pwy, ncx, ncy,
                     perx, pery, act, cact, I0=0, I1=0, J0=0, J1=0):
    """Galerkin ``R A P`` of the 2D links operator into the 9-point stencil ``out[I, J, s]`` (``OFF9``
    order; zeroed by the caller): the products and the order of the sums of
    :func:`fieldgrad.solvers.mg_links.galerkin_links`.  The coarse nodes of the box
    ``I0 <= I < I1, J0 <= J < J1`` are skipped (:func:`galerkin_links2d_interior` does them).

    ``act``/``cact``: the fine and coarse active nodes (:mod:`.active_segments`; all True for the
    whole grid): the Galerkin operator of the active sub-problem -- rows at active coarse nodes
    only, from the fine rows and columns of active nodes."""
    cnx, cny = out.shape[0], out.shape[1]
    for I in prange(cnx):
        for J in range(cny):
            if (I0 <= I < I1 and J0 <= J < J1) or not cact[I, J]:
                continue
            o = out[I, J]
            for a in range(3):
                p = rix[I, a]
                if p < 0:
                    continue
                for b in range(3):
                    q = riy[J, b]
                    if q < 0 or not act[p, q]:
                        continue
                    w = rwx[I, a] * rwy[J, b]
                    for s in range(5):
                        if s == 0:
                            cs, x, y = D[p, q], p, q
                        elif s == 1:
                            cs, x, y = wtx[0, p] * Lx[nbx[2, p], q], nbx[0, p], q
                        elif s == 2:
                            cs, x, y = wtx[1, p] * Lx[p, q], nbx[1, p], q
                        elif s == 3:
                            cs, x, y = wty[0, q] * Ly[p, nby[2, q]], p, nby[0, q]
                        else:
                            cs, x, y = wty[1, q] * Ly[p, q], p, nby[1, q]
                        if cs != 0.0 and act[x, y]:
                            _scatter9(o, I, J, x, y, w * cs, pix, pwx, piy, pwy, ncx, ncy, perx, pery)


@njit(parallel=True, cache=True)
def galerkin9(C, nbr, out, rix, rwx, riy, rwy, pix, pwx, piy, pwy, ncx, ncy, perx, pery, act, cact, I0=0, I1=0, J0=0,
              J1=0):
    """Galerkin ``R A P`` of a 9-point operator ``C[i, j, s]`` (``OFF9`` order; ``nbr[axis, side, i]``
    neighbour maps, -1 outside) into the 9-point ``out[I, J, s]`` (zeroed by the caller): the
    products and the order of the sums of :func:`fieldgrad.solvers.mg_kernels.galerkin`, the box
    ``I0 <= I < I1, J0 <= J < J1`` skipped (:func:`galerkin9_interior`); ``act``/``cact`` as in
    :func:`galerkin_links2d`."""
    cnx, cny = out.shape[0], out.shape[1]
    for I in prange(cnx):
        for J in range(cny):
            if (I0 <= I < I1 and J0 <= J < J1) or not cact[I, J]:
                continue
            o = out[I, J]
            for a in range(3):
                p = rix[I, a]
                if p < 0:
                    continue
                for b in range(3):
                    q = riy[J, b]
                    if q < 0 or not act[p, q]:
                        continue
                    w = rwx[I, a] * rwy[J, b]
                    for s in range(9):
                        cs = C[p, q, s]
                        if cs == 0.0:
                            continue
                        dx, dy = OFF9[s, 0], OFF9[s, 1]
                        x = p if dx == 0 else nbr[0, (dx + 1) // 2, p]
                        y = q if dy == 0 else nbr[1, (dy + 1) // 2, q]
                        if x < 0 or y < 0 or not act[x, y]:
                            continue
                        _scatter9(o, I, J, x, y, w * cs, pix, pwx, piy, pwy, ncx, ncy, perx, pery)


# ------------------------------------------------------------------ several sweeps in one pass
def wave_schedule(nx, nslab, nstages, periodic):
    """Order of the row updates of ``nstages`` half-sweeps (stage ``s``: the red-black colour
    ``color0 ^ (s % 2)``, or the 4-colour row parity ``first ^ (s % 2)``) done in one pass over
    memory, ``nslab`` slabs of rows in parallel.

    Row ``r`` at stage ``s`` needs its neighbour rows at stage ``s - 1`` and not yet at ``s + 1``.
    Phase 1 (one slab per thread): a wavefront, row ``t - s`` at stage ``s`` for ascending ``s``
    at step ``t``, where row ``r`` goes only up to stage ``cap(r)`` = its distance to the nearest
    slab boundary (so a boundary row does stage 0 only, and the neighbour slab never gets ahead).
    Phase 2 (after phase 1, on one thread): the stages left near each boundary, stage by stage.

    Returns ``(rows1, n1, rows2, n2)``: ``rows1[slab, m] = (row, stage)``, ``n1[slab]`` entries;
    likewise per boundary for phase 2 -- or None when a slab is too short for the boundary zones
    not to touch (fewer than ``2 * nstages + 2`` rows).
    """
    S = nstages
    slabs = [((s * nx) // nslab, ((s + 1) * nx) // nslab) for s in range(nslab)]
    if nslab > 1 or periodic:
        if min(i1 - i0 for i0, i1 in slabs) < 2 * S + 2:
            return None
    big = 1 << 30
    cap = np.empty(nx, dtype=np.int64)
    for k, (i0, i1) in enumerate(slabs):
        lo = i0 if (k > 0 or periodic) else -big  # a boundary below row i0
        hi = i1 if (k < nslab - 1 or periodic) else big
        for r in range(i0, i1):
            cap[r] = min(r - lo, hi - 1 - r, S - 1)
    rows1 = []
    for i0, i1 in slabs:
        seq = []
        for t in range(i0, i1 + S):
            for s in range(S):
                r = t - s
                if i0 <= r < i1 and s <= cap[r]:
                    seq.append((r, s))
        rows1.append(seq)
    bounds = [i0 for k, (i0, i1) in enumerate(slabs) if k > 0 or periodic]
    rows2 = []
    for b in bounds:
        zone = [(b + d) % nx for d in range(-(S - 1), S - 1)]
        rows2.append([(r, s) for s in range(1, S) for r in zone if cap[r] < s])
    if not rows2:
        rows2 = [[]]

    def pack(lists):
        n = np.array([len(x) for x in lists], dtype=np.int64)
        a = np.zeros((len(lists), max(1, int(n.max())), 2), dtype=np.int64)
        for k, x in enumerate(lists):
            if x:
                a[k, : len(x)] = np.array(x, dtype=np.int64)
        return a, n

    return (*pack(rows1), *pack(rows2))


@njit(parallel=True, cache=True)
def smooth_links_waves(u, f, rows1, n1, rows2, n2, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv, color0):
    """Several red-black sweeps (colour ``color0`` first) in one pass, in the order of
    :func:`wave_schedule`: the same updates as that many :func:`smooth_links_fused2` calls."""
    ny = u.shape[1]
    for s in prange(rows1.shape[0]):
        buf = np.empty(ny)
        for m in range(n1[s]):
            r, st = rows1[s, m, 0], rows1[s, m, 1]
            smooth_row_links(u, f, r, color0 ^ (st % 2), buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)
    buf = np.empty(ny)
    for b in range(rows2.shape[0]):  # a few rows: on this thread, no second fork-join
        for m in range(n2[b]):
            r, st = rows2[b, m, 0], rows2[b, m, 1]
            smooth_row_links(u, f, r, color0 ^ (st % 2), buf, Lx, Ly, D, fx, fy, nbx, wtx, nby, wty, sp, sv)


@njit(parallel=True, cache=True)
def smooth9_waves(u, f, C, rows1, n1, rows2, n2, fx, fy, nbr, sp, sv, first):
    """Several 4-colour sweeps in one pass, in the order of :func:`wave_schedule` (stage ``s``
    updates the rows of parity ``first ^ (s % 2)``): the same updates as :func:`smooth9_fused` calls."""
    for s in prange(rows1.shape[0]):
        for m in range(n1[s]):
            r, st = rows1[s, m, 0], rows1[s, m, 1]
            if r % 2 == first ^ (st % 2) and not fx[r]:
                smooth_row9(u, f, C, r, first, fy, nbr, sp, sv)
    for b in range(rows2.shape[0]):  # a few rows: on this thread, no second fork-join
        for m in range(n2[b]):
            r, st = rows2[b, m, 0], rows2[b, m, 1]
            if r % 2 == first ^ (st % 2) and not fx[r]:
                smooth_row9(u, f, C, r, first, fy, nbr, sp, sv)


@njit(inline="always")
def _add_parents(acc, xo, yo, c):
    """Add ``c P`` for the fine node at offset ``(xo, yo)`` (each in -2..2) from the fine node
    under a coarse node, standard coarsening: an even offset sits on a coarse node, an odd one
    halfway between two."""
    if xo % 2 == 0:
        if yo % 2 == 0:
            acc[(xo // 2 + 1) * 3 + yo // 2 + 1] += c
        else:
            h = 0.5 * c
            acc[(xo // 2 + 1) * 3 + (yo - 1) // 2 + 1] += h
            acc[(xo // 2 + 1) * 3 + (yo + 1) // 2 + 1] += h
    else:
        h = 0.5 * c
        if yo % 2 == 0:
            acc[((xo - 1) // 2 + 1) * 3 + yo // 2 + 1] += h
            acc[((xo + 1) // 2 + 1) * 3 + yo // 2 + 1] += h
        else:
            q = 0.5 * h
            acc[((xo - 1) // 2 + 1) * 3 + (yo - 1) // 2 + 1] += q
            acc[((xo - 1) // 2 + 1) * 3 + (yo + 1) // 2 + 1] += q
            acc[((xo + 1) // 2 + 1) * 3 + (yo - 1) // 2 + 1] += q
            acc[((xo + 1) // 2 + 1) * 3 + (yo + 1) // 2 + 1] += q


@njit(parallel=True, cache=True)
def galerkin_links2d_interior(Lx, Ly, D, out, act, cact, I0, I1, J0, J1):
    """``R A P`` of the links operator at the coarse nodes ``I0 <= I < I1``, ``J0 <= J < J1`` of a
    standard coarsening (coarse node ``I`` on fine node ``2 I``; full weighting, linear
    interpolation) whose restriction rows and their neighbours lie inside the fine grid
    (:func:`standard_box`): the table-driven :func:`galerkin_links2d` with the tables' values
    written in -- the same products summed in the same order (overwrites ``out`` at the active
    coarse nodes; ``act``/``cact`` as there)."""
    for I in prange(I0, I1):
        acc = np.empty(9)
        for J in range(J0, J1):
            if not cact[I, J]:
                continue
            for s in range(9):
                acc[s] = 0.0
            for a in range(-1, 2):
                p = 2 * I + a
                wa = 0.5 if a == 0 else 0.25
                for b in range(-1, 2):
                    q = 2 * J + b
                    if not act[p, q]:
                        continue
                    w = wa * (0.5 if b == 0 else 0.25)
                    _add_parents(acc, a, b, w * D[p, q])
                    if act[p - 1, q]:
                        _add_parents(acc, a - 1, b, w * Lx[p - 1, q])
                    if act[p + 1, q]:
                        _add_parents(acc, a + 1, b, w * Lx[p, q])
                    if act[p, q - 1]:
                        _add_parents(acc, a, b - 1, w * Ly[p, q - 1])
                    if act[p, q + 1]:
                        _add_parents(acc, a, b + 1, w * Ly[p, q])
            o = out[I, J]
            for s in range(9):
                o[0 if s == 4 else (s + 1 if s < 4 else s)] = acc[s]


@njit(parallel=True, cache=True)
def galerkin9_interior(C, out, act, cact, I0, I1, J0, J1):
    """:func:`galerkin9` at the coarse nodes of the box of :func:`standard_box`, the tables' values
    written in (as :func:`galerkin_links2d_interior`)."""
    for I in prange(I0, I1):
        acc = np.empty(9)
        for J in range(J0, J1):
            if not cact[I, J]:
                continue
            for s in range(9):
                acc[s] = 0.0
            for a in range(-1, 2):
                p = 2 * I + a
                wa = 0.5 if a == 0 else 0.25
                for b in range(-1, 2):
                    q = 2 * J + b
                    if not act[p, q]:
                        continue
                    w = wa * (0.5 if b == 0 else 0.25)
                    for s in range(9):
                        dx, dy = OFF9[s, 0], OFF9[s, 1]
                        if act[p + dx, q + dy]:
                            _add_parents(acc, a + dx, b + dy, w * C[p, q, s])
            o = out[I, J]
            for s in range(9):
                o[0 if s == 4 else (s + 1 if s < 4 else s)] = acc[s]


def _standard_range(ri, rw, pi, pw):
    """Coarse indices ``lo <= I < hi`` along one axis whose restriction is ``1/4, 1/2, 1/4`` from fine
    ``2I-1, 2I, 2I+1`` and whose fine nodes ``2I-2 .. 2I+2`` interpolate linearly from coarse
    ``q // 2`` (and ``q // 2 + 1`` when odd); ``(0, 0)`` when the axis is not coarsened that way."""
    nc, nf = ri.shape[0], pi.shape[0]
    lo, hi = 1, nc - 1
    if hi <= lo or 2 * (hi - 1) + 2 > nf - 1:
        return 0, 0
    I = np.arange(lo, hi)
    ok = (np.array_equal(ri[lo:hi], np.stack([2 * I - 1, 2 * I, 2 * I + 1], axis=1))
          and np.array_equal(rw[lo:hi], np.tile([0.25, 0.5, 0.25], (hi - lo, 1))))
    q = np.arange(0, 2 * (hi - 1) + 3)
    even = q % 2 == 0
    ok = ok and np.array_equal(pi[q[even], 0], q[even] // 2) and np.array_equal(pw[q[even], 0], np.ones(even.sum()))
    ok = ok and not pw[q[even], 1].any()
    odd = q[~even]
    ok = ok and np.array_equal(pi[odd], np.stack([odd // 2, odd // 2 + 1], axis=1))
    ok = ok and np.array_equal(pw[odd], np.full((odd.size, 2), 0.5))
    return (lo, hi) if ok else (0, 0)


def standard_box(rix, rwx, pix, pwx, riy, rwy, piy, pwy):
    """``(I0, I1, J0, J1)``: the coarse nodes the ``*_interior`` Galerkin kernels can do (an empty
    box when an axis is not a standard coarsening)."""
    I0, I1 = _standard_range(rix, rwx, pix, pwx)
    J0, J1 = _standard_range(riy, rwy, piy, pwy)
    if I1 <= I0 or J1 <= J0:
        return 0, 0, 0, 0
    return I0, I1, J0, J1
