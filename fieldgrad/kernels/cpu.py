"""Numba CPU sweeps around the point formulas of :mod:`fieldgrad.kernels.points`.

Every sweep is ``parallel=True`` over the outermost axis with the contiguous last axis
innermost.  Neighbours outside the grid come from face-shaped ghost arrays filled by
:mod:`fieldgrad.boundary`, so one sweep serves every boundary condition; the first and last
nodes of the innermost axis are peeled out of the loop so the inner loop has no branches.
2D sweeps also serve 1D data viewed as shape ``(1, n)`` (ghost rows = the data row, zero
coefficient).  Order-4 sweeps read an array padded with two ghost layers.
"""
from numba import njit, prange

from . import points

_jit = njit(inline="always", cache=True)
second_difference = _jit(points.second_difference)
central_difference = _jit(points.central_difference)
flux_difference = _jit(points.flux_difference)
fourth_order_second_difference = _jit(points.fourth_order_second_difference)
fourth_order_central_difference = _jit(points.fourth_order_central_difference)

_par = dict(parallel=True, cache=True, fastmath=False)


# ------------------------------------------------------------------ Laplacian, order 2
# The innermost loops are split by direction (x and y terms, then the z term) so each has few
# load streams: LLVM vectorises them, which it declines to do for the fused 7-load loop.
@njit(**_par)
def laplacian_2d(u, gx0, gx1, gy0, gy1, ihx2, ihy2, out):
    nx, ny = u.shape
    for i in prange(nx):
        c = u[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        o = out[i]
        for j in range(ny):
            o[j] = second_difference(xm[j], c[j], xp[j], ihx2)
        o[0] += second_difference(gy0[i], c[0], c[1], ihy2)
        for j in range(1, ny - 1):
            o[j] += second_difference(c[j - 1], c[j], c[j + 1], ihy2)
        e = ny - 1
        o[e] += second_difference(c[e - 1], c[e], gy1[i], ihy2)


@njit(**_par)
def laplacian_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, ihx2, ihy2, ihz2, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        for j in range(ny):
            c = u[i, j]
            xm = u[i - 1, j] if i > 0 else gx0[j]
            xp = u[i + 1, j] if i < nx - 1 else gx1[j]
            ym = u[i, j - 1] if j > 0 else gy0[i]
            yp = u[i, j + 1] if j < ny - 1 else gy1[i]
            o = out[i, j]
            for k in range(nz):
                o[k] = second_difference(xm[k], c[k], xp[k], ihx2) + second_difference(ym[k], c[k], yp[k], ihy2)
            o[0] += second_difference(gz0[i, j], c[0], c[1], ihz2)
            for k in range(1, nz - 1):
                o[k] += second_difference(c[k - 1], c[k], c[k + 1], ihz2)
            e = nz - 1
            o[e] += second_difference(c[e - 1], c[e], gz1[i, j], ihz2)


# ------------------------------------------------------------------ gradient, order 2
@njit(**_par)
def grad_2d(u, gx0, gx1, gy0, gy1, hix, hiy, ox, oy):
    nx, ny = u.shape
    for i in prange(nx):
        c = u[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        a = ox[i]
        b = oy[i]
        for j in range(ny):
            a[j] = central_difference(xm[j], xp[j], hix)
        b[0] = central_difference(gy0[i], c[1], hiy)
        for j in range(1, ny - 1):
            b[j] = central_difference(c[j - 1], c[j + 1], hiy)
        b[ny - 1] = central_difference(c[ny - 2], gy1[i], hiy)


@njit(**_par)
def grad_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, hix, hiy, hiz, ox, oy, oz):
    nx, ny, nz = u.shape
    for i in prange(nx):
        for j in range(ny):
            c = u[i, j]
            xm = u[i - 1, j] if i > 0 else gx0[j]
            xp = u[i + 1, j] if i < nx - 1 else gx1[j]
            ym = u[i, j - 1] if j > 0 else gy0[i]
            yp = u[i, j + 1] if j < ny - 1 else gy1[i]
            a = ox[i, j]
            b = oy[i, j]
            d = oz[i, j]
            for k in range(nz):
                a[k] = central_difference(xm[k], xp[k], hix)
                b[k] = central_difference(ym[k], yp[k], hiy)
            d[0] = central_difference(gz0[i, j], c[1], hiz)
            for k in range(1, nz - 1):
                d[k] = central_difference(c[k - 1], c[k + 1], hiz)
            d[nz - 1] = central_difference(c[nz - 2], gz1[i, j], hiz)


# ------------------------------------------------------------------ divergence, order 2
@njit(**_par)
def div_2d(vx, vy, gx0, gx1, gy0, gy1, hix, hiy, out):
    nx, ny = vx.shape
    for i in prange(nx):
        xm = vx[i - 1] if i > 0 else gx0
        xp = vx[i + 1] if i < nx - 1 else gx1
        c = vy[i]
        o = out[i]
        o[0] = central_difference(xm[0], xp[0], hix) + central_difference(gy0[i], c[1], hiy)
        for j in range(1, ny - 1):
            o[j] = central_difference(xm[j], xp[j], hix) + central_difference(c[j - 1], c[j + 1], hiy)
        e = ny - 1
        o[e] = central_difference(xm[e], xp[e], hix) + central_difference(c[e - 1], gy1[i], hiy)


@njit(**_par)
def div_3d(vx, vy, vz, gx0, gx1, gy0, gy1, gz0, gz1, hix, hiy, hiz, out):
    nx, ny, nz = vx.shape
    for i in prange(nx):
        for j in range(ny):
            xm = vx[i - 1, j] if i > 0 else gx0[j]
            xp = vx[i + 1, j] if i < nx - 1 else gx1[j]
            ym = vy[i, j - 1] if j > 0 else gy0[i]
            yp = vy[i, j + 1] if j < ny - 1 else gy1[i]
            c = vz[i, j]
            o = out[i, j]
            o[0] = (central_difference(xm[0], xp[0], hix) + central_difference(ym[0], yp[0], hiy)
                    + central_difference(gz0[i, j], c[1], hiz))
            for k in range(1, nz - 1):
                o[k] = (central_difference(xm[k], xp[k], hix) + central_difference(ym[k], yp[k], hiy)
                        + central_difference(c[k - 1], c[k + 1], hiz))
            e = nz - 1
            o[e] = (central_difference(xm[e], xp[e], hix) + central_difference(ym[e], yp[e], hiy)
                    + central_difference(c[e - 1], gz1[i, j], hiz))


# ------------------------------------------------------------------ div(k grad u)
# One pass per direction over each row (see the Laplacian note on vectorisation).
@njit(**_par)
def div_k_grad_2d(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, ihx2, ihy2, out):
    nx, ny = u.shape
    for i in prange(nx):
        c = u[i]
        kc = k[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        kxm = k[i - 1] if i > 0 else kx0
        kxp = k[i + 1] if i < nx - 1 else kx1
        o = out[i]
        for j in range(ny):
            o[j] = flux_difference(xm[j], c[j], xp[j], kxm[j], kc[j], kxp[j], ihx2)
        o[0] += flux_difference(gy0[i], c[0], c[1], ky0[i], kc[0], kc[1], ihy2)
        for j in range(1, ny - 1):
            o[j] += flux_difference(c[j - 1], c[j], c[j + 1], kc[j - 1], kc[j], kc[j + 1], ihy2)
        e = ny - 1
        o[e] += flux_difference(c[e - 1], c[e], gy1[i], kc[e - 1], kc[e], ky1[i], ihy2)


@njit(**_par)
def div_k_grad_3d(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1, ihx2, ihy2, ihz2, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        for j in range(ny):
            c = u[i, j]
            kc = k[i, j]
            xm = u[i - 1, j] if i > 0 else gx0[j]
            xp = u[i + 1, j] if i < nx - 1 else gx1[j]
            ym = u[i, j - 1] if j > 0 else gy0[i]
            yp = u[i, j + 1] if j < ny - 1 else gy1[i]
            kxm = k[i - 1, j] if i > 0 else kx0[j]
            kxp = k[i + 1, j] if i < nx - 1 else kx1[j]
            kym = k[i, j - 1] if j > 0 else ky0[i]
            kyp = k[i, j + 1] if j < ny - 1 else ky1[i]
            o = out[i, j]
            for m in range(nz):
                o[m] = flux_difference(xm[m], c[m], xp[m], kxm[m], kc[m], kxp[m], ihx2)
            for m in range(nz):
                o[m] += flux_difference(ym[m], c[m], yp[m], kym[m], kc[m], kyp[m], ihy2)
            o[0] += flux_difference(gz0[i, j], c[0], c[1], kz0[i, j], kc[0], kc[1], ihz2)
            for m in range(1, nz - 1):
                o[m] += flux_difference(c[m - 1], c[m], c[m + 1], kc[m - 1], kc[m], kc[m + 1], ihz2)
            e = nz - 1
            o[e] += flux_difference(c[e - 1], c[e], gz1[i, j], kc[e - 1], kc[e], kz1[i, j], ihz2)


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
    """Copy ``src`` into ``dst`` (same shape, C order) on all threads: the stencils' floor."""
    a = src.reshape(-1)
    b = dst.reshape(-1)
    n = a.size
    nchunk = 64
    step = (n + nchunk - 1) // nchunk
    for c in prange(nchunk):
        lo = c * step
        hi = min(n, lo + step)
        for m in range(lo, hi):
            b[m] = a[m]
