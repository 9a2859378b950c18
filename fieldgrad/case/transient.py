"""Time stepping for case runs: :func:`fieldgrad.heat.solve_heat` when the heat package provides
it, else a backward-Euler step on the assembled matrix (unconditionally stable)."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import CaseFileError

__all__ = ["explicit_limit", "Stepper"]


def explicit_limit(grid, alpha_max):
    """Largest stable forward-Euler step ``1 / (2 alpha_max sum 1/h^2)``."""
    return 1.0 / (2.0 * float(alpha_max) * sum(1.0 / h ** 2 for h in grid.spacing))


def _solve_heat():
    try:
        from ..heat import solve_heat
    except ImportError:
        return None
    return solve_heat


class Stepper:
    """Advance ``du/dt = div(alpha grad u) + source`` from one output time to the next.

    Parameters
    ----------
    grid, bc : the problem
    alpha : positive array of ``grid.shape``
    source : None, number or array
    dt : float or None
    method : str (case-file ``solver.method``)
    """

    def __init__(self, grid, bc, alpha, source, dt, method):
        self.grid, self.bc, self.alpha, self.source = grid, bc, alpha, source
        self.method = {"explicit": "ftcs", "implicit": "backward_euler"}.get(method, method)
        self.limit = explicit_limit(grid, float(np.max(alpha)))
        if self.method == "ftcs" and dt is not None and dt > self.limit:
            raise CaseFileError(
                f"solver.dt = {dt!r} is above the explicit stability limit {self.limit:.4g} s of this grid and "
                f"material (dt <= h^2 / (2 d alpha_max)); allowed: dt <= {self.limit:.4g}, or method = \"implicit\"")
        self.solve_heat = _solve_heat()
        self.dt = dt
        self.steps = 0
        self._lu = None

    @property
    def engine(self):
        return "fieldgrad.heat.solve_heat" if self.solve_heat is not None else "backward Euler (sparse LU)"

    def advance(self, u, t0, t1):
        """The solution at ``t1`` from ``u`` at ``t0``."""
        if self.solve_heat is not None:
            res = self.solve_heat(u, self.grid, self.bc, alpha=self.alpha, t_end=t1 - t0, dt=self.dt,
                                  method=self.method, source=self.source)
            self.steps += int(getattr(res, "steps", 0))
            return np.asarray(res.u)
        return self._backward_euler(u, t0, t1)

    def _backward_euler(self, u, t0, t1):
        from ..solvers import poisson_matrix, poisson_rhs

        span = t1 - t0
        dt = self.dt if self.dt is not None else max(span / 10.0, 1e-300)
        n = max(1, int(np.ceil(span / dt - 1e-9)))
        dt = span / n
        if self._lu is None or self._lu[0] != dt:
            A = poisson_matrix(self.grid, self.bc, self.alpha).tocsr()
            b0 = poisson_rhs(np.zeros(self.grid.shape), self.grid, self.bc, self.alpha).ravel()
            fixed = np.asarray(A.diagonal() == 1.0) & (np.diff(A.indptr) == 1)
            M = sp.identity(A.shape[0], format="csr") - dt * sp.diags((~fixed).astype(float)) @ A
            self._lu = (dt, spla.splu(M.tocsc()), b0, fixed)
        _, lu, b0, fixed = self._lu
        src = 0.0 if self.source is None else np.broadcast_to(self.source, self.grid.shape).ravel()
        x = np.asarray(u, dtype=float).ravel().copy()
        for _ in range(n):
            rhs = x + dt * (src - b0)
            rhs[fixed] = b0[fixed]
            x = lu.solve(rhs)
            self.steps += 1
        return x.reshape(self.grid.shape)
