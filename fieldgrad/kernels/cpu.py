"""Numba CPU sweeps around the point formulas of :mod:`fieldgrad.kernels.points`.

Every sweep is ``parallel=True`` over the outermost axis with the contiguous last axis
innermost.  Neighbours outside the grid come from face-shaped ghost arrays filled by
:mod:`fieldgrad.boundary`, so one sweep serves every boundary condition; interior nodes run in a
plain-indexed loop without branches, boundary nodes in a separate shell pass.
2D sweeps also serve 1D data viewed as shape ``(1, n)`` (ghost rows = the data row, zero
coefficient).  Order-4 sweeps read an array padded with two ghost layers.
"""
from numba import njit, prange

from . import points

_jit = njit(inline="always", cache=True)
second_difference = _jit(points.second_difference)
central_difference = _jit(points.central_difference)
flux_difference = _jit(points.flux_difference)
laplacian_point = _jit(points.laplacian_point)
laplacian_point_2d = _jit(points.laplacian_point_2d)
fourth_order_second_difference = _jit(points.fourth_order_second_difference)
fourth_order_central_difference = _jit(points.fourth_order_central_difference)

_par = dict(parallel=True, cache=True, fastmath=False)


# Each sweep runs a plain-indexed, branch-free loop over the interior nodes (LLVM vectorises it)
# and a separate pass over the boundary shell whose neighbours may be ghosts (the ``*_at``
# helpers).  The shell is O(n^(d-1)) nodes, so its branches cost nothing measurable.

# ------------------------------------------------------------------ neighbour fetch with ghosts
@njit(inline="always", cache=True)
def _nb3(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k):
    nx, ny, nz = u.shape
    xm = u[i - 1, j, k] if i > 0 else gx0[j, k]
    xp = u[i + 1, j, k] if i < nx - 1 else gx1[j, k]
    ym = u[i, j - 1, k] if j > 0 else gy0[i, k]
    yp = u[i, j + 1, k] if j < ny - 1 else gy1[i, k]
    zm = u[i, j, k - 1] if k > 0 else gz0[i, j]
    zp = u[i, j, k + 1] if k < nz - 1 else gz1[i, j]
    return xm, xp, ym, yp, zm, zp


@njit(inline="always", cache=True)
def _nb2(u, gx0, gx1, gy0, gy1, i, j):
    nx, ny = u.shape
    xm = u[i - 1, j] if i > 0 else gx0[j]
    xp = u[i + 1, j] if i < nx - 1 else gx1[j]
    ym = u[i, j - 1] if j > 0 else gy0[i]
    yp = u[i, j + 1] if j < ny - 1 else gy1[i]
    return xm, xp, ym, yp


# ------------------------------------------------------------------ Laplacian, order 2
@njit(inline="always", cache=True)
def _lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, ihx2, ihy2, ihz2):
    xm, xp, ym, yp, zm, zp = _nb3(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k)
    return laplacian_point(u[i, j, k], xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2)


@njit(**_par)
def laplacian_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, ihx2, ihy2, ihz2, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    out[i, j, k] = laplacian_point(u[i, j, k], u[i - 1, j, k], u[i + 1, j, k], u[i, j - 1, k],
                                                   u[i, j + 1, k], u[i, j, k - 1], u[i, j, k + 1], ihx2, ihy2, ihz2)
                for k in (0, nz - 1):
                    out[i, j, k] = _lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, ihx2, ihy2, ihz2)
            for j in (0, ny - 1):
                for k in range(nz):
                    out[i, j, k] = _lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, ihx2, ihy2, ihz2)
        else:
            for j in range(ny):
                for k in range(nz):
                    out[i, j, k] = _lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, ihx2, ihy2, ihz2)


