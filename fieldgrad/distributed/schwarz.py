"""Two-level additive Schwarz preconditioner for the distributed Poisson solve.

``B r = sum_i R_i^T B_i R_i r + P_0 A_c^{-1} R_0 r`` for ``A = -(div(k grad .) - screening)``:

* **Local part** (:class:`LocalMultigrid`): each rank runs one symmetric multigrid V-cycle of the
  serial solver (:class:`fieldgrad.solvers.PoissonSolver` machinery) on its own block.  The block
  is extended by one ghost layer on every cut face, and that layer carries a homogeneous
  *Dirichlet* condition.  So the block operator is exactly the principal submatrix of the global
  operator on the block's nodes (couplings across cut faces dropped, link conductivities
  ``harmonic(k_edge, k_neighbour)`` kept): symmetric positive definite on every rank, never
  singular when the block has a cut face, and the additive sum is symmetric in the
  trapezoid-weighted inner product.  (Neumann at cut faces would make interior blocks of a
  Neumann problem singular and change the diagonal, so the sum would no longer be a
  decomposition of ``A``.)  No communication.
* **Coarse part** (:class:`CoarseSpace`): the residual is restricted to a small global uniform
  grid with the W-adjoint of tensor-product linear interpolation, ``R_0 = W_c^{-1} P_0^T W``
  (``W``, ``W_c`` the trapezoid weights), summed over ranks with one ``Allreduce``, solved
  redundantly on every rank (the serial solver with a sparse LU on the coarse grid; the coarse
  operator is rediscretised with averaged ``k`` and screening), and interpolated back locally.
  This carries the global low-frequency error that block solves cannot see.

Both parts are W-self-adjoint and positive (definite on the complement of constants), so the
sum is a valid CG preconditioner.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import boundary as _bnd
from ..grid import Grid
from ..solvers import PoissonSolver
from ..solvers.discretize import pad3
from .overlap import OverlapExchange

__all__ = ["LocalMultigrid", "CoarseSpace", "TwoLevelSchwarz", "interpolation_matrix", "coarse_shape"]


def _global_face_values(cond, field, grid, face):
    """A Robin coefficient on the global face: a number when it is one, else the face array."""
    raw = getattr(cond, field)
    if np.ndim(raw) == 0 and not callable(raw):
        return float(raw)
    return np.asarray(cond.evaluate(field, grid, face), dtype=np.float64)


def _homogeneous_condition(cond, face_values):
    """The same kind with zero data (Robin keeps ``alpha``, ``beta``)."""
    if isinstance(cond, _bnd.Dirichlet):
        return _bnd.Dirichlet(0.0)
    if isinstance(cond, _bnd.Neumann):
        return _bnd.Neumann(0.0)
    if isinstance(cond, _bnd.Robin):
        return _bnd.Robin(*face_values(cond), 0.0)
    return _bnd.Periodic()


class LocalMultigrid:
    """One symmetric V-cycle of the serial multigrid on this rank's (overlapping) subdomain.

    The subdomain is the block plus ``overlap`` layers borrowed from each neighbour across cut
    faces (:mod:`fieldgrad.distributed.overlap`), closed by a homogeneous Dirichlet layer one
    node further out.  Its operator is the principal submatrix of the global operator on those
    nodes (conductivity and screening are taken from the global arrays), so the sum over ranks
    of ``R_i^T B_i R_i`` is symmetric.  With ``overlap=0`` this is block Jacobi with a V-cycle.

    Parameters
    ----------
    dec : Decomposition
    bcs : BoundaryConditions of the global grid (complete)
    k, screening : float or global float64 arrays of ``grid.shape``
    nu : int, smoothing sweeps before and after the coarse correction
    overlap : int, layers borrowed from each neighbour

    Example
    -------
    >>> local = LocalMultigrid(dec, bcs, 1.0, 0.0, overlap=4)   # doctest: +SKIP
    >>> local.apply(r, out)          # out ~ sum of subdomain solves, 2 wide halo passes   # doctest: +SKIP
    """

    def __init__(self, dec, bcs, k, screening, nu=1, overlap=0):
        grid, nd = dec.grid, dec.grid.ndim
        self.nu = nu
        self.ex = OverlapExchange(dec, overlap)
        per_local, pads = [], []
        for a in range(nd):
            self_periodic = grid.periodic[a] and dec.dims[a] == 1
            per_local.append(self_periodic)
            pads.append((0, 0) if self_periodic else
                        tuple(0 if dec.physical[a][s] else self.ex.widths[a][s] + 1 for s in (0, 1)))
        ext = tuple(n + lo + hi for n, (lo, hi) in zip(dec.shape, pads))
        self.grid = Grid(ext, spacing=grid.spacing, periodic=per_local)
        # the overlapping subdomain inside the extended array (without the Dirichlet layers)
        self.sub = tuple(slice(lo - w[0] if lo else 0, lo + n + w[1]) for n, (lo, _), w
                         in zip(dec.shape, pads, self.ex.widths))
        index = [np.arange(s.start - lo, s.stop + hi) % n
                 for s, (lo, hi), n in zip(dec.slices, pads, grid.shape)]

        def extend(arr):
            return float(arr) if np.ndim(arr) == 0 else np.ascontiguousarray(np.asarray(arr)[np.ix_(*index)])

        def robin_values(a, face):
            def values(cond):
                vals = []
                for fld in ("alpha", "beta"):
                    v = _global_face_values(cond, fld, grid, face)
                    if np.ndim(v):
                        v = np.broadcast_to(v, grid.face_shape(face))[np.ix_(*[ix for b, ix in enumerate(index)
                                                                                 if b != a])]
                    vals.append(v)
                return vals
            return values

        faces = {}
        for a in range(nd):
            for s in (0, 1):
                face = grid.axis_names[a] + "-+"[s]
                if per_local[a]:
                    faces[face] = _bnd.Periodic()
                elif pads[a][s]:
                    faces[face] = _bnd.Dirichlet(0.0)  # cut face: closed one layer past the overlap
                else:
                    faces[face] = _homogeneous_condition(bcs[face], robin_values(a, face))
        self.solver = PoissonSolver(self.grid, faces, k=extend(k), screening=extend(screening), method="cg")
        self.hier = self.solver.hier
        self.z = np.zeros(ext)
        self.b = np.zeros(ext)
        self.z3, self.b3 = pad3(self.z, nd), pad3(self.b, nd)
        self.bsub, self.zsub = self.b[self.sub], self.z[self.sub]

    def apply(self, r, out):
        """``out = sum_i R_i^T B_i R_i r`` on this block, ``B_i`` one symmetric V-cycle for the
        subdomain problem ``-(L_i) z = r`` (zero start)."""
        own = self.ex.owned
        self.bsub[own] = r
        self.ex.fill(self.bsub)
        np.negative(self.b, out=self.b)  # the serial operator is L = div k grad - s (negative)
        self.z[...] = 0.0
        self.hier.cycle(self.z3, self.b3, 0, "V", self.nu, self.nu, symmetric=True)
        self.ex.accumulate(self.zsub)
        out[...] = self.zsub[own]
        return out


def coarse_shape(grid, dims, target=None):
    """Nodes per axis of the global coarse grid: about ``target`` nodes in all (65^2 in 2D,
    17^3 in 3D), at least two coarse cells per rank along each axis, never more than the grid."""
    nd = grid.ndim
    if target is None:
        target = 65 ** 2 if nd == 2 else 17 ** 3
    per_axis = max(3, int(round(target ** (1.0 / nd))))
    return tuple(min(n, max(per_axis, 2 * d + 1)) for n, d in zip(grid.shape, dims))


def interpolation_matrix(n, nc, periodic):
    """Linear interpolation from ``nc`` uniform coarse nodes to ``n`` uniform fine nodes on the same
    interval (or circle), as a sparse ``n x nc`` matrix whose rows sum to 1.

    Example
    -------
    >>> interpolation_matrix(5, 3, False).toarray()[1]
    array([0.5, 0.5, 0. ])
    """
    i = np.arange(n, dtype=np.float64)
    s = i * nc / n if periodic else i * (nc - 1) / (n - 1)
    j = np.floor(s + 1e-12).astype(np.int64)
    t = np.clip(s - j, 0.0, 1.0)
    j1 = j + 1
    if periodic:
        j1 %= nc
    else:
        last = j >= nc - 1
        j[last], j1[last], t[last] = nc - 1, nc - 1, 0.0
    rows = np.concatenate([np.arange(n), np.arange(n)])
    m = sp.csr_matrix((np.concatenate([1.0 - t, t]), (rows, np.concatenate([j, j1]))), shape=(n, nc))
    m.eliminate_zeros()
    return m


def _apply_axes(mats, arr):
    """``arr`` multiplied along every axis ``a`` by ``mats[a]`` (sparse, shape ``(m_a, arr.shape[a])``)."""
    for a, m in enumerate(mats):
        moved = np.moveaxis(arr, a, 0)
        res = m @ moved.reshape(moved.shape[0], -1)
        arr = np.moveaxis(np.asarray(res).reshape((m.shape[0],) + moved.shape[1:]), 0, a)
    return np.ascontiguousarray(arr)


class CoarseSpace:
    """Global coarse-grid correction ``P_0 A_c^{-1} R_0`` solved redundantly on every rank.

    Parameters
    ----------
    dec : Decomposition
    bcs : BoundaryConditions of the global grid
    k, screening : float or global float64 arrays (averaged onto the coarse grid)
    shape : coarse nodes per axis (default :func:`coarse_shape`)

    Example
    -------
    >>> cs = CoarseSpace(dec, bcs, 1.0, 0.0)   # doctest: +SKIP
    >>> e = cs.apply(r_block, w_block)          # one Allreduce of a coarse-grid array  # doctest: +SKIP
    """

    def __init__(self, dec, bcs, k, screening, shape=None):
        grid, nd = dec.grid, dec.grid.ndim
        self.dec = dec
        self.shape = coarse_shape(grid, dec.dims) if shape is None else tuple(shape)
        lengths = [h * (n if p else n - 1) for h, n, p in zip(grid.spacing, grid.shape, grid.periodic)]
        spacing = [L / (nc if p else nc - 1) for L, nc, p in zip(lengths, self.shape, grid.periodic)]
        self.grid = Grid(self.shape, spacing=spacing, periodic=grid.periodic)
        P = [interpolation_matrix(n, nc, p) for n, nc, p in zip(grid.shape, self.shape, grid.periodic)]
        self.P_local = [m[s].tocsr() for m, s in zip(P, dec.slices)]
        self.PT_local = [m.T.tocsr() for m in self.P_local]
        # averaging (rows of P^T normalised) for coefficients on the coarse grid
        avg = [sp.diags(1.0 / np.maximum(np.asarray(m.sum(axis=0)).ravel(), 1e-300)) @ m.T for m in P]

        def coarse_coefficient(c):
            return float(c) if np.ndim(c) == 0 else _apply_axes(avg, np.asarray(c, dtype=np.float64))

        faces = {}
        for a in range(nd):
            for s in (0, 1):
                face = grid.axis_names[a] + "-+"[s]

                def robin(cond, a=a, face=face):
                    vals = []
                    for fld in ("alpha", "beta"):
                        v = _global_face_values(cond, fld, grid, face)
                        if np.ndim(v):
                            v = _apply_axes([m for b, m in enumerate(avg) if b != a],
                                            np.broadcast_to(v, grid.face_shape(face)))
                        vals.append(v)
                    return vals
                faces[face] = _homogeneous_condition(bcs[face], robin)
        self.solver = PoissonSolver(self.grid, faces, k=coarse_coefficient(k), screening=coarse_coefficient(screening),
                                    method="cg", coarse_size=self.grid.size + 1)
        self.hier = self.solver.hier
        self.wc = self.grid.quadrature_weights()
        self.e = np.zeros(self.shape)
        self.rc = np.zeros(self.shape)
        self.e3, self.rc3 = pad3(self.e, nd), pad3(self.rc, nd)

    def apply(self, r, w, out):
        """``out = P_0 A_c^{-1} R_0 r`` on this rank's block (``w`` the block's trapezoid weights)."""
        local = _apply_axes(self.PT_local, w * r)
        self.dec.cart.Allreduce(local, self.rc, op=self.dec.MPI.SUM)
        self.rc /= -self.wc  # R_0 r, negated for the serial operator's sign
        self.e[...] = 0.0
        self.hier.cycle(self.e3, self.rc3, 0)  # one level: the sparse LU solve
        out[...] = _apply_axes(self.P_local, self.e)
        return out


class TwoLevelSchwarz:
    """``B = sum_i R_i^T B_i R_i + P_0 A_c^{-1} R_0``: local V-cycles plus the coarse correction.

    Parameters
    ----------
    dec, bcs : see :class:`LocalMultigrid`
    k_global, screening_global : float or global arrays of ``grid.shape``
    w : trapezoid weights of the block
    coarse : bool, use the coarse correction (False gives plain block-multigrid Jacobi)
    nu : smoothing sweeps of the local V-cycle
    coarse_shape : coarse nodes per axis (default :func:`coarse_shape`)
    overlap : layers each subdomain borrows from its neighbours
    """

    def __init__(self, dec, bcs, k_global, screening_global, w, coarse=True, nu=1, coarse_shape=None, overlap=0):
        self.local = LocalMultigrid(dec, bcs, k_global, screening_global, nu=nu, overlap=overlap)
        self.coarse = CoarseSpace(dec, bcs, k_global, screening_global, coarse_shape) if coarse else None
        self.w = w
        self.fixed = None
        self.tmp = np.empty(dec.shape)

    def apply(self, r, out):
        """``out = B r`` (block arrays; zero on the ``fixed`` mask when one is set)."""
        self.local.apply(r, out)
        if self.coarse is not None:
            self.coarse.apply(r, self.w, self.tmp)
            out += self.tmp
        if self.fixed is not None:
            out[self.fixed] = 0.0
        return out
