"""Implicit integrators: backward Euler and Crank--Nicolson (with a Rannacher start).

Each step is one screened Poisson solve with the package's solver
(:class:`fieldgrad.solvers.PoissonSolver`, multigrid by default; the GPU steppers of
:mod:`fieldgrad.heat.cuda_implicit` put the device solver in its place, and the steppers' ``inner``
argument the MPI one of :mod:`fieldgrad.distributed.implicit_heat`), set up once per step size:

* backward Euler: ``div(alpha grad u1) - u1/dt = -u0/dt - s(t+dt)``, boundary values at ``t+dt``;
* Crank--Nicolson: ``div(alpha grad u1) - (2/dt) u1 = -(2/dt) u0 - L(u0, t) - 2 s(t+dt/2)``
  with ``L(u0, t) = div(alpha grad u0)`` under the conditions of time ``t``;
* Rannacher start: the first ``rannacher`` Crank--Nicolson steps are each done as two backward
  Euler half steps (same matrix, ``2/dt``), which damps the high modes of rough initial data
  that Crank--Nicolson alone would carry along undamped (ringing), and keeps second order.

Conservation without tight solves: when every face is Neumann or periodic, the trapezoid sum of
``div(alpha grad v)`` is the boundary flux integral ``F(t)``, the same for every ``v``.  Summing the
linear system ``div(alpha grad u1) - sigma u1 = f`` with the trapezoid weights then fixes the
total heat of the exact solution, ``H(u1) = (F - sum_w f) / sigma``, and the approximate solution
is shifted by the constant that gives it exactly this heat (a constant is in the null space of
the operator there, so the shift only moves the residual).  The total heat is therefore kept to
rounding (~1e-15 relative) whatever the solver tolerance, and the solves can stop at
``rtol=1e-8`` (relative residual; the solution error is then about ``1e-8 ||u||``, far below the
time-discretisation error), which takes ~5 warm-started V-cycles per step instead of ~9 at
``1e-12``.  (``benchmarks/heat.py`` measures both.)

With a heat capacity field (a problem given by ``k`` and ``rho_c``, :mod:`fieldgrad.heat.capacity`)
the same steps are taken with ``rho_c`` in front of every ``1/dt``: the screening of the solve
is the array ``rho_c / dt`` (or ``2 rho_c / dt``), ``L(u0, t)`` is ``A0 u0 + d(t)`` of the
capacity operator, and the conserved quantity is the ``rho_c``-weighted heat
``sum(w rho_c u)``: summing ``div(k grad u1) - sigma rho_c u1 = f`` with the trapezoid weights
fixes it to ``(F - sum_w f) / sigma``, and the constant shift uses the weights ``w rho_c``.

Work count (``sweeps``): per solve, the residual norm of the start plus, per V-cycle,
``nu1 + nu2`` smoothing sweeps and one residual on every level (coarse levels weighted by their
size, ``2^d / (2^d - 1)``) and one residual norm on the fine grid.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..operators import div_k_grad

__all__ = ["BackwardEuler", "CrankNicolson"]


class _ImplicitBase:
    def __init__(self, problem, *, linear_solver=None, rtol=1e-8, maxiter=100, nu1=2, nu2=2,
                 conservative=True, inner=None):
        from ..solvers import PoissonSolver  # noqa: F401  (fails early if the solvers are missing)

        if not (0.0 < rtol < 1.0):
            raise ParameterError(f"rtol must be in (0, 1); got {rtol!r}")
        self.problem = problem
        if linear_solver is None:
            # plain multigrid for one constant diffusivity; MG-preconditioned CG once coefficients
            # vary (cells, contact resistances, holes, cylindrical rows), where a weak link can stall
            # plain V-cycles (a thermal-interface resistance 400x weaker than its neighbours did)
            plain = problem.capacity is None or (np.ndim(problem.rho_c) == 0 and isinstance(problem.k, (int, float))
                                                 and problem.contact is None and not problem.grid.cylindrical)
            linear_solver = "multigrid" if plain else "cg"
        self.linear_solver, self.rtol, self.maxiter = linear_solver, rtol, maxiter
        self.nu1, self.nu2 = nu1, nu2
        self.inner = inner
        self._solvers = {}
        self.sweeps = 0
        self.solver_iterations = 0
        self.solves = 0
        self.conservative = bool(conservative) and self._zero_null_space()
        self._w = problem.grid.quadrature_weights() if self.conservative else None
        # weights of the conserved heat: w, or w * rho_c with a heat capacity field
        self._wr = self._w if (self._w is None or problem.capacity is None) else self._w * problem.rho_c
        self._wf = self._w  # weights of the source integral
        if self._wr is not None and problem.capacity is not None and problem.capacity.problem.phi3 is not None:
            phi = problem.capacity.problem.phi3.reshape(problem.grid.shape)  # the inside part only
            self._wr, self._wf = self._wr * phi, self._w * phi
        self._wsum = float(self._wr.sum()) if self.conservative else None
        self._flux = {}

    def _zero_null_space(self):
        """True when every face is Neumann or periodic (constants are in the operator's null space)."""
        from ..boundary import Neumann, Periodic

        faces = self.problem.bcs.faces
        surface = self.problem.bcs.surface
        return (all(c is None or isinstance(c, (Neumann, Periodic)) for c in faces.values())
                and (surface is None or isinstance(surface, Neumann)))

    def _flux_integral(self, t):
        """``F(t)``: trapezoid sum of ``div(alpha grad v)`` (any ``v``; zeros here), cached when the
        boundary data do not depend on time."""
        p = self.problem
        key = 0.0 if not p.bcs.time_dependent else float(t)
        if key not in self._flux:
            if len(self._flux) > 4:
                self._flux.clear()
            z = np.zeros(p.grid.shape, dtype=np.float64)
            lz = div_k_grad(z, p.grid, p.bcs, k=p.alpha, t=t) if p.capacity is None else p.capacity.apply(z, t)
            self._flux[key] = float(np.vdot(self._wf.ravel(), lz.ravel()))
            self.sweeps += 1
        return self._flux[key]

    def _conserve(self, u1, f, sigma, t):
        """Shift ``u1`` by the constant that gives it the exact total heat of the linear system."""
        w = self._wf.ravel()
        target = (self._flux_integral(t) - float(np.vdot(w, f.ravel()))) / sigma
        c = (target - float(np.vdot(self._wr.ravel(), u1.ravel()))) / self._wsum
        u1 += c
        return u1

    def stages(self, dt):
        return 1

    def check_dt(self, dt):
        pass

    def _solver(self, screening):
        """The solver of ``div(k grad u) - screening * rho_c * u`` (``rho_c`` = 1 for an ``alpha`` problem)."""
        key = float(screening)
        if key not in self._solvers:
            p = self.problem
            if len(self._solvers) >= 2:
                self._solvers.pop(next(iter(self._solvers)))
            k, s = (p.alpha, key) if p.capacity is None else (p.k, key * p.rho_c)
            self._solvers[key] = self._new_solver(k, s)
        return self._solvers[key]

    def _new_solver(self, k, s):
        """The solver of ``div(k grad u) - s u = f`` (anything with ``solve(f, t=, rtol=, maxiter=,
        x0=, check_finite=)`` returning ``u``, ``iterations``, ``method``): ``inner(problem, k, s,
        linear_solver, nu1, nu2)`` when the stepper was given one, else the CPU PoissonSolver."""
        from ..solvers import PoissonSolver

        p = self.problem
        if self.inner is not None:
            return self.inner(p, k, s, self.linear_solver, self.nu1, self.nu2)
        return PoissonSolver(p.grid, p.bcs, k=k, screening=s, method=self.linear_solver, nu1=self.nu1, nu2=self.nu2,
                             fmg=False, contact=p.contact)

    def _scaled(self, u, c):
        """``c * u`` times ``rho_c`` (a new array); ``c * u`` for an ``alpha`` problem."""
        p = self.problem
        return u * c if p.capacity is None else u * (c * p.rho_c)

    def _solve(self, f, screening, t, x0):
        solver = self._solver(screening)
        res = solver.solve(f, t=t, rtol=self.rtol, maxiter=self.maxiter, x0=x0, check_finite=False)
        self.solves += 1
        self.solver_iterations += res.iterations
        if res.method in ("multigrid", "cg"):
            # fine-grid work units: per cycle nu1 + nu2 smoothing sweeps and one residual on every level
            # (coarse levels add 1/(2^d - 1)) plus the residual norm; one more norm for the start
            d = self.problem.grid.ndim
            self.sweeps += 1 + int(round(res.iterations * ((self.nu1 + self.nu2 + 1) * 2 ** d / (2 ** d - 1) + 1)))
        else:
            self.sweeps += 1
        u1 = res.u
        if self.problem.capacity is not None:
            self.problem.capacity.impose(u1, t)  # fixed nodes exactly (the solver leaves ~1e-13 there)
        if self.conservative:
            u1 = self._conserve(u1, f, float(screening), t)
        return u1

    def _be(self, u, t, dt):
        """One backward Euler step of size ``dt`` from ``(u, t)``."""
        inv = 1.0 / dt
        f = self._scaled(u, -inv)
        s = self.problem.source_at(t + dt)
        if not (np.ndim(s) == 0 and s == 0.0):
            f -= s
        return self._solve(f, inv, t + dt, u)


class BackwardEuler(_ImplicitBase):
    """Backward Euler: first order, L-stable (damps every mode), one solve per step.

    Parameters
    ----------
    problem : HeatProblem
    linear_solver : method of :class:`~fieldgrad.solvers.PoissonSolver` ("multigrid", "cg",
        "spectral", "direct", "auto"); None (default): "multigrid" for a constant diffusivity,
        "cg" (MG-preconditioned CG) when coefficients vary (arrays, cells, contact, cylindrical)
    rtol : relative residual of each solve (default 1e-8)
    conservative : bool, default True
        With only Neumann / periodic faces, shift each solution to the exact total heat of its
        linear system (see the module notes); ignored with Dirichlet or Robin faces.
    inner : callable, optional
        ``inner(problem, k, screening, linear_solver, nu1, nu2)`` -> the solver of each step's
        ``div(k grad u) - screening u = f`` (an object with ``solve(f, *, t, rtol, maxiter, x0,
        check_finite)`` returning ``u`` (float64, ``grid.shape``), ``iterations`` and ``method``),
        made once per step size.  None: the CPU :class:`~fieldgrad.solvers.PoissonSolver`;
        :mod:`fieldgrad.distributed.implicit_heat` gives the MPI one, so the step formulas here
        are the only ones.

    Example
    -------
    >>> from fieldgrad.heat.problem import HeatProblem
    >>> p = HeatProblem(np.ones((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(1.0), alpha=1.0)
    >>> bool(np.allclose(BackwardEuler(p).step(p.initial_field(), 0.0, 1.0), 1.0))
    True
    """

    name = "backward_euler"

    def step(self, u, t, dt, n=0):
        return self._be(u, t, dt).astype(self.problem.dtype, copy=False)


class CrankNicolson(_ImplicitBase):
    """Crank--Nicolson: second order, one solve per step; the first ``rannacher`` steps are two
    backward Euler half steps each.

    Parameters
    ----------
    problem : HeatProblem
    rannacher : int, default 2
        Number of initial steps replaced by backward Euler half steps (0 disables).
    linear_solver, rtol, conservative : as for :class:`BackwardEuler`

    Example
    -------
    >>> from fieldgrad.heat.problem import HeatProblem
    >>> p = HeatProblem(np.ones((9, 9)), fg.Grid((9, 9)), fg.Neumann(0.0), alpha=1.0)
    >>> bool(np.allclose(CrankNicolson(p).step(p.initial_field(), 0.0, 1.0, n=5), 1.0))
    True
    """

    name = "crank_nicolson"

    def __init__(self, problem, *, rannacher=2, **kw):
        super().__init__(problem, **kw)
        if int(rannacher) != rannacher or rannacher < 0:
            raise ParameterError(f"rannacher must be an integer >= 0; got {rannacher!r}")
        self.rannacher = int(rannacher)

    def step(self, u, t, dt, n=0):
        """One step from ``(u, t)``; ``n`` is the index of the step in the run (Rannacher start)."""
        p = self.problem
        if n < self.rannacher:
            half = 0.5 * dt
            mid = self._be(u, t, half)
            return self._be(mid, t + half, half).astype(p.dtype, copy=False)
        inv2 = 2.0 / dt
        lu = div_k_grad(u, p.grid, p.bcs, k=p.alpha, t=t) if p.capacity is None else p.capacity.apply(u, t)
        self.sweeps += 1
        f = self._scaled(u, -inv2)
        f -= lu
        s = p.source_at(t + 0.5 * dt)
        if not (np.ndim(s) == 0 and s == 0.0):
            f -= 2.0 * s
        return self._solve(f, inv2, t + dt, u).astype(p.dtype, copy=False)