# ------------------------------------------------------------------ Laplacian reading held values
# One parallel pass computes the Laplacian of the *held field* H: ``u`` with the boundary nodes of
# Dirichlet faces replaced by their held values (``held`` bits: x- 1, x+ 2, y- 4, y+ 8, z- 16, z+ 32;
# later faces win at edges, as if the faces were written in that order), so the field is never copied
# or written.  The ghost of every face is its rule ``ghost = sum_m c_m H_m + d`` applied inside the
# sweep: ``w[f] = (c_0, c_1, c_2, c_3, from_opposite, m)`` for face ``f`` (0..5 = x-, x+, y-, y+, z-,
# z+), ``m >= 0`` when the ghost is simply node ``m`` inward (a unit weight, zero offset: periodic,
# zero-flux mirror, a dummy axis), offsets ``d*`` face arrays (one row ``(1, nz)`` / one value
# ``(1, 1)`` when constant).  Held values ``h*`` are face arrays too (constant: one row / value).
# Rows of the interior whose five neighbour rows are plain rows of ``u`` run as one flat, vectorised
# loop over the plane's block of rows (its row ends are rewritten afterwards); every other row reads
# whole rows from a source (a plane of ``u``, a held face, or a ghost row built in a per-block scratch
# row), and the row ends next to a z face read node by node.
@njit(inline="always", cache=True)
def _fv(a, p, q):
    """Value ``(p, q)`` of a face array that may be one row or one value (constant faces)."""
    return a[p if a.shape[0] > 1 else 0, q if a.shape[1] > 1 else 0]


@njit(inline="always", cache=True)
def _hrow(u, i, j, held, hx0, hx1, hy0, hy1, nx, ny):
    """The array and row holding the held field's row ``(i, j)`` (all but its z ends)."""
    if held & 4 and j == 0:
        return hy0, i if hy0.shape[0] > 1 else 0
    if held & 8 and j == ny - 1:
        return hy1, i if hy1.shape[0] > 1 else 0
    if held & 1 and i == 0:
        return hx0, j if hx0.shape[0] > 1 else 0
    if held & 2 and i == nx - 1:
        return hx1, j if hx1.shape[0] > 1 else 0
    return u[i], j


@njit(inline="always", cache=True)
def _hval(a, r, pi, pj, k, held, hz0, hz1, nx, ny, nz):
    """Node ``k`` of a source row ``a[r]`` that is the held field's row ``(pi, pj)`` (``pi < 0``: a
    computed ghost row, taken as it is)."""
    if held & 48 and pi >= 0:
        if k == 0 and held & 16:
            return _fv(hz0, pi, pj)
        if k == nz - 1 and held & 32:
            return _fv(hz1, pi, pj)
    return a[r, k]


@njit(cache=True)
def _ghost_row(u, f, p, q, w, held, hx0, hx1, hy0, hy1, hz0, hz1, d, sw, sr, slot, nx, ny, nz):
    """Source ``(array, row, pi, pj)`` of the ghost row of x face ``f`` (0, 1) at row ``q = j`` or of y
    face ``f`` (2, 3) at plane ``p = i``: a held row itself for a unit rule, else built in scratch row
    ``slot`` from the rule (z ends through their held values)."""
    side = f & 1
    xface = f < 2
    n = nx if xface else ny
    frm = side if w[f, 4] == 0 else 1 - side
    b = 0 if frm == 0 else n - 1
    st = 1 if frm == 0 else -1
    m = int(w[f, 5])
    if m >= 0:
        at = b + m * st
        if xface:
            a, r = _hrow(u, at, q, held, hx0, hx1, hy0, hy1, nx, ny)
            return a, r, at, q
        a, r = _hrow(u, p, at, held, hx0, hx1, hy0, hy1, nx, ny)
        return a, r, p, at
    dr = (q if xface else p) if d.shape[0] > 1 else 0
    s = sw[slot]
    for k in range(nz):
        s[k] = d[dr, k]
    for mm in range(4):
        c = w[f, mm]
        if c != 0:
            at = b + mm * st
            if xface:
                a, r = _hrow(u, at, q, held, hx0, hx1, hy0, hy1, nx, ny)
            else:
                a, r = _hrow(u, p, at, held, hx0, hx1, hy0, hy1, nx, ny)
            for k in range(nz):
                s[k] += c * a[r, k]
    if held & 48:  # the ends of the rows read: the z faces' held values
        for k in (0, nz - 1):
            g = d[dr, k]
            for mm in range(4):
                c = w[f, mm]
                if c != 0:
                    at = b + mm * st
                    pi, pj = (at, q) if xface else (p, at)
                    a, r = _hrow(u, pi, pj, held, hx0, hx1, hy0, hy1, nx, ny)
                    g += c * _hval(a, r, pi, pj, k, held, hz0, hz1, nx, ny, nz)
            s[k] = g
    return sr, slot, -1, -1


