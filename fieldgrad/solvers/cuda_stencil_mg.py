"""GPU multigrid for any boundary kind and variable coefficients: explicit-stencil levels.

The hierarchy is the CPU one (:class:`fieldgrad.solvers.multigrid.Hierarchy`), set up once on
the host: the fine operator is the 7-point stencil of
:meth:`fieldgrad.solvers.discretize.Problem.stencil7` (harmonic-mean face conductivities,
reflected Neumann/Robin ghosts, periodic wrap, Robin diagonal, array screening); coarse levels
are rediscretised 7-point operators for constant coefficients and Galerkin ``R A P`` operators
(27-point in 3D) when ``k`` or the screening vary or a grid halves non-uniformly -- so coefficient
jumps survive on coarse grids without any averaging of ``k``.  Any grid size: each axis coarsens
while the CPU rules allow (odd or even node counts, periodic axes), then the coarsest level is
solved on the host by the hierarchy's sparse LU (bordered by the zero-sum constraint when the
problem is singular).

What runs on the device: every level's stencil coefficients (point-major ``(nx, ny, nz, S)``),
neighbour maps, Dirichlet masks and per-axis transfer tables are copied once; the multicolour
Gauss-Seidel smoother (red-black for 7 points, 8 colours for 27), residual, restriction,
prolongation, weighted dot products and vector updates are CUDA kernels.  Arrays use the CPU
solver's padded layout (a 2D grid is ``(nx, ny, 1)``).  The off-diagonal sum is the CPU kernel's
own point formula (:func:`fieldgrad.solvers.mg_kernels._stencil_offdiag`) wrapped by
``cuda.jit(device=True)``: one formula, two targets.

Example
-------
>>> from fieldgrad.solvers.discretize import Problem
>>> if fg.backends.cuda_available():
...     mg = StencilMG(Problem(fg.Grid((9, 9)), fg.Neumann(0.0), screening=1.0), np.float64)
"""
from __future__ import annotations

import math

import numpy as np

from ..backends import cuda as _cu
from ..kernels.cuda import kernels as _operator_kernels
from ..kernels.cuda import launch1
from .cuda_multigrid import kernels as _mg_kernels

__all__ = ["StencilMG", "build"]

cuda = None  # set by build()
REDUCE_THREADS = 256


