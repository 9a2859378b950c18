"""Geometric multigrid hierarchy and cycles (V, W, F, FMG) on the padded 3-axis system.

Levels coarsen every axis that can (odd node count >= 5 on a non-periodic axis, even >= 8 on a
periodic one) until the coarsest level has at most ``coarse_size`` nodes or nothing coarsens; the
coarsest level is solved by a sparse LU factorisation (bordered by the zero-mean constraint
when the problem is singular).  Constant coefficients use rediscretised 7-point operators;
variable ``k`` or screening use Galerkin ``R A P`` coarse operators (27-point in 3D), which keep
coefficient jumps on the coarse grids.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from . import mg_kernels as K
from .matrix import _stencil_to_csr


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


def _transfer_tables(nf, nc, coarsened, periodic):
    ri = np.full((nc, 3), -1, dtype=np.int64)
    rw = np.zeros((nc, 3))
    pi = np.full((nf, 2), -1, dtype=np.int64)
    pw = np.zeros((nf, 2))
    if not coarsened:
        ri[:, 0] = np.arange(nc)
        rw[:, 0] = 1.0
        pi[:, 0] = np.arange(nf)
        pw[:, 0] = 1.0
        return ri, rw, pi, pw
    for I in range(nc):
        for a, (d, w) in enumerate(((-1, 0.25), (0, 0.5), (1, 0.25))):
            q = 2 * I + d
            if periodic:
                q %= nf
            elif q < 0:
                q = 1
            elif q >= nf:
                q = nf - 2
            ri[I, a], rw[I, a] = q, w
    for q in range(nf):
        if q % 2 == 0:
            pi[q, 0], pw[q, 0] = q // 2, 1.0
        else:
            pi[q, 0], pi[q, 1] = (q - 1) // 2, ((q + 1) // 2) % nc
            pw[q] = 0.5
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
        self.u = np.zeros(shape)
        self.f = np.zeros(shape)
        self.r = np.zeros(shape)

    # -------------------------------------------------------------- operator forms
    def set_const(self, c, diag0, diag1):
        self.kind = "const"
        self.c = tuple(float(x) if n > 1 else 0.0 for x, n in zip(c, self.shape))
        self.diag0 = float(diag0 - 2 * sum(self.c))
        self.diag1 = [np.ascontiguousarray(d, dtype=np.float64) for d in diag1]
        self.ncolors = 2

    def set_stencil(self, coef, offs):
        self.kind = "stencil"
        self.coef = np.ascontiguousarray(coef)
        self.offs = np.ascontiguousarray(offs, dtype=np.int64)
        self.ncolors = 2 if coef.shape[0] <= 7 else 8

    def explicit(self):
        """``(coef, offs)`` of this level's operator (converting the const form)."""
        if self.kind == "stencil":
            return self.coef, self.offs
        offs = np.array([[0, 0, 0], [-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]], dtype=np.int64)
        coef = np.zeros((7,) + self.shape)
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
    def smooth(self, u, f, sweeps, reverse=False):
        fx, fy, fz = self.fixed1
        colors = range(self.ncolors)
        if reverse:
            colors = colors[::-1]
        for _ in range(sweeps):
            for col in colors:
                if self.kind == "const":
                    (mx, px), (my, py), (mz, pz) = self.reflect_maps
                    K.smooth_const(u, f, *self.c, self.diag0, *self.diag1, fx, fy, fz, mx, px, my, py, mz, pz, col)
                else:
                    K.smooth_stencil(u, f, self.coef, self.offs, self.nbr, fx, fy, fz, col, self.ncolors)

    def residual(self, u, f, r, use_f=True):
        fx, fy, fz = self.fixed1
        if self.kind == "const":
            (mx, px), (my, py), (mz, pz) = self.reflect_maps
            K.residual_const(u, f, r, *self.c, self.diag0, *self.diag1, fx, fy, fz, mx, px, my, py, mz, pz, use_f)
        else:
            K.residual_stencil(u, f, r, self.coef, self.offs, self.nbr, fx, fy, fz, use_f)
        return r