@njit(inline="always", cache=True)
def _zghost(ca, ci, i, j, f, w, d, held, hz0, hz1, nx, ny, nz):
    """The z ghost of row ``(i, j)`` (source ``ca[ci]``) at face ``f`` (4, 5), from its rule."""
    side = f & 1
    frm = side if w[f, 4] == 0 else 1 - side
    b = 0 if frm == 0 else nz - 1
    st = 1 if frm == 0 else -1
    g = _fv(d, i, j)
    for mm in range(4):
        c = w[f, mm]
        if c != 0:
            g += c * _hval(ca, ci, i, j, b + mm * st, held, hz0, hz1, nx, ny, nz)
    return g


@njit(cache=True)
def _lap_end(ca, ci, xa, xi, xpi, xpj, pa, pj, ppi, ppj, ya, yi, ypi, ypj, qa, qi, qpi, qpj, i, j, k, w,
             held, hz0, hz1, dz0, dz1, nx, ny, nz, ihx2, ihy2, ihz2):
    """The Laplacian at node ``k`` of row ``(i, j)`` read node by node (the row ends)."""
    c = _hval(ca, ci, i, j, k, held, hz0, hz1, nx, ny, nz)
    xm = _hval(xa, xi, xpi, xpj, k, held, hz0, hz1, nx, ny, nz)
    xp = _hval(pa, pj, ppi, ppj, k, held, hz0, hz1, nx, ny, nz)
    ym = _hval(ya, yi, ypi, ypj, k, held, hz0, hz1, nx, ny, nz)
    yp = _hval(qa, qi, qpi, qpj, k, held, hz0, hz1, nx, ny, nz)
    if k > 0:
        zm = _hval(ca, ci, i, j, k - 1, held, hz0, hz1, nx, ny, nz)
    else:
        zm = _zghost(ca, ci, i, j, 4, w, dz0, held, hz0, hz1, nx, ny, nz)
    if k < nz - 1:
        zp = _hval(ca, ci, i, j, k + 1, held, hz0, hz1, nx, ny, nz)
    else:
        zp = _zghost(ca, ci, i, j, 5, w, dz1, held, hz0, hz1, nx, ny, nz)
    return laplacian_point(c, xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2)


@njit(inline="always", cache=True)
def _plain_end(u, i, j, k, im, ip, jm, jp, w, held, hz0, hz1, dz0, dz1, ihx2, ihy2, ihz2):
    """The Laplacian at node ``k`` of a row whose neighbour rows no x or y face holds (a row end)."""
    nx, ny, nz = u.shape
    c = _hval(u[i], j, i, j, k, held, hz0, hz1, nx, ny, nz)
    xm = _hval(u[im], j, im, j, k, held, hz0, hz1, nx, ny, nz)
    xp = _hval(u[ip], j, ip, j, k, held, hz0, hz1, nx, ny, nz)
    ym = _hval(u[i], jm, i, jm, k, held, hz0, hz1, nx, ny, nz)
    yp = _hval(u[i], jp, i, jp, k, held, hz0, hz1, nx, ny, nz)
    if k > 0:
        zm = _hval(u[i], j, i, j, k - 1, held, hz0, hz1, nx, ny, nz)
    else:
        zm = _zghost(u[i], j, i, j, 4, w, dz0, held, hz0, hz1, nx, ny, nz)
    if k < nz - 1:
        zp = _hval(u[i], j, i, j, k + 1, held, hz0, hz1, nx, ny, nz)
    else:
        zp = _zghost(u[i], j, i, j, 5, w, dz1, held, hz0, hz1, nx, ny, nz)
    return laplacian_point(c, xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2)


