"""Variable-coefficient 7-point operator stored as links plus diagonal (4 arrays, not 7).

``Lx[i, j, k]`` is the conductance ``k_{i+1/2} / h_x^2`` of the link from node ``(i, j, k)`` to
``(i+1, j, k)`` (index ``n-1`` holds the wrap link on a periodic axis, else 0); likewise ``Ly``,
``Lz``.  ``D`` is the full diagonal (minus the row's conductances, minus screening, plus Robin
terms).  Row ``x`` of the operator is ``D u_x + sum over the 6 neighbours of w * L * u``, where
per axis and node the tables of :func:`axis_tables` give the neighbour index, the link index
and the factor ``w`` (1 inside; 2 for the reflected Neumann/Robin ghost at an end; 0 for no
neighbour).  The interior (every neighbour inside) is plain-indexed; the red-black smoother
updates both colours in one pass over memory (slab wavefront, as
:mod:`fieldgrad.solvers.mg_fused`).  ``galerkin_links`` builds the 27-point ``R A P`` coarse
operator straight from the links.

Example
-------
>>> nb, wt = axis_tables(4, False)
>>> wt[:, 0].tolist(), wt[:, 3].tolist()   # reflected ghost: the inside link counts twice
([0.0, 2.0], [2.0, 0.0])
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from .mg_fast import plane_slots, restrict_buffered
from .mg_fused import slab
from .mg_kernels import coarse_offset


def axis_tables(n, periodic):
    """Per-axis tables: ``nb[4, n]`` (minus neighbour, plus neighbour, minus link, plus link;
    always valid indices) and ``wt[2, n]`` (factor of the minus and plus link)."""
    i = np.arange(n, dtype=np.int64)
    nb = np.stack([np.maximum(i - 1, 0), np.minimum(i + 1, n - 1), np.maximum(i - 1, 0), i]).astype(np.int64)
    wt = np.ones((2, n))
    if n == 1:
        wt[:] = 0.0
    elif periodic:
        nb[0, 0], nb[2, 0] = n - 1, n - 1
        nb[1, n - 1] = 0
    else:
        wt[0, 0], wt[1, 0] = 0.0, 2.0
        wt[0, n - 1], wt[1, n - 1] = 2.0, 0.0
    return np.ascontiguousarray(nb), wt


@njit(inline="always")
def _hmean_link(c, o, h):
    return 2.0 * c * o / (c + o) / (h * h)


@njit(parallel=True, cache=True)
def links_from_k(k, hx, hy, hz, px, py, pz, Lx, Ly, Lz):
    """Harmonic-mean link conductances of the node conductivity ``k`` (``p*``: periodic axes)."""
    nx, ny, nz = k.shape
    for i in prange(nx):
        ip = i + 1 if i < nx - 1 else 0
        okx = nx > 1 and (i < nx - 1 or px)
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            oky = ny > 1 and (j < ny - 1 or py)
            for kk in range(nz):
                kp = kk + 1 if kk < nz - 1 else 0
                c = k[i, j, kk]
                Lx[i, j, kk] = _hmean_link(c, k[ip, j, kk], hx) if okx else 0.0
                Ly[i, j, kk] = _hmean_link(c, k[i, jp, kk], hy) if oky else 0.0
                Lz[i, j, kk] = _hmean_link(c, k[i, j, kp], hz) if (nz > 1 and (kk < nz - 1 or pz)) else 0.0


def diag_from_links(Lx, Ly, Lz, nbx, wtx, nby, wty, nbz, wtz, D):
    """``D = -(sum of the row's off-diagonal coefficients)`` (screening/Robin added by the caller);
    ``(nx, ny, 1)`` arrays by the row kernel of :mod:`.mg_links_2d` (the same sums)."""
    if D.shape[2] == 1:
        from .mg_links_2d import diag_from_links2d
        diag_from_links2d(*(_view2(a) for a in (Lx, Ly)), nbx, wtx, nby, wty, _view2(D))
        return
    diag_from_links3(Lx, Ly, Lz, nbx, wtx, nby, wty, nbz, wtz, D)


@njit(parallel=True, cache=True)
def diag_from_links3(Lx, Ly, Lz, nbx, wtx, nby, wty, nbz, wtz, D):
    """``D = -(sum of the row's off-diagonal coefficients)``, any shape."""
    nx, ny, nz = D.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                D[i, j, k] = -(wtx[0, i] * Lx[nbx[2, i], j, k] + wtx[1, i] * Lx[i, j, k]
                               + wty[0, j] * Ly[i, nby[2, j], k] + wty[1, j] * Ly[i, j, k]
                               + wtz[0, k] * Lz[i, j, nbz[2, k]] + wtz[1, k] * Lz[i, j, k])


@njit(inline="always")
def _offdiag_shell(u, Lx, Ly, Lz, i, j, k, nbx, wtx, nby, wty, nbz, wtz):
    return (wtx[0, i] * Lx[nbx[2, i], j, k] * u[nbx[0, i], j, k] + wtx[1, i] * Lx[i, j, k] * u[nbx[1, i], j, k]
            + wty[0, j] * Ly[i, nby[2, j], k] * u[i, nby[0, j], k] + wty[1, j] * Ly[i, j, k] * u[i, nby[1, j], k]
            + wtz[0, k] * Lz[i, j, nbz[2, k]] * u[i, j, nbz[0, k]] + wtz[1, k] * Lz[i, j, k] * u[i, j, nbz[1, k]])


@njit(inline="always")
def _offdiag_inner(u, Lx, Ly, Lz, i, j, k):
    return (Lx[i - 1, j, k] * u[i - 1, j, k] + Lx[i, j, k] * u[i + 1, j, k]
            + Ly[i, j - 1, k] * u[i, j - 1, k] + Ly[i, j, k] * u[i, j + 1, k]
            + Lz[i, j, k - 1] * u[i, j, k - 1] + Lz[i, j, k] * u[i, j, k + 1])


@njit(inline="always")
def _offdiag(u, Lx, Ly, Lz, i, j, k, inner, nbx, wtx, nby, wty, nbz, wtz):
    """The off-diagonal sum at ``(i, j, k)``: the plain neighbour form where ``inner`` (``i`` and ``j``
    off the faces) and ``k`` is interior, else the shell form through the neighbour tables."""
    if inner and 0 < k < u.shape[2] - 1:
        return _offdiag_inner(u, Lx, Ly, Lz, i, j, k)
    return _offdiag_shell(u, Lx, Ly, Lz, i, j, k, nbx, wtx, nby, wty, nbz, wtz)


@njit(inline="always")
def smooth_plane_links(u, f, i, color, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz):
    """Gauss-Seidel update of the colour-``color`` nodes of plane ``i``."""
    nx, ny, nz = u.shape
    if fx[i]:
        return
    ii = 0 < i < nx - 1
    for j in range(ny):
        if fy[j]:
            continue
        k0 = (i + j + color) % 2
        inner = ii and 0 < j < ny - 1
        for k in range(k0, nz, 2):
            if fz[k]:
                continue
            off = _offdiag(u, Lx, Ly, Lz, i, j, k, inner, nbx, wtx, nby, wty, nbz, wtz)
            u[i, j, k] = (f[i, j, k] - off) / D[i, j, k]


@njit(parallel=True, cache=True)
def smooth_links_fused(u, f, nslab, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz, color0):
    """One red-black sweep (colour ``color0`` first) in one pass over memory; slab scheme of
    :func:`fieldgrad.solvers.mg_fused.smooth_rb_fused`."""
    nx = u.shape[0]
    c1 = 1 - color0
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        if i1 > i0:
            smooth_plane_links(u, f, i0, color0, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz)
        if i1 - 1 > i0:
            smooth_plane_links(u, f, i1 - 1, color0, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz)
    for s in prange(nslab):
        i0, i1 = slab(s, nx, nslab)
        for i in range(i0, i1):
            if i + 1 < i1 - 1:
                smooth_plane_links(u, f, i + 1, color0, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz)
            smooth_plane_links(u, f, i, c1, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz)


def residual_links(u, f, r, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz, use_f):
    """``r = f - A u`` (``r = A u`` when ``use_f`` is False); 0 at fixed nodes.

    2D arrays stored ``(nx, ny, 1)`` go to the row kernel of :mod:`.mg_links_2d` (the same
    arithmetic, to the last bit), others to :func:`residual_links3`."""
    if u.shape[2] == 1 and not fz[0] and not fx[1:-1].any() and not fy[1:-1].any():
        try:
            v = [_view2(a) for a in (u, f, r, Lx, Ly, D)]
        except AttributeError:  # a view would need a copy
            v = None
        if v is not None:
            from .active_segments import full_segments
            from .mg_links_2d import residual_links2d
            residual_links2d(*v[:3], *v[3:], fx, fy, nbx, wtx, nby, wty, *full_segments(*u.shape[:2]), use_f)
            return
    residual_links3(u, f, r, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz, use_f)


def _view2(a):
    v = a.view()
    v.shape = a.shape[:2]
    return v


@njit(parallel=True, cache=True)
def residual_links3(u, f, r, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz, use_f):
    """``r = f - A u`` (``r = A u`` when ``use_f`` is False); 0 at fixed nodes; any shape."""
    nx, ny, nz = u.shape
    for i in prange(nx):
        ii = 0 < i < nx - 1
        for j in range(ny):
            inner = ii and 0 < j < ny - 1
            fij = fx[i] or fy[j]
            for k in range(nz):
                if fij or fz[k]:
                    r[i, j, k] = 0.0
                    continue
                au = _offdiag(u, Lx, Ly, Lz, i, j, k, inner, nbx, wtx, nby, wty, nbz, wtz)
                au += D[i, j, k] * u[i, j, k]
                r[i, j, k] = f[i, j, k] - au if use_f else au


@njit(parallel=True, cache=True)
def galerkin_links(Lx, Ly, Lz, D, nbx, wtx, nby, wty, nbz, wtz, out, rix, rwx, riy, rwy, riz, rwz,
                   pix, pwx, piy, pwy, piz, pwz, ncoarse, perc, slot):
    """Galerkin ``R A P`` of the links operator, accumulated into the point-major 27-point stencil
    ``out[I, J, K, slot[(dx+1)*9+(dy+1)*3+dz+1]]`` (``out`` zeroed by the caller; offsets with
    slot -1 -- along singleton axes -- never occur)."""
    cnx, cny, cnz = out.shape[0], out.shape[1], out.shape[2]
    for I in prange(cnx):
        cv = np.empty(7)
        cx_ = np.empty(7, dtype=np.int64)
        cy_ = np.empty(7, dtype=np.int64)
        cz_ = np.empty(7, dtype=np.int64)
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
                            # the 7 entries of fine row (p, q, r)
                            cv[0], cx_[0], cy_[0], cz_[0] = D[p, q, r], p, q, r
                            cv[1], cx_[1], cy_[1], cz_[1] = wtx[0, p] * Lx[nbx[2, p], q, r], nbx[0, p], q, r
                            cv[2], cx_[2], cy_[2], cz_[2] = wtx[1, p] * Lx[p, q, r], nbx[1, p], q, r
                            cv[3], cx_[3], cy_[3], cz_[3] = wty[0, q] * Ly[p, nby[2, q], r], p, nby[0, q], r
                            cv[4], cx_[4], cy_[4], cz_[4] = wty[1, q] * Ly[p, q, r], p, nby[1, q], r
                            cv[5], cx_[5], cy_[5], cz_[5] = wtz[0, r] * Lz[p, q, nbz[2, r]], p, q, nbz[0, r]
                            cv[6], cx_[6], cy_[6], cz_[6] = wtz[1, r] * Lz[p, q, r], p, q, nbz[1, r]
                            for s in range(7):
                                cs = cv[s]
                                if cs == 0.0:
                                    continue
                                x, y, z = cx_[s], cy_[s], cz_[s]
                                wc = w * cs
                                for ax in range(2):
                                    X = pix[x, ax]
                                    if X < 0:
                                        continue
                                    dx = coarse_offset(X - I, perc[0], ncoarse[0])
                                    wx = wc * pwx[x, ax]
                                    for ay in range(2):
                                        Y = piy[y, ay]
                                        if Y < 0:
                                            continue
                                        dy = coarse_offset(Y - J, perc[1], ncoarse[1])
                                        wxy = wx * pwy[y, ay]
                                        for az in range(2):
                                            Z = piz[z, az]
                                            if Z < 0:
                                                continue
                                            dz = coarse_offset(Z - K, perc[2], ncoarse[2])
                                            out[I, J, K, slot[(dx + 1) * 9 + (dy + 1) * 3 + dz + 1]] += wxy * pwz[z, az]


@njit(inline="always")
def _residual_plane_links(u, f, o, i, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz):
    """Residual of plane ``i`` into the 2D array ``o`` (0 at fixed nodes)."""
    nx, ny, nz = u.shape
    ii = 0 < i < nx - 1
    for j in range(ny):
        inner = ii and 0 < j < ny - 1
        fij = fx[i] or fy[j]
        for k in range(nz):
            if fij or fz[k]:
                o[j, k] = 0.0
                continue
            au = _offdiag(u, Lx, Ly, Lz, i, j, k, inner, nbx, wtx, nby, wty, nbz, wtz)
            o[j, k] = f[i, j, k] - au - D[i, j, k] * u[i, j, k]


@njit(parallel=True, cache=True)
def residual_restrict_links(u, f, out, buf, ids, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz,
                            rix, rwx, riy, rwy, riz, rwz):
    """Fused ``out = R (f - A u)`` for the links operator (the scheme of
    :func:`fieldgrad.solvers.mg_fast.residual_restrict_const`, sharing its plane bookkeeping and
    restriction): residual planes into per-chunk buffers ``buf[c, 4, ny, nz]``, reduced in x into
    ``buf[c, 3]``, then full weighting in y and z.  Each fine residual plane is computed about once."""
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
                _residual_plane_links(u, f, buf[c, s], ids[c, s], Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty,
                                      nbz, wtz)
            restrict_buffered(buf[c], slots, rix, rwx, riy, rwy, riz, rwz, I, out)

@njit(parallel=True, cache=True)
def residual_norm_links(u, f, Lx, Ly, Lz, D, fx, fy, fz, nbx, wtx, nby, wty, nbz, wtz):
    """``||f - A u||_2`` without storing the residual."""
    nx, ny, nz = u.shape
    acc = np.zeros(nx)
    for i in prange(nx):
        ii = 0 < i < nx - 1
        s = 0.0
        for j in range(ny):
            inner = ii and 0 < j < ny - 1
            if fx[i] or fy[j]:
                continue
            for k in range(nz):
                if fz[k]:
                    continue
                au = _offdiag(u, Lx, Ly, Lz, i, j, k, inner, nbx, wtx, nby, wty, nbz, wtz)
                rk = f[i, j, k] - au - D[i, j, k] * u[i, j, k]
                s += rk * rk
        acc[i] = s
    return np.sqrt(acc.sum())
