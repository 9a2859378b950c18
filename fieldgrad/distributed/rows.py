"""``laplacian`` / ``div_k_grad`` on one rank's block by the solvers' finite-volume rows.

Where the serial operators have no stencil kernel -- a cylindrical ``(r, z)`` grid, or a
conductivity on cells (``Cells``) or per axis (``Orthotropic``) -- they apply the rows of the
closed problem (:class:`fieldgrad.solvers.apply.RowsOperator`).  :class:`BlockRows` applies the
same rows to a block: every rank builds them from the global inputs it holds, cuts the links to
its block (:class:`~fieldgrad.distributed.links.BlockLinks`, one halo layer, the serial row
kernel) and takes its part of the boundary data and of the capacity factor.  Each value equals
the serial one to the last bit.

Example
-------
>>> rows = BlockRows(dec, bcs, k=fg.Cells(kc))     # doctest: +SKIP
>>> lap_block = rows.apply(u_block, t=0.0)         # doctest: +SKIP
"""
from __future__ import annotations

import numpy as np

from ..solvers.apply import RowsOperator
from . import blocks
from .links import BlockLinks

__all__ = ["BlockRows"]


class BlockRows:
    """The rows of :class:`~fieldgrad.solvers.apply.RowsOperator` on this rank's block.

    Parameters
    ----------
    dec : Decomposition (built with ``cylindrical=True`` on an (r, z) grid)
    bcs : BoundaryConditions resolved against the global grid
    k : None, number, node array, Cells or Orthotropic (the global input)
    """

    def __init__(self, dec, bcs, k=None):
        self.dec = dec
        self.rows = RowsOperator(dec.grid, bcs, k)
        self.op = BlockLinks(dec, self.rows.links, self.rows.problem.fixed1)
        cap = self.rows.capacity
        self.capacity = cap if np.ndim(cap) == 0 else dec.local3(np.broadcast_to(cap, self.rows.problem.shape3),
                                                                 np.float64)
        self.lbcs = blocks.local_conditions(bcs, dec.slices, dec.local_grid, dec.physical)

    def apply(self, u, t=0.0):
        """The rows applied to the block ``u`` (its Dirichlet faces get their values first, in a
        copy): a float64 array of the block's shape."""
        u = blocks.impose_dirichlet(np.array(u, dtype=np.float64), self.dec.local_grid, self.lbcs, t)
        out = self.op.apply(u, np.empty(self.dec.shape))
        out -= self.dec.local3(self.rows.data(t), np.float64)
        return RowsOperator.per_volume(out, self.capacity)
