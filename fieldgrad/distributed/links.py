"""One rank's piece of the serial links operator (:meth:`fieldgrad.solvers.discretize.Problem.links_diag`).

The material path of the distributed solvers (cell values, orthotropic conductivity, contact
resistance, held regions, heat capacity) does not rediscretise anything: every rank builds the
global :class:`~fieldgrad.solvers.discretize.Problem` from the global inputs it already holds,
and cuts its links ``Lx, Ly, Lz`` and diagonal ``D`` to the block plus a few layers
(:func:`cut_links`).  A product with the operator is a one-layer halo fill
(:class:`~fieldgrad.distributed.overlap.OverlapExchange`) and the serial Numba kernel
:func:`fieldgrad.solvers.mg_links.residual_links` on the extended block
(:class:`BlockLinks`), so every row is the serial row to the last bit.

Example
-------
>>> from fieldgrad.solvers.discretize import Problem
>>> p = Problem(fg.Grid((6, 5)), fg.Dirichlet(0.0))
>>> index = [np.arange(1, 4), np.arange(5), np.zeros(1, int)]   # x nodes 1..3 of 0..5
>>> closed = [(True, True), (False, False), (False, False)]     # both x ends are halo layers
>>> Lx, Ly, Lz, D, fixed1, tables = cut_links(p.links_diag()[:4], p.fixed1, index, (False,) * 3, closed)
>>> Lx.shape, fixed1[0].tolist()
((3, 5, 1), [True, False, True])
"""
from __future__ import annotations

import numpy as np

from ..solvers.discretize import pad3
from ..solvers.mg_links import axis_tables, residual_links
from .overlap import OverlapExchange

__all__ = ["extended_index", "local_periodic3", "cut_links", "BlockLinks"]


def local_periodic3(dec):
    """Per padded axis: True where the axis is periodic and held by one rank (it wraps inside
    the block); a periodic axis split over ranks has cut faces instead."""
    nd = dec.grid.ndim
    return tuple(bool(a < nd and dec.grid.periodic[a] and dec.dims[a] == 1) for a in range(3))


def extended_index(dec, pads):
    """Global node index per padded axis (3 arrays) of the block grown by ``pads[a] = (lo, hi)``
    layers (wrapping on periodic axes; the padded axes of a 2D grid are ``[0]``)."""
    out = []
    for a in range(3):
        if a < dec.grid.ndim:
            s, n = dec.slices[a], dec.grid.shape[a]
            out.append(np.arange(s.start - pads[a][0], s.stop + pads[a][1]) % n)
        else:
            out.append(np.zeros(1, dtype=np.int64))
    return out


def cut_links(links, fixed1, index, periodic3, closed):
    """The links operator restricted to the nodes ``np.ix_(*index)`` (its principal submatrix).

    Parameters
    ----------
    links : ``(Lx, Ly, Lz, D)`` global arrays of ``shape3`` (``Problem.links_diag()[:4]``)
    fixed1 : per-axis global fixed flags (``Problem.fixed1``)
    index : 3 arrays of global indices (:func:`extended_index`)
    periodic3 : per axis, whether the cut axis wraps (:func:`local_periodic3`)
    closed : per axis ``(lo, hi)``: the first / last layer is not an unknown of this piece (a halo
        or a homogeneous Dirichlet closure): it is marked fixed, so its row is never formed

    Returns
    -------
    Lx, Ly, Lz, D : C-contiguous arrays of the piece; ``D`` is the global diagonal (couplings to
        nodes outside the piece stay in it: the principal submatrix, not a rediscretisation)
    fixed1 : per-axis fixed flags of the piece
    tables : per-axis ``(nb, wt)`` of :func:`~fieldgrad.solvers.mg_links.axis_tables` (reflected
        ghosts at a physical Neumann/Robin face, exactly as on the global grid)
    """
    ix = np.ix_(*index)
    Ls = [np.ascontiguousarray(arr[ix]) for arr in links]
    fixed, tables = [], []
    for a in range(3):
        f = np.ascontiguousarray(fixed1[a][index[a]])
        lo, hi = closed[a]
        if lo:
            f[0] = True
        if hi:
            f[-1] = True
        fixed.append(f)
        tables.append(axis_tables(index[a].size, periodic3[a]))
    return Ls[0], Ls[1], Ls[2], Ls[3], fixed, tables


class BlockLinks:
    """``A0`` (the serial links operator) on this rank's block, with a one-layer halo.

    Parameters
    ----------
    dec : Decomposition
    links : ``(Lx, Ly, Lz, D)`` global arrays of ``shape3``
    fixed1 : per-axis global fixed flags

    Block arrays have the block's shape (``dec.shape``).

    Example
    -------
    >>> op = BlockLinks(dec, prob.links_diag()[:4], prob.fixed1)   # doctest: +SKIP
    >>> op.residual(u_block, b_block, r_block)                     # doctest: +SKIP
    """

    def __init__(self, dec, links, fixed1):
        nd = dec.grid.ndim
        self.dec = dec
        self.ex = OverlapExchange(dec, 1)
        widths = list(self.ex.widths) + [(0, 0)] * (3 - nd)
        index = extended_index(dec, widths)
        per3 = local_periodic3(dec)
        closed = [(lo > 0, hi > 0) for lo, hi in widths]
        Lx, Ly, Lz, D, fixed, tables = cut_links(links, fixed1, index, per3, closed)
        self.args = (Lx, Ly, Lz, D, *fixed, *(x for t in tables for x in t))
        self.u = np.zeros(self.ex.shape)
        self.f = np.zeros(self.ex.shape)
        self.r = np.zeros(self.ex.shape)
        self.u3, self.f3, self.r3 = (pad3(x, nd) for x in (self.u, self.f, self.r))
        # the block's own fixed nodes (Dirichlet faces), as a mask of the block shape
        own = self.ex.owned
        fx = [fixed[a][own[a]] if a < nd else fixed[a] for a in range(3)]
        mask = fx[0][:, None, None] | fx[1][None, :, None] | fx[2][None, None, :]
        self.fixed = mask.reshape(dec.shape)

    def residual(self, u, f, out, use_f=True):
        """``out = f - A0 u`` on the block (``A0 u`` when ``use_f`` is False); 0 at fixed nodes."""
        own = self.ex.owned
        self.u[own] = u
        self.ex.fill(self.u)
        if use_f:
            self.f[own] = f
        residual_links(self.u3, self.f3, self.r3, *self.args, use_f)
        out[...] = self.r[own]
        return out

    def apply(self, x, out):
        """``out = A0 x`` (homogeneous operator) on the block."""
        return self.residual(x, None, out, use_f=False)
