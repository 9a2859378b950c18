"""CUDA kernels of the operators, built from the point formulas of :mod:`fieldgrad.kernels.points`.

:func:`build` receives ``numba.cuda`` from :mod:`fieldgrad.backends.cuda` (this module never
imports it) and wraps the same plain functions the CPU sweeps use with
``cuda.jit(device=True)``: one formula, two targets.

Every kernel works on a 3D view of the data: a 2D array ``(nx, ny)`` is seen as
``(1, nx, ny)`` and 1D as ``(1, 1, n)``, with zero inverse spacing and zero ghosts on the dummy
axes, so one kernel per operator serves 1D, 2D and 3D.  Threads are laid out along the
contiguous last axis (``threadIdx.x``) and the middle axis; each thread marches along a chunk
of the slowest axis, keeping the x-neighbours in registers.  Neighbours outside the grid come
from face-shaped ghost arrays filled on the device by one generic kernel, :func:`fill_rule`, that
applies each face's affine ghost rule (``sum_m c_m u_m + d``) with coefficients the host took from
the rule table :mod:`fieldgrad.boundary.rules` (see :mod:`fieldgrad.kernels.cuda_bc`); no ghost
formula is written here.
"""
from __future__ import annotations

import math

from ..backends import cuda as _cu
from . import points

cuda = None  # set by build(); the kernels resolve ``cuda`` as a module global (needed by the simulator)

BLOCK_X, BLOCK_Y, MARCH = 32, 8, 16
_SIM_BLOCK = (8, 4)


