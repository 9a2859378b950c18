"""Numba kernels of the geometric multigrid (all on 3-axis arrays; 2D grids carry a singleton z).

Two operator forms:

* *const*: the rediscretised constant-coefficient 7-point operator; neighbour index maps per
  axis (reflection for Neumann/Robin, wrap for periodic), link conductances ``c_a = k/h_a^2``,
  diagonal ``d0 + dx[i] + dy[j] + dz[k] - 2 sum c_a`` (screening and Robin terms).
* *stencil*: explicit coefficients ``coef[i, j, k, s]`` (point-major) at offsets ``offs[s]`` in {-1,0,1}^3
  (7-point fine operator with variable ``k``, 27-point Galerkin coarse operators).  Per-axis
  neighbour maps ``nbr[a, o, i]`` (o = 0 for -1, 1 for +1) hold -1 where the offset leaves the
  grid.

Fixed (Dirichlet) nodes are never updated and have zero residual.  Point formulas are plain
Python functions wrapped by ``njit`` so a CUDA target can wrap the same functions.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


def _const_row(u, i, j, k, im, ip, jm, jp, km, kp, cx, cy, cz):
    """Off-diagonal sum of the constant-coefficient row."""
    return (cx * (u[im, j, k] + u[ip, j, k]) + cy * (u[i, jm, k] + u[i, jp, k])
            + cz * (u[i, j, km] + u[i, j, kp]))


const_row = njit(inline="always")(_const_row)


@njit(inline="always", cache=True)
def coarse_offset(d, periodic, n):
    """Offset ``d`` between coarse indices, wrapped into -1..1 across a periodic axis of ``n`` nodes
    (the Galerkin products' stencil slot)."""
    if periodic:
        if d > 1:
            d -= n
        elif d < -1:
            d += n
    return d


def _tensor_sum(a, ix, wx, iy, wy, iz, wz, I, J, K, n):
    """``sum wx[I,p] wy[J,q] wz[K,r] a[ix[I,p], iy[J,q], iz[K,r]]`` over ``p, q, r < n`` with
    index ``-1`` meaning no term: restriction (``n = 3``) and prolongation (``n = 2``) by the
    per-axis tables.  A plain function so the CPU and CUDA kernels share it."""
    acc = 0.0
    for ap in range(n):
        p = ix[I, ap]
        if p < 0:
            continue
        for bq in range(n):
            q = iy[J, bq]
            if q < 0:
                continue
            wab = wx[I, ap] * wy[J, bq]
            for cr in range(n):
                r = iz[K, cr]
                if r < 0:
                    continue
                acc += wab * wz[K, cr] * a[p, q, r]
    return acc


tensor_sum = njit(inline="always")(_tensor_sum)


@njit(parallel=True, cache=True)
def smooth_const(u, f, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, color):
    """One colour of a red-black Gauss-Seidel sweep, constant coefficients, in place."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        if fx[i]:
            continue
        im, ip = mx[i], px[i]
        for j in range(ny):
            if fy[j]:
                continue
            jm, jp = my[j], py[j]
            dij = diag0 + dx[i] + dy[j]
            for k in range((i + j + color) % 2, nz, 2):
                if fz[k]:
                    continue
                off = const_row(u, i, j, k, im, ip, jm, jp, mz[k], pz[k], cx, cy, cz)
                u[i, j, k] = (f[i, j, k] - off) / (dij + dz[k])


@njit(parallel=True, cache=True)
def residual_const(u, f, r, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, use_f):
    """``r = f - A u`` (or ``r = A u`` when ``use_f`` is False) at unknown nodes, 0 at fixed."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        im, ip = mx[i], px[i]
        for j in range(ny):
            jm, jp = my[j], py[j]
            dij = diag0 + dx[i] + dy[j]
            fij = fx[i] or fy[j]
            for k in range(nz):
                if fij or fz[k]:
                    r[i, j, k] = 0.0
                    continue
                au = const_row(u, i, j, k, im, ip, jm, jp, mz[k], pz[k], cx, cy, cz) + (dij + dz[k]) * u[i, j, k]
                r[i, j, k] = f[i, j, k] - au if use_f else au


def _stencil_offdiag(u, coef, offs, nbr, i, j, k):
    acc = 0.0
    for s in range(1, coef.shape[3]):
        c = coef[i, j, k, s]
        if c == 0.0:
            continue
        ia = np.int64(i)
        if offs[s, 0] != 0:
            ia = nbr[0, (offs[s, 0] + 1) // 2, i]
        ib = np.int64(j)
        if offs[s, 1] != 0:
            ib = nbr[1, (offs[s, 1] + 1) // 2, j]
        ic = np.int64(k)
        if offs[s, 2] != 0:
            ic = nbr[2, (offs[s, 2] + 1) // 2, k]
        if ia < 0 or ib < 0 or ic < 0:
            continue
        acc += c * u[ia, ib, ic]
    return acc


stencil_offdiag = njit(cache=True)(_stencil_offdiag)


def _stencil_offdiag_interior(u, coef, offs, i, j, k):
    """Off-diagonal sum at a node whose every stencil neighbour is inside the grid (plain indices)."""
    acc = 0.0
    for s in range(1, coef.shape[3]):
        acc += coef[i, j, k, s] * u[i + offs[s, 0], j + offs[s, 1], k + offs[s, 2]]
    return acc


stencil_offdiag_interior = njit(inline="always")(_stencil_offdiag_interior)


@njit(inline="always")
def _offdiag_any(u, coef, offs, nbr, i, j, k, inner):
    if inner:
        return stencil_offdiag_interior(u, coef, offs, i, j, k)
    return stencil_offdiag(u, coef, offs, nbr, i, j, k)


@njit(inline="always")
def _inner(n, i):
    """True when index ``i`` has both neighbours inside an axis of ``n`` nodes (or the axis is a singleton)."""
    return n == 1 or 0 < i < n - 1


@njit(parallel=True, cache=True)
def smooth_stencil(u, f, coef, offs, nbr, fx, fy, fz, color, ncolors):
    """One colour of a multicolour Gauss-Seidel sweep for an explicit stencil (offset 0 first).

    ``ncolors`` 2: red-black (7-point); 8: colour by index parity per axis (27-point).  Nodes whose
    neighbours are all inside the grid use plain indices (no neighbour maps, no branches).
    Offsets along a singleton axis must be absent (``Hierarchy._rap`` drops them).
    """
    nx, ny, nz = u.shape
    if ncolors == 2:
        for i in prange(nx):
            if fx[i]:
                continue
            ii = _inner(nx, i)
            for j in range(ny):
                if fy[j]:
                    continue
                ij = ii and _inner(ny, j)
                for k in range((i + j + color) % 2, nz, 2):
                    if fz[k]:
                        continue
                    off = _offdiag_any(u, coef, offs, nbr, i, j, k, ij and _inner(nz, k))
                    u[i, j, k] = (f[i, j, k] - off) / coef[i, j, k, 0]
    else:
        ci, cj, ck = color // 4, (color // 2) % 2, color % 2
        for ii in prange((nx - ci + 1) // 2):
            i = ci + 2 * ii
            if fx[i]:
                continue
            iin = _inner(nx, i)
            for j in range(cj, ny, 2):
                if fy[j]:
                    continue
                ij = iin and _inner(ny, j)
                for k in range(ck, nz, 2):
                    if fz[k]:
                        continue
                    off = _offdiag_any(u, coef, offs, nbr, i, j, k, ij and _inner(nz, k))
                    u[i, j, k] = (f[i, j, k] - off) / coef[i, j, k, 0]


@njit(parallel=True, cache=True)
def residual_stencil(u, f, r, coef, offs, nbr, fx, fy, fz, use_f):
    """``r = f - A u`` (or ``A u``) for an explicit stencil; 0 at fixed nodes."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        ii = _inner(nx, i)
        for j in range(ny):
            ij = ii and _inner(ny, j)
            for k in range(nz):
                if fx[i] or fy[j] or fz[k]:
                    r[i, j, k] = 0.0
                    continue
                au = _offdiag_any(u, coef, offs, nbr, i, j, k, ij and _inner(nz, k)) + coef[i, j, k, 0] * u[i, j, k]
                r[i, j, k] = f[i, j, k] - au if use_f else au


@njit(parallel=True, cache=True)
def restrict(r, out, rix, rwx, riy, rwy, riz, rwz):
    """Full weighting with reflection/wrap: ``out[I] = sum w r[fine]`` from per-axis tables
    ``ri[I, 3]`` (fine index, -1 unused) and ``rw[I, 3]`` (weights)."""
    nx, ny, nz = out.shape
    for I in prange(nx):
        for J in range(ny):
            for K in range(nz):
                out[I, J, K] = tensor_sum(r, rix, rwx, riy, rwy, riz, rwz, I, J, K, 3)


@njit(parallel=True, cache=True)
def prolong(e, u, pix, pwx, piy, pwy, piz, pwz, fx, fy, fz, assign):
    """Linear interpolation from coarse ``e`` into fine ``u`` (add, or assign for FMG) at
    unknown nodes; per-axis tables ``pi[q, 2]`` (coarse parents, -1 unused), ``pw[q, 2]``."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        if fx[i]:
            continue
        for j in range(ny):
            if fy[j]:
                continue
            for k in range(nz):
                if fz[k]:
                    continue
                acc = tensor_sum(e, pix, pwx, piy, pwy, piz, pwz, i, j, k, 2)
                if assign:
                    u[i, j, k] = acc
                else:
                    u[i, j, k] += acc


@njit(parallel=True, cache=True)
def galerkin(coef, offs, nbr, out, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy, pwy, piz, pwz, ncoarse, perc):
    """Galerkin coarse operator ``R A P`` as a 27-point stencil ``out[I, J, K, (dx+1)*9+(dy+1)*3+dz+1]``
    from the point-major fine stencil ``coef[i, j, k, s]``."""
    cnx, cny, cnz = out.shape[0], out.shape[1], out.shape[2]
    ns = coef.shape[3]
    for I in prange(cnx):
        for J in range(cny):
            for K in range(cnz):
                for a in range(3):
                    p = rix[I, a]
                    if p < 0:
                        continue
                    for b in range(3):
                        q = riy[J, b]
                        if q < 0:
                            continue
                        for c in range(3):
                            r = riz[K, c]
                            if r < 0:
                                continue
                            w = rwx[I, a] * rwy[J, b] * rwz[K, c]
                            for s in range(ns):
                                cs = coef[p, q, r, s]
                                if cs == 0.0:
                                    continue
                                x = p
                                if offs[s, 0] != 0:
                                    x = nbr[0, (offs[s, 0] + 1) // 2, p]
                                y = q
                                if offs[s, 1] != 0:
                                    y = nbr[1, (offs[s, 1] + 1) // 2, q]
                                z = r
                                if offs[s, 2] != 0:
                                    z = nbr[2, (offs[s, 2] + 1) // 2, r]
                                if x < 0 or y < 0 or z < 0:
                                    continue
                                wc = w * cs
                                for ax in range(2):
                                    X = pix[x, ax]
                                    if X < 0:
                                        continue
                                    dx = coarse_offset(X - I, perc[0], ncoarse[0])
                                    for ay in range(2):
                                        Y = piy[y, ay]
                                        if Y < 0:
                                            continue
                                        dy = coarse_offset(Y - J, perc[1], ncoarse[1])
                                        for az in range(2):
                                            Z = piz[z, az]
                                            if Z < 0:
                                                continue
                                            dz = coarse_offset(Z - K, perc[2], ncoarse[2])
                                            out[I, J, K, (dx + 1) * 9 + (dy + 1) * 3 + dz + 1] += (
                                                wc * pwx[x, ax] * pwy[y, ay] * pwz[z, az])


@njit(parallel=True, cache=True)
def wdot(a, b, wx, wy, wz):
    """``sum w a b`` with the separable weight ``w = wx[i] wy[j] wz[k]``."""
    nx, ny, nz = a.shape
    acc = np.zeros(nx)
    for i in prange(nx):
        s = 0.0
        for j in range(ny):
            wij = wx[i] * wy[j]
            for k in range(nz):
                s += wij * wz[k] * a[i, j, k] * b[i, j, k]
        acc[i] = s
    return acc.sum()


@njit(parallel=True, cache=True)
def axpy(alpha, x, y):
    """``y += alpha * x`` in place."""
    nx, ny, nz = x.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                y[i, j, k] += alpha * x[i, j, k]


@njit(parallel=True, cache=True)
def xpby(x, beta, y):
    """``y = x + beta * y`` in place."""
    nx, ny, nz = x.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                y[i, j, k] = x[i, j, k] + beta * y[i, j, k]


@njit(parallel=True, cache=True)
def norm2(a):
    """Euclidean norm."""
    nx, ny, nz = a.shape
    acc = np.zeros(nx)
    for i in prange(nx):
        s = 0.0
        for j in range(ny):
            for k in range(nz):
                s += a[i, j, k] * a[i, j, k]
        acc[i] = s
    return np.sqrt(acc.sum())
