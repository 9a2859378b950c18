"""The solvers' operator applied to a field: ``div(k grad u) - screening*u`` row by row.

Used where no stencil kernel exists, e.g. on cylindrical ``(r, z)`` grids, whose finite-volume
rows carry the ``r`` of the revolution (:class:`~fieldgrad.solvers.discretize.Problem`).  Faces
with a Dirichlet condition are closed (zero normal flux) after their values are imposed, so a
node on such a face gets the balance of its half cell without the flow through that face --
the flow that :func:`fieldgrad.fields.fluxes.face_flows` reads from the imbalance.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, resolve_bc
from .discretize import Problem, pad3, unpad
from .matrix import _stencil_to_csr

__all__ = ["apply_operator"]


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
    u = np.array(u, dtype=np.float64)
    closed = {}
    for face, cond in bcs.faces.items():
        if isinstance(cond, Dirichlet):
            axis, side = grid.parse_face(face)
            sl = [slice(None)] * grid.ndim
            sl[axis] = 0 if side == 0 else -1
            u[tuple(sl)] = cond.evaluate("value", grid, face, t)
        closed[face] = Neumann(0.0) if (cond is None or isinstance(cond, Dirichlet)) else cond
    prob = Problem(grid, closed, k)
    coef, offs = prob.stencil7()
    A = _stencil_to_csr(coef, offs, prob.shape3, prob.periodic3)
    b, _ = prob.rhs(np.zeros(grid.shape), t)  # minus the Neumann/Robin data terms
    rows = (A @ pad3(u, grid.ndim).ravel()).reshape(prob.shape3) - b
    c = prob.capacity_factor()  # the row's volume over the box volume (ring volume, inside part)
    if np.ndim(c):
        inside = c > 0
        rows = np.divide(rows, c, out=np.zeros_like(rows), where=inside)
    return unpad(rows, grid.shape)