@njit(**_par)
def laplacian_held_3d(u, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dx0, dx1, dy0, dy1, dz0, dz1, sw, sr, jb,
                      ihx2, ihy2, ihz2, out):
    """7-point Laplacian of the held field of ``u`` (see above) into ``out``, ghosts from the rules ``w``
    applied in the sweep.  ``jb`` rows of y per block: each thread sweeps all x planes of its blocks,
    so the three planes a row reads stay in cache.  ``sw`` (writable) and ``sr`` (the same memory,
    typed like ``u``'s planes) hold four scratch rows per block: shape ``(4 * blocks, nz)``.
    A leading axis of one node (1D/2D data) is a dummy: its ghosts are the data, ``ih*2 = 0``."""
    nx, ny, nz = u.shape
    nb = (ny + jb - 1) // jb
    # plain interior: the node and its six neighbours are nodes of ``u`` that no face holds
    ilo, ihi = (0, 1) if nx == 1 else (1 + (held & 1 != 0), nx - 1 - (held & 2 != 0))
    jlo, jhi = (0, 1) if ny == 1 else (1 + (held & 4 != 0), ny - 1 - (held & 8 != 0))
    klo = min(nz, 1 + (held & 16 != 0))
    khi = max(klo, nz - 1 - (held & 32 != 0))
    for blk in prange(nb):
        j0 = blk * jb
        j1 = min(ny, j0 + jb)
        s0 = 4 * blk
        for i in range(nx):
            im = i - 1 if nx > 1 else i
            ip = i + 1 if nx > 1 else i
            ja, jz = j0, j0  # the plain rows of this plane in this block
            if ilo <= i < ihi:
                ja, jz = max(j0, jlo), min(j1, jhi)
            if ja < jz:
                # the plain rows as one flat loop over the plane (few, long loops: the per-row loop setup
                # cost as much as the rows' arithmetic); the row ends it gets wrong are rewritten below.
                # Views start at each neighbour's offset, so every index is the loop counter (>= 0).
                n2, dj = ny * nz, nz if ny > 1 else 0
                uc, um, up, o = u[i].reshape(n2), u[im].reshape(n2), u[ip].reshape(n2), out[i].reshape(n2)
                p0, p1 = ja * nz + 1, jz * nz - 1
                c0, xm_, xp_ = uc[p0:p1], um[p0:p1], up[p0:p1]
                ym_, yp_, zm_, zp_ = uc[p0 - dj:p1 - dj], uc[p0 + dj:p1 + dj], uc[p0 - 1:p1 - 1], uc[p0 + 1:p1 + 1]
                oo = o[p0:p1]
                for q in range(p1 - p0):
                    oo[q] = laplacian_point(c0[q], xm_[q], xp_[q], ym_[q], yp_[q], zm_[q], zp_[q], ihx2, ihy2, ihz2)
                for j in range(ja, jz):
                    jm = j - 1 if ny > 1 else j
                    jp = j + 1 if ny > 1 else j
                    for k in range(klo):  # the row ends (next to a held z face, two nodes)
                        out[i, j, k] = _plain_end(u, i, j, k, im, ip, jm, jp, w, held, hz0, hz1, dz0, dz1,
                                                  ihx2, ihy2, ihz2)
                    for k in range(khi, nz):
                        out[i, j, k] = _plain_end(u, i, j, k, im, ip, jm, jp, w, held, hz0, hz1, dz0, dz1,
                                                  ihx2, ihy2, ihz2)
            for j in range(j0, j1):
                if ja <= j < jz:
                    continue
                ca, ci = _hrow(u, i, j, held, hx0, hx1, hy0, hy1, nx, ny)
                if i > 0:
                    xa, xi = _hrow(u, i - 1, j, held, hx0, hx1, hy0, hy1, nx, ny)
                    xpi, xpj = i - 1, j
                else:
                    xa, xi, xpi, xpj = _ghost_row(u, 0, i, j, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dx0, sw, sr,
                                                  s0, nx, ny, nz)
                if i < nx - 1:
                    pa, pj = _hrow(u, i + 1, j, held, hx0, hx1, hy0, hy1, nx, ny)
                    ppi, ppj = i + 1, j
                else:
                    pa, pj, ppi, ppj = _ghost_row(u, 1, i, j, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dx1, sw, sr,
                                                  s0 + 1, nx, ny, nz)
                if j > 0:
                    ya, yi = _hrow(u, i, j - 1, held, hx0, hx1, hy0, hy1, nx, ny)
                    ypi, ypj = i, j - 1
                else:
                    ya, yi, ypi, ypj = _ghost_row(u, 2, i, j, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dy0, sw, sr,
                                                  s0 + 2, nx, ny, nz)
                if j < ny - 1:
                    qa, qi = _hrow(u, i, j + 1, held, hx0, hx1, hy0, hy1, nx, ny)
                    qpi, qpj = i, j + 1
                else:
                    qa, qi, qpi, qpj = _ghost_row(u, 3, i, j, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dy1, sw, sr,
                                                  s0 + 3, nx, ny, nz)
                for k in range(1, nz - 1):  # from 1: LLVM then sees k - 1 >= 0 (no wraparound)
                    out[i, j, k] = laplacian_point(ca[ci, k], xa[xi, k], pa[pj, k], ya[yi, k], qa[qi, k],
                                                   ca[ci, k - 1], ca[ci, k + 1], ihx2, ihy2, ihz2)
                for k in range(klo):
                    out[i, j, k] = _lap_end(ca, ci, xa, xi, xpi, xpj, pa, pj, ppi, ppj, ya, yi, ypi, ypj, qa, qi,
                                            qpi, qpj, i, j, k, w, held, hz0, hz1, dz0, dz1, nx, ny, nz, ihx2, ihy2,
                                            ihz2)
                for k in range(khi, nz):
                    out[i, j, k] = _lap_end(ca, ci, xa, xi, xpi, xpj, pa, pj, ppi, ppj, ya, yi, ypi, ypj, qa, qi,
                                            qpi, qpj, i, j, k, w, held, hz0, hz1, dz0, dz1, nx, ny, nz, ihx2, ihy2,
                                            ihz2)


