"""Sparse direct solve (scipy.sparse.linalg.spsolve) of the assembled system: the reference."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .matrix import _stencil_to_csr


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
    A = _stencil_to_csr(coef, offs, prob.shape3, prob.periodic3, prob.fixed_mask())
    rhs = b.ravel()
    if prob.singular:
        n = A.shape[0]
        one = sp.csr_matrix(np.ones((n, 1)))
        A = sp.bmat([[A, one], [one.T, None]], format="csc")
        rhs = np.append(rhs, 0.0)
    x = spla.spsolve(A.tocsc(), rhs)
    return np.asarray(x[: b.size]).reshape(b.shape)
