"""Two-level additive Schwarz for the links operator (the material path of the distributed solve).

``B r = sum_i R_i^T B_i R_i r + P_0 (P_0^T W A0_ff P_0)^{-1} P_0^T W r`` for the serial operator
``A0`` of :meth:`fieldgrad.solvers.discretize.Problem.links_diag` (cell values, orthotropic
components, contact resistances and held regions already inside its links and diagonal):

* **Local part** (:class:`LinksLocalMultigrid`): the rank's overlapping subdomain (block plus
  ``overlap`` layers, closed by one homogeneous Dirichlet layer on cut faces) takes the
  *principal submatrix* of ``A0`` -- the global links and diagonal cut to the subdomain
  (:func:`~fieldgrad.distributed.links.cut_links`) -- and one symmetric V-cycle of the serial
  multigrid :class:`~fieldgrad.solvers.multigrid.Hierarchy` on it (Galerkin coarse levels built
  from those links, so material jumps stay on every level).  No rediscretisation.
* **Coarse part** (:class:`GalerkinCoarse`): the Galerkin product ``A_c = P_0^T W A0_ff P_0`` of
  the *global* operator (free rows and columns, ``W`` the trapezoid weights that make ``A0``
  symmetric) with tensor-product linear interpolation ``P_0`` from a small uniform grid; each
  rank multiplies its own rows, the coarse entries are gathered and every rank factorises the
  sum (sparse LU).  Applying it is one ``Allreduce`` of a coarse array.  So the coarse
  operator sees the material exactly as the fine one does, a choice that needs no averaged
  coefficient.

Both parts are W-self-adjoint, so the sum is a CG preconditioner for ``A0`` (the sign of ``A0``:
both parts approximate ``A0^{-1}``, negative definite like it).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..solvers.discretize import pad3
from ..solvers.matrix import _stencil_to_csr
from ..solvers.multigrid import Hierarchy, Level
from .links import cut_links, extended_index, local_periodic3
from .overlap import OverlapExchange
from .schwarz import TwoLevelSchwarz, _apply_axes, coarse_shape, interpolation_matrix

__all__ = ["LinksLocalMultigrid", "galerkin_blocks", "GalerkinCoarse", "LinksSchwarz"]


class _LinksPiece:
    """What :class:`~fieldgrad.solvers.multigrid.Hierarchy` reads from a problem, for an operator
    given as links (a principal submatrix of the global one)."""

    constant_coefficients = False

    def __init__(self, shape3, coupling_h3, periodic3, fixed1, links, singular):
        self.shape3, self.periodic3, self.fixed1 = shape3, periodic3, fixed1
        self._h3, self._links, self.singular = coupling_h3, links, singular

    def coupling_h3(self):
        return self._h3

    def links_diag(self):
        return self._links


class LinksLocalMultigrid:
    """One symmetric V-cycle on the principal submatrix of ``A0`` over this rank's subdomain.

    Parameters
    ----------
    dec : Decomposition
    prob : the global Problem (or HeldProblem) every rank built
    links : ``prob.links_diag()``
    nu : smoothing sweeps before and after the coarse correction
    overlap : layers borrowed from each neighbour

    Example
    -------
    >>> local = LinksLocalMultigrid(dec, prob, prob.links_diag(), nu=2, overlap=2)   # doctest: +SKIP
    >>> local.apply(r_block, z_block)                                                 # doctest: +SKIP
    """

    def __init__(self, dec, prob, links, nu=2, overlap=2):
        nd = dec.grid.ndim
        self.nu = nu
        self.ex = OverlapExchange(dec, overlap)
        per3 = local_periodic3(dec)
        pads = []
        for a in range(3):
            if a >= nd or per3[a]:
                pads.append((0, 0))
            else:
                pads.append(tuple(0 if dec.physical[a][s] else self.ex.widths[a][s] + 1 for s in (0, 1)))
        index = extended_index(dec, pads)
        Lx, Ly, Lz, D, fixed, tables = cut_links(links[:4], prob.fixed1, index, per3,
                                                 [(lo > 0, hi > 0) for lo, hi in pads])
        cut = any(lo or hi for lo, hi in pads)
        piece = _LinksPiece(tuple(i.size for i in index), prob.coupling_h3(), per3, fixed,
                            (Lx, Ly, Lz, D, tables), prob.singular and not cut)
        self.hier = Hierarchy(piece)
        ext = tuple(i.size for i in index[:nd])
        self.z, self.b = np.zeros(ext), np.zeros(ext)
        self.z3, self.b3 = pad3(self.z, nd), pad3(self.b, nd)
        # the overlapping subdomain inside the extended array (without the closure layers)
        self.sub = tuple(slice(lo - w[0], lo + n + w[1]) for n, (lo, _), w in zip(dec.shape, pads, self.ex.widths))
        self.bsub, self.zsub = self.b[self.sub], self.z[self.sub]

    def apply(self, r, out):
        """``out = sum_i R_i^T B_i R_i r`` on this block (``B_i`` one V-cycle for ``A0_i z = r_i``)."""
        own = self.ex.owned
        self.bsub[own] = r
        self.ex.fill(self.bsub)
        self.z[...] = 0.0
        self.hier.cycle(self.z3, self.b3, 0, "V", self.nu, self.nu, symmetric=True)
        self.ex.accumulate(self.zsub)
        out[...] = self.zsub[own]
        return out


def galerkin_blocks(dec, prob, links, w3, P1):
    """``A_c = P_0^T W A0_ff P_0`` summed over the ranks' rows: each rank multiplies its own rows
    (block plus one halo layer of columns, :func:`~fieldgrad.distributed.links.cut_links`) and the
    coarse contributions are gathered (a few entries per coarse node), so no rank assembles the
    global fine matrix.

    Parameters
    ----------
    dec : Decomposition
    prob : the global problem (its ``fixed_mask()``, ``h3``)
    links : its ``links_diag()``
    w3 : global weights of ``prob.shape3`` (``prob.weights()``)
    P1 : per-axis sparse interpolation matrices (fine x coarse)

    Returns
    -------
    scipy.sparse.csr_matrix, the same on every rank
    """
    nd = dec.grid.ndim
    ex = OverlapExchange(dec, 1)
    widths = list(ex.widths) + [(0, 0)] * (3 - nd)
    index = extended_index(dec, widths)
    per3 = local_periodic3(dec)
    Lx, Ly, Lz, D, fixed, tables = cut_links(links[:4], prob.fixed1, index, per3,
                                             [(lo > 0, hi > 0) for lo, hi in widths])
    lev = Level(tuple(i.size for i in index), prob.h3, per3, fixed)
    lev.set_links(Lx, Ly, Lz, D, tables)
    coef, offs = lev.explicit()
    A = _stencil_to_csr(coef, offs, lev.shape, per3)
    ix = np.ix_(*index)
    free = (~prob.fixed_mask()[ix]).ravel()
    own = np.zeros(lev.shape, dtype=bool)
    own[tuple(ex.owned) + (slice(None),) * (3 - nd)] = True
    rows = np.flatnonzero(own.ravel() & free)
    Pe = P1[0][index[0]]
    for a in range(1, nd):
        Pe = sp.kron(Pe, P1[a][index[a]], format="csr")
    Pf = (sp.diags(free.astype(np.float64)) @ Pe).tocsr()
    part = (Pe[rows].T @ sp.diags(np.asarray(w3)[ix].ravel()[rows]) @ A[rows] @ Pf).tocoo()
    got = dec.cart.allgather((part.row, part.col, part.data))
    nc = Pe.shape[1]
    Ac = sp.coo_matrix((np.concatenate([g[2] for g in got]), (np.concatenate([g[0] for g in got]),
                                                              np.concatenate([g[1] for g in got]))), shape=(nc, nc))
    return Ac.tocsr()


class GalerkinCoarse:
    """``P_0 (P_0^T W A0_ff P_0)^{-1} P_0^T W`` with ``P_0`` linear interpolation from a uniform
    coarse grid; the coarse matrix is summed from the ranks' rows (:func:`galerkin_blocks`) and
    factorised on every rank.

    Parameters
    ----------
    dec : Decomposition
    prob : the global Problem (held rows included in its links)
    links : ``prob.links_diag()``
    w3 : global trapezoid weights of ``prob.shape3`` (``prob.weights()``)
    shape : coarse nodes per axis (default :func:`fieldgrad.distributed.schwarz.coarse_shape`)

    On a singular problem (constants in the null space) one coarse node is held at 0: the
    correction is then defined up to the constant CG projects out.  Coarse nodes whose
    interpolation touches only fixed nodes get an identity row.

    Example
    -------
    >>> cs = GalerkinCoarse(dec, prob, prob.links_diag(), prob.weights())   # doctest: +SKIP
    >>> cs.apply(r_block, w_block, e_block)                                  # doctest: +SKIP
    """

    def __init__(self, dec, prob, links, w3, shape=None):
        grid = dec.grid
        self.dec = dec
        self.shape = coarse_shape(grid, dec.dims) if shape is None else tuple(shape)
        P1 = [interpolation_matrix(n, nc, p).tocsr() for n, nc, p in zip(grid.shape, self.shape, grid.periodic)]
        self.P_local = [m[s].tocsr() for m, s in zip(P1, dec.slices)]
        self.PT_local = [m.T.tocsr() for m in self.P_local]
        Ac = galerkin_blocks(dec, prob, links, w3, P1)
        d = Ac.diagonal()
        hold = d == 0.0  # no free fine node under this coarse node
        if prob.singular:
            hold[int(np.argmax(np.abs(d)))] = True
        keep = sp.diags((~hold).astype(np.float64))
        Ac = (keep @ Ac @ keep + sp.diags(hold.astype(np.float64))).tocsc()
        self.hold = hold
        self.lu = spla.splu(Ac)
        self.rc = np.zeros(self.shape)

    def apply(self, r, w, out):
        """``out = P_0 A_c^{-1} P_0^T W r`` on this rank's block (``w`` the block's weights)."""
        local = _apply_axes(self.PT_local, w * r)
        self.dec.cart.Allreduce(local, self.rc, op=self.dec.MPI.SUM)
        rc = self.rc.ravel().copy()
        rc[self.hold] = 0.0
        e = self.lu.solve(rc).reshape(self.shape)
        out[...] = _apply_axes(self.P_local, e)
        return out


class LinksSchwarz:
    """``B = sum_i R_i^T B_i R_i + coarse`` for the links operator; zero on fixed nodes.

    Parameters
    ----------
    dec, prob, links : see :class:`LinksLocalMultigrid`
    w : the block's trapezoid weights (block shape)
    fixed : bool mask of the block's fixed nodes
    coarse : bool -- add the Galerkin coarse correction
    nu, overlap : of the local V-cycles
    coarse_shape : coarse nodes per axis, optional
    """

    def __init__(self, dec, prob, links, w, fixed, coarse=True, nu=2, overlap=2, coarse_shape=None):
        self.local = LinksLocalMultigrid(dec, prob, links, nu=nu, overlap=overlap)
        self.coarse = GalerkinCoarse(dec, prob, links, prob.weights(), coarse_shape) if coarse else None
        self.w, self.fixed = w, fixed
        self.tmp = np.empty(dec.shape)

    apply = TwoLevelSchwarz.apply
