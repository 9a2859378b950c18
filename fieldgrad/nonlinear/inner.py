"""The linear solve inside each outer iteration (steady) or step (transient), chosen by backend.

The outer iteration of :mod:`.steady` and the steps of :mod:`.transient` are written once, on
the host: ``k(T)`` is a user callable evaluated on NumPy arrays, and the linearised faces and the
residual of the correction (:mod:`.correction`) are NumPy work.  Only the linear correction solve
changes with the backend.  An *inner solver* is a callable

    inner(grid, bc, k, screening, r, *, method, rtol) -> (delta, result)

solving ``div(k grad delta) - screening*delta = r`` with the (homogeneous-data) conditions
``bc``; ``delta`` is a float64 NumPy array of ``grid.shape`` and ``result`` has ``method`` and
``iterations``.  :func:`serial_inner` uses :class:`fieldgrad.PoissonSolver`; :func:`cuda_inner`
the device solver :func:`fieldgrad.solvers.cuda_poisson.solve` (node ``k``, Robin faces with
node-array coefficients and a screening array are all on its MG-CG path);
:mod:`fieldgrad.distributed.nonlinear` adds the MPI one.

Example
-------
>>> g = fg.Grid((9,))
>>> d, res = select_inner("cpu")(g, fg.Dirichlet(1.0), 1.0, 0.0, np.zeros(g.shape), method="auto", rtol=1e-10)
>>> bool(np.allclose(d, 1.0))
True
"""
from __future__ import annotations

import numpy as np

from ..solvers import PoissonSolver

__all__ = ["serial_inner", "cuda_inner", "select_inner", "CUDA_COARSE_SIZE"]

#: ``coarse_size`` of the device solves: levels at or below this many nodes are solved on the host
#: (None: the device solver's default).  The simulator tests lower it so that small grids still
#: run device V-cycles.
CUDA_COARSE_SIZE = None


def serial_inner(grid, bc, k, screening, r, *, method, rtol):
    """The correction solve on the CPU (:class:`fieldgrad.PoissonSolver`).

    Parameters
    ----------
    grid, bc, k, screening : the linear problem (see the module docstring)
    r : array of ``grid.shape`` -- the right-hand side
    method, rtol : the PoissonSolver method and relative residual target

    Returns
    -------
    delta : float64 array; result : PoissonResult (raises ConvergenceError when it fails)
    """
    res = PoissonSolver(grid, bc, k=k, screening=screening, method=method).solve(r, rtol=rtol)
    return np.asarray(res.u, dtype=np.float64), res


def cuda_inner(grid, bc, k, screening, r, *, method, rtol):
    """The correction solve on the GPU (:func:`fieldgrad.solvers.cuda_poisson.solve`, float64
    device arrays); ``delta`` is copied back to the host for the outer iteration.

    Parameters and Returns as :func:`serial_inner` (``method``: "auto", "multigrid" or "cg").

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     d, res = cuda_inner(fg.Grid((9, 9)), fg.Dirichlet(1.0), 1.0, 0.0, np.zeros((9, 9)), method="auto", rtol=1e-10)
    """
    from ..solvers import cuda_poisson

    opts = {} if CUDA_COARSE_SIZE is None else {"coarse_size": CUDA_COARSE_SIZE}
    res = cuda_poisson.solve(np.ascontiguousarray(r, dtype=np.float64), grid, bc, k=k, screening=screening,
                             method=method, rtol=rtol, **opts)
    return np.asarray(res.u.copy_to_host(), dtype=np.float64), res


def select_inner(backend):
    """The inner solver of ``backend`` (None: :func:`fieldgrad.get_backend`; "cpu" or "cuda").

    Raises
    ------
    ParameterError -- an unknown backend name; BackendError -- "cuda" where it cannot run
    """
    from ..backends import resolve_backend

    return cuda_inner if resolve_backend(backend) == "cuda" else serial_inner