def build(cuda_module):
    """Kernels of the explicit-stencil multigrid and the Krylov vector operations."""
    global cuda, REDUCE_THREADS, offdiag, block_sum, node, fixed
    cuda = cuda_module
    from . import cuda_multigrid as cm, mg_kernels

    _mg_kernels()  # builds the multigrid's device functions and reduction size these kernels share
    REDUCE_THREADS, block_sum = cm.REDUCE_THREADS, cm.block_sum

    offdiag = cuda.jit(device=True)(mg_kernels._stencil_offdiag)
    tensor_sum = cuda.jit(device=True)(mg_kernels._tensor_sum)

    @cuda.jit(device=True)
    def node(m, shape):
        """``(i, j, k)`` of the flat index ``m`` of a C-ordered array of ``shape``."""
        ny, nz = shape[1], shape[2]
        return m // (ny * nz), (m // nz) % ny, m % nz

    @cuda.jit(device=True)
    def fixed(fx, fy, fz, i, j, k):
        """True at a fixed (Dirichlet) node: one of its axis flags is set."""
        return fx[i] != 0 or fy[j] != 0 or fz[k] != 0

    @cuda.jit
    def st_smooth(u, f, coef, offs, nbr, fx, fy, fz, color, ncolors):
        """One colour of multicolour Gauss-Seidel (colours as in the CPU ``smooth_stencil``)."""
        for m in range(cuda.grid(1), u.size, cuda.gridsize(1)):
            i, j, k = node(m, u.shape)
            if fixed(fx, fy, fz, i, j, k):
                continue
            if ncolors == 2:
                c = (i + j + k) % 2
            else:
                c = (i % 2) * 4 + (j % 2) * 2 + k % 2
            if c == color:
                u[i, j, k] = (f[i, j, k] - offdiag(u, coef, offs, nbr, i, j, k)) / coef[i, j, k, 0]

    @cuda.jit
    def st_residual(u, f, r, coef, offs, nbr, fx, fy, fz, use_f):
        """``r = f - A u`` (``r = A u`` when ``use_f`` is 0); 0 at fixed nodes."""
        for m in range(cuda.grid(1), u.size, cuda.gridsize(1)):
            i, j, k = node(m, u.shape)
            if fixed(fx, fy, fz, i, j, k):
                r[i, j, k] = 0.0
            else:
                au = offdiag(u, coef, offs, nbr, i, j, k) + coef[i, j, k, 0] * u[i, j, k]
                r[i, j, k] = f[i, j, k] - au if use_f else au

    @cuda.jit
    def st_restrict(r, out, rix, rwx, riy, rwy, riz, rwz):
        """``out = R r`` from the per-axis tables of the CPU hierarchy."""
        for m in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            I, J, K = node(m, out.shape)
            out[I, J, K] = tensor_sum(r, rix, rwx, riy, rwy, riz, rwz, I, J, K, 3)

    @cuda.jit
    def st_prolong(e, u, pix, pwx, piy, pwy, piz, pwz, fx, fy, fz, assign):
        """``u += P e`` (``u = P e`` when ``assign``) at unknown nodes."""
        for m in range(cuda.grid(1), u.size, cuda.gridsize(1)):
            i, j, k = node(m, u.shape)
            if fixed(fx, fy, fz, i, j, k):
                continue
            acc = tensor_sum(e, pix, pwx, piy, pwy, piz, pwz, i, j, k, 2)
            if assign:
                u[i, j, k] = acc
            else:
                u[i, j, k] += acc

    @cuda.jit
    def combine(x, y, fx, fy, fz, add, out):
        """``out = y`` at fixed nodes, else ``x + y`` (``add``) or ``x``."""
        for m in range(cuda.grid(1), out.size, cuda.gridsize(1)):
            i, j, k = node(m, out.shape)
            if fixed(fx, fy, fz, i, j, k):
                out[i, j, k] = y[i, j, k]
            elif add:
                out[i, j, k] = x[i, j, k] + y[i, j, k]
            else:
                out[i, j, k] = x[i, j, k]

    @cuda.jit
    def wsums(a, b, use_b, wx, wy, wz, acc):
        """``acc[0] += sum w a b`` and ``acc[1] += sum w |a b|`` (``b`` taken as 1 unless ``use_b``),
        ``w = wx[i] wy[j] wz[k]``: per-block shared-memory tree, one atomic per block."""
        s0 = cuda.shared.array(REDUCE_THREADS, dtype=np.float64)
        s1 = cuda.shared.array(REDUCE_THREADS, dtype=np.float64)
        t = cuda.threadIdx.x
        v0 = 0.0
        v1 = 0.0
        for m in range(cuda.grid(1), a.size, cuda.gridsize(1)):
            i, j, k = node(m, a.shape)
            x = a[i, j, k] * (b[i, j, k] if use_b else 1.0)
            w = wx[i] * wy[j] * wz[k]
            v0 += w * x
            v1 += w * abs(x)
        s0[t] = v0
        s1[t] = v1
        block_sum(s0, t)
        block_sum(s1, t)
        if t == 0:
            cuda.atomic.add(acc, 0, s0[0])
            cuda.atomic.add(acc, 1, s1[0])

    @cuda.jit
    def axpy(alpha, x, y):
        """Flat ``y += alpha x``."""
        for m in range(cuda.grid(1), y.shape[0], cuda.gridsize(1)):
            y[m] += alpha * x[m]

    @cuda.jit
    def xpby(x, beta, y):
        """Flat ``y = x + beta y``."""
        for m in range(cuda.grid(1), y.shape[0], cuda.gridsize(1)):
            y[m] = x[m] + beta * y[m]

    @cuda.jit
    def add_scalar(c, y):
        """Flat ``y += c``."""
        for m in range(cuda.grid(1), y.shape[0], cuda.gridsize(1)):
            y[m] += c

    @cuda.jit
    def put_scalar(c, index, y):
        """Flat ``y[index[m]] = c``."""
        for m in range(cuda.grid(1), index.shape[0], cuda.gridsize(1)):
            y[index[m]] = c

    return dict(put_scalar=put_scalar, st_smooth=st_smooth, st_residual=st_residual, st_restrict=st_restrict, st_prolong=st_prolong,
                combine=combine, wsums=wsums, axpy=axpy, xpby=xpby, add_scalar=add_scalar)


