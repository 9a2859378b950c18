"""Backward Euler and Crank--Nicolson with their linear solves on the GPU.

The steps are those of :mod:`fieldgrad.heat.implicit` (same right-hand sides, Rannacher start,
conservation shift); only the solver differs: each screened Poisson solve
``div(k grad u) - (rho_c / dt) u = f`` (``2 rho_c / dt`` for Crank--Nicolson) runs on the device
through :func:`fieldgrad.solvers.cuda_poisson.solve` -- the explicit-stencil multigrid of
``Problem.stencil7()`` with a per-node screening, as MG-preconditioned CG when coefficients vary
(cells, contact, holes, a ``rho_c`` field, cylindrical rows), multigrid V-cycles for one
constant diffusivity.  The setup (hierarchy, device coefficients) is made once per step size and
cached.  What stays on the host: the right-hand side, ``L(u0)`` of Crank--Nicolson and the
conservation shift, so the field crosses the bus twice per solve (the solve itself is the cost).

Example
-------
>>> from fieldgrad.heat.problem import HeatProblem
>>> if fg.backends.cuda_available():
...     p = HeatProblem(np.ones((9, 9)), fg.Grid((9, 9)), fg.Neumann(0.0), k=2.0, rho_c=3.0)
...     u = CudaBackwardEuler(p).step(p.initial_field(), 0.0, 0.1)
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..errors import ParameterError
from .implicit import BackwardEuler, CrankNicolson

__all__ = ["CudaBackwardEuler", "CudaCrankNicolson", "DEVICE_SOLVERS"]

DEVICE_SOLVERS = ("multigrid", "cg")


class _DeviceSolver:
    """``solve`` of the CPU PoissonSolver's form, by :func:`fieldgrad.solvers.cuda_poisson.solve`."""

    def __init__(self, problem, k, screening, method, nu1, nu2):
        self.p, self.k, self.s = problem, k, screening
        self.method, self.nu1, self.nu2 = method, nu1, nu2

    def solve(self, f, *, t, rtol, maxiter, x0, check_finite):
        from ..solvers import cuda_poisson

        p = self.p
        res = cuda_poisson.solve(f, p.grid, p.bcs, k=self.k, screening=self.s, rtol=rtol, maxiter=maxiter, x0=x0,
                                 t=t, method=self.method, nu1=self.nu1, nu2=self.nu2, check_finite=check_finite,
                                 contact=p.contact)
        return SimpleNamespace(u=res.u.copy_to_host().astype(np.float64), iterations=res.iterations,
                               method=res.method.replace("-cuda", ""))


class _OnDevice:
    """The parts the GPU steppers change: the solver, and the check of ``linear_solver``."""

    def _check_solver(self):
        if self.linear_solver not in DEVICE_SOLVERS:
            raise ParameterError(f"linear_solver must be one of {DEVICE_SOLVERS} with backend='cuda'; got "
                                 f"{self.linear_solver!r} (the other solvers run with backend='cpu')")

    def _new_solver(self, k, s):
        return _DeviceSolver(self.problem, k, s, self.linear_solver, self.nu1, self.nu2)

    def initial_field(self):
        """The problem's initial field (a host array: the steps' vector work stays on the host)."""
        return self.problem.initial_field()


class CudaBackwardEuler(_OnDevice, BackwardEuler):
    """:class:`~fieldgrad.heat.implicit.BackwardEuler` with the solves on the GPU.

    Parameters
    ----------
    problem : HeatProblem
    linear_solver : None, "multigrid" or "cg" (None: as on the CPU, "cg" when coefficients vary)
    rtol, maxiter, conservative : as for the CPU stepper
    """

    def __init__(self, problem, **kw):
        super().__init__(problem, **kw)
        self._check_solver()


class CudaCrankNicolson(_OnDevice, CrankNicolson):
    """:class:`~fieldgrad.heat.implicit.CrankNicolson` with the solves on the GPU.

    Parameters
    ----------
    problem : HeatProblem
    rannacher, linear_solver, rtol, maxiter, conservative : as for :class:`CudaBackwardEuler`
    """

    def __init__(self, problem, **kw):
        super().__init__(problem, **kw)
        self._check_solver()
