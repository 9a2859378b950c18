"""Sparse direct solve (scipy.sparse.linalg.spsolve) of the assembled system: the reference."""
from __future__ import annotations

from .matrix import ReducedSystem, _stencil_to_csr


def direct_solve(prob, b):
    """Solve ``A u = b`` with the full matrix (identity rows on Dirichlet nodes).

    Singular (pure Neumann/periodic) problems are bordered with the constraint ``sum u = 0``;
    the caller removes the weighted mean afterwards.

    Parameters
    ----------
    prob : Problem
    b : padded float64 right-hand side

    Returns
    -------
    float64 padded array.
    """
    coef, offs = prob.stencil7()
    fixed = prob.fixed_mask()
    A = _stencil_to_csr(coef, offs, prob.shape3, prob.periodic3, fixed)
    return ReducedSystem(A, fixed, prob.singular).solve(b).reshape(b.shape)
