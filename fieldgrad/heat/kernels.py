"""Fused Numba sweeps of the explicit heat integrators.

One sweep reads the stencil input once and writes the new field once; the stencil value is
built from the point formulas of :mod:`fieldgrad.kernels.points` (``second_difference`` for a
scalar diffusivity, ``flux_difference`` with harmonic face values for an array) and combined at
the same point with the integrator's update (``mode``):

* ``mode 0`` (FTCS): ``out = u + al * v``
* ``mode 1`` (first RKL2 stage): ``l0 = v``; ``out = u + al * v``
* ``mode 2`` (RKL2 stage j >= 2): ``out = au*u + ap*p2 + a0*q0 + al*v + ag*l0``

with ``v = div(alpha grad u) + source`` at that point.  Each (i, j) row is done in two passes
while it sits in L1 cache: the stencil into ``out``, then the update (:func:`finish_row`), so both
inner loops are branch-free and vectorise; ``out`` must therefore differ from ``p2``, ``q0``, ``l0``.  Unused array arguments are passed the stencil input
itself; it is never written.  For a scalar diffusivity the coefficients ``cx = alpha / hx^2``
etc. are folded in; ``sc`` is a scalar source, ``sarr`` an array source read when ``has_sarr``.

:func:`sweep_links` is the sweep of the heat-capacity path (:mod:`fieldgrad.heat.capacity`):
``v = (A0 u + g) * inv_rho_c`` with the links operator of the Poisson solvers
(:mod:`fieldgrad.solvers.mg_links`, its inline row functions), on arrays padded to 3 axes;
:func:`sweep_links_flat` is the same sweep for a 2D grid (padded shape ``(nx, ny, 1)``), whose
rows run along y instead of along the singleton z axis.
"""
from numba import njit, prange

from ..kernels.cpu import _lap2_at, _lap3_at, flux_difference, laplacian_point, laplacian_point_2d, second_difference
from ..solvers.mg_links import _offdiag_inner, _offdiag_shell

_par = dict(parallel=True, cache=True, fastmath=False)

MODE_FTCS, MODE_FIRST, MODE_STAGE = 0, 1, 2


# The plain FTCS step (scalar diffusivity, scalar source) has its own sweep in the operators'
# layout -- a branch-free, plain-indexed interior loop and a boundary-shell pass -- because it is
# the step whose cost is compared with the bandwidth floor; same arithmetic, same result bits.
@njit(**_par)
def ftcs_const_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, cx, cy, cz, sc, al, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                for k in range(1, nz - 1):
                    c = u[i, j, k]
                    out[i, j, k] = c + al * (laplacian_point(c, u[i - 1, j, k], u[i + 1, j, k], u[i, j - 1, k],
                                                             u[i, j + 1, k], u[i, j, k - 1], u[i, j, k + 1],
                                                             cx, cy, cz) + sc)
                for k in (0, nz - 1):
                    out[i, j, k] = u[i, j, k] + al * (_lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                               cx, cy, cz) + sc)
            for j in (0, ny - 1):
                for k in range(nz):
                    out[i, j, k] = u[i, j, k] + al * (_lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                               cx, cy, cz) + sc)
        else:
            for j in range(ny):
                for k in range(nz):
                    out[i, j, k] = u[i, j, k] + al * (_lap3_at(u, gx0, gx1, gy0, gy1, gz0, gz1, i, j, k,
                                                               cx, cy, cz) + sc)


