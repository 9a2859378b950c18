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

__all__ = ["poisson_matrix", "poisson_rhs"]


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
        Dirichlet nodes.  True: rows scaled by the trapezoid factor, reduced to unknown nodes;
        returns ``(A_sym, unknown_index)`` where ``unknown_index`` are the flat indices of the
        unknown nodes.
    contact : None or :class:`~fieldgrad.materials.Contact` -- interface resistance

    Returns
    -------
    scipy.sparse.csr_matrix (or a tuple, see ``symmetric``)

    Example
    -------
    >>> from fieldgrad import Grid, Dirichlet
    >>> A = poisson_matrix(Grid((4, 4)), Dirichlet(0.0))
    >>> A.shape
    (16, 16)
    """
    prob = Problem(grid, bc, k, screening, contact)
    coef, offsets = prob.stencil7()
    fixed = prob.fixed_mask()
    A = _stencil_to_csr(coef, offsets, prob.shape3, prob.periodic3, fixed)
    if not symmetric:
        return A
    w = prob.weights().ravel()
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
    >>> import numpy as np
    >>> from fieldgrad import Grid, Dirichlet
    >>> float(poisson_rhs(np.zeros((3, 3)), Grid((3, 3)), Dirichlet(2.0))[0, 0])
    2.0
    """
    prob = Problem(grid, bc, k, 0.0)
    b, _ = prob.rhs(check_rhs(f, grid), t)
    return unpad(b, grid.shape)
