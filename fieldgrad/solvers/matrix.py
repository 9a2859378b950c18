"""The assembled sparse matrix of the discrete Poisson system.

Layout: the full ``N x N`` matrix over every node of the grid (C order, ``u.ravel()``).  Rows of
nodes on a Dirichlet face are identity rows; every other row is the homogeneous operator
``div_k_grad_h(u) - screening*u`` with zero Neumann/Robin data (the data, and the Dirichlet
values, go into the right-hand side from :func:`poisson_rhs`).  So ``A @ u`` equals
``div_k_grad(u, grid, bc, k=k) - screening*u`` at unknown nodes when the Neumann/Robin data are
zero, and the discrete problem is ``A @ u = poisson_rhs(f, ...)``.

``symmetric=True`` scales each row by the trapezoid factor (1/2 per Neumann/Robin face the node
lies on) and returns the reduced matrix over unknown nodes, which is then symmetric.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .discretize import Problem, check_rhs, unpad
from .held import make_problem

__all__ = ["poisson_matrix", "poisson_rhs", "ReducedSystem"]


class ReducedSystem:
    """The system over the unknown nodes only, rows scaled to a unit diagonal, for sparse LU.

    The fixed nodes' columns move to the right-hand side (``C``), so their values are never
    touched by pivoting; and a Dirichlet node's identity row next to rows of size ``k/h^2``
    (1e9 in physical units) would otherwise cost ~1e-7 relative accuracy.

    Parameters
    ----------
    A : scipy.sparse matrix over all nodes (identity rows at fixed nodes)
    fixed : bool array (flat) -- the fixed nodes
    singular : bool -- border with the constraint ``sum u = 0`` over the unknowns

    Example
    -------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[1.0, 0, 0], [1e9, -2e9, 1e9], [0, 0, 1.0]]))
    >>> s = ReducedSystem(A, np.array([True, False, True]))
    >>> float(s.solve(np.array([600.0, 0.0, 600.0]))[1])
    600.0
    """

    def __init__(self, A, fixed, singular=False):
        import scipy.sparse.linalg as spla

        A = sp.csr_matrix(A)
        self.fixed = np.asarray(fixed, dtype=bool).ravel()
        self.free = np.flatnonzero(~self.fixed)
        fix = np.flatnonzero(self.fixed)
        rows = A[self.free]
        self.C = rows[:, fix].tocsr()
        Aff = rows[:, self.free].tocsr()
        d = np.abs(Aff.diagonal())
        self.scale = 1.0 / np.where(d > 0, d, 1.0)
        Aff = (sp.diags(self.scale) @ Aff).tocsc()
        self.singular = singular
        if singular:
            one = np.ones((Aff.shape[0], 1))
            Aff = sp.bmat([[Aff, sp.csr_matrix(one)], [sp.csr_matrix(one.T), None]], format="csc")
        self.lu = spla.splu(Aff) if self.free.size else None

    def solve(self, b, x=None):
        """``x`` (flat) with ``A x = b``: fixed entries of ``b`` are the values (copied into
        ``x``); ``x`` is a new array unless given (then filled in place)."""
        b = np.asarray(b, dtype=np.float64).ravel()
        x = b.copy() if x is None else x
        x[self.fixed] = b[self.fixed]
        if self.lu is None:
            return x
        rhs = b[self.free]
        if self.C.shape[1]:
            rhs = rhs - self.C @ b[self.fixed]
        rhs = rhs * self.scale
        if self.singular:
            rhs = np.append(rhs, 0.0)
        x[self.free] = self.lu.solve(rhs)[: self.free.size]
        return x


def _stencil_to_csr(coef, offsets, shape3, periodic3, fixed=None):
    n = int(np.prod(shape3))
    idx = np.arange(n).reshape(shape3)
    rows, cols, vals = [], [], []
    for s in range(coef.shape[0]):
        c = coef[s]
        off = offsets[s]
        valid = np.ones(shape3, dtype=bool)
        nb = []
        for a in range(3):
            i = np.arange(shape3[a]) + off[a]
            if periodic3[a]:
                ok = np.ones(shape3[a], dtype=bool)
                i = i % shape3[a]
            else:
                ok = (i >= 0) & (i < shape3[a])
                i = np.clip(i, 0, shape3[a] - 1)
            shp = [1, 1, 1]
            shp[a] = -1
            valid &= ok.reshape(shp)
            nb.append(i.reshape(shp))
        col = (nb[0] * shape3[1] + nb[1]) * shape3[2] + nb[2]
        col = np.broadcast_to(col, shape3)
        keep = valid & (c != 0)
        if fixed is not None:
            keep &= ~fixed
        rows.append(idx[keep])
        cols.append(col[keep])
        vals.append(c[keep])
    if fixed is not None and fixed.any():
        fi = idx[fixed]
        rows.append(fi)
        cols.append(fi)
        vals.append(np.ones(fi.size))
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    A.sum_duplicates()
    return A


def poisson_matrix(grid, bc, k=None, screening=0.0, *, symmetric=False, contact=None):
    """Sparse matrix of ``div(k grad u) - screening*u`` on ``grid`` with boundary conditions ``bc``.

    Parameters
    ----------
    grid : Grid
    bc : boundary specification (a condition on every face)
    k : None, number > 0, node array, cell values or Orthotropic (see
        :func:`fieldgrad.solve_poisson`)
    screening : number >= 0 or non-negative array
    symmetric : bool
        False (default): the full ``N x N`` matrix (``N = grid.size``) with identity rows on
        Dirichlet nodes (and on the nodes a Dirichlet ``bc["surface"]`` holds).  True: rows scaled by the trapezoid factor (on a cylindrical grid also
        by the volume factor ``m`` of :meth:`Problem.volume_factor`), reduced to unknown nodes;
        returns ``(A_sym, unknown_index)`` where ``unknown_index`` are the flat indices of the
        unknown nodes.
    contact : None or :class:`~fieldgrad.materials.Contact` -- interface resistance

    Returns
    -------
    scipy.sparse.csr_matrix (or a tuple, see ``symmetric``)

    Example
    -------
    >>> A = poisson_matrix(fg.Grid((4, 4)), fg.Dirichlet(0.0))
    >>> A.shape
    (16, 16)
    """
    prob = make_problem(grid, bc, k, screening, contact)
    coef, offsets = Problem.stencil7(prob)  # the full rows: links to held nodes are kept, as to Dirichlet ones
    fixed = prob.fixed_or_held_mask()
    A = _stencil_to_csr(coef, offsets, prob.shape3, prob.periodic3, fixed)
    m = prob.volume_factor()
    if not symmetric:
        if prob.m3 is not None:  # rows of the operator itself, not of the volume-weighted balance
            A = (sp.diags(np.where(fixed, 1.0, 1.0 / np.broadcast_to(m, prob.shape3)).ravel()) @ A).tocsr()
        return A
    w = (prob.weights() * m).ravel()
    unknown = np.flatnonzero(~fixed.ravel())
    As = sp.diags(w) @ A
    return As.tocsr()[unknown][:, unknown].tocsr(), unknown


def poisson_rhs(f, grid, bc, k=None, *, t=0.0):
    """Right-hand side ``b`` with ``poisson_matrix(...) @ u.ravel() == b.ravel()`` the discrete problem.

    ``b = f`` minus the Neumann/Robin data terms (``2 k_b g / h`` per face) at unknown nodes, and
    the Dirichlet value on Dirichlet nodes.

    Parameters
    ----------
    f : ndarray of ``grid.shape``
    grid, bc, k : as for :func:`poisson_matrix`
    t : float
        Time for time-dependent boundary values.

    Returns
    -------
    float64 ndarray of ``grid.shape``

    Example
    -------
    >>> float(poisson_rhs(np.zeros((3, 3)), fg.Grid((3, 3)), fg.Dirichlet(2.0))[0, 0])
    2.0
    """
    prob = make_problem(grid, bc, k, 0.0)
    f = check_rhs(f, grid)
    b, _ = Problem.rhs(prob, f, t)  # the full rows of poisson_matrix (no elimination of held nodes)
    given = prob.fixed_or_held_mask()
    held = given & ~prob.fixed_mask()
    if held.any():  # a Dirichlet surface: its nodes are rows "u = value" like Dirichlet nodes
        b[held] = prob.rhs(f, t)[1][held]
    if prob.m3 is not None:
        b = np.where(given, b, b / prob.m3)
    return unpad(b, grid.shape)

