"""Geometric multigrid on the GPU for ``k lap(u) - screening u = f`` with Dirichlet faces.

Kernels (built by :func:`build` from the ``numba.cuda`` module handed over by
:mod:`fieldgrad.backends.cuda`): red-black Gauss-Seidel smoother, residual, full-weighting
restriction, (bi/tri)linear prolongation with correction, and a block-reduced sum of squares
for norms.  All work on the 3D view of the data (dummy leading axes of length 1), node-centred
grids whose non-dummy axes have ``2^m + 1`` nodes on every level that is coarsened.  The
coarsest level (at most ``coarse_size`` nodes, or when an axis cannot be halved) is solved on
the CPU by a sparse LU factorisation made once; only that small residual crosses the bus.

Scope: constant coefficients (``k`` a number) and a constant ``screening >= 0``, Dirichlet
conditions on every face, non-periodic grids.  Anything else raises
:class:`~fieldgrad.errors.BoundaryError` / :class:`~fieldgrad.errors.ParameterError`.  This is
the fast path of :func:`fieldgrad.solvers.cuda_poisson.solve`, which handles every other
problem (any boundary kind, array ``k`` and screening, any grid size) on explicit-stencil levels
(:mod:`.cuda_stencil_mg`).

Example
-------
>>> if fg.backends.cuda_available():
...     res = solve_poisson_cuda(np.ones((17, 17)), fg.Grid((17, 17)), fg.Dirichlet(0.0))
"""
from __future__ import annotations

import time

import numpy as np

from .. import boundary as _bnd
from ..errors import BoundaryError, ConvergenceError, GridError, ParameterError
from ..backends import cuda as _cu
from ..kernels.cuda_bc import dirichlet_plan, view_shape
from ..kernels.cuda_ops import set_faces
from ..kernels.cuda import kernels as _operator_kernels
from ..kernels.cuda import launch1, launch3

__all__ = ["solve_poisson_cuda", "CudaMultigrid"]

cuda = None  # set by build()
REDUCE_THREADS = 256