@njit(inline="always", cache=True)
def _lap2_at(u, gx0, gx1, gy0, gy1, i, j, ihx2, ihy2):
    xm, xp, ym, yp = _nb2(u, gx0, gx1, gy0, gy1, i, j)
    return laplacian_point_2d(u[i, j], xm, xp, ym, yp, ihx2, ihy2)


@njit(**_par)
def laplacian_2d(u, gx0, gx1, gy0, gy1, ihx2, ihy2, out):
    nx, ny = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                out[i, j] = laplacian_point_2d(u[i, j], u[i - 1, j], u[i + 1, j], u[i, j - 1], u[i, j + 1], ihx2, ihy2)
            for j in (0, ny - 1):
                out[i, j] = _lap2_at(u, gx0, gx1, gy0, gy1, i, j, ihx2, ihy2)
        else:
            for j in range(ny):
                out[i, j] = _lap2_at(u, gx0, gx1, gy0, gy1, i, j, ihx2, ihy2)


# ------------------------------------------------------------------ gradient, order 2
@njit(inline="always", cache=True)
def _grad3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, hix, hiy, hiz):
    # returns the values: inlined helpers that write into arrays miscompiled inside prange
    xm, xp, ym, yp, zm, zp = _nb3(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k)
    return central_difference(xm, xp, hix), central_difference(ym, yp, hiy), central_difference(zm, zp, hiz)


@njit(**_par)
def grad_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, hix, hiy, hiz, ox, oy, oz):
    nx, ny, nz = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    ox[i, j, k] = central_difference(u[i - 1, j, k], u[i + 1, j, k], hix)
                    oy[i, j, k] = central_difference(u[i, j - 1, k], u[i, j + 1, k], hiy)
                    oz[i, j, k] = central_difference(u[i, j, k - 1], u[i, j, k + 1], hiz)
                for k in (0, nz - 1):
                    ox[i, j, k], oy[i, j, k], oz[i, j, k] = _grad3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                                      hix, hiy, hiz)
            for j in (0, ny - 1):
                for k in range(nz):
                    ox[i, j, k], oy[i, j, k], oz[i, j, k] = _grad3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                                      hix, hiy, hiz)
        else:
            for j in range(ny):
                for k in range(nz):
                    ox[i, j, k], oy[i, j, k], oz[i, j, k] = _grad3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                                      hix, hiy, hiz)


