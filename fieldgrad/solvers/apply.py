"""The solvers' operator applied to a field: ``div(k grad u) - screening*u`` row by row.

Used where no stencil kernel exists, e.g. on cylindrical ``(r, z)`` grids, whose finite-volume
rows carry the ``r`` of the revolution (:class:`~fieldgrad.solvers.discretize.Problem`).  Faces
with a Dirichlet condition are closed (zero normal flux) after their values are imposed, so a
node on such a face gets the balance of its half cell without the flow through that face --
the flow that :func:`fieldgrad.fields.fluxes.face_flows` reads from the imbalance.

:class:`RowsOperator` holds those rows (the links operator of the closed problem, its boundary
data and the capacity factor); :func:`apply_operator` applies them to a whole field and
:class:`fieldgrad.distributed.rows.BlockRows` to one MPI rank's block, with the same kernel.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, resolve_bc
from ..boundary.ghosts import with_dirichlet
from .discretize import Problem, pad3, unpad
from .mg_links import residual_links

__all__ = ["apply_operator", "RowsOperator"]


class RowsOperator:
    """``div(k grad u)`` per unit volume by the finite-volume rows of ``bcs`` with its Dirichlet
    faces closed (and faces without a condition insulated).

    Parameters
    ----------
    grid : Grid (Cartesian or cylindrical)
    bcs : resolved BoundaryConditions
    k : None, number, node array, Cells or Orthotropic (as for :func:`fieldgrad.solve_poisson`)

    Attributes
    ----------
    problem : the closed :class:`~fieldgrad.solvers.discretize.Problem`
    links : ``(Lx, Ly, Lz, D)`` arrays of ``shape3``; tables : flat list of the axis tables
    capacity : the row's volume over the box volume (:meth:`Problem.capacity_factor`): array of
        ``shape3`` or 1.0

    Example
    -------
    >>> g = fg.Grid((9, 5), extent=[(0, 1), (0, 1)], coords="cylindrical")
    >>> op = RowsOperator(g, fg.resolve_bc(None, g), 1.0)
    >>> op.problem.kinds3[0]
    ('neumann', 'neumann')
    """

    def __init__(self, grid, bcs, k=None):
        closed = {face: Neumann(0.0) if (c is None or isinstance(c, Dirichlet)) else c for face, c in bcs.faces.items()}
        self.grid = grid
        self.problem = Problem(grid, closed, k)
        Lx, Ly, Lz, D, tables = self.problem.links_diag()
        self.links = (Lx, Ly, Lz, D)
        self.tables = [x for nb_wt in tables for x in nb_wt]
        self.capacity = self.problem.capacity_factor()
        self._zero = np.zeros(grid.shape)

    def data(self, t):
        """The Neumann/Robin data terms ``b`` of the rows at time ``t`` (float64 array of ``shape3``):
        a row is ``A0 u - b``."""
        return self.problem.rhs(self._zero, t)[0]

    @staticmethod
    def per_volume(rows, capacity):
        """``rows / capacity`` in place where ``capacity > 0``, 0 elsewhere (nodes outside a domain)."""
        if np.ndim(capacity):
            inside = np.broadcast_to(capacity > 0, rows.shape)
            np.divide(rows, capacity, out=rows, where=inside)
            rows[~inside] = 0.0
        return rows

    def apply(self, u, t=0.0):
        """The rows applied to ``u`` (Dirichlet values already imposed): float64 array of ``grid.shape``."""
        u3 = pad3(np.ascontiguousarray(u, dtype=np.float64), self.grid.ndim)
        r = np.empty(self.problem.shape3)
        residual_links(u3, u3, r, *self.links, *self.problem.fixed1, *self.tables, False)
        r -= self.data(t)
        return unpad(self.per_volume(r, self.capacity), self.grid.shape)


def apply_operator(u, grid, bc, k=None, t=0.0):
    """``div(k grad u)`` per unit volume at every node, by the solvers' finite-volume rows.

    With a domain (``k = Cells(..., domain=)``) a row is the balance per unit volume of the part
    of the node's cell inside the domain (hole surfaces insulated); nodes outside hold 0.

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    grid : Grid (Cartesian or cylindrical)
    bc : boundary specification (faces without a condition, and Dirichlet faces after their
        values are imposed on ``u``, are closed)
    k : None, number, node array, Cells or Orthotropic (as for :func:`fieldgrad.solve_poisson`)
    t : float -- time of the boundary values

    Returns
    -------
    float64 ndarray of ``grid.shape``

    Example
    -------
    >>> g = fg.Grid((9, 5), extent=[(0, 1), (0, 1)], coords="cylindrical")
    >>> r = g.mesh()[0]
    >>> v = apply_operator(r**2, g, None)     # (1/r) d/dr (r d(r^2)/dr) = 4
    >>> bool(np.allclose(v[1:-1], 4.0))
    True
    """
    bcs = resolve_bc(bc, grid)
    u = with_dirichlet(np.asarray(u, dtype=np.float64), grid, bcs, t)
    return RowsOperator(grid, bcs, k).apply(u, t)
