"""Fast multigrid kernels for the rediscretised constant-coefficient 7-point operator.

The interior of a level (``0 < i < nx-1`` on every axis) is a plain-indexed, branch-free loop
with the constant stencil; the one-node boundary shell (where Neumann/Robin reflection,
periodic wrap, Robin diagonals and fixed Dirichlet nodes live) goes through the index-map
formula of :mod:`fieldgrad.solvers.mg_kernels`.  Residual and full-weighting restriction are
fused (residual planes go to small per-thread buffers, never to a full array), prolongation and
correction are one sweep, and the residual norm is computed without storing the residual.

Arguments shared by the kernels (all prepared once per level by ``Level.set_const``):
``cx, cy, cz`` link conductances ``k/h^2``; ``diag0`` constant diagonal; ``dx, dy, dz`` per-axis
diagonal additions (Robin, zero in the interior); ``fx, fy, fz`` fixed-node flags per axis;
``mx, px, ...`` reflect/wrap neighbour maps per axis.

Example
-------
These are internal; see :class:`fieldgrad.solvers.PoissonSolver`.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .mg_kernels import const_row


def _gs_point(fc, xm, xp, ym, yp, zm, zp, cx, cy, cz, inv_d):
    """Gauss-Seidel update of one node of the constant 7-point operator."""
    return (fc - (cx * (xm + xp) + cy * (ym + yp) + cz * (zm + zp))) * inv_d


def _residual_point(fc, uc, xm, xp, ym, yp, zm, zp, cx, cy, cz, d):
    """``f - A u`` at one node of the constant 7-point operator (``d`` the diagonal)."""
    return fc - (cx * (xm + xp) + cy * (ym + yp) + cz * (zm + zp) + d * uc)


gs_point = njit(inline="always")(_gs_point)
residual_point = njit(inline="always")(_residual_point)


@njit(inline="always")
def _shell_row_residual(u, f, i, j, k, cx, cy, cz, dij, dz, mx, px, my, py, mz, pz):
    return f[i, j, k] - (const_row(u, i, j, k, mx[i], px[i], my[j], py[j], mz[k], pz[k], cx, cy, cz)
                         + (dij + dz[k]) * u[i, j, k])


@njit(inline="always")
def colour_weights(nz, omega):
    """``w[p, k] = omega`` where ``k % 2 == p``, else 0: the blend rows of :func:`smooth_plane`."""
    w = np.zeros((2, nz))
    for k in range(nz):
        w[k % 2, k] = omega
    return w


@njit(inline="always")
def smooth_plane(u, f, i, color, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, t, w):
    """Red-black Gauss-Seidel update of the colour-``color`` nodes of plane ``i``, in place,
    over-relaxed by ``omega`` at interior nodes (``omega = 1``: plain Gauss-Seidel).

    ``t`` is a scratch row (``nz``), ``w`` the rows of :func:`colour_weights`.  An interior row is
    done in two contiguous loops the compiler vectorises: the Gauss-Seidel value of every node
    into ``t`` (the colour nodes' neighbours in the row are the other colour, unchanged), then
    ``u += w * (t - u)`` with ``w`` = ``omega`` on the colour and 0 on the other nodes.  A strided
    loop over the colour nodes alone compiles to scalar code and was 1.6x slower at 257^3."""
    nx, ny, nz = u.shape
    if fx[i]:
        return
    inv0 = 1.0 / diag0
    ii = 0 < i < nx - 1
    for j in range(ny):
        if fy[j]:
            continue
        k0 = (i + j + color) % 2
        dij = diag0 + dx[i] + dy[j]
        if ii and 0 < j < ny - 1 and nz >= 3:
            if k0 == 0 and not fz[0]:
                u[i, j, 0] = (f[i, j, 0] - const_row(u, i, j, 0, i - 1, i + 1, j - 1, j + 1, mz[0], pz[0],
                                                     cx, cy, cz)) / (dij + dz[0])
            uc, um, up, vm, vp, fr = u[i, j], u[i - 1, j], u[i + 1, j], u[i, j - 1], u[i, j + 1], f[i, j]
            for k in range(1, nz - 1):
                t[k] = gs_point(fr[k], um[k], up[k], vm[k], vp[k], uc[k - 1], uc[k + 1], cx, cy, cz, inv0)
            wr = w[k0]
            for k in range(1, nz - 1):
                uc[k] += wr[k] * (t[k] - uc[k])
            kl = nz - 1
            if kl % 2 == k0 and not fz[kl]:
                u[i, j, kl] = (f[i, j, kl] - const_row(u, i, j, kl, i - 1, i + 1, j - 1, j + 1, mz[kl], pz[kl],
                                                       cx, cy, cz)) / (dij + dz[kl])
        else:
            im, ip, jm, jp = mx[i], px[i], my[j], py[j]
            for k in range(k0, nz, 2):
                if fz[k]:
                    continue
                u[i, j, k] = (f[i, j, k] - const_row(u, i, j, k, im, ip, jm, jp, mz[k], pz[k], cx, cy, cz)) / (
                    dij + dz[k])


@njit(parallel=True, cache=True)
def smooth_const_fast(u, f, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, color, omega=1.0):
    """One colour (``(i+j+k) % 2 == color``) of red-black Gauss-Seidel (SOR ``omega``), in place."""
    nz = u.shape[2]
    w = colour_weights(nz, omega)
    for i in prange(u.shape[0]):
        t = np.empty(nz)
        smooth_plane(u, f, i, color, omega, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz, t, w)


@njit(inline="always")
def _residual_row(u, f, o, i, j, ii, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
    """Residual of row ``(i, j)`` into the 1D array ``o`` (0 at fixed nodes); ``ii``: plane ``i``
    is off the x faces.  Returns whether the row took the interior form (nodes 1..nz-2 by the
    plain stencil, the two ends by the shell form)."""
    nx, ny, nz = u.shape
    if fx[i] or fy[j]:
        for k in range(nz):
            o[k] = 0.0
        return False
    dij = diag0 + dx[i] + dy[j]
    if ii and 0 < j < ny - 1 and nz >= 3:
        uc, um, up, vm, vp, fr = u[i, j], u[i - 1, j], u[i + 1, j], u[i, j - 1], u[i, j + 1], f[i, j]
        for k in range(1, nz - 1):
            o[k] = residual_point(fr[k], uc[k], um[k], up[k], vm[k], vp[k], uc[k - 1], uc[k + 1],
                                  cx, cy, cz, diag0)
        for k in (0, nz - 1):
            o[k] = 0.0 if fz[k] else _shell_row_residual(u, f, i, j, k, cx, cy, cz, dij, dz, mx, px, my, py, mz, pz)
        return True
    for k in range(nz):
        o[k] = 0.0 if fz[k] else _shell_row_residual(u, f, i, j, k, cx, cy, cz, dij, dz, mx, px, my, py, mz, pz)
    return False


@njit(inline="always")
def _residual_plane(u, f, out, i, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
    """Residual of fine plane ``i`` into the 2D array ``out`` (0 at fixed nodes)."""
    nx, ny = u.shape[0], u.shape[1]
    ii = 0 < i < nx - 1
    for j in range(ny):
        _residual_row(u, f, out[j], i, j, ii, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz)


@njit(parallel=True, cache=True)
def residual_const_fast(u, f, r, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
    """``r = f - A u`` (0 at fixed nodes)."""
    for i in prange(u.shape[0]):
        _residual_plane(u, f, r[i], i, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz)


@njit(cache=True, fastmath={"reassoc", "contract"})
def sum_squares(t, k0, k1):
    """``sum(t[k0:k1] ** 2)``.  Reassociation (only that: no finite-math flags, so a NaN or inf
    still comes through) lets the compiler keep vector partial sums; the result differs from the
    left-to-right sum by rounding only (a few ulp relative).  Not inlined, so that the flags stay
    on this loop alone."""
    s = 0.0
    for k in range(k0, k1):
        s += t[k] * t[k]
    return s


@njit(inline="always")
def plane_sum_squares(u, f, i, t, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
    """Sum of the squared residuals ``f - A u`` over the unknown nodes of plane ``i`` (``t``: a
    scratch row of length ``nz``)."""
    nx, ny, nz = u.shape
    s = 0.0
    if fx[i]:
        return s
    ii = 0 < i < nx - 1
    for j in range(ny):
        if fy[j]:
            continue
        # fixed nodes hold 0 in t, so adding their squares changes nothing
        if _residual_row(u, f, t, i, j, ii, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
            s += sum_squares(t, 1, nz - 1)
            s += t[0] * t[0]
            s += t[nz - 1] * t[nz - 1]
        else:
            for k in range(nz):
                s += t[k] * t[k]
    return s


@njit(parallel=True, cache=True)
def residual_norm_const(u, f, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz):
    """``||f - A u||_2`` without storing the residual."""
    nx, nz = u.shape[0], u.shape[2]
    acc = np.zeros(nx)
    for i in prange(nx):
        t = np.empty(nz)
        acc[i] = plane_sum_squares(u, f, i, t, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz)
    return np.sqrt(acc.sum())


@njit(cache=True)
def plane_slots(rix, I, idc, slots, used, todo):
    """Assign the (up to 3) fine residual planes coarse plane ``I`` needs to the chunk's buffer
    slots, reusing planes already there (``idc`` holds each slot's plane number, -1 when empty).

    Fills ``slots[a]`` for each weight ``a`` of ``rix[I]``; returns ``n``, the number of slots whose
    plane must now be computed (listed in ``todo[:n]``; their planes are ``idc[todo[m]]``).
    """
    n = 0
    for a in range(3):
        slots[a] = -1
        used[a] = False
    for a in range(3):
        p = rix[I, a]
        if p < 0:
            continue
        for s in range(3):
            if idc[s] == p:
                slots[a] = s
                used[s] = True
    for a in range(3):
        p = rix[I, a]
        if p < 0 or slots[a] >= 0:
            continue
        for a2 in range(a):  # same plane twice (reflection)
            if rix[I, a2] == p:
                slots[a] = slots[a2]
        if slots[a] >= 0:
            continue
        for s in range(3):
            if not used[s]:
                slots[a] = s
                used[s] = True
                idc[s] = p
                todo[n] = s
                n += 1
                break
    return n


@njit(cache=True)
def restrict_buffered(bufc, slots, rix, rwx, riy, rwy, riz, rwz, I, out):
    """Full weighting of the buffered residual planes into coarse plane ``out[I]``, one axis at a
    time: per fine row ``j``, reduce in x (contiguous, into a scratch row) then in z by the table
    (into ``bufc[3][j, :cnz]``); then weight those rows in y (contiguous over the coarse z index).

    Separable: about 3 z-table terms per coarse z node per fine row plus 3 contiguous y terms per
    coarse node, where weighting the 3 x 3 (y, z) box at each coarse node took 9 table terms per
    node over a full fine-width plane.  Every coarse value is summed in the same order as the box
    form (``sum_y wy * (sum_z wz * (sum_x wx * r))``), so the result is bit for bit the same."""
    cny, cnz = out.shape[1], out.shape[2]
    t = bufc[3]
    ny, nz = t.shape
    row = np.empty(nz)
    for j in range(ny):
        for k in range(nz):
            row[k] = 0.0
        for a in range(3):
            if rix[I, a] < 0:
                continue
            w = rwx[I, a]
            br = bufc[slots[a]][j]
            for k in range(nz):
                row[k] += w * br[k]
        tz = t[j]
        for K in range(cnz):
            acc = 0.0
            for cc in range(3):
                z = riz[K, cc]
                if z >= 0:
                    acc += rwz[K, cc] * row[z]
            tz[K] = acc
    for J in range(cny):
        o = out[I, J]
        for K in range(cnz):
            o[K] = 0.0
        for bb in range(3):
            q = riy[J, bb]
            if q < 0:
                continue
            wy = rwy[J, bb]
            tq = t[q]
            for K in range(cnz):
                o[K] += wy * tq[K]


@njit(parallel=True, cache=True)
def residual_restrict_const(u, f, out, buf, ids, cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz, mx, px, my, py, mz, pz,
                            rix, rwx, riy, rwy, riz, rwz):
    """Fused ``out = R (f - A u)``: residual planes into per-chunk buffers ``buf[c, 4, ny, nz]``
    (``ids[c, 4]`` scratch), reduced in x into ``buf[c, 3]``, then full weighting in y and z by the
    per-axis tables.  Each fine residual plane is computed about once."""
    nch = buf.shape[0]
    cnx = out.shape[0]
    for c in prange(nch):
        I0 = (c * cnx) // nch
        I1 = ((c + 1) * cnx) // nch
        for s in range(3):
            ids[c, s] = -1
        slots = np.empty(3, dtype=np.int64)
        used = np.zeros(3, dtype=np.bool_)
        todo = np.empty(3, dtype=np.int64)
        for I in range(I0, I1):
            n = plane_slots(rix, I, ids[c], slots, used, todo)
            for m in range(n):
                s = todo[m]
                _residual_plane(u, f, buf[c, s], ids[c, s], cx, cy, cz, diag0, dx, dy, dz, fx, fy, fz,
                                mx, px, my, py, mz, pz)
            restrict_buffered(buf[c], slots, rix, rwx, riy, rwy, riz, rwz, I, out)


@njit(parallel=True, cache=True)
def prolong_add_std(e, u, pix, pwx, piy, pwy, fx, fy, fz, zc, zper, assign):
    """``u += P e`` (or ``u = P e`` when ``assign``) at unknown nodes; x and y by tables, z by
    standard coarsening (fine ``2K`` is coarse ``K``) when ``zc`` else identity."""
    nx, ny, nz = u.shape
    cnz = e.shape[2]
    for i in prange(nx):
        if fx[i]:
            continue
        a0, a1 = pix[i, 0], pix[i, 1]
        wa0, wa1 = pwx[i, 0], pwx[i, 1]
        for j in range(ny):
            if fy[j]:
                continue
            b0, b1 = piy[j, 0], piy[j, 1]
            wb0, wb1 = pwy[j, 0], pwy[j, 1]
            ur = u[i, j]
            e00 = e[a0, b0]
            has_a1, has_b1 = a1 >= 0, b1 >= 0
            w00 = wa0 * wb0
            if not zc:
                for k in range(nz):
                    if fz[k]:
                        continue
                    v = w00 * e00[k]
                    if has_a1:
                        v += wa1 * wb0 * e[a1, b0, k]
                        if has_b1:
                            v += wa1 * wb1 * e[a1, b1, k]
                    if has_b1:
                        v += wa0 * wb1 * e[a0, b1, k]
                    ur[k] = v if assign else ur[k] + v
                continue
            e10 = e[a1 if has_a1 else a0, b0]
            e01 = e[a0, b1 if has_b1 else b0]
            e11 = e[a1 if has_a1 else a0, b1 if has_b1 else b0]
            w10 = wa1 * wb0 if has_a1 else 0.0
            w01 = wa0 * wb1 if has_b1 else 0.0
            w11 = wa1 * wb1 if (has_a1 and has_b1) else 0.0
            c0 = w00 * e00[0] + w10 * e10[0] + w01 * e01[0] + w11 * e11[0]
            for K in range(cnz):
                K1 = K + 1
                if K1 == cnz:
                    K1 = 0 if zper else K
                c1 = w00 * e00[K1] + w10 * e10[K1] + w01 * e01[K1] + w11 * e11[K1]
                k = 2 * K
                if k < nz and not fz[k]:
                    ur[k] = c0 if assign else ur[k] + c0
                if k + 1 < nz:
                    v = 0.5 * (c0 + c1)
                    ur[k + 1] = v if assign else ur[k + 1] + v
                c0 = c1