@njit(inline="always", cache=True)
def _grad2_at(u, gx0, gx1, gy0, gy1, i, j, hix, hiy):
    xm, xp, ym, yp = _nb2(u, gx0, gx1, gy0, gy1, i, j)
    return central_difference(xm, xp, hix), central_difference(ym, yp, hiy)


@njit(**_par)
def grad_2d(u, gx0, gx1, gy0, gy1, hix, hiy, ox, oy):
    nx, ny = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                ox[i, j] = central_difference(u[i - 1, j], u[i + 1, j], hix)
                oy[i, j] = central_difference(u[i, j - 1], u[i, j + 1], hiy)
            for j in (0, ny - 1):
                ox[i, j], oy[i, j] = _grad2_at(u, gx0, gx1, gy0, gy1, i, j, hix, hiy)
        else:
            for j in range(ny):
                ox[i, j], oy[i, j] = _grad2_at(u, gx0, gx1, gy0, gy1, i, j, hix, hiy)


# ------------------------------------------------------------------ divergence, order 2
@njit(inline="always", cache=True)
def _div3_at(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, hix, hiy, hiz):
    nx, ny, nz = vx.shape
    xm = vx[i - 1, j, k] if i > 0 else gx0[j, k]
    xp = vx[i + 1, j, k] if i < nx - 1 else gx1[j, k]
    ym = vy[i, j - 1, k] if j > 0 else gy0[i, k]
    yp = vy[i, j + 1, k] if j < ny - 1 else gy1[i, k]
    zm = vz[i, j, k - 1] if k > 0 else gz0[i, j]
    zp = vz[i, j, k + 1] if k < nz - 1 else gz1[i, j]
    return central_difference(xm, xp, hix) + central_difference(ym, yp, hiy) + central_difference(zm, zp, hiz)


@njit(**_par)
def div_3d(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, hix, hiy, hiz, out):
    nx, ny, nz = vx.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    out[i, j, k] = (central_difference(vx[i - 1, j, k], vx[i + 1, j, k], hix)
                                    + central_difference(vy[i, j - 1, k], vy[i, j + 1, k], hiy)
                                    + central_difference(vz[i, j, k - 1], vz[i, j, k + 1], hiz))
                for k in (0, nz - 1):
                    out[i, j, k] = _div3_at(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, hix, hiy, hiz)
            for j in (0, ny - 1):
                for k in range(nz):
                    out[i, j, k] = _div3_at(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, hix, hiy, hiz)
        else:
            for j in range(ny):
                for k in range(nz):
                    out[i, j, k] = _div3_at(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k, hix, hiy, hiz)


@njit(inline="always", cache=True)
def _div2_at(vx, vy, gx0, gx1, gy0, gy1, i, j, hix, hiy):
    nx, ny = vx.shape
    xm = vx[i - 1, j] if i > 0 else gx0[j]
    xp = vx[i + 1, j] if i < nx - 1 else gx1[j]
    ym = vy[i, j - 1] if j > 0 else gy0[i]
    yp = vy[i, j + 1] if j < ny - 1 else gy1[i]
    return central_difference(xm, xp, hix) + central_difference(ym, yp, hiy)


@njit(**_par)
def div_2d(vx, vy, gx0, gx1, gy0, gy1, hix, hiy, out):
    nx, ny = vx.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                out[i, j] = (central_difference(vx[i - 1, j], vx[i + 1, j], hix)
                             + central_difference(vy[i, j - 1], vy[i, j + 1], hiy))
            for j in (0, ny - 1):
                out[i, j] = _div2_at(vx, vy, gx0, gx1, gy0, gy1, i, j, hix, hiy)
        else:
            for j in range(ny):
                out[i, j] = _div2_at(vx, vy, gx0, gx1, gy0, gy1, i, j, hix, hiy)


# ------------------------------------------------------------------ div(k grad u)
@njit(inline="always", cache=True)
def _dkg3_at(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1, i, j, m, ihx2, ihy2, ihz2):
    xm, xp, ym, yp, zm, zp = _nb3(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, m)
    kxm, kxp, kym, kyp, kzm, kzp = _nb3(k, kx0, kx1, ky0, ky1, kz0, kz1, i, j, m)
    c = u[i, j, m]
    kc = k[i, j, m]
    return (flux_difference(xm, c, xp, kxm, kc, kxp, ihx2) + flux_difference(ym, c, yp, kym, kc, kyp, ihy2)
            + flux_difference(zm, c, zp, kzm, kc, kzp, ihz2))