def build(cuda_module):
    """Multigrid kernels; returns a dict name -> kernel."""
    global cuda, REDUCE_THREADS, column, block_sum, interior
    cuda = cuda_module
    from numba.core import config

    from ..kernels import cuda as cs

    # the simulator runs every thread as a Python thread: small reduction blocks keep tests fast
    REDUCE_THREADS = 32 if config.ENABLE_CUDASIM else 256
    _operator_kernels()  # builds the operators' device functions these kernels reuse
    column = cs.column

    @cuda.jit(device=True)
    def block_sum(sh, t):
        """Sum the ``REDUCE_THREADS`` entries of the shared array ``sh`` into ``sh[0]`` (a tree; thread
        ``t`` of the block adds its pair at each level)."""
        cuda.syncthreads()
        w = REDUCE_THREADS // 2
        while w > 0:
            if t < w:
                sh[t] += sh[t + w]
            cuda.syncthreads()
            w //= 2

    @cuda.jit(device=True)
    def interior(i, j, k, shape):
        """True at a node of the 3D view ``shape`` off its boundary faces (a singleton axis has
        none: its one index, 0, counts; any other index is outside the view)."""
        nx, ny, nz = shape
        return (0 < k < nz - 1 and (0 < j < ny - 1 if ny > 1 else j == 0)
                and (0 < i < nx - 1 if nx > 1 else i == 0))

    @cuda.jit
    def rbgs3(u, f, color, cx, cy, cz, diag, march):
        """One colour of red-black Gauss-Seidel on interior nodes (Dirichlet nodes untouched)."""
        i0, j, k = column(march)
        nx, ny, nz = u.shape
        for i in range(i0, min(i0 + march, nx)):
            if interior(i, j, k, u.shape) and (i + j + k) % 2 == color:
                s = cz * (u[i, j, k - 1] + u[i, j, k + 1])
                if ny > 1:
                    s += cy * (u[i, j - 1, k] + u[i, j + 1, k])
                if nx > 1:
                    s += cx * (u[i - 1, j, k] + u[i + 1, j, k])
                u[i, j, k] = (s - f[i, j, k]) / diag

    @cuda.jit
    def residual3(u, f, r, cx, cy, cz, sigma, march):
        """``r = f - (lap u - sigma u)`` on interior nodes, 0 on the boundary."""
        i0, j, k = column(march)
        nx, ny, nz = u.shape
        if j < ny and k < nz:
            for i in range(i0, min(i0 + march, nx)):
                if interior(i, j, k, u.shape):
                    c = u[i, j, k]
                    a = cz * ((u[i, j, k - 1] + u[i, j, k + 1]) - 2.0 * c) - sigma * c
                    if ny > 1:
                        a += cy * ((u[i, j - 1, k] + u[i, j + 1, k]) - 2.0 * c)
                    if nx > 1:
                        a += cx * ((u[i - 1, j, k] + u[i + 1, j, k]) - 2.0 * c)
                    r[i, j, k] = f[i, j, k] - a
                else:
                    r[i, j, k] = 0.0

    @cuda.jit
    def restrict3(r, rc, march):
        """Full weighting (1/4, 1/2, 1/4 per halved axis) of fine ``r`` into coarse interior ``rc``."""
        i0, jc, kc = column(march)
        nx, ny, nz = rc.shape
        if jc < ny and kc < nz:
            for ic in range(i0, min(i0 + march, nx)):
                if interior(ic, jc, kc, rc.shape):
                    acc = 0.0
                    for di in range(-1, 2):
                        if nx == 1 and di != 0:
                            continue
                        wi = 1.0 if nx == 1 else (0.5 if di == 0 else 0.25)
                        for dj in range(-1, 2):
                            if ny == 1 and dj != 0:
                                continue
                            wj = wi * (1.0 if ny == 1 else (0.5 if dj == 0 else 0.25))
                            for dk in range(-1, 2):
                                wk = wj * (0.5 if dk == 0 else 0.25)
                                acc += wk * r[2 * ic + di if nx > 1 else 0, 2 * jc + dj if ny > 1 else 0, 2 * kc + dk]
                    rc[ic, jc, kc] = acc
                else:
                    rc[ic, jc, kc] = 0.0

    @cuda.jit
    def prolong_add3(ec, u, march):
        """``u += P ec`` on fine interior nodes, ``P`` the (bi/tri)linear interpolation."""
        i0, j, k = column(march)
        nx, ny, nz = u.shape
        for i in range(i0, min(i0 + march, nx)):
            if interior(i, j, k, u.shape):
                acc = 0.0
                for a in range(2):
                    if nx == 1 or i % 2 == 0:
                        if a == 1:
                            continue
                        ic, wa = i // 2, 1.0
                    else:
                        ic, wa = (i - 1) // 2 + a, 0.5
                    for b in range(2):
                        if ny == 1 or j % 2 == 0:
                            if b == 1:
                                continue
                            jc, wb = j // 2, wa
                        else:
                            jc, wb = (j - 1) // 2 + b, wa * 0.5
                        if k % 2 == 0:
                            acc += wb * ec[ic, jc, k // 2]
                        else:
                            acc += 0.5 * wb * (ec[ic, jc, (k - 1) // 2] + ec[ic, jc, (k + 1) // 2])
                u[i, j, k] += acc

    @cuda.jit
    def sumsq(x, acc):
        """``acc[0] += sum(x**2)`` (flat ``x``): per-block shared-memory tree, one atomic per block."""
        sh = cuda.shared.array(REDUCE_THREADS, dtype=np.float64)
        t = cuda.threadIdx.x
        s = 0.0
        for m in range(cuda.grid(1), x.shape[0], cuda.gridsize(1)):
            s += x[m] * x[m]
        sh[t] = s
        block_sum(sh, t)
        if t == 0:
            cuda.atomic.add(acc, 0, sh[0])

    return dict(rbgs3=rbgs3, residual3=residual3, restrict3=restrict3, prolong_add3=prolong_add3, sumsq=sumsq)


def _coarsenable(vshape):
    return all(n == 1 or ((n - 1) % 2 == 0 and (n - 1) // 2 >= 2) for n in vshape) and any(n > 1 for n in vshape)


def _laplacian_matrix(vshape, c, sigma):
    """Sparse matrix of ``sum c_a D2_a - sigma`` on the interior nodes (homogeneous Dirichlet)."""
    import scipy.sparse as sp

    mats = []
    dims = [n - 2 if n > 1 else 1 for n in vshape]
    for a, (n, ca) in enumerate(zip(vshape, c)):
        if n == 1:
            continue
        m = n - 2
        d2 = sp.diags([np.ones(m - 1), -2.0 * np.ones(m), np.ones(m - 1)], [-1, 0, 1]) * ca
        parts = [sp.identity(d) for d in dims]
        parts[a] = d2
        term = parts[0]
        for p in parts[1:]:
            term = sp.kron(term, p)
        mats.append(term)
    size = int(np.prod(dims))
    return (sum(mats) - sigma * sp.identity(size)).tocsc()


class CudaMultigrid:
    """Multigrid hierarchy on the device for one grid, coefficient and screening.

    Parameters
    ----------
    grid : Grid (non-periodic)
    dtype : float32 or float64
    k : positive number
    screening : number >= 0
    coarse_size : int
        Coarsen while a level has more nodes than this (and every axis can be halved).
    """

    def __init__(self, grid, dtype=np.float64, k=1.0, screening=0.0, coarse_size=5000):
        if any(grid.periodic):
            raise GridError("solve_poisson_cuda: periodic axes are not supported on the GPU yet; use the CPU solver")
        if np.ndim(k) != 0 or not np.isfinite(k) or k <= 0:
            raise ParameterError(f"solve_poisson_cuda needs a positive number k (constant coefficient); got "
                                 f"{'an array' if np.ndim(k) else k!r}")
        if np.ndim(screening) != 0 or not np.isfinite(screening) or screening < 0:
            raise ParameterError(f"solve_poisson_cuda needs a number screening >= 0; got "
                                 f"{'an array' if np.ndim(screening) else screening!r}")
        self.dtype = np.dtype(dtype)
        self.sigma = float(screening) / float(k)
        self.levels = []
        vshape, spacing = view_shape(grid.shape), [0.0] * (3 - grid.ndim) + list(grid.spacing)
        while True:
            c = [0.0 if n == 1 else 1.0 / h ** 2 for n, h in zip(vshape, spacing)]
            self.levels.append({"shape": vshape, "c": c})
            if int(np.prod(vshape)) <= coarse_size or not _coarsenable(vshape):
                break
            vshape = tuple(n if n == 1 else (n - 1) // 2 + 1 for n in vshape)
            spacing = [2 * h for h in spacing]
        f = self.dtype.type
        for i, lev in enumerate(self.levels):
            lev["args"] = [f(x) for x in lev["c"]]
            lev["diag"] = f(2.0 * sum(lev["c"]) + self.sigma)
            lev["r"] = _cu.empty(lev["shape"], self.dtype)
            if i > 0:
                lev["u"] = _cu.empty(lev["shape"], self.dtype)
                lev["f"] = _cu.empty(lev["shape"], self.dtype)
        import scipy.sparse.linalg as spla

        coarse = self.levels[-1]
        self.coarse_lu = spla.splu(_laplacian_matrix(coarse["shape"], coarse["c"], self.sigma))
        self._acc = _cu.zeros(1, np.float64)
        self.sim = _cu.simulator()

    def _l3(self, shape):
        return launch3(shape, self.sim)

    def smooth(self, lev, u, f, sweeps):
        ker = kernels()
        blocks, threads, march = self._l3(lev["shape"])
        for _ in range(sweeps):
            for color in (0, 1):
                ker.rbgs3[blocks, threads](u, f, color, *lev["args"], lev["diag"], march)

    def residual(self, lev, u, f, r):
        blocks, threads, march = self._l3(lev["shape"])
        kernels().residual3[blocks, threads](u, f, r, *lev["args"], self.dtype.type(self.sigma), march)
        return r

    def norm(self, x):
        self._acc.copy_to_device(np.zeros(1))
        blocks, _ = launch1(x.size, self.sim)
        kernels().sumsq[blocks, REDUCE_THREADS](x.reshape(x.size), self._acc)
        return float(np.sqrt(self._acc.copy_to_host()[0]))

    def coarse_solve(self, lev, f, u):
        """``u += A^{-1} (f - A u)`` on the interior by the sparse LU (host; the level is small)."""
        shape = lev["shape"]
        inner = tuple(slice(None) if n == 1 else slice(1, -1) for n in shape)
        r = self.residual(lev, u, f, lev["r"]).copy_to_host()
        sol = u.copy_to_host()
        e = self.coarse_lu.solve(r[inner].ravel().astype(np.float64))
        sol[inner] += e.reshape(sol[inner].shape).astype(self.dtype)
        u.copy_to_device(sol)

    def vcycle(self, i, u, f, nu1=2, nu2=2):
        """One V-cycle on level ``i`` for ``A u = f`` (``u`` updated in place)."""
        lev = self.levels[i]
        if i == len(self.levels) - 1:
            self.coarse_solve(lev, f, u)
            return
        ker = kernels()
        self.smooth(lev, u, f, nu1)
        r = self.residual(lev, u, f, lev["r"])
        nxt = self.levels[i + 1]
        blocks, threads, march = self._l3(nxt["shape"])
        ker.restrict3[blocks, threads](r, nxt["f"], march)
        nxt_u = nxt["u"]
        blocks1, threads1 = launch1(nxt_u.size, self.sim)
        _operator_kernels().fill[blocks1, threads1](nxt_u.reshape(nxt_u.size), self.dtype.type(0.0))
        self.vcycle(i + 1, nxt_u, nxt["f"], nu1, nu2)
        blocks, threads, march = self._l3(lev["shape"])
        ker.prolong_add3[blocks, threads](nxt_u, u, march)
        self.smooth(lev, u, f, nu2)


def solve_poisson_cuda(f, grid, bc, *, k=1.0, screening=0.0, rtol=1e-8, maxiter=50, x0=None, t=0.0,
                       nu1=2, nu2=2, coarse_size=5000, raise_on_failure=True, solver=None, callback=None):
    """Solve ``k lap(u) - screening u = f`` on the GPU by multigrid V-cycles.

    Parameters
    ----------
    f : array of ``grid.shape`` (host or device, float32/float64; the solution has its dtype)
    grid : Grid, non-periodic; axes of ``2^m + 1`` nodes give the full hierarchy
    bc : Dirichlet on every face (numbers, arrays or callables)
    k : positive number; screening : number >= 0
    rtol : float
        Stop when ``||f - A u|| / ||f - A u_b|| <= rtol`` (interior 2-norms; ``u_b`` holds the
        boundary values and zeros inside, the lifted right-hand side of the CPU solver).
    maxiter : int
    x0 : array, optional
        Initial guess (boundary values are imposed on it).
    nu1, nu2 : int
        Red-black Gauss-Seidel sweeps before / after the coarse correction.
    coarse_size : int
        Levels with at most this many nodes are solved on the CPU by sparse LU.
    raise_on_failure : bool
        Raise :class:`~fieldgrad.errors.ConvergenceError` if ``rtol`` is not reached.
    solver : CudaMultigrid, optional
        A hierarchy to reuse (many right-hand sides).
    callback : callable ``callback(iteration, relative_residual)``, optional

    Returns
    -------
    fieldgrad.solvers.poisson.PoissonResult
        ``u`` is a Numba device array; ``method`` is ``"multigrid-cuda"``.

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     res = solve_poisson_cuda(np.ones((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(0.0))
    """
    from .result import PoissonResult

    t_start = time.perf_counter()
    bcs = _bnd.resolve_bc(bc, grid)
    bad = {face: c for face, c in bcs.faces.items() if not isinstance(c, _bnd.Dirichlet)}
    if bad:
        raise BoundaryError(f"solve_poisson_cuda supports Dirichlet conditions on every face; got {bad}. "
                            "Use fieldgrad.solvers.solve_poisson (CPU) for other conditions")
    fd = _cu.as_device(f, "f", shape=grid.shape)
    dtype = np.dtype(fd.dtype)
    mg = solver or CudaMultigrid(grid, dtype, k, screening, coarse_size)
    vshape = view_shape(grid.shape)
    fv = fd.reshape(*vshape)
    if float(k) != 1.0:  # k lap u - s u = f  <=>  lap u - (s/k) u = f/k
        fs = _cu.empty(vshape, dtype)
        fs.copy_to_device(fv.copy_to_host() / dtype.type(k))  # one host round trip, once per solve
        fv = fs
    dplan = dirichlet_plan(grid, bcs, dtype, t)
    u = _cu.empty(vshape, dtype)
    blocks1, threads1 = launch1(u.size, mg.sim)
    _operator_kernels().fill[blocks1, threads1](u.reshape(u.size), dtype.type(0.0))
    set_faces(u, dplan)
    fine = mg.levels[0]
    bnorm = mg.norm(mg.residual(fine, u, fv, fine["r"]))
    if x0 is not None:
        u.copy_to_device(_cu.as_device(x0, "x0", dtype=dtype, shape=grid.shape).reshape(*vshape))
        set_faces(u, dplan)
    if bnorm == 0.0:
        bnorm = 1.0
    residuals = []
    rel = mg.norm(mg.residual(fine, u, fv, fine["r"])) / bnorm
    it = 0
    while rel > rtol and it < maxiter:
        mg.vcycle(0, u, fv, nu1, nu2)
        rel = mg.norm(mg.residual(fine, u, fv, fine["r"])) / bnorm
        residuals.append(rel)
        it += 1
        if callback is not None:
            callback(it, rel)
    result = PoissonResult(u=u.reshape(*grid.shape), method="multigrid-cuda", iterations=it, residuals=residuals,
                           converged=rel <= rtol, wall_time=time.perf_counter() - t_start,
                           info={"backend": "cuda", "levels": [lev["shape"][3 - grid.ndim:] for lev in mg.levels]})
    if not result.converged and raise_on_failure:
        raise ConvergenceError(f"solve_poisson_cuda: relative residual {rel:.3e} > rtol {rtol:g} after {it} V-cycles",
                               residuals=residuals, result=result)
    return result


kernels = _cu.kernel_set(build)
