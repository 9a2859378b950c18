"""Backward Euler and Crank--Nicolson under MPI: the serial steppers with distributed solves.

The steps are those of :mod:`fieldgrad.heat.implicit` -- the same objects
(:class:`~fieldgrad.heat.implicit.BackwardEuler`, :class:`~fieldgrad.heat.implicit.CrankNicolson`:
right-hand sides, Rannacher start, conservation shift, the ``rho_c / dt`` screening of the
``k`` / ``rho_c`` form) -- given the inner solver :class:`RankSolver`: each screened Poisson solve
``div(k grad u) - (rho_c / dt) u = f`` (``2 rho_c / dt`` for Crank--Nicolson) is
:func:`fieldgrad.distributed.solve_poisson` (CG with two-level Schwarz; the material path for
cells, ``Orthotropic``, ``contact=``, holes and cylindrical rows), its blocks gathered to every
rank, as the distributed nonlinear transient does (:mod:`fieldgrad.distributed.nonlinear`).

What is global: every rank holds the whole field between solves, and the vector work of a step
(the right-hand side, ``L(u0)`` of Crank--Nicolson, the conservation shift) is done redundantly
on every rank on identical data, so the ranks stay bit-identical and the result equals the serial
one to the solver tolerance.  The linear solves -- the cost of an implicit step -- are
distributed; memory and the per-step host work do not shrink with the rank count.  The solver
set-up (block hierarchies, coarse factorisation) is kept by ``solve_poisson`` between calls with
equal operators (its value-keyed set-up cache), so it is built once per step size.

``rtol`` is the relative residual of the distributed solver (trapezoid-weighted on the node path,
the serial 2-norm on the material path), not bit-for-bit the serial PoissonSolver's; at a tight
``rtol`` the two runs agree to round-off.

Example
-------
>>> r = solve_heat(u0, grid, bc, alpha=1.0, dt=0.1, steps=10, method="crank_nicolson",  # doctest: +SKIP
...                comm=MPI.COMM_WORLD)
>>> u = gather(r)                                                                        # doctest: +SKIP
"""
from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from ..errors import ParameterError
from ..heat.implicit import BackwardEuler, CrankNicolson
from .poisson import solve_poisson

__all__ = ["RankSolver", "IMPLICIT", "SOLVER_OPTIONS", "LINEAR_SOLVERS", "make_mpi_stepper", "run_implicit"]

IMPLICIT = ("backward_euler", "crank_nicolson")
#: the serial ``solve_heat`` options of the implicit steppers (``**options`` there)
SOLVER_OPTIONS = ("rannacher", "linear_solver", "rtol", "maxiter", "conservative", "nu1", "nu2")
#: ``linear_solver`` values the distributed solve takes (None and "auto": Schwarz-preconditioned CG)
LINEAR_SOLVERS = (None, "auto", "cg")


class RankSolver:
    """``solve`` of the CPU PoissonSolver's form by :func:`fieldgrad.distributed.solve_poisson`;
    the solution's blocks are gathered to every rank (one ``allgather``).

    Parameters
    ----------
    problem : HeatProblem (global, the same on every rank)
    k, screening : the operator ``div(k grad u) - screening u``
    method, nu1, nu2 : as for :func:`fieldgrad.distributed.solve_poisson`
    comm, dims : the decomposition
    """

    def __init__(self, problem, k, screening, method, nu1, nu2, *, comm, dims):
        self.p, self.k, self.s = problem, k, screening
        self.method, self.nu1, self.nu2 = method, nu1, nu2
        self.comm, self.dims = comm, dims

    def solve(self, f, *, t, rtol, maxiter, x0, check_finite):
        p = self.p
        part = solve_poisson(f, p.grid, p.bcs, k=self.k, screening=self.s, method=self.method, rtol=rtol,
                             maxiter=maxiter, x0=x0, t=t, nu1=self.nu1, nu2=self.nu2, contact=p.contact,
                             comm=self.comm, dims=self.dims)
        u = np.empty(p.grid.shape)
        for index, data in self.comm.allgather((part.index, part.u)):
            u[index] = data
        # "cg": the serial steppers count the work of MG-preconditioned CG per iteration (one block
        # V-cycle and one product), the closest serial measure of a Schwarz-CG iteration
        return SimpleNamespace(u=u, iterations=part.iterations, method="cg")


def make_mpi_stepper(method, problem, comm, dims, **options):
    """The serial stepper of ``method`` ("backward_euler" or "crank_nicolson") with
    :class:`RankSolver` as its inner solver; ``options`` as the serial ``make_stepper`` takes them."""
    if method == "backward_euler" and "rannacher" in options:
        raise ParameterError("rannacher applies to crank_nicolson only")
    ls = options.pop("linear_solver", None)
    if ls not in LINEAR_SOLVERS:
        raise ParameterError(f"linear_solver must be None, 'auto' or 'cg' in fieldgrad.distributed.solve_heat (each "
                             f"step is a distributed solve_poisson: Schwarz-preconditioned CG); got {ls!r}")
    inner = functools.partial(RankSolver, comm=comm, dims=dims)
    cls = BackwardEuler if method == "backward_euler" else CrankNicolson
    return cls(problem, linear_solver="auto" if ls is None else ls, inner=inner, **options)


def run_implicit(problem, dec, method, dt, steps, t0, options, check):
    """``steps`` equal steps of ``dt`` from ``t0``; returns this rank's block of the final field,
    the final time and the stepper (its ``sweeps``, ``solver_iterations``, ``solves``).

    ``check(u_block, n)`` is the NaN check of the explicit loop (every ``check_every`` steps)."""
    stepper = make_mpi_stepper(method, problem, dec.comm, dec.dims, **options)
    u = problem.initial_field()
    t = float(t0)
    for n in range(steps):
        u = stepper.step(u, t, dt, n)
        t = t0 + (n + 1) * dt
        check(u[dec.slices], n)
    return np.ascontiguousarray(u[dec.slices]), t, stepper

