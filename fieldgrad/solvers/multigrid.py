"""Geometric multigrid hierarchy and cycles (V, W, F, FMG) on the padded 3-axis system.

Levels coarsen the strongly coupled axes that can (odd node count >= 5 on a non-periodic axis,
even >= 8 on a periodic one; on an isotropic grid every axis, on an anisotropic one only the
axes of small spacing until the spacing is nearly isotropic: :mod:`.mg_semicoarsen`) until the
coarsest level has at most ``coarse_size`` nodes or nothing coarsens; the
coarsest level is solved by a sparse LU factorisation (bordered by the zero-mean constraint
when the problem is singular).  Constant coefficients use rediscretised 7-point operators
(red-black SOR, both colours in one pass: :mod:`.mg_fused`; 2D levels: :mod:`.mg_2d`);
variable ``k`` or screening store the fine operator as links plus diagonal (:mod:`.mg_links`)
and use Galerkin ``R A P`` coarse operators (27-point in 3D, :mod:`.mg27`), which keep
coefficient jumps on the coarse grids.  FMG interpolates coarse solutions cubically
(:mod:`.mg_fmg`).
"""
from __future__ import annotations

import numba
import numpy as np

from . import mg_fast as F
from . import mg27 as M27
from . import mg_fmg as F3
from . import mg_fused as FU
from . import mg_2d as M2
from ..threads import SERIAL_BELOW, serial_if_small
from .active_segments import coarse_active, full_segments, row_segments
from .mg_2d import view2
from .mg_semicoarsen import coarsen_modes
from . import mg_kernels as K
from . import mg_links as FL
from . import mg_links_2d as L2
from .matrix import ReducedSystem, _stencil_to_csr


_BOX = np.array([[dx, dy, dz] for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)], dtype=np.int64)
_BOX27 = _BOX[[13] + [s for s in range(27) if s != 13]]


def _maps(n, periodic, reflect):
    """Neighbour maps (minus, plus) for one axis: reflect (ghost) or -1 outside (explicit)."""
    idx = np.arange(n, dtype=np.int64)
    m, p = idx - 1, idx + 1
    if n == 1:
        return idx.copy(), idx.copy()
    if periodic:
        m[0], p[-1] = n - 1, 0
    elif reflect:
        m[0], p[-1] = 1, n - 2
    else:
        m[0], p[-1] = -1, -1
    return m, p


def coarse_nodes(nf, mode, periodic):
    """Fine index of every coarse node on one axis.

    ``mode`` 0: not coarsened; 1: standard (every other node); 2: non-uniform (every other node
    plus the last one -- an even non-periodic or odd periodic node count).
    """
    if mode == 0:
        return np.arange(nf, dtype=np.int64)
    cf = np.arange(0, nf, 2, dtype=np.int64)
    if mode == 2 and not periodic:
        cf = np.append(cf, nf - 1)
    return cf


def _transfer_tables(nf, nc, mode, periodic):
    """Per-axis interpolation ``pi/pw`` (linear in the index between the coarse nodes around a
    fine node) and restriction ``ri/rw``: ``R[c, q] = P[q, c] w_q / (2 w_c)`` with trapezoid
    weights ``w`` (1/2 on the end nodes of a non-periodic axis), which is full weighting
    ``1/4, 1/2, 1/4`` on a standard axis and the W-adjoint of ``P`` (symmetric preconditioner)."""
    ri = np.full((nc, 3), -1, dtype=np.int64)
    rw = np.zeros((nc, 3))
    pi = np.full((nf, 2), -1, dtype=np.int64)
    pw = np.zeros((nf, 2))
    if mode == 0:
        ri[:, 0] = np.arange(nc)
        rw[:, 0] = 1.0
        pi[:, 0] = np.arange(nf)
        pw[:, 0] = 1.0
        return ri, rw, pi, pw
    cf = coarse_nodes(nf, mode, periodic)
    assert cf.size == nc
    where = np.full(nf, -1, dtype=np.int64)
    where[cf] = np.arange(nc)
    on = where >= 0
    pi[on, 0], pw[on, 0] = where[on], 1.0
    q = np.flatnonzero(~on)  # between coarse nodes q-1 and q+1 (index spacing 2)
    pi[q, 0], pi[q, 1] = where[q - 1], where[(q + 1) % nf]
    pw[q] = 0.5
    w = np.ones(nf)
    if not periodic:
        w[0] = w[-1] = 0.5
    wc = w[cf]
    # each coarse node's fine nodes in the order (q, slot of P) -- the row-major order of ``pi``
    qs = np.repeat(np.arange(nf), 2)
    cs = pi.ravel()
    keep = cs >= 0
    qs, cs, ws = qs[keep], cs[keep], pw.ravel()[keep]
    order = np.argsort(cs, kind="stable")
    qs, cs, ws = qs[order], cs[order], ws[order]
    slot = np.arange(cs.size) - np.searchsorted(cs, cs)  # rank among the entries of the same coarse node
    ri[cs, slot] = qs
    rw[cs, slot] = ws * w[qs] / (2.0 * wc[cs])
    return ri, rw, pi, pw


