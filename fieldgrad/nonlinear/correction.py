"""One linearised solve in correction form: ``A delta = f - A(u)``, ``u + delta`` the new iterate.

The linearised problem (``k`` frozen, exchange faces as Robin faces) is the affine system
``A u = b`` of :func:`fieldgrad.poisson_matrix` / :func:`fieldgrad.poisson_rhs`.  Solving for
the correction ``delta`` with homogeneous face data instead of for ``u`` itself makes the
error of the inner solve (an iterative one stopped at ``rtol``, loosely in early outer
iterations) relative to ``|delta|``, not to ``|u|``, so the outer iteration keeps converging
to round-off.  (It was first written against a sparse LU that lost ~1e-6 relative next to
Dirichlet identity rows in physical units; that LU now solves the reduced, equilibrated system,
:class:`fieldgrad.solvers.matrix.ReducedSystem`.)

Example
-------
>>> g = fg.Grid((9,))
>>> d, res = correction(g, fg.Dirichlet(1.0), 1.0, 0.0, np.zeros(g.shape), np.zeros(g.shape))
>>> bool(np.allclose(d, 1.0)), res.method
(True, 'spectral')
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, Robin, resolve_bc
from ..solvers import poisson_matrix, poisson_rhs
from .exchange import face_values
from .inner import serial_inner

__all__ = ["correction"]


def _homogeneous(bcs, r):
    """The conditions of the correction: zero Neumann/Robin data, Dirichlet faces carrying the
    residual ``r`` (the change the Dirichlet nodes still need)."""
    out = {}
    for face, c in bcs.faces.items():
        if isinstance(c, Dirichlet):
            out[face] = Dirichlet(np.asarray(face_values(r, bcs.grid, face), dtype=float))
        elif isinstance(c, Neumann):
            out[face] = Neumann(0.0)
        elif isinstance(c, Robin):
            out[face] = Robin(c.alpha, c.beta, 0.0)
        else:
            out[face] = c
    return out


def correction(grid, bc, k, screening, f, u, *, t=0.0, method="auto", rtol=1e-10, inner=serial_inner):
    """The correction ``delta`` with ``A (u + delta) = b`` for the linear problem
    ``div(k grad v) - screening*v = f`` with conditions ``bc`` at time ``t``.

    Parameters
    ----------
    grid : Grid
    bc : linear boundary specification
    k, screening : numbers or node arrays
    f : array of ``grid.shape``
    u : array of ``grid.shape`` -- the current iterate
    t : float
    method, rtol : the inner solver's method and relative residual target
    inner : the inner solver (:mod:`.inner`: the CPU, CUDA or MPI one) -- only the solve for
        ``delta`` runs there; the residual ``b - A u`` is formed here, on the host

    Returns
    -------
    delta : float64 array of ``grid.shape``
    result : the inner solve's result (raises ConvergenceError when it fails)
    """
    bcs = resolve_bc(bc, grid)
    A = poisson_matrix(grid, bcs, k=k, screening=screening)
    b = poisson_rhs(f, grid, bcs, k=k, t=t)
    r = (b.ravel() - A @ u.ravel()).reshape(grid.shape)
    return inner(grid, _homogeneous(bcs, r), k, screening, r, method=method, rtol=rtol)