def raw(a, dtype=None):
    """Host array to the device keeping its dtype (integers and flags stay integers)."""
    return _cu.load().to_device(np.ascontiguousarray(a, dtype=dtype))


def flat(d):
    """Flat view of a C-contiguous device array."""
    return d.reshape(d.size)


class _DevLevel:
    """Device copies of one CPU multigrid level."""

    def __init__(self, lev, dtype, coarse):
        coef, offs = lev.explicit()
        self.shape = lev.shape
        self.coef = _cu.as_device(np.ascontiguousarray(np.moveaxis(coef, 0, -1), dtype=dtype), "coef")
        self.offs = raw(offs, np.int64)
        self.nbr = raw(lev.nbr, np.int64)
        self.fixed = [raw(fx, np.uint8) for fx in lev.fixed1]
        self.ncolors = lev.ncolors
        self.r = _cu.empty(lev.shape, dtype)
        self.u = _cu.empty(lev.shape, dtype) if coarse else None
        self.f = _cu.empty(lev.shape, dtype) if coarse else None


class StencilMG:
    """The CPU multigrid hierarchy of a :class:`~fieldgrad.solvers.discretize.Problem`, on the device.

    Parameters
    ----------
    prob : Problem
    dtype : float32 or float64 -- the dtype of the device work arrays and coefficients
    coarse_size : int -- stop coarsening at this many nodes (then the host sparse LU)
    precond : Problem or None -- a domain with holes: the problem with the holes filled by a weak
        conductor (:func:`fieldgrad.solvers.filled_holes.soft_problem`), whose hierarchy gives the
        V-cycles while :meth:`operator_residual` applies ``prob`` itself (as the CPU MG-CG: the
        hierarchy of the exact operator, rows decoupled in the holes, took 17, 29, 45, 67
        iterations from 129^2 to 1025^2 on a finned plate)

    Attributes
    ----------
    hier : the CPU :class:`~fieldgrad.solvers.multigrid.Hierarchy` (setup, coarse LU)
    levels : list of device levels; ``shapes`` their (padded) shapes
    op : the device level of the operator CG solves (``levels[0]`` without ``precond``)
    """

    def __init__(self, prob, dtype=np.float64, coarse_size=3000, precond=None):
        from .multigrid import Hierarchy

        self.prob = prob
        self.dtype = np.dtype(dtype)
        self.hier = Hierarchy(prob if precond is None else precond, coarse_size=coarse_size)
        self.singular = prob.singular
        self.sim = _cu.simulator()
        n = len(self.hier.levels)
        self.levels = [_DevLevel(lev, self.dtype, i > 0) for i, lev in enumerate(self.hier.levels)]
        self.op = self.levels[0]
        if precond is not None:
            from .filled_holes import exact_level

            self.op = _DevLevel(exact_level(prob, precond), self.dtype, False)
        self.shapes = [lev.shape for lev in self.hier.levels]
        self.transfers = [[tuple(raw(t) for t in axis) for axis in tables]
                          for tables in self.hier.transfers]
        w1 = prob.weights1()
        self.w = [_cu.as_device(np.ascontiguousarray(w, dtype=np.float64), "w") for w in w1]
        self.wsum = float(np.prod([w.sum() for w in w1]))
        self._acc = _cu.zeros(2, np.float64)
        out = getattr(prob, "outside3", None)
        self.outside = raw(np.flatnonzero(out), np.int64) if out is not None and out.any() else None
        assert len(self.transfers) == n - 1

    # ------------------------------------------------------------------ helpers
    def _l1(self, size):
        return launch1(size, self.sim)

    def _launch(self, name, size, *args):
        blocks, threads = self._l1(size)
        getattr(kernels(), name)[blocks, threads](*args)

    def wsums(self, a, b=None):
        """``(sum w a b, sum w |a b|)`` with the symmetrising weights (``b`` = 1 when None)."""
        self._acc.copy_to_device(np.zeros(2))
        self._launch_reduce(a, a if b is None else b, b is not None)
        s = self._acc.copy_to_host()
        return float(s[0]), float(s[1])

    def _launch_reduce(self, a, b, use_b):
        blocks, _ = self._l1(a.size)
        kernels().wsums[blocks, REDUCE_THREADS](a, b, use_b, *self.w, self._acc)

    def wdot(self, a, b):
        """``sum w a b``."""
        return self.wsums(a, b)[0]

    def norm(self, x):
        """Euclidean norm of a device array."""
        self._acc.copy_to_device(np.zeros(2))
        blocks, _ = self._l1(x.size)
        _mg_kernels().sumsq[blocks, REDUCE_THREADS](flat(x), self._acc)
        return math.sqrt(float(self._acc.copy_to_host()[0]))

    def project(self, x):
        """Remove the weighted mean of ``x`` (singular problems only)."""
        if self.singular:
            self.add_scalar(x, -self.wsums(x)[0] / self.wsum)

    def zero_outside(self, x):
        """0 on the nodes outside a domain with holes (no unknowns there; iterates carry round-off)."""
        if self.outside is not None:
            self._launch("put_scalar", self.outside.size, self.dtype.type(0.0), self.outside, flat(x))

    def add_scalar(self, x, c):
        self._launch("add_scalar", x.size, self.dtype.type(c), flat(x))

    def axpy(self, alpha, x, y):
        self._launch("axpy", y.size, self.dtype.type(alpha), flat(x), flat(y))

    def xpby(self, x, beta, y):
        self._launch("xpby", y.size, flat(x), self.dtype.type(beta), flat(y))

    def fill(self, x, value=0.0):
        blocks, threads = self._l1(x.size)
        _operator_kernels().fill[blocks, threads](flat(x), self.dtype.type(value))  # the operators' flat fill

    def combine(self, x, y, add, out, level=0):
        lev = self.levels[level]
        self._launch("combine", out.size, x, y, *lev.fixed, add, out)

    # ------------------------------------------------------------------ level operations
    def smooth(self, level, u, f, sweeps, reverse=False):
        lev = self.levels[level]
        colors = list(range(lev.ncolors))
        if reverse:
            colors.reverse()
        for _ in range(sweeps):
            for c in colors:
                self._launch("st_smooth", u.size, u, f, lev.coef, lev.offs, lev.nbr, *lev.fixed, c, lev.ncolors)

    def residual(self, level, u, f, r, use_f=True):
        """``r = f - A u`` on ``level`` (``A u`` when not ``use_f``); 0 at fixed nodes."""
        lev = self.levels[level]
        self._launch("st_residual", u.size, u, f, r, lev.coef, lev.offs, lev.nbr, *lev.fixed, use_f)
        return r

    def operator_residual(self, u, f, r, use_f=True):
        """``r = f - A u`` (``A u`` when not ``use_f``) for the operator CG solves (:attr:`op`)."""
        op = self.op
        self._launch("st_residual", u.size, u, f, r, op.coef, op.offs, op.nbr, *op.fixed, use_f)
        return r

    def residual_norm(self, u, f):
        return self.norm(self.operator_residual(u, f, self.op.r))

    def coarse_solve(self, u, f):
        """Exact solve on the coarsest level by the host LU (Dirichlet nodes keep ``u``)."""
        uh = u.copy_to_host().astype(np.float64)
        self.hier.coarse_solve(uh, f.copy_to_host().astype(np.float64))
        u.copy_to_device(uh.astype(self.dtype))

    def cycle(self, u, f, level=0, nu1=2, nu2=2, symmetric=False):
        """One V-cycle for ``A u = f`` on ``level`` (``u`` updated in place); ``symmetric`` reverses
        the colour order of the post-smoother (a symmetric preconditioner for CG)."""
        if level == len(self.levels) - 1:
            self.coarse_solve(u, f)
            return
        lev, clev = self.levels[level], self.levels[level + 1]
        self.smooth(level, u, f, nu1)
        r = self.residual(level, u, f, lev.r)
        self._launch("st_restrict", clev.f.size, r, clev.f, *[x for axis in self.transfers[level] for x in axis[:2]])
        self.fill(clev.u)
        self.cycle(clev.u, clev.f, level + 1, nu1, nu2, symmetric)
        fx, fy, fz = lev.fixed
        self._launch("st_prolong", u.size, clev.u, u, *[x for axis in self.transfers[level] for x in axis[2:]],
                     fx, fy, fz, False)
        self.smooth(level, u, f, nu2, reverse=symmetric)


kernels = _cu.kernel_set(build)