def _coarsen_shape(shape, periodic):
    flags = []
    for n, p in zip(shape, periodic):
        if n == 1:
            flags.append(False)
        elif p:
            flags.append(n % 2 == 0 and n >= 8)
        else:
            flags.append(n % 2 == 1 and n >= 5)
    cshape = tuple(((n // 2) if p else (n + 1) // 2) if c else n for n, p, c in zip(shape, periodic, flags))
    return flags, cshape


class Hierarchy:
    """Multigrid levels for one Problem.

    Parameters
    ----------
    prob : Problem
    coarse_size : int
        Stop coarsening at or below this many nodes.
    galerkin : bool or None
        Force Galerkin coarse operators (None: Galerkin exactly when coefficients vary).
    """

    def __init__(self, prob, coarse_size=3000, galerkin=None):
        self.prob = prob
        self.singular = prob.singular
        if galerkin is None:
            galerkin = not prob.constant_coefficients
        self.galerkin = galerkin
        lev = Level(prob.shape3, prob.h3, prob.periodic3, [f.copy() for f in prob.fixed1])
        if galerkin:
            lev.set_stencil(*prob.stencil7())
        else:
            lev.set_const([prob.k_const / h ** 2 for h in prob.h3], -prob.s_const, prob.robin_diag1())
        self.levels = [lev]
        self.transfers = []
        while lev.size > coarse_size:
            flags, cshape = _coarsen_shape(lev.shape, lev.periodic)
            if not any(flags):
                break
            ch = tuple(2 * h if c else h for h, c in zip(lev.h, flags))
            cfixed = [np.concatenate([fx[:1], np.zeros(nc - 2, dtype=bool), fx[-1:]]) if (c and nc >= 2) else fx.copy()
                      for fx, nc, c in zip(lev.fixed1, cshape, flags)]
            clev = Level(cshape, ch, lev.periodic, cfixed)
            tables = [_transfer_tables(nf, nc, c, p) for nf, nc, c, p in zip(lev.shape, cshape, flags, lev.periodic)]
            self.transfers.append(tables)
            if galerkin:
                clev.set_stencil(*self._rap(lev, clev, tables))
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
        self._factor_coarsest()

    @staticmethod
    def _rap(fine, coarse, tables):
        coef, offs = fine.explicit()
        out = np.zeros((27,) + coarse.shape)
        (rix, rwx, pix, pwx), (riy, rwy, piy, pwy), (riz, rwz, piz, pwz) = tables
        K.galerkin(coef, offs, fine.nbr, out, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy, pwy, piz, pwz,
                   np.array(coarse.shape, dtype=np.int64), np.array(coarse.periodic, dtype=np.bool_))
        allo = np.array([[dx, dy, dz] for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)], dtype=np.int64)
        keep = [13] + [s for s in range(27) if s != 13 and all(allo[s, a] == 0 or coarse.shape[a] > 1 for a in range(3))]
        return out[keep], allo[keep]

    def _factor_coarsest(self):
        lev = self.levels[-1]
        coef, offs = lev.explicit()
        fixed = lev.fixed1[0][:, None, None] | lev.fixed1[1][None, :, None] | lev.fixed1[2][None, None, :]
        self._coarse_fixed = fixed.ravel()
        A = _stencil_to_csr(coef, offs, lev.shape, lev.periodic, fixed)
        if self.singular:
            n = A.shape[0]
            one = np.ones((n, 1))
            A = sp.bmat([[A, sp.csr_matrix(one)], [sp.csr_matrix(one.T), None]], format="csc")
        self._lu = spla.splu(A.tocsc())

    def coarse_solve(self, u, f):
        b = np.where(self._coarse_fixed, u.ravel(), f.ravel())
        if self.singular:
            b = np.append(b, 0.0)
        x = self._lu.solve(b)
        u.ravel()[:] = x[: u.size]

    # -------------------------------------------------------------- cycles
    def cycle(self, u, f, level=0, kind="V", nu1=2, nu2=2, symmetric=False):
        """One cycle on ``level`` improving ``u`` for ``A u = f`` in place.

        ``symmetric=True`` post-smooths in reverse colour order (a symmetric preconditioner for
        CG); the default red-black order in both smoothings converges faster on its own.
        """
        lev = self.levels[level]
        if level == len(self.levels) - 1:
            self.coarse_solve(u, f)
            return
        lev.smooth(u, f, nu1)
        lev.residual(u, f, lev.r)
        clev = self.levels[level + 1]
        (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = self.transfers[level]
        K.restrict(lev.r, clev.f, rix, rwx, riy, rwy, riz, rwz)
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
        lev.smooth(u, f, nu2, reverse=symmetric)

    def prolong(self, level, e, u, assign):
        lev = self.levels[level]
        (_, _, pix, pwx), (_, _, piy, pwy), (_, _, piz, pwz) = self.transfers[level]
        K.prolong(e, u, pix, pwx, piy, pwy, piz, pwz, *lev.fixed1, assign)

    def fmg(self, u, b, f_source, ud, kind="V", nu1=2, nu2=2, cycles=1):
        """Full multigrid: restrict the problem to every level, solve the coarsest, interpolate
        up with ``cycles`` cycles per level.  ``u`` (fine, holding Dirichlet values) is overwritten.

        ``b`` is the fine right-hand side; ``f_source`` the same with the source term (not the
        Dirichlet value) on fixed nodes, used for restriction; ``ud`` the Dirichlet values.
        """
        nl = len(self.levels)
        fs, us = [f_source], [ud]
        for l in range(nl - 1):
            clev = self.levels[l + 1]
            (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = self.transfers[l]
            K.restrict(fs[-1], clev.f, rix, rwx, riy, rwy, riz, rwz)
            fs.append(clev.f)
            # Dirichlet values by injection (coarse node I sits on fine node 2I or I)
            prev = us[-1]
            sl = tuple(slice(None, None, 2) if c else slice(None)
                       for c in (self.levels[l].shape[a] != clev.shape[a] for a in range(3)))
            clev.u[...] = prev[sl]
            us.append(clev.u)
        fs[0] = b
        self.coarse_solve(self.levels[-1].u, self.levels[-1].f)
        for l in range(nl - 2, -1, -1):
            target = u if l == 0 else self.levels[l].u
            if l == 0:
                u[...] = ud
            self.prolong(l, self.levels[l + 1].u, target, assign=True)
            ff = b if l == 0 else self.levels[l].f
            for _ in range(cycles):
                self.cycle(target, ff, l, kind, nu1, nu2)
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
    r = lev.r
    if bnorm is None:
        bnorm = K.norm2(lev.residual(ud if ud is not None else u, b, r))
    residuals = []
    if bnorm == 0.0:
        return 0, residuals, True
    it = 0
    if fmg:
        hier.fmg(u, b, f_source, ud, cycle, nu1, nu2)
        it += 1
        res = K.norm2(lev.residual(u, b, r)) / bnorm
        residuals.append(res)
        if callback is not None:
            callback(it, res)
        if res <= rtol:
            return it, residuals, True
    while it < maxiter:
        hier.cycle(u, b, 0, cycle, nu1, nu2)
        it += 1
        res = K.norm2(lev.residual(u, b, r)) / bnorm
        residuals.append(res)
        if callback is not None:
            callback(it, res)
        if res <= rtol:
            return it, residuals, True
        if not np.isfinite(res):
            break
    return it, residuals, False
