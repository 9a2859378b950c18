"""Multigrid kernels for the constant-coefficient 5-point operator on 2D levels.

2D (and 1D) grids are stored padded as ``(nx, ny, 1)``; the 3D kernels would send every node
through their boundary-shell path there (no z interior).  These kernels take the free 2D view
``(nx, ny)`` (see :func:`view2`) and have a plain-indexed interior row loop, the rows 0 and
``nx-1`` and the nodes ``j = 0, ny-1`` going through the neighbour-map formula (reflection for
Neumann/Robin, wrap for periodic).  Parallelism is over rows; the red-black smoother updates
both colours in one pass over memory (row ``i+1`` first colour, then row ``i`` second colour,
slab per thread, as :mod:`fieldgrad.solvers.mg_fused` does with planes).

Arguments shared by the kernels (``Level.set_const`` prepares them): ``cx, cy`` link
conductances ``k/h^2``; ``diag0`` the constant diagonal; ``dx, dy`` per-axis diagonal additions
(Robin); ``fx, fy`` fixed-node flags; ``mx, px, my, py`` reflect/wrap neighbour maps.

Example
-------
>>> import numpy as np
>>> view2(np.zeros((5, 4, 1))).shape
(5, 4)
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .active_segments import run_bounds
from .mg_fused import slab


def view2(a):
    """The ``(nx, ny)`` view of a padded ``(nx, ny, 1)`` array (never a copy: raises if it would be)."""
    v = a.view()
    v.shape = a.shape[:2]
    return v


def _gs_point2(fc, xm, xp, ym, yp, cx, cy, inv_d):
    """Gauss-Seidel update of one node of the constant 5-point operator."""
    return (fc - (cx * (xm + xp) + cy * (ym + yp))) * inv_d


def _residual_point2(fc, uc, xm, xp, ym, yp, cx, cy, d):
    """``f - A u`` at one node of the constant 5-point operator."""
    return fc - (cx * (xm + xp) + cy * (ym + yp) + d * uc)


gs_point2 = njit(inline="always")(_gs_point2)
residual_point2 = njit(inline="always")(_residual_point2)


@njit(inline="always")
def _offdiag(u, i, j, im, ip, jm, jp, cx, cy):
    return cx * (u[im, j] + u[ip, j]) + cy * (u[i, jm] + u[i, jp])


@njit(inline="always")
def smooth_row(u, f, i, color, omega, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py):
    """Red-black update of the colour-``color`` nodes (``(i+j) % 2 == color``) of row ``i``,
    over-relaxed by ``omega`` at interior nodes."""
    nx, ny = u.shape
    if fx[i]:
        return
    j0 = (i + color) % 2
    di = diag0 + dx[i]
    if 0 < i < nx - 1 and ny >= 3:
        if j0 == 0 and not fy[0]:
            u[i, 0] = (f[i, 0] - _offdiag(u, i, 0, i - 1, i + 1, my[0], py[0], cx, cy)) / (di + dy[0])
        inv0 = 1.0 / diag0
        uc, um, up, fr = u[i], u[i - 1], u[i + 1], f[i]
        for j in range(2 - j0 if j0 == 0 else 1, ny - 1, 2):
            g = gs_point2(fr[j], um[j], up[j], uc[j - 1], uc[j + 1], cx, cy, inv0)
            uc[j] = g if omega == 1.0 else uc[j] + omega * (g - uc[j])
        jl = ny - 1
        if jl % 2 == j0 and not fy[jl]:
            u[i, jl] = (f[i, jl] - _offdiag(u, i, jl, i - 1, i + 1, my[jl], py[jl], cx, cy)) / (di + dy[jl])
    else:
        im, ip = mx[i], px[i]
        for j in range(j0, ny, 2):
            if fy[j]:
                continue
            u[i, j] = (f[i, j] - _offdiag(u, i, j, im, ip, my[j], py[j], cx, cy)) / (di + dy[j])


@njit(parallel=True, cache=True)
def smooth_rb_fused2(u, f, nslab, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py, color0, omega=1.0):
    """One full red-black sweep (colour ``color0`` first) in one pass over memory; see the module
    docstring and :func:`fieldgrad.solvers.mg_fused.smooth_rb_fused` for the slab scheme."""
    nx = u.shape[0]
    c1 = 1 - color0
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0:
            smooth_row(u, f, i0, color0, omega, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)
        if i1 - 1 > i0:
            smooth_row(u, f, i1 - 1, color0, omega, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            if i + 1 < i1 - 1:
                smooth_row(u, f, i + 1, color0, omega, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)
            smooth_row(u, f, i, c1, omega, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)


@njit(inline="always")
def residual_row(u, f, o, i, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py):
    """Residual ``f - A u`` of row ``i`` into the 1D array ``o`` (0 at fixed nodes)."""
    nx, ny = u.shape
    if fx[i]:
        for j in range(ny):
            o[j] = 0.0
        return
    di = diag0 + dx[i]
    if 0 < i < nx - 1 and ny >= 3:
        uc, um, up, fr = u[i], u[i - 1], u[i + 1], f[i]
        for j in range(1, ny - 1):
            o[j] = residual_point2(fr[j], uc[j], um[j], up[j], uc[j - 1], uc[j + 1], cx, cy, diag0)
        for j in (0, ny - 1):
            o[j] = 0.0 if fy[j] else (f[i, j] - _offdiag(u, i, j, i - 1, i + 1, my[j], py[j], cx, cy)
                                      - (di + dy[j]) * u[i, j])
    else:
        im, ip = mx[i], px[i]
        for j in range(ny):
            o[j] = 0.0 if fy[j] else (f[i, j] - _offdiag(u, i, j, im, ip, my[j], py[j], cx, cy)
                                      - (di + dy[j]) * u[i, j])


@njit(parallel=True, cache=True)
def residual_norm2d(u, f, nch, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py):
    """``||f - A u||_2`` without storing the residual."""
    nx, ny = u.shape
    acc = np.zeros(nch)
    for c in prange(nch):
        o = np.empty(ny)
        s = 0.0
        for i in range((c * nx) // nch, ((c + 1) * nx) // nch):
            residual_row(u, f, o, i, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)
            for j in range(ny):
                s += o[j] * o[j]
        acc[c] = s
    return np.sqrt(acc.sum())


@njit(parallel=True, cache=True)
def residual2d(u, f, r, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py):
    """``r = f - A u`` (0 at fixed nodes)."""
    for i in prange(u.shape[0]):
        residual_row(u, f, r[i], i, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)


@njit(parallel=True, cache=True)
def residual_restrict2d(u, f, out, nch, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py, rix, rwx, riy, rwy):
    """Fused ``out = R (f - A u)`` by the per-axis restriction tables ``ri[I, 3]`` / ``rw[I, 3]``;
    residual rows live in three per-chunk row buffers, each computed about once."""
    ny = u.shape[1]
    cnx, cny = out.shape
    for c in prange(nch):
        buf = np.empty((3, ny))
        t = np.empty(ny)
        ids = np.full(3, -1, dtype=np.int64)
        used = np.zeros(3, dtype=np.bool_)
        for I in range((c * cnx) // nch, ((c + 1) * cnx) // nch):
            for j in range(ny):
                t[j] = 0.0
            for s in range(3):
                used[s] = False
            for a in range(3):  # mark the rows still valid from the previous coarse row
                p = rix[I, a]
                for s in range(3):
                    if p >= 0 and ids[s] == p:
                        used[s] = True
            for a in range(3):
                p = rix[I, a]
                if p < 0:
                    continue
                slot = -1
                for s in range(3):
                    if ids[s] == p and used[s]:
                        slot = s
                if slot < 0:
                    for s in range(3):
                        if not used[s]:
                            slot = s
                            break
                    used[slot] = True
                    ids[slot] = p
                    residual_row(u, f, buf[slot], p, cx, cy, diag0, dx, dy, fx, fy, mx, px, my, py)
                w = rwx[I, a]
                b = buf[slot]
                for j in range(ny):
                    t[j] += w * b[j]
            o = out[I]
            for J in range(cny):
                acc = 0.0
                for bb in range(3):
                    q = riy[J, bb]
                    if q >= 0:
                        acc += rwy[J, bb] * t[q]
                o[J] = acc


@njit(inline="always")
def _parents(pi, pw, q):
    """The two coarse parents of fine node ``q`` along one axis and their weights, from the tables
    ``pi[q, 2]``, ``pw[q, 2]`` (an unused second parent, -1 with weight 0, is read as the first)."""
    a0, a1 = pi[q, 0], pi[q, 1]
    return a0, (a0 if a1 < 0 else a1), pw[q, 0], pw[q, 1]


@njit(inline="always")
def _yrow(ec, piy, pwy, out):
    """Coarse row ``ec`` interpolated along y onto the fine nodes: ``out[j]`` (every ``j``)."""
    for j in range(out.shape[0]):
        b0, b1, wb0, wb1 = _parents(piy, pwy, j)
        out[j] = wb0 * ec[b0] + wb1 * ec[b1]


# rows of the fine level per prolongation chunk (each chunk keeps two interpolated coarse rows)
PROLONG_ROWS = 64


@njit(parallel=True, cache=True)
def prolong2d(e, u, pix, pwx, piy, pwy, fx, fy, sp, sv, assign):
    """``u += P e`` (``u = P e`` when ``assign``) at the unknown nodes of the active runs ``(sp, sv)``
    (:mod:`.active_segments`; others are left alone), per-axis tables ``pi[q, 2]``
    (coarse parents, -1 unused with weight 0) and ``pw[q, 2]``.  Each coarse row is interpolated
    along y once per chunk of fine rows (a fine row combines two of them), so every value is
    ``wa0 (wb0 e00 + wb1 e01) + wa1 (wb0 e10 + wb1 e11)`` as in the direct formula."""
    nx, ny = u.shape
    nch = (nx + PROLONG_ROWS - 1) // PROLONG_ROWS
    for c in prange(nch):
        rows = np.empty((2, ny))
        ids = np.full(2, -1, dtype=np.int64)
        for i in range(c * PROLONG_ROWS, min(nx, (c + 1) * PROLONG_ROWS)):
            if fx[i] or sp[i] == sp[i + 1]:
                continue
            a0, a1, wa0, wa1 = _parents(pix, pwx, i)
            # slot of a0 and of a1 (an interpolated row is kept while a fine row needs it)
            s0 = 0 if ids[0] == a0 else (1 if ids[1] == a0 else -1)
            if s0 < 0:
                s0 = 1 if ids[0] == a1 and a1 != a0 else 0
                ids[s0] = a0
                _yrow(e[a0], piy, pwy, rows[s0])
            s1 = s0 if a1 == a0 else (0 if ids[0] == a1 else (1 if ids[1] == a1 else -1))
            if s1 < 0:
                s1 = 1 - s0
                ids[s1] = a1
                _yrow(e[a1], piy, pwy, rows[s1])
            y0, y1, ur = rows[s0], rows[s1], u[i]
            for k in range(sp[i], sp[i + 1]):
                a, b = run_bounds(sv, k, 0, ny)
                for jj in range(b - a):
                    j = a + jj
                    if fy[j]:
                        continue
                    v = wa0 * y0[j] + wa1 * y1[j]
                    ur[j] = v if assign else ur[j] + v