@njit(**_par)
def div_k_grad_3d(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1, ihx2, ihy2, ihz2, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                for m in range(1, nz - 1):
                    c = u[i, j, m]
                    kc = k[i, j, m]
                    out[i, j, m] = (
                        flux_difference(u[i - 1, j, m], c, u[i + 1, j, m], k[i - 1, j, m], kc, k[i + 1, j, m], ihx2)
                        + flux_difference(u[i, j - 1, m], c, u[i, j + 1, m], k[i, j - 1, m], kc, k[i, j + 1, m], ihy2)
                        + flux_difference(u[i, j, m - 1], c, u[i, j, m + 1], k[i, j, m - 1], kc, k[i, j, m + 1], ihz2))
                for m in (0, nz - 1):
                    out[i, j, m] = _dkg3_at(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1,
                                            i, j, m, ihx2, ihy2, ihz2)
            for j in (0, ny - 1):
                for m in range(nz):
                    out[i, j, m] = _dkg3_at(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1,
                                            i, j, m, ihx2, ihy2, ihz2)
        else:
            for j in range(ny):
                for m in range(nz):
                    out[i, j, m] = _dkg3_at(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1,
                                            i, j, m, ihx2, ihy2, ihz2)


@njit(inline="always", cache=True)
def _dkg2_at(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, i, j, ihx2, ihy2):
    xm, xp, ym, yp = _nb2(u, gx0, gx1, gy0, gy1, i, j)
    kxm, kxp, kym, kyp = _nb2(k, kx0, kx1, ky0, ky1, i, j)
    c = u[i, j]
    kc = k[i, j]
    return flux_difference(xm, c, xp, kxm, kc, kxp, ihx2) + flux_difference(ym, c, yp, kym, kc, kyp, ihy2)


@njit(**_par)
def div_k_grad_2d(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, ihx2, ihy2, out):
    nx, ny = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                c = u[i, j]
                kc = k[i, j]
                out[i, j] = (flux_difference(u[i - 1, j], c, u[i + 1, j], k[i - 1, j], kc, k[i + 1, j], ihx2)
                             + flux_difference(u[i, j - 1], c, u[i, j + 1], k[i, j - 1], kc, k[i, j + 1], ihy2))
            for j in (0, ny - 1):
                out[i, j] = _dkg2_at(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, i, j, ihx2, ihy2)
        else:
            for j in range(ny):
                out[i, j] = _dkg2_at(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, i, j, ihx2, ihy2)


# ------------------------------------------------------------------ order 4 on padded arrays
@njit(**_par)
def laplacian4_2d(p, ihx2, ihy2, out):
    nx, ny = out.shape
    for i in prange(nx):
        for j in range(ny):
            out[i, j] = (fourth_order_second_difference(p[i, j + 2], p[i + 1, j + 2], p[i + 2, j + 2],
                                                        p[i + 3, j + 2], p[i + 4, j + 2], ihx2)
                         + fourth_order_second_difference(p[i + 2, j], p[i + 2, j + 1], p[i + 2, j + 2],
                                                          p[i + 2, j + 3], p[i + 2, j + 4], ihy2))


@njit(**_par)
def laplacian4_3d(p, ihx2, ihy2, ihz2, out):
    nx, ny, nz = out.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                a, b, c = i + 2, j + 2, k + 2
                out[i, j, k] = (
                    fourth_order_second_difference(p[a - 2, b, c], p[a - 1, b, c], p[a, b, c], p[a + 1, b, c],
                                                   p[a + 2, b, c], ihx2)
                    + fourth_order_second_difference(p[a, b - 2, c], p[a, b - 1, c], p[a, b, c], p[a, b + 1, c],
                                                     p[a, b + 2, c], ihy2)
                    + fourth_order_second_difference(p[a, b, c - 2], p[a, b, c - 1], p[a, b, c], p[a, b, c + 1],
                                                     p[a, b, c + 2], ihz2))


@njit(**_par)
def grad4_2d(p, ihx, ihy, ox, oy):
    nx, ny = ox.shape
    for i in prange(nx):
        for j in range(ny):
            a, b = i + 2, j + 2
            ox[i, j] = fourth_order_central_difference(p[a - 2, b], p[a - 1, b], p[a + 1, b], p[a + 2, b], ihx)
            oy[i, j] = fourth_order_central_difference(p[a, b - 2], p[a, b - 1], p[a, b + 1], p[a, b + 2], ihy)


@njit(**_par)
def grad4_3d(p, ihx, ihy, ihz, ox, oy, oz):
    nx, ny, nz = ox.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                a, b, c = i + 2, j + 2, k + 2
                ox[i, j, k] = fourth_order_central_difference(p[a - 2, b, c], p[a - 1, b, c], p[a + 1, b, c],
                                                              p[a + 2, b, c], ihx)
                oy[i, j, k] = fourth_order_central_difference(p[a, b - 2, c], p[a, b - 1, c], p[a, b + 1, c],
                                                              p[a, b + 2, c], ihy)
                oz[i, j, k] = fourth_order_central_difference(p[a, b, c - 2], p[a, b, c - 1], p[a, b, c + 1],
                                                              p[a, b, c + 2], ihz)


@njit(**_par)
def div4_2d(px, py, ihx, ihy, out):
    nx, ny = out.shape
    for i in prange(nx):
        for j in range(ny):
            a, b = i + 2, j + 2
            out[i, j] = (fourth_order_central_difference(px[a - 2, b], px[a - 1, b], px[a + 1, b], px[a + 2, b], ihx)
                         + fourth_order_central_difference(py[a, b - 2], py[a, b - 1], py[a, b + 1], py[a, b + 2],
                                                           ihy))


@njit(**_par)
def div4_3d(px, py, pz, ihx, ihy, ihz, out):
    nx, ny, nz = out.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                a, b, c = i + 2, j + 2, k + 2
                out[i, j, k] = (
                    fourth_order_central_difference(px[a - 2, b, c], px[a - 1, b, c], px[a + 1, b, c],
                                                    px[a + 2, b, c], ihx)
                    + fourth_order_central_difference(py[a, b - 2, c], py[a, b - 1, c], py[a, b + 1, c],
                                                      py[a, b + 2, c], ihy)
                    + fourth_order_central_difference(pz[a, b, c - 2], pz[a, b, c - 1], pz[a, b, c + 1],
                                                      pz[a, b, c + 2], ihz))


# ------------------------------------------------------------------ the bandwidth floor
@njit(**_par)
def parallel_copy(src, dst):
    """Copy ``src`` into ``dst`` (same shape, C order) on all threads: the stencils' floor.

    Rows of the last axis are copied in a vectorised inner loop, the outer axis split over threads.
    """
    a = src.reshape(src.shape[0], -1)
    b = dst.reshape(dst.shape[0], -1)
    n, m = a.shape
    for i in prange(n):
        for j in range(m):
            b[i, j] = a[i, j]


@njit(**_par)
def gather_columns(a, cols, out):
    """``out[c, r] = a[r, cols[c]]``: a few columns of a row-major array in one pass over its rows
    (the ghost fill of faces normal to the contiguous axis)."""
    rows = a.shape[0]
    for r in prange(rows):
        for c in range(cols.size):
            out[c, r] = a[r, cols[c]]


@njit(**_par)
def edge_ghost(a, side, c0, c1, c2, c3, add, out):
    """``out[r] = c0 a[r, b] + c1 a[r, b+s] + c2 a[r, b+2s] + c3 a[r, b+3s] + add[r]`` at one end
    (``side`` 0: ``b = 0, s = 1``; 1: ``b = n-1, s = -1``) of every row of ``a``: the ghost values of
    a face normal to the contiguous axis in one pass over the row ends."""
    rows, n = a.shape
    st = 1 if side == 0 else -1
    b = 0 if side == 0 else n - 1
    for r in prange(rows):
        g = c0 * a[r, b] + c1 * a[r, b + st]
        if c2 != 0:
            g += c2 * a[r, b + 2 * st]
        if c3 != 0:
            g += c3 * a[r, b + 3 * st]
        out[r] = g + add[r]