def launch3(shape, sim=False):
    """(grid, block, march) for a marching kernel over a 3D view ``(nx, ny, nz)``."""
    nx, ny, nz = shape
    bx, by = _SIM_BLOCK if sim else (BLOCK_X, BLOCK_Y)
    march = max(1, min(MARCH, nx)) if not sim else max(1, nx)
    grid = ((nz + bx - 1) // bx, (ny + by - 1) // by, (nx + march - 1) // march)
    return grid, (bx, by, 1), march


def launch2(shape, sim=False):
    """(grid, block) for a kernel over a face ``(P, Q)``."""
    p, q = shape
    bx, by = _SIM_BLOCK if sim else (BLOCK_X, BLOCK_Y)
    return ((q + bx - 1) // bx, (p + by - 1) // by), (bx, by)


def launch1(n, sim=False):
    """(grid, block) for a flat grid-stride kernel."""
    threads = 64 if sim else 256
    blocks = max(1, min((n + threads - 1) // threads, 4 if sim else 65535))
    return blocks, threads


def build(cuda_module):
    """Compile-on-first-launch kernels of the operators; returns a dict name -> kernel."""
    global cuda, second_difference, central_difference, flux_difference, laplacian_point, at, yz
    global plane, column, k_flux_sum
    cuda = cuda_module
    dev = cuda.jit(device=True)
    second_difference = dev(points.second_difference)
    central_difference = dev(points.central_difference)
    flux_difference = dev(points.flux_difference)
    laplacian_point = dev(points.laplacian_point)

    @dev
    def at(v, axis, m, p, q):
        """``v`` at index ``m`` along ``axis``, ``(p, q)`` along the other two axes in order."""
        if axis == 0:
            return v[m, p, q]
        if axis == 1:
            return v[p, m, q]
        return v[p, q, m]

    @dev
    def yz(u, gy0, gy1, gz0, gz1, i, j, k):
        """The four in-plane neighbours of ``u[i, j, k]``, ghosts at the faces."""
        ny, nz = u.shape[1], u.shape[2]
        ym = u[i, j - 1, k] if j > 0 else gy0[i, k]
        yp = u[i, j + 1, k] if j < ny - 1 else gy1[i, k]
        zm = u[i, j, k - 1] if k > 0 else gz0[i, j]
        zp = u[i, j, k + 1] if k < nz - 1 else gz1[i, j]
        return ym, yp, zm, zp

    @dev
    def plane():
        """This thread's place ``(p, q)`` in a plane or a face of a 2D launch (``threadIdx.x`` along
        the contiguous axis ``q``)."""
        return (cuda.blockIdx.y * cuda.blockDim.y + cuda.threadIdx.y,
                cuda.blockIdx.x * cuda.blockDim.x + cuda.threadIdx.x)

    @dev
    def column(march):
        """This thread's column of a marching kernel: ``(i0, j, k)``, the first node along the slowest
        axis of its chunk of ``march`` nodes, and its place ``(j, k)`` in the plane."""
        j, k = plane()
        return cuda.blockIdx.z * march, j, k

    @dev
    def k_flux_sum(c, xm, xp, ym, yp, zm, zp, kc, kxm, kxp, kym, kyp, kzm, kzp, cx, cy, cz, first):
        """``div(k grad u)`` at a node: the flux differences of the real axes (view axes below
        ``first`` are dummies), summed as ``(x + y) + z``."""
        tz = flux_difference(zm, c, zp, kzm, kc, kzp, cz)
        if first == 2:
            return tz
        if first == 1:
            return flux_difference(ym, c, yp, kym, kc, kyp, cy) + tz
        return flux_difference(xm, c, xp, kxm, kc, kxp, cx) + flux_difference(ym, c, yp, kym, kc, kyp, cy) + tz

    def scalar_march(store):
        """A marching kernel ``(u, ghosts..., sx, sy, sz, first, march, out)`` that walks each thread
        down its column keeping the x-neighbours in registers and hands every node's neighbours
        to the device function ``store(out, i, j, k, c, xm, xp, ym, yp, zm, zp, sx, sy, sz, first)``."""

        @cuda.jit
        def kernel(u, gx0, gx1, gy0, gy1, gz0, gz1, sx, sy, sz, first, march, out):
            i0, j, k = column(march)
            nx = u.shape[0]
            if j < u.shape[1] and k < u.shape[2]:
                xm = u[i0 - 1, j, k] if i0 > 0 else gx0[j, k]
                c = u[i0, j, k]
                for i in range(i0, min(i0 + march, nx)):
                    xp = u[i + 1, j, k] if i + 1 < nx else gx1[j, k]
                    ym, yp, zm, zp = yz(u, gy0, gy1, gz0, gz1, i, j, k)
                    store(out, i, j, k, c, xm, xp, ym, yp, zm, zp, sx, sy, sz, first)
                    xm = c
                    c = xp

        return kernel

    # ---------------------------------------------------------------- ghosts and faces
    @cuda.jit
    def fill_rule(v, axis, side, depth, w0, w1, w2, w3, cw, full, d0, d, has_d, g):
        """One face's ghost layer from its rule (:mod:`fieldgrad.boundary.rules`), evaluated on the
        host: ``g = sum_{m < depth} c_m u_m + d`` with ``u_m`` the m-th node layer of ``v`` inward
        from face ``side`` of ``axis`` (the rule's source face), ``c_m = cw[m]`` when ``full`` else
        the numbers ``w_m``, and ``d = d[p, q]`` when ``has_d`` else ``d0``.  Zero coefficients are
        skipped and terms added in order, as :meth:`GhostRule.apply` does on the host."""
        p, q = plane()
        if p < g.shape[0] and q < g.shape[1]:
            n = v.shape[axis]
            val = d0 - d0  # a zero of the data type (d0 is finite)
            for m in range(depth):
                if full:
                    c = cw[m, p, q]
                else:
                    c = w0 if m == 0 else (w1 if m == 1 else (w2 if m == 2 else w3))
                if c != 0.0:
                    val += c * at(v, axis, m if side == 0 else n - 1 - m, p, q)
            if has_d:
                val += d[p, q]
            elif d0 != 0.0:
                val += d0
            g[p, q] = val

    @cuda.jit
    def gather_layers(v, axis, side, out):
        """``out[m] =`` the m-th node layer of ``v`` inward from face ``side`` of ``axis`` (small face
        data the host needs, e.g. the conductivity next to a face for its ghost rule)."""
        p, q = plane()
        if p < out.shape[1] and q < out.shape[2]:
            n = v.shape[axis]
            for m in range(out.shape[0]):
                out[m, p, q] = at(v, axis, m if side == 0 else n - 1 - m, p, q)

    @cuda.jit
    def set_face(u, axis, side, vals):
        """Write face values (Dirichlet) into the boundary nodes of one face."""
        p, q = plane()
        if p < vals.shape[0] and q < vals.shape[1]:
            m = 0 if side == 0 else u.shape[axis] - 1
            if axis == 0:
                u[m, p, q] = vals[p, q]
            elif axis == 1:
                u[p, m, q] = vals[p, q]
            else:
                u[p, q, m] = vals[p, q]

    @cuda.jit
    def face_differs(u, axis, side, vals, flag):
        """``flag[0] = 1`` where the boundary nodes of a face differ from ``vals``."""
        p, q = plane()
        if p < vals.shape[0] and q < vals.shape[1]:
            m = 0 if side == 0 else u.shape[axis] - 1
            if at(u, axis, m, p, q) != vals[p, q]:
                flag[0] = 1

    @cuda.jit
    def nonfinite(x, flag):
        """``flag[0] = 1`` if the flat array ``x`` holds NaN or inf."""
        start = cuda.grid(1)
        stride = cuda.gridsize(1)
        for m in range(start, x.shape[0], stride):
            if math.isnan(x[m]) or math.isinf(x[m]):
                flag[0] = 1

    @cuda.jit
    def not_positive(x, flag):
        """``flag[0] = 1`` where the flat ``x`` is <= 0, NaN or inf (one pass)."""
        for m in range(cuda.grid(1), x.shape[0], cuda.gridsize(1)):
            v = x[m]
            if not (v > 0) or math.isinf(v):
                flag[0] = 1

    @cuda.jit
    def fill(dst, value):
        """Flat fill with one value."""
        start = cuda.grid(1)
        stride = cuda.gridsize(1)
        for m in range(start, dst.shape[0], stride):
            dst[m] = value

    @cuda.jit
    def copy(src, dst):
        """Flat device-to-device copy: the bandwidth floor of the stencils."""
        start = cuda.grid(1)
        stride = cuda.gridsize(1)
        for m in range(start, src.shape[0], stride):
            dst[m] = src[m]

    # ---------------------------------------------------------------- operators
    @dev
    def laplacian_store(out, i, j, k, c, xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2, first):
        out[i, j, k] = laplacian_point(c, xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2)

    @dev
    def grad_store(o, i, j, k, c, xm, xp, ym, yp, zm, zp, hix, hiy, hiz, first):
        """Gradient into ``o[(ndim, nx, ny, nz)]``; view axes below ``first`` are dummies."""
        if first == 0:
            o[0, i, j, k] = central_difference(xm, xp, hix)
        if first <= 1:
            o[1 - first, i, j, k] = central_difference(ym, yp, hiy)
        o[2 - first, i, j, k] = central_difference(zm, zp, hiz)

    laplacian3 = scalar_march(laplacian_store)
    grad3 = scalar_march(grad_store)

    @cuda.jit
    def div3(v, gx0, gx1, gy0, gy1, gz0, gz1, hix, hiy, hiz, first, march, out):
        """Divergence of ``v[(ndim, nx, ny, nz)]``; the ghosts of axis a belong to component a."""
        i0, j, k = column(march)
        nx, ny, nz = out.shape
        if j < ny and k < nz:
            cz = 2 - first
            cy = 1 - first
            for i in range(i0, min(i0 + march, nx)):
                zm = v[cz, i, j, k - 1] if k > 0 else gz0[i, j]
                zp = v[cz, i, j, k + 1] if k < nz - 1 else gz1[i, j]
                tz = central_difference(zm, zp, hiz)
                if first == 2:
                    out[i, j, k] = tz
                else:
                    ym = v[cy, i, j - 1, k] if j > 0 else gy0[i, k]
                    yp = v[cy, i, j + 1, k] if j < ny - 1 else gy1[i, k]
                    ty = central_difference(ym, yp, hiy)
                    if first == 1:
                        out[i, j, k] = ty + tz
                    else:
                        xm = v[0, i - 1, j, k] if i > 0 else gx0[j, k]
                        xp = v[0, i + 1, j, k] if i < nx - 1 else gx1[j, k]
                        out[i, j, k] = central_difference(xm, xp, hix) + ty + tz

    @cuda.jit
    def div_k_grad3(u, kk, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1,
                    ihx2, ihy2, ihz2, first, march, out):
        i0, j, k = column(march)
        nx = u.shape[0]
        if j < u.shape[1] and k < u.shape[2]:
            i1 = min(i0 + march, nx)
            xm = u[i0 - 1, j, k] if i0 > 0 else gx0[j, k]
            kxm = kk[i0 - 1, j, k] if i0 > 0 else kx0[j, k]
            c = u[i0, j, k]
            kc = kk[i0, j, k]
            for i in range(i0, i1):
                xp = u[i + 1, j, k] if i + 1 < nx else gx1[j, k]
                kxp = kk[i + 1, j, k] if i + 1 < nx else kx1[j, k]
                ym, yp, zm, zp = yz(u, gy0, gy1, gz0, gz1, i, j, k)
                kym, kyp, kzm, kzp = yz(kk, ky0, ky1, kz0, kz1, i, j, k)
                out[i, j, k] = k_flux_sum(c, xm, xp, ym, yp, zm, zp, kc, kxm, kxp, kym, kyp, kzm, kzp,
                                          ihx2, ihy2, ihz2, first)
                xm = c
                c = xp
                kxm = kc
                kc = kxp

    return dict(fill_rule=fill_rule, gather_layers=gather_layers, set_face=set_face, face_differs=face_differs,
                nonfinite=nonfinite, not_positive=not_positive, fill=fill, copy=copy, laplacian3=laplacian3, grad3=grad3, div3=div3,
                div_k_grad3=div_k_grad3)


kernels = _cu.kernel_set(build)