class Level:
    """One multigrid level (arrays are 3-axis)."""

    def __init__(self, shape, h, periodic, fixed1):
        self.shape, self.h, self.periodic, self.fixed1 = tuple(shape), tuple(h), tuple(periodic), fixed1
        self.size = int(np.prod(shape))
        self.reflect_maps = [_maps(n, p, True) for n, p in zip(shape, periodic)]
        nmax = max(shape)
        self.nbr = np.full((3, 2, nmax), -1, dtype=np.int64)
        for a, (n, p) in enumerate(zip(shape, periodic)):
            m, pp = _maps(n, p, False)
            if n == 1:
                m, pp = np.full(1, -1), np.full(1, -1)
            self.nbr[a, 0, :n], self.nbr[a, 1, :n] = m, pp
        self.kind = None
        self.omega = 1.0  # over-relaxation of the constant-coefficient red-black smoother
        self._arrays = {}
        # a 2D level's active nodes as row runs (:mod:`.active_segments`); all of them by default
        self.active = None
        self.segs = full_segments(shape[0], shape[1]) if shape[2] == 1 else None

    def _array(self, name):
        a = self._arrays.get(name)
        if a is None:
            a = self._arrays[name] = np.zeros(self.shape)
        return a

    # work arrays, allocated on first use and kept (the fine level never needs u and f, and its r
    # only outside the fused const path)
    u = property(lambda self: self._array("u"))
    f = property(lambda self: self._array("f"))
    r = property(lambda self: self._array("r"))

    # -------------------------------------------------------------- operator forms
    def set_const(self, c, diag0, diag1):
        self.kind = "const"
        self.c = tuple(float(x) if n > 1 else 0.0 for x, n in zip(c, self.shape))
        self.diag0 = float(diag0 - 2 * sum(self.c))
        self.diag1 = [np.ascontiguousarray(d, dtype=np.float64) for d in diag1]
        self.ncolors = 2
        (mx, px), (my, py), (mz, pz) = self.reflect_maps
        self.const_args = (*self.c, self.diag0, *self.diag1, *self.fixed1, mx, px, my, py, mz, pz)
        # 2D (and 1D) levels, stored (nx, ny, 1): the 5-point kernels on the (nx, ny) view
        self.const_args2 = None
        if self.shape[2] == 1:
            self.const_args2 = (self.c[0], self.c[1], self.diag0 + float(self.diag1[2][0]), self.diag1[0],
                                self.diag1[1], self.fixed1[0], self.fixed1[1], mx, px, my, py)

    def set_stencil(self, coef, offs):
        self.kind = "stencil"
        offs = np.asarray(offs, dtype=np.int64)
        # offsets along a singleton axis carry no coupling; dropping them lets the kernels use
        # plain indices at every node whose neighbours are inside the grid
        keep = [s for s in range(offs.shape[0])
                if s == 0 or all(offs[s, a] == 0 or self.shape[a] > 1 for a in range(3))]
        if len(keep) < offs.shape[0]:
            coef = coef[keep]
            offs = offs[keep]
        # point-major: coef[i, j, k, s] (no copy when coef is already a view of such storage)
        self.coef = np.ascontiguousarray(np.moveaxis(coef, 0, -1))
        self.offs = np.ascontiguousarray(offs)
        self.ncolors = 2 if coef.shape[0] <= 7 else 8
        # the full 3x3x3 box in Hierarchy._rap's order: the unrolled 27-point smoother
        self.is27 = self.offs.shape[0] == 27 and np.array_equal(self.offs, _BOX27)
        # a 2D level's 3x3 box: the 9-point row kernels (:mod:`.mg_links_2d`) on (nx, ny) views
        self.args9 = None
        if (self.shape[2] == 1 and self._plain2d() and self.offs.shape[0] == 9
                and np.array_equal(self.offs[:, :2], L2.OFF9) and not self.offs[:, 2].any()):
            self.args9 = (self.coef.reshape(self.shape[:2] + (9,)), self.fixed1[0], self.fixed1[1],
                          np.ascontiguousarray(self.nbr[:2]), *self.segs)

    def set_links(self, Lx, Ly, Lz, D, tables):
        """Variable-coefficient 7-point operator as links plus diagonal (:mod:`.mg_links`)."""
        self.kind = "links"
        self.links = (Lx, Ly, Lz, D)
        self.link_tables = tuple(x for t in tables for x in t)  # nbx, wtx, nby, wty, nbz, wtz
        self.ncolors = 2
        # 2D levels, stored (nx, ny, 1): the row kernels of :mod:`.mg_links_2d` on the (nx, ny) views
        self.links_args2 = None
        if self.shape[2] == 1 and self._plain2d():
            nbx, wtx, nby, wty = self.link_tables[:4]
            try:
                self.links_args2 = (view2(Lx), view2(Ly), view2(D), self.fixed1[0], self.fixed1[1], nbx, wtx, nby,
                                    wty, *self.segs)
            except AttributeError:  # arrays a view cannot reshape: the 3D kernels
                self.links_args2 = None

    def set_active(self, active, segs=None):
        """Restrict the 2D row kernels to the nodes ``active`` (bool ``(nx, ny)``; None: all): the
        others are never smoothed, have a zero residual and are not written by a prolongation
        (:mod:`.active_segments`; ``segs``: its runs when already known).  Only 2D levels with row
        kernels use it; others ignore it."""
        if self.segs is None:
            return
        self.active = None if active is None else np.asarray(active, dtype=bool)
        if segs is None:
            segs = full_segments(*self.shape[:2]) if active is None else row_segments(self.active)
        self.segs = segs
        if getattr(self, "links_args2", None) is not None:
            self.links_args2 = self.links_args2[:-2] + self.segs
        if getattr(self, "args9", None) is not None:
            self.args9 = self.args9[:-2] + self.segs

    def _wave(self, nslab, sweeps):
        """The row order of ``sweeps`` 2D sweeps in one pass (:func:`.mg_links_2d.wave_schedule`;
        None for one sweep or slabs too short), cached."""
        if sweeps < 2:
            return None
        cache = self.__dict__.setdefault("_waves", {})
        key = (nslab, sweeps)
        if key not in cache:
            cache[key] = L2.wave_schedule(self.shape[0], nslab, 2 * sweeps, self.periodic[0])
        return cache[key]

    def _plain2d(self):
        """A 2D level whose fixed flags sit only on end nodes (what the 2D row kernels assume)."""
        fx, fy, fz = self.fixed1
        return not fz[0] and not fx[1:-1].any() and not fy[1:-1].any()

    def explicit(self):
        """``(coef, offs)`` of this level's operator (converting the const and links forms)."""
        if self.kind == "stencil":
            return np.moveaxis(self.coef, -1, 0), self.offs
        offs = np.array([[0, 0, 0], [-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], dtype=np.int64)
        coef = np.moveaxis(np.zeros(self.shape + (7,)), -1, 0)
        if self.kind == "links":
            D = self.links[3]
            coef[0] = D
            for a in range(3):
                nb, wt = self.link_tables[2 * a], self.link_tables[2 * a + 1]
                L = self.links[a]
                shp = [1, 1, 1]
                shp[a] = -1
                coef[1 + 2 * a] = wt[0].reshape(shp) * np.take(L, nb[2], axis=a)
                coef[2 + 2 * a] = wt[1].reshape(shp) * L
            return coef, offs
        dx, dy, dz = self.diag1
        coef[0] = self.diag0 + dx[:, None, None] + dy[None, :, None] + dz[None, None, :]
        for a in range(3):
            n = self.shape[a]
            if n == 1:
                continue
            cm, cp = coef[1 + 2 * a], coef[2 + 2 * a]
            cm[...] = self.c[a]
            cp[...] = self.c[a]
            if not self.periodic[a]:
                sl0 = [slice(None)] * 3
                sl0[a] = 0
                sl1 = [slice(None)] * 3
                sl1[a] = -1
                cp[tuple(sl0)] = 2 * self.c[a]
                cm[tuple(sl0)] = 0.0
                cm[tuple(sl1)] = 2 * self.c[a]
                cp[tuple(sl1)] = 0.0
        return coef, offs

    # -------------------------------------------------------------- kernels
    def smooth(self, u, f, sweeps, reverse=False, norm=False):
        """``sweeps`` smoothing sweeps of ``u`` in place; with ``norm``, return ``||f - A u||_2``
        after them (the constant 3D form computes it inside the last sweep's pass), else None."""
        if norm and sweeps > 0 and self.kind == "const" and self.ncolors == 2 and self.const_args2 is None:
            self.smooth(u, f, sweeps - 1, reverse)
            nslab = max(1, min(numba.get_num_threads(), self.shape[0]))
            return float(FU.smooth_rb_fused(u, f, nslab, *self.const_args, 1 if reverse else 0, self.omega, True))
        self._smooth(u, f, sweeps, reverse)
        return self.residual_norm(u, f) if norm else None

    def _smooth(self, u, f, sweeps, reverse):
        fx, fy, fz = self.fixed1
        colors = range(self.ncolors)
        if reverse:
            colors = colors[::-1]
        if self.kind == "links":
            nslab = max(1, min(numba.get_num_threads(), self.shape[0]))
            if self.links_args2 is not None:
                u2, f2 = view2(u), view2(f)
                w = self._wave(nslab, sweeps)
                if w is not None:  # the sweeps in one pass over memory
                    L2.smooth_links_waves(u2, f2, *w, *self.links_args2, colors[0])
                    return
                for _ in range(sweeps):
                    L2.smooth_links_fused2(u2, f2, nslab, *self.links_args2, colors[0])
                return
            for _ in range(sweeps):
                FL.smooth_links_fused(u, f, nslab, *self.links, fx, fy, fz, *self.link_tables, colors[0])
            return
        if self.kind == "const" and self.ncolors == 2:
            nslab = max(1, min(numba.get_num_threads(), self.shape[0]))
            if self.const_args2 is not None:
                u2, f2 = view2(u), view2(f)
                for _ in range(sweeps):
                    M2.smooth_rb_fused2(u2, f2, nslab, *self.const_args2, colors[0], self.omega)
                return
            for _ in range(sweeps):
                FU.smooth_rb_fused(u, f, nslab, *self.const_args, colors[0], self.omega)
            return
        if self.kind == "stencil" and self.args9 is not None:
            nslab = max(1, min(numba.get_num_threads(), self.shape[0]))
            u2, f2 = view2(u), view2(f)
            C, rest = self.args9[0], self.args9[1:]
            w = self._wave(nslab, sweeps)
            if w is not None:
                L2.smooth9_waves(u2, f2, C, *w, *rest, 1 if reverse else 0)
                return
            for _ in range(sweeps):
                L2.smooth9_fused(u2, f2, C, nslab, *rest, 1 if reverse else 0)
            return
        for _ in range(sweeps):
            for col in colors:
                if self.kind == "const":
                    F.smooth_const_fast(u, f, *self.const_args, col)
                elif self.is27:
                    M27.smooth27(u, f, self.coef, self.offs, self.nbr, fx, fy, fz, col)
                else:
                    K.smooth_stencil(u, f, self.coef, self.offs, self.nbr, fx, fy, fz, col, self.ncolors)

    def residual(self, u, f, r, use_f=True):
        """``r = f - A u`` (``r = A u`` when ``use_f`` is False); 0 at fixed nodes."""
        fx, fy, fz = self.fixed1
        if self.kind == "const":
            if use_f and self.const_args2 is not None:
                M2.residual2d(view2(u), view2(f), view2(r), *self.const_args2)
            elif use_f:
                F.residual_const_fast(u, f, r, *self.const_args)
            else:
                (mx, px), (my, py), (mz, pz) = self.reflect_maps
                K.residual_const(u, f, r, *self.c, self.diag0, *self.diag1, fx, fy, fz, mx, px, my, py, mz, pz,
                                 use_f)
        elif self.kind == "links" and self.links_args2 is not None:
            L2.residual_links2d(view2(u), view2(f), view2(r), *self.links_args2, use_f)
        elif self.kind == "links":
            FL.residual_links(u, f, r, *self.links, fx, fy, fz, *self.link_tables, use_f)
        elif self.args9 is not None:
            L2.residual9(view2(u), view2(f), view2(r), *self.args9, use_f)
        else:
            K.residual_stencil(u, f, r, self.coef, self.offs, self.nbr, fx, fy, fz, use_f)
        return r

    def residual_norm(self, u, f):
        """``||f - A u||_2`` (the const form does not store the residual)."""
        if self.kind == "const" and self.const_args2 is not None:
            nch = max(1, min(numba.get_num_threads(), self.shape[0]))
            return float(M2.residual_norm2d(view2(u), view2(f), nch, *self.const_args2))
        if self.kind == "const":
            return float(F.residual_norm_const(u, f, *self.const_args))
        if self.kind == "links" and self.links_args2 is not None:
            nch = max(1, min(numba.get_num_threads(), self.shape[0]))
            return float(L2.residual_norm_links2d(view2(u), view2(f), nch, *self.links_args2))
        if self.kind == "links":
            return float(FL.residual_norm_links(u, f, *self.links, *self.fixed1, *self.link_tables))
        return float(K.norm2(self.residual(u, f, self.r)))


# red-black SOR factor by number of coupled axes (measured residual factor per V(2,2) cycle:
# 3D 0.07 -> 0.02 with 1.2, 2D 0.05 -> 0.02 with 1.15; see benchmarks/results/poisson.md)
DEFAULT_OMEGA = {0: 1.0, 1: 1.0, 2: 1.15, 3: 1.2}




def _coarsen_shape(shape, periodic, h=None):
    """Per-axis coarsening modes (see :func:`coarse_nodes`) and the coarse shape: the strongly
    coupled axes by the spacing ``h`` (:mod:`.mg_semicoarsen`), every axis that can when ``h`` is None."""
    modes = coarsen_modes(shape, (1.0,) * len(shape) if h is None else h, periodic)
    cshape = tuple(coarse_nodes(n, m, p).size for n, m, p in zip(shape, modes, periodic))
    return modes, cshape


class Hierarchy:
    """Multigrid levels for one Problem.

    Parameters
    ----------
    prob : Problem
    coarse_size : int
        Stop coarsening at or below this many nodes.
    galerkin : bool or None
        Force Galerkin coarse operators (None: Galerkin exactly when coefficients vary).
    omega : float or None
        Over-relaxation of the red-black smoother on constant-coefficient levels (None:
        ``DEFAULT_OMEGA`` by the number of coupled axes; 1 is plain Gauss-Seidel).  Explicit
        (Galerkin) stencil levels always use plain multicolour Gauss-Seidel.
    fmg_interp : {"cubic", "linear"} or None
        Interpolation of the coarse solution in FMG (cubic: one cycle per level reaches
        discretisation accuracy; the cycles' correction prolongation is always linear).  None:
        cubic for constant coefficients, linear with Galerkin levels -- a cubic across a
        coefficient jump overshoots (a 1e4 inclusion: relative residual 16-31 after the FMG pass
        with cubic, 4e-3 with linear, and MG-CG 1 + 7 against 1 + 5 iterations).
    active : bool array of the grid's shape or None
        Work only on these nodes (a 2D domain with holes; :meth:`set_active`): with it the coarse
        levels are built as the Galerkin operators of the active sub-problem (rows at active nodes
        only), which costs the set-up what the holes take from the grid.
    """

    def __init__(self, prob, coarse_size=3000, galerkin=None, omega=None, fmg_interp=None, active=None):
        self.prob = prob
        self.singular = prob.singular
        self._cubic = {}
        self.serial_below = SERIAL_BELOW
        if galerkin is None:
            galerkin = not prob.constant_coefficients
        self.fmg_interp = fmg_interp if fmg_interp is not None else ("linear" if galerkin else "cubic")
        self.galerkin = galerkin
        # a level's h only steers which axes coarsen: give it the coupling strengths
        lev = Level(prob.shape3, prob.coupling_h3(), prob.periodic3, [f.copy() for f in prob.fixed1])
        if galerkin:
            lev.set_links(*prob.links_diag())
        else:
            lev.set_const([prob.k_const / h ** 2 for h in prob.h3], -prob.s_const, prob.robin_diag1())
        self.levels = [lev]
        self.transfers, self.modes, self.coarse_index = [], [], []
        # the active nodes of the current level while the 2D Galerkin path builds the levels
        act = None
        if active is not None and lev.kind == "links" and lev.links_args2 is not None:
            act = np.ascontiguousarray(np.asarray(active, dtype=bool).reshape(lev.shape[:2]))
        acts = [act]  # each level's active nodes, for set_active (None past a level without row kernels)
        while lev.size > coarse_size:
            modes, cshape = _coarsen_shape(lev.shape, lev.periodic, lev.h)
            if not any(modes):
                break
            ch = tuple(2 * h if m else h for h, m in zip(lev.h, modes))
            cfixed = [np.concatenate([fx[:1], np.zeros(nc - 2, dtype=bool), fx[-1:]]) if (m and nc >= 2) else fx.copy()
                      for fx, nc, m in zip(lev.fixed1, cshape, modes)]
            clev = Level(cshape, ch, lev.periodic, cfixed)
            tables = [_transfer_tables(nf, nc, m, p) for nf, nc, m, p in zip(lev.shape, cshape, modes, lev.periodic)]
            self.transfers.append(tables)
            self.modes.append(tuple(modes))
            self.coarse_index.append([coarse_nodes(n, m, p) for n, m, p in zip(lev.shape, modes, lev.periodic)])
            if galerkin or lev.kind in ("stencil", "links") or 2 in modes:
                # variable coefficients, or a non-uniform coarse grid: Galerkin R A P
                cact = None if act is None else coarse_active(act, tables[0][0], tables[1][0])
                with serial_if_small(clev.size, self.serial_below):  # (see fieldgrad.threads)
                    clev.set_stencil(*self._rap(lev, clev, tables, act, cact))
                act = cact if clev.args9 is not None else None
                acts.append(cact)
            else:
                kc = prob.k_const
                diag1 = [np.zeros(n) for n in cshape]
                for a in range(prob.ndim):
                    for side, c in enumerate(prob.conds3[a]):
                        if c is not None and c.kind == "robin":
                            diag1[a][0 if side == 0 else -1] -= 2 * kc * float(c.alpha) / float(c.beta) / ch[a]
                clev.set_const([kc / h ** 2 for h in ch], -prob.s_const, diag1)
            self.levels.append(clev)
            lev = clev
        for lv in self.levels:
            if lv.kind == "const":
                lv.omega = float(omega) if omega is not None else DEFAULT_OMEGA[sum(n > 1 for n in lv.shape)]
        restricted = len(self.levels) > 1 and acts[0] is not None  # coarse rows at active nodes only
        if active is None or not self.set_active(active, acts if restricted else None):  # (it factors)
            if restricted:  # active Galerkin rows, but some level cannot work on active nodes: build it whole
                self.__init__(prob, coarse_size, galerkin, omega, fmg_interp)
                return
            self._factor_coarsest()
        self._restrict_buffers = {}

    def set_active(self, active, acts=None):
        """Work only on the nodes ``active`` (bool, ``grid.shape`` of a 2D problem; the coarse levels'
        by :func:`.active_segments.coarse_active`): a domain with holes, whose outside nodes carry
        no unknowns.  A cycle started from 0 then leaves the inactive nodes at 0 and is the
        symmetric V-cycle of the active sub-problem.  Returns True when taken; False (and nothing
        changes) unless every level above the coarsest runs the 2D variable-coefficient row kernels
        (:mod:`.mg_links_2d`).  ``acts``: every level's active nodes when already derived (the
        constructor's)."""
        row_kernels = all(lv.kind == "links" and lv.links_args2 is not None
                          or lv.kind == "stencil" and lv.args9 is not None for lv in self.levels[:-1])
        if not row_kernels:
            return False
        act = np.asarray(active, dtype=bool).reshape(self.levels[0].shape[:2])
        for l, lev in enumerate(self.levels):
            lev.set_active(act)
            if l + 1 < len(self.levels):
                (rix, _, _, _), (riy, _, _, _), _ = self.transfers[l]
                act = acts[l + 1] if acts is not None else coarse_active(act, rix, riy)
        self._factor_coarsest()  # the coarsest solve on the active nodes only
        return True

    @staticmethod
    def _rap(fine, coarse, tables, act=None, cact=None):
        """The Galerkin operator ``R A P`` of ``fine`` on ``coarse``: ``(coef, offs)``.  On the 2D
        path, ``act``/``cact`` (fine and coarse active nodes) give the Galerkin operator of the
        active sub-problem (:func:`.mg_links_2d.galerkin_links2d`); elsewhere they must be None."""
        allo = np.array([[dx, dy, dz] for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)], dtype=np.int64)
        keep = [13] + [s for s in range(27) if s != 13 and all(allo[s, a] == 0 or coarse.shape[a] > 1 for a in range(3))]
        (rix, rwx, pix, pwx), (riy, rwy, piy, pwy), (riz, rwz, piz, pwz) = tables
        fine9 = fine.links_args2 if fine.kind == "links" else (fine.args9 if fine.kind == "stencil" else None)
        if fine9 is not None and coarse.shape[2] == 1 and len(keep) == 9:
            # 2D: straight into the 9-point coarse stencil (:mod:`.mg_links_2d`)
            out = np.zeros(coarse.shape + (9,))
            o2 = out.reshape(coarse.shape[:2] + (9,))
            tabs = (rix, rwx, riy, rwy, pix, pwx, piy, pwy, coarse.shape[0], coarse.shape[1], *coarse.periodic[:2])
            box = L2.standard_box(rix, rwx, pix, pwx, riy, rwy, piy, pwy)  # the interior, without tables
            if act is None:
                act, cact = np.ones(fine.shape[:2], dtype=bool), np.ones(coarse.shape[:2], dtype=bool)
            if fine.kind == "links":
                Lx, Ly, D, _, _, nbx, wtx, nby, wty = fine9[:9]
                L2.galerkin_links2d(Lx, Ly, D, nbx, wtx, nby, wty, o2, *tabs, act, cact, *box)
                L2.galerkin_links2d_interior(Lx, Ly, D, o2, act, cact, *box)
            else:
                L2.galerkin9(fine9[0], fine9[3], o2, *tabs, act, cact, *box)
                L2.galerkin9_interior(fine9[0], o2, act, cact, *box)
            return np.moveaxis(out, -1, 0), allo[keep]
        if act is not None:
            raise AssertionError("active nodes reach only the 2D Galerkin path")
        if fine.kind == "links":
            # straight from the links, into point-major storage in ``keep`` order (no copies)
            slot = np.full(27, -1, dtype=np.int64)
            slot[keep] = np.arange(len(keep))
            out = np.zeros(coarse.shape + (len(keep),))
            FL.galerkin_links(*fine.links, *fine.link_tables, out, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy,
                              pwy, piz, pwz, np.array(coarse.shape, dtype=np.int64),
                              np.array(coarse.periodic, dtype=np.bool_), slot)
            return np.moveaxis(out, -1, 0), allo[keep]
        coef, offs = fine.explicit()
        coef = np.ascontiguousarray(np.moveaxis(coef, 0, -1))  # point-major, no copy
        out = np.zeros(coarse.shape + (27,))
        (rix, rwx, pix, pwx), (riy, rwy, piy, pwy), (riz, rwz, piz, pwz) = tables
        K.galerkin(coef, offs, fine.nbr, out, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy, pwy, piz, pwz,
                   np.array(coarse.shape, dtype=np.int64), np.array(coarse.periodic, dtype=np.bool_))
        allo = np.array([[dx, dy, dz] for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)], dtype=np.int64)
        keep = [13] + [s for s in range(27) if s != 13 and all(allo[s, a] == 0 or coarse.shape[a] > 1 for a in range(3))]
        return np.moveaxis(out[..., keep], -1, 0), allo[keep]

    def _factor_coarsest(self):
        lev = self.levels[-1]
        coef, offs = lev.explicit()
        fixed = lev.fixed1[0][:, None, None] | lev.fixed1[1][None, :, None] | lev.fixed1[2][None, None, :]
        if lev.active is not None:  # inactive nodes: held at their value (0 in a cycle)
            fixed = fixed | ~lev.active[:, :, None]
        A = _stencil_to_csr(coef, offs, lev.shape, lev.periodic, fixed)
        self._coarse = ReducedSystem(A, fixed, self.singular)

    def coarse_solve(self, u, f):
        """Exact solve on the coarsest level, in place; fixed nodes keep their values in ``u``."""
        c = self._coarse
        b = f.ravel().copy()
        b[c.fixed] = u.ravel()[c.fixed]
        u.ravel()[:] = c.solve(b)

    # -------------------------------------------------------------- cycles
    def cycle(self, u, f, level=0, kind="V", nu1=2, nu2=2, symmetric=False, norm=False):
        """One cycle on ``level`` improving ``u`` for ``A u = f`` in place; with ``norm``, returns
        ``||f - A u||_2`` after it (computed in the last smoothing pass where the level allows).

        ``symmetric=True`` post-smooths in reverse colour order (a symmetric preconditioner for
        CG); the default red-black order in both smoothings converges faster on its own.
        Levels below ``serial_below`` nodes run on one thread: their kernels take microseconds,
        less than a fork-join of the thread pool (and far less on a loaded machine, where a
        descheduled worker stalls every parallel kernel).
        """
        with serial_if_small(self.levels[level].size, self.serial_below):
            return self._cycle(u, f, level, kind, nu1, nu2, symmetric, norm)

    def _cycle(self, u, f, level, kind, nu1, nu2, symmetric, norm=False):
        lev = self.levels[level]
        if level == len(self.levels) - 1:
            self.coarse_solve(u, f)
            return lev.residual_norm(u, f) if norm else None
        lev.smooth(u, f, nu1)
        clev = self.levels[level + 1]
        self.residual_restrict(level, u, f, clev.f)
        clev.u[...] = 0.0
        if kind == "V":
            self.cycle(clev.u, clev.f, level + 1, "V", nu1, nu2, symmetric)
        elif kind == "W":
            self.cycle(clev.u, clev.f, level + 1, "W", nu1, nu2, symmetric)
            self.cycle(clev.u, clev.f, level + 1, "W", nu1, nu2, symmetric)
        else:  # F
            self.cycle(clev.u, clev.f, level + 1, "F", nu1, nu2, symmetric)
            self.cycle(clev.u, clev.f, level + 1, "V", nu1, nu2, symmetric)
        self.prolong(level, clev.u, u, assign=False)
        return lev.smooth(u, f, nu2, reverse=symmetric, norm=norm)

    def residual_restrict(self, level, u, f, out):
        """``out = R (f - A u)`` on ``level`` (fused for the constant operator)."""
        lev = self.levels[level]
        (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = self.transfers[level]
        if lev.kind == "const" and lev.const_args2 is not None:
            nch = max(1, min(numba.get_num_threads(), out.shape[0]))
            M2.residual_restrict2d(view2(u), view2(f), view2(out), nch, *lev.const_args2, rix, rwx, riy, rwy)
        elif lev.kind == "links" and lev.links_args2 is not None:
            nch = max(1, min(numba.get_num_threads(), out.shape[0]))
            L2.residual_restrict_links2d(view2(u), view2(f), view2(out), nch, *lev.links_args2, rix, rwx, riy, rwy)
        elif lev.kind == "stencil" and lev.args9 is not None:
            nch = max(1, min(numba.get_num_threads(), out.shape[0]))
            L2.residual_restrict9(view2(u), view2(f), view2(out), nch, *lev.args9, rix, rwx, riy, rwy)
        elif lev.kind in ("const", "links"):
            buf = self._restrict_buffers.get(level)
            if buf is None:
                nch = max(1, min(numba.get_num_threads(), out.shape[0]))
                buf = self._restrict_buffers[level] = (np.empty((nch, 4) + lev.shape[1:]),
                                                       np.empty((nch, 4), dtype=np.int64))
            if lev.kind == "const":
                F.residual_restrict_const(u, f, out, buf[0], buf[1], *lev.const_args, rix, rwx, riy, rwy, riz, rwz)
            else:  # no fine residual array
                FL.residual_restrict_links(u, f, out, buf[0], buf[1], *lev.links, *lev.fixed1, *lev.link_tables,
                                           rix, rwx, riy, rwy, riz, rwz)
        else:
            lev.residual(u, f, lev.r)
            K.restrict(lev.r, out, rix, rwx, riy, rwy, riz, rwz)

    def prolong(self, level, e, u, assign):
        """``u += P e`` (``u = P e`` when ``assign``) at the unknown nodes of ``level``."""
        lev = self.levels[level]
        (_, _, pix, pwx), (_, _, piy, pwy), (_, _, piz, pwz) = self.transfers[level]
        mz = self.modes[level][2]
        if lev.shape[2] == 1:
            M2.prolong2d(view2(e), view2(u), pix, pwx, piy, pwy, lev.fixed1[0], lev.fixed1[1], *lev.segs, assign)
        elif mz in (0, 1):
            F.prolong_add_std(e, u, pix, pwx, piy, pwy, *lev.fixed1, mz == 1, lev.periodic[2], assign)
        else:
            K.prolong(e, u, pix, pwx, piy, pwy, piz, pwz, *lev.fixed1, assign)

    def prolong_fmg_cubic(self, level, e, u):
        """``u = P3 e`` (cubic, :mod:`fieldgrad.solvers.mg_fmg`) at the unknown nodes of ``level``."""
        tabs = self._cubic.get(level)
        if tabs is None:
            lev = self.levels[level]
            tabs = []
            for a in range(3):
                t = F3.cubic_tables(lev.shape[a], self.coarse_index[level][a], lev.periodic[a])
                tabs.extend(t)
            self._cubic[level] = tabs
        lev = self.levels[level]
        if lev.shape[2] == 1:
            F3.prolong_cubic2(view2(e), view2(u), *tabs[:4], lev.fixed1[0], lev.fixed1[1])
        else:
            F3.prolong_cubic(e, u, *tabs, *lev.fixed1)

    def fmg(self, u, b, f_source, ud, kind="V", nu1=2, nu2=2, cycles=1, norm=False):
        """Full multigrid: restrict the problem to every level, solve the coarsest, interpolate
        up with ``cycles`` cycles per level.  ``u`` (fine, holding Dirichlet values) is overwritten
        and returned -- or, with ``norm``, the fine residual norm ``||b - A u||_2`` after it.

        ``b`` is the fine right-hand side; ``f_source`` the same with the source term (not the
        Dirichlet value) on fixed nodes, used for restriction -- or a tuple ``(fixed_mask,
        source_values)`` swapped into ``b`` for the first restriction (saves a copy); ``ud`` the
        Dirichlet values (may be ``u`` itself).
        """
        nl = len(self.levels)
        saved = None
        if isinstance(f_source, tuple):  # (fixed mask, source values there): swap into b, no copy
            mask, vals = f_source
            saved = b[mask]
            b[mask] = vals
            f_source = b
        fs, us = [f_source], [ud]
        for l in range(nl - 1):
            clev = self.levels[l + 1]
            (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = self.transfers[l]
            K.restrict(fs[-1], clev.f, rix, rwx, riy, rwy, riz, rwz)
            if l == 0 and saved is not None:
                b[mask] = saved
            fs.append(clev.f)
            # Dirichlet values by injection (coarse node I sits on fine node coarse_index[I])
            prev = us[-1]
            clev.u[...] = prev[np.ix_(*self.coarse_index[l])]
            us.append(clev.u)
        fs[0] = b
        self.coarse_solve(self.levels[-1].u, self.levels[-1].f)
        nrm = None
        for l in range(nl - 2, -1, -1):
            target = u if l == 0 else self.levels[l].u
            if l == 0:
                u[...] = ud
            if self.fmg_interp == "cubic":
                self.prolong_fmg_cubic(l, self.levels[l + 1].u, target)
            else:
                self.prolong(l, self.levels[l + 1].u, target, assign=True)
            ff = b if l == 0 else self.levels[l].f
            for c in range(cycles):
                nrm = self.cycle(target, ff, l, kind, nu1, nu2, norm=norm and l == 0 and c == cycles - 1)
        if norm:
            return nrm if nrm is not None else self.levels[0].residual_norm(u, b)
        return u


def mg_iterate(hier, u, b, rtol, maxiter, *, cycle="V", nu1=2, nu2=2, callback=None, fmg=False,
               f_source=None, ud=None, bnorm=None):
    """Run cycles until ``||b - A u|| <= rtol ||b_lifted||``.

    Parameters
    ----------
    hier : Hierarchy
    u : float64 array of the padded shape, holding Dirichlet values (updated in place)
    b : right-hand side (Dirichlet values on fixed nodes)
    rtol : float
    maxiter : int
        Most cycles (an FMG start counts as one iteration).
    cycle : {"V", "W", "F"}
    fmg : bool
        Start with full multigrid (needs ``f_source`` and ``ud``).
    bnorm : float, optional
        Norm to divide residuals by (default: the residual of ``ud``).

    Returns
    -------
    (iterations, residuals, converged)
    """
    lev = hier.levels[0]
    if bnorm is None:
        bnorm = lev.residual_norm(ud if ud is not None else u, b)
    # each cycle returns the residual norm after it, computed inside its last smoothing pass
    last = [None]

    def step():
        last[0] = hier.cycle(u, b, 0, cycle, nu1, nu2, norm=True)

    def start():
        last[0] = hier.fmg(u, b, f_source, ud, cycle, nu1, nu2, norm=True)

    return cycle_until(step, lambda: last[0], bnorm, rtol, maxiter, callback=callback,
                       first=start if fmg else None)


def cycle_until(step, residual_norm, bnorm, rtol, maxiter, *, callback=None, first=None):
    """Repeat ``step()`` until ``residual_norm() <= rtol * bnorm``: the iteration loop of every
    multigrid solve, on the CPU (:func:`mg_iterate`) and on the GPU
    (:func:`fieldgrad.solvers.cuda_poisson.solve`).

    Parameters
    ----------
    step, residual_norm : callables
        One cycle (in place); the current residual norm.
    bnorm : float
        The norm residuals are divided by (0: nothing to solve).
    rtol : float
    maxiter : int
        Most iterations (``first`` counts as one).
    callback : callable ``callback(iteration, relative_residual)``, optional
    first : callable, optional
        A different first iteration (an FMG start); a non-finite residual after it does not stop.

    Returns
    -------
    (iterations, residuals, converged)
    """
    residuals = []
    if bnorm == 0.0:
        return 0, residuals, True
    it = 0
    while it < maxiter or (it == 0 and first is not None):
        (first if it == 0 and first is not None else step)()
        it += 1
        res = residual_norm() / bnorm
        residuals.append(res)
        if callback is not None:
            callback(it, res)
        if res <= rtol:
            return it, residuals, True
        if not np.isfinite(res) and not (it == 1 and first is not None):
            break
    return it, residuals, False