# The FTCS step of the steppers (3D, scalar diffusivity and source): ``ftcs_rows_3d``.  Each x plane
# is swept in blocks of whole y rows as ONE flat loop over the block (the plane and its two x
# neighbours read through 1D views offset by +-1 and +-nz), so LLVM vectorises a loop of
# ``jb * nz`` nodes with one alias check instead of a 255-node loop per row with a scalar tail; the
# nodes at both row ends (whose flat neighbours wrap into the next row) are then recomputed with
# their z ghosts while the block is still in cache.  The z ghosts are applied from the face's rule
# (``zw = (c_0, c_1, c_2, c_3, from_opposite, depth)`` and the offset face array ``zd``, as
# :func:`fieldgrad.kernels.cpu.edge_ghost` applies them; depth 0: ``zd`` holds the ghosts), so no
# pass over every row's ends runs before the sweep.  x and y ghosts come as face arrays.  Same
# arithmetic as :func:`ftcs_const_3d`, same result bits.  Dirichlet faces are written by the sweep
# itself (``held``), so no pass over the faces follows it.
@njit(inline="always", cache=True)
def _zrule(f, r, nz, side, zw, zd, i, j):
    """The z ghost at one end of the row whose nodes are ``f[r:r + nz]`` (row ``(i, j)``), from its
    rule: ``sum_m c_m u_m + d`` in the order :func:`fieldgrad.kernels.cpu.edge_ghost` sums it."""
    if zw[5] == 0:
        return zd[i, j]
    frm = side if zw[4] == 0 else 1 - side
    st = 1 if frm == 0 else -1
    b = r if frm == 0 else r + nz - 1
    g = zw[0] * f[b] + zw[1] * f[b + st]
    if zw[2] != 0:
        g += zw[2] * f[b + 2 * st]
    if zw[3] != 0:
        g += zw[3] * f[b + 3 * st]
    return g + zd[i, j]


@njit(inline="always", cache=True)
def _row_ends(c, r, xm, xp, ym, yr, yp, yq, nz, i, j, zw0, zd0, zw1, zd1, cx, cy, cz, sc, al):
    """FTCS at nodes ``0`` and ``nz - 1`` of row ``(i, j)``: its nodes are ``c[r:r + nz]`` (flat
    plane), its x neighbours ``xm[r:]`` / ``xp[r:]``, its y neighbours ``ym[yr:]`` / ``yp[yq:]``.
    Returns the two values (indices, not row views: no array is made per row; and inlined helpers
    here only return values -- writing into arrays from one inside ``prange`` miscompiled, see
    :mod:`fieldgrad.kernels.cpu`)."""
    e = nz - 1
    v = c[r]
    lo = v + al * (laplacian_point(v, xm[r], xp[r], ym[yr], yp[yq], _zrule(c, r, nz, 0, zw0, zd0, i, j), c[r + 1],
                                   cx, cy, cz) + sc)
    v = c[r + e]
    hi = v + al * (laplacian_point(v, xm[r + e], xp[r + e], ym[yr + e], yp[yq + e], c[r + e - 1],
                                   _zrule(c, r, nz, 1, zw1, zd1, i, j), cx, cy, cz) + sc)
    return lo, hi


@njit(**_par)
def ftcs_rows_3d(u, gx0, gx1, gy0, gy1, zw0, zd0, zw1, zd1, held, hx0, hx1, hy0, hy1, hz0, hz1,
                 cx, cy, cz, sc, al, jb, out):
    """One FTCS step ``out = u + al * (lap(u) + sc)`` (see the notes above); ``jb`` y rows per block.

    Dirichlet faces are held in the sweep: the boundary nodes of the faces set in ``held`` (bits:
    x- 1, x+ 2, y- 4, y+ 8, z- 16, z+ 32) get the face arrays ``hx0`` ... ``hz1`` (the new time's
    values; unused ones may be any 2D array) instead of the update, later faces winning at edges as
    when the faces are written in that order.  Needs ``nz >= 2`` and C-contiguous arrays."""
    nx, ny, nz = u.shape
    e = nz - 1
    kz0 = 1 if held & 16 else 0  # the nodes x and y held faces write (z held faces win at edges)
    kz1 = e if held & 32 else nz
    for i in prange(nx):
        c = u[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        o = out[i]
        cf, mf, pf, of = c.reshape(-1), xm.reshape(-1), xp.reshape(-1), o.reshape(-1)
        for j0 in range(1, ny - 1, jb):
            j1 = min(ny - 1, j0 + jb)
            a = j0 * nz
            n = (j1 - j0) * nz
            cc, ym, yp, km, kp = cf[a:a + n], cf[a - nz:a - nz + n], cf[a + nz:a + nz + n], cf[a - 1:a - 1 + n], \
                cf[a + 1:a + 1 + n]
            xa, xb, oo = mf[a:a + n], pf[a:a + n], of[a:a + n]
            for m in range(n):  # row ends too (their flat z neighbours wrap): recomputed below
                v = cc[m]
                oo[m] = v + al * (laplacian_point(v, xa[m], xb[m], ym[m], yp[m], km[m], kp[m], cx, cy, cz) + sc)
            for j in range(j0, j1):
                q = j * nz
                lo, hi = _row_ends(cf, q, mf, pf, cf, q - nz, cf, q + nz, nz, i, j, zw0, zd0, zw1, zd1,
                                   cx, cy, cz, sc, al)
                of[q] = hz0[i, j] if held & 16 else lo
                of[q + e] = hz1[i, j] if held & 32 else hi
        for side in range(2):  # the y face rows read a ghost row
            j = 0 if side == 0 else ny - 1
            ym = gy0[i] if j == 0 else c[j - 1]
            yp = gy1[i] if j == ny - 1 else c[j + 1]
            r, xr, pr = c[j], xm[j], xp[j]
            for k in range(1, e):
                v = r[k]
                o[j, k] = v + al * (laplacian_point(v, xr[k], pr[k], ym[k], yp[k], r[k - 1], r[k + 1], cx, cy, cz) + sc)
            lo, hi = _row_ends(r, 0, xr, pr, ym, 0, yp, 0, nz, i, j, zw0, zd0, zw1, zd1, cx, cy, cz, sc, al)
            o[j, 0] = hz0[i, j] if held & 16 else lo
            o[j, e] = hz1[i, j] if held & 32 else hi
        if (i == 0 and held & 1) or (i == nx - 1 and held & 2):
            h = hx0 if (i == 0 and held & 1) else hx1
            for j in range(ny):
                for k in range(kz0, kz1):
                    o[j, k] = h[j, k]
        if held & 4:
            for k in range(kz0, kz1):
                o[0, k] = hy0[i, k]
        if held & 8:
            for k in range(kz0, kz1):
                o[ny - 1, k] = hy1[i, k]


@njit(**_par)
def ftcs_const_2d(u, gx0, gx1, gy0, gy1, cx, cy, sc, al, out):
    nx, ny = u.shape
    for i in prange(nx):
        if 0 < i < nx - 1:
            for j in range(1, ny - 1):
                c = u[i, j]
                out[i, j] = c + al * (laplacian_point_2d(c, u[i - 1, j], u[i + 1, j], u[i, j - 1], u[i, j + 1],
                                                         cx, cy) + sc)
            for j in (0, ny - 1):
                out[i, j] = u[i, j] + al * (_lap2_at(u, gx0, gx1, gy0, gy1, i, j, cx, cy) + sc)
        else:
            for j in range(ny):
                out[i, j] = u[i, j] + al * (_lap2_at(u, gx0, gx1, gy0, gy1, i, j, cx, cy) + sc)


def stage_value(mode, c, v, p2, q0, l0, au, ap, a0, al, ag):
    """The integrator's new value at a node from ``c = u``, the rate ``v`` and the RKL2 history
    (modes as in the module notes) at one point: the update of every device heat kernel
    (:mod:`fieldgrad.heat.cuda`, :mod:`fieldgrad.heat.cuda_links`), compiled there by
    ``cuda.jit(device=True)``; :func:`finish_row` is its row form for the CPU sweeps.

    Example
    -------
    >>> stage_value(0, 1.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.5, 0.0)
    2.0
    """
    if mode == 2:
        return au * c + ap * p2 + a0 * q0 + al * v + ag * l0
    return c + al * v


@njit(cache=True)
def finish_row(mode, o, c, L, P, Q, S, has_sarr, sc, au, ap, a0, al, ag):
    """Turn a row of stencil values ``o`` into the integrator's new values (see module doc)."""
    n = o.shape[0]
    if has_sarr:
        for m in range(n):
            o[m] += S[m]
    if mode == 0:
        for m in range(n):
            o[m] = c[m] + al * (o[m] + sc)
    elif mode == 1:
        for m in range(n):
            v = o[m] + sc
            L[m] = v
            o[m] = c[m] + al * v
    else:
        for m in range(n):
            o[m] = au * c[m] + ap * P[m] + a0 * Q[m] + al * (o[m] + sc) + ag * L[m]


@njit(**_par)
def sweep_const_2d(u, gx0, gx1, gy0, gy1, cx, cy, sc, sarr, has_sarr,
                   mode, au, ap, a0, al, ag, p2, q0, l0, out):
    nx, ny = u.shape
    for i in prange(nx):
        c = u[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        o, L, P, Q, S = out[i], l0[i], p2[i], q0[i], sarr[i]
        o[0] = (second_difference(xm[0], c[0], xp[0], cx) + second_difference(gy0[i], c[0], c[1], cy))
        for j in range(1, ny - 1):
            o[j] = (second_difference(xm[j], c[j], xp[j], cx) + second_difference(c[j - 1], c[j], c[j + 1], cy))
        e = ny - 1
        o[e] = (second_difference(xm[e], c[e], xp[e], cx) + second_difference(c[e - 1], c[e], gy1[i], cy))
        finish_row(mode, o, c, L, P, Q, S, has_sarr, sc, au, ap, a0, al, ag)


@njit(**_par)
def sweep_const_3d(u, gx0, gx1, gy0, gy1, gz0, gz1, cx, cy, cz, sc, sarr, has_sarr,
                   mode, au, ap, a0, al, ag, p2, q0, l0, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        for j in range(ny):
            c = u[i, j]
            xm = u[i - 1, j] if i > 0 else gx0[j]
            xp = u[i + 1, j] if i < nx - 1 else gx1[j]
            ym = u[i, j - 1] if j > 0 else gy0[i]
            yp = u[i, j + 1] if j < ny - 1 else gy1[i]
            o, L, P, Q, S = out[i, j], l0[i, j], p2[i, j], q0[i, j], sarr[i, j]
            o[0] = (second_difference(xm[0], c[0], xp[0], cx) + second_difference(ym[0], c[0], yp[0], cy)
                    + second_difference(gz0[i, j], c[0], c[1], cz))
            for m in range(1, nz - 1):
                o[m] = (second_difference(xm[m], c[m], xp[m], cx) + second_difference(ym[m], c[m], yp[m], cy)
                        + second_difference(c[m - 1], c[m], c[m + 1], cz))
            e = nz - 1
            o[e] = (second_difference(xm[e], c[e], xp[e], cx) + second_difference(ym[e], c[e], yp[e], cy)
                    + second_difference(c[e - 1], c[e], gz1[i, j], cz))
            finish_row(mode, o, c, L, P, Q, S, has_sarr, sc, au, ap, a0, al, ag)


@njit(**_par)
def sweep_var_2d(u, k, gx0, gx1, gy0, gy1, kx0, kx1, ky0, ky1, ihx2, ihy2, sc, sarr, has_sarr,
                 mode, au, ap, a0, al, ag, p2, q0, l0, out):
    nx, ny = u.shape
    for i in prange(nx):
        c, kc = u[i], k[i]
        xm = u[i - 1] if i > 0 else gx0
        xp = u[i + 1] if i < nx - 1 else gx1
        kxm = k[i - 1] if i > 0 else kx0
        kxp = k[i + 1] if i < nx - 1 else kx1
        o, L, P, Q, S = out[i], l0[i], p2[i], q0[i], sarr[i]
        o[0] = (flux_difference(xm[0], c[0], xp[0], kxm[0], kc[0], kxp[0], ihx2)
                + flux_difference(gy0[i], c[0], c[1], ky0[i], kc[0], kc[1], ihy2))
        for j in range(1, ny - 1):
            o[j] = (flux_difference(xm[j], c[j], xp[j], kxm[j], kc[j], kxp[j], ihx2)
                    + flux_difference(c[j - 1], c[j], c[j + 1], kc[j - 1], kc[j], kc[j + 1], ihy2))
        e = ny - 1
        o[e] = (flux_difference(xm[e], c[e], xp[e], kxm[e], kc[e], kxp[e], ihx2)
                + flux_difference(c[e - 1], c[e], gy1[i], kc[e - 1], kc[e], ky1[i], ihy2))
        finish_row(mode, o, c, L, P, Q, S, has_sarr, sc, au, ap, a0, al, ag)


@njit(**_par)
def sweep_var_3d(u, k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1, ihx2, ihy2, ihz2,
                 sc, sarr, has_sarr, mode, au, ap, a0, al, ag, p2, q0, l0, out):
    nx, ny, nz = u.shape
    for i in prange(nx):
        for j in range(ny):
            c, kc = u[i, j], k[i, j]
            xm = u[i - 1, j] if i > 0 else gx0[j]
            xp = u[i + 1, j] if i < nx - 1 else gx1[j]
            ym = u[i, j - 1] if j > 0 else gy0[i]
            yp = u[i, j + 1] if j < ny - 1 else gy1[i]
            kxm = k[i - 1, j] if i > 0 else kx0[j]
            kxp = k[i + 1, j] if i < nx - 1 else kx1[j]
            kym = k[i, j - 1] if j > 0 else ky0[i]
            kyp = k[i, j + 1] if j < ny - 1 else ky1[i]
            o, L, P, Q, S = out[i, j], l0[i, j], p2[i, j], q0[i, j], sarr[i, j]
            o[0] = (flux_difference(xm[0], c[0], xp[0], kxm[0], kc[0], kxp[0], ihx2)
                    + flux_difference(ym[0], c[0], yp[0], kym[0], kc[0], kyp[0], ihy2)
                    + flux_difference(gz0[i, j], c[0], c[1], kz0[i, j], kc[0], kc[1], ihz2))
            for m in range(1, nz - 1):
                o[m] = (flux_difference(xm[m], c[m], xp[m], kxm[m], kc[m], kxp[m], ihx2)
                        + flux_difference(ym[m], c[m], yp[m], kym[m], kc[m], kyp[m], ihy2)
                        + flux_difference(c[m - 1], c[m], c[m + 1], kc[m - 1], kc[m], kc[m + 1], ihz2))
            e = nz - 1
            o[e] = (flux_difference(xm[e], c[e], xp[e], kxm[e], kc[e], kxp[e], ihx2)
                    + flux_difference(ym[e], c[e], yp[e], kym[e], kc[e], kyp[e], ihy2)
                    + flux_difference(c[e - 1], c[e], gz1[i, j], kc[e - 1], kc[e], kz1[i, j], ihz2))
            finish_row(mode, o, c, L, P, Q, S, has_sarr, sc, au, ap, a0, al, ag)


@njit(**_par)
def sweep_links(u, Lx, Ly, Lz, D, nbx, wtx, nby, wty, nbz, wtz, g, irc, mode, au, ap, a0, al, ag, p2, q0, l0, out):
    """One sweep of ``v = (A0 u + g) * irc`` (``g``: boundary data plus source; ``irc = 1/rho_c``,
    0 at fixed nodes) finished by :func:`finish_row`; all arrays of the padded shape."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        ii = 0 < i < nx - 1
        for j in range(ny):
            inner = ii and 0 < j < ny - 1
            o = out[i, j]
            for k in range(nz):
                if inner and 0 < k < nz - 1:
                    off = _offdiag_inner(u, Lx, Ly, Lz, i, j, k)
                else:
                    off = _offdiag_shell(u, Lx, Ly, Lz, i, j, k, nbx, wtx, nby, wty, nbz, wtz)
                o[k] = (off + D[i, j, k] * u[i, j, k] + g[i, j, k]) * irc[i, j, k]
            c = u[i, j]
            finish_row(mode, o, c, l0[i, j], p2[i, j], q0[i, j], c, False, 0.0, au, ap, a0, al, ag)


@njit(inline="always")
def _offdiag_inner_flat(u, Lx, Ly, i, j):
    """``_offdiag_inner`` of :mod:`fieldgrad.solvers.mg_links` on a 2D grid padded to ``(nx, ny, 1)``
    (no z links)."""
    return (Lx[i - 1, j, 0] * u[i - 1, j, 0] + Lx[i, j, 0] * u[i + 1, j, 0]
            + Ly[i, j - 1, 0] * u[i, j - 1, 0] + Ly[i, j, 0] * u[i, j + 1, 0])


@njit(**_par)
def sweep_links_flat(u, Lx, Ly, Lz, D, nbx, wtx, nby, wty, nbz, wtz, g, irc, mode, au, ap, a0, al, ag, p2, q0, l0,
                     out):
    """:func:`sweep_links` for ``nz == 1``: one row per ``i`` along y (arguments as there)."""
    nx, ny = u.shape[0], u.shape[1]
    for i in prange(nx):
        ii = 0 < i < nx - 1
        o = out[i, :, 0]
        for j in range(ny):
            if ii and 0 < j < ny - 1:
                off = _offdiag_inner_flat(u, Lx, Ly, i, j)
            else:
                off = _offdiag_shell(u, Lx, Ly, Lz, i, j, 0, nbx, wtx, nby, wty, nbz, wtz)
            o[j] = (off + D[i, j, 0] * u[i, j, 0] + g[i, j, 0]) * irc[i, j, 0]
        c = u[i, :, 0]
        finish_row(mode, o, c, l0[i, :, 0], p2[i, :, 0], q0[i, :, 0], c, False, 0.0, au, ap, a0, al, ag)
