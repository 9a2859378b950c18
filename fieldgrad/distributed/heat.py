"""Distributed heat steps: forward Euler (FTCS), RKL2 super time stepping, backward Euler and
Crank--Nicolson.

``du/dt = div(alpha grad u) + source`` on each rank's block: every right-hand-side evaluation
exchanges one halo layer and runs the serial Numba sweep on the block
(:class:`~fieldgrad.distributed.operators.BlockOperators`), so the arithmetic per node is the
serial arithmetic and the result equals the serial integration to rounding.  The ``k`` /
``rho_c`` form (cell values, Orthotropic, contact) steps with the serial links operator cut to
the block (:mod:`fieldgrad.distributed.heat_capacity`), and so does a Neumann/Robin condition on
the surface of holes (``bc["surface"]`` with ``k=Cells(values, domain=mask)``).

RKL2 (Meyer, Balsara & Aslam 2014) takes ``s`` stages of the same right-hand side per step and
is stable for ``dt <= dt_explicit * (s**2 + s - 2) / 4``; the limit, the stage count and the
coefficients are those of :mod:`fieldgrad.heat` (one definition).

Backward Euler and Crank--Nicolson (:mod:`fieldgrad.distributed.implicit_heat`) are the serial
steppers of :mod:`fieldgrad.heat.implicit` with each step's screened Poisson solve done by
:func:`fieldgrad.distributed.solve_poisson`; every rank holds the whole field between solves.
"""
from __future__ import annotations

import math
import numbers
import time

import numpy as np

from .. import boundary as _bnd
from ..errors import BackendError, NonFiniteError, ParameterError, StabilityError, describe
from ..heat.explicit import rkl2_coefficients, rkl2_stages
from ..heat.methods import METHODS, choose_method
from ..heat.problem import HeatProblem, explicit_limit
from ..validation import as_field, check_conductivity
from .decomposition import Decomposition
from .results import HeatPart
from . import kernels
from .heat_capacity import CapacityRhs
from .implicit_heat import IMPLICIT, SOLVER_OPTIONS, run_implicit
from .operators import BlockOperators

__all__ = ["solve_heat"]


class _Rhs:
    """``div(alpha grad u) + source`` on a block."""

    def __init__(self, dec, bc, alpha, source, dtype):
        self.dec = dec
        self.scalar_alpha = np.ndim(alpha) == 0
        if self.scalar_alpha:
            check_conductivity(alpha, dec.local_grid, dtype, "alpha")
            self.alpha = float(alpha)
            self.ops = BlockOperators(dec, bc, dtype)
        else:
            self.ops = BlockOperators(dec, bc, dtype, k=check_conductivity(alpha, dec.grid, dtype, "alpha"))
            self.alpha = float(dec.allreduce(float(self.ops.k.max()), "max"))
        self.dtype = np.dtype(dtype)
        self.source = source
        self.mesh = None
        if source is None or callable(source):
            self.src = None if source is None else "callable"
        elif np.ndim(source) == 0:
            if not np.isfinite(float(source)):
                raise ParameterError(f"source must be finite; got {source!r}")
            self.src = float(source)
        else:
            arr = as_field(source, dec.grid, "source", dtype=self.dtype, check_finite=True)
            self.src = dec.local(arr)

    def source_at(self, t):
        if self.src is None:
            return None
        if isinstance(self.src, str):
            if self.mesh is None:
                self.mesh = self.dec.local_grid.mesh()
            val = np.asarray(self.source(*self.mesh, t), dtype=self.dtype)
            if not np.all(np.isfinite(val)):
                raise NonFiniteError(f"source(x, ..., t={t!r}) evaluates to non-finite values")
            return val
        return self.src

    def initial_field(self, u0, t0):
        """This rank's block of ``u0`` with the Dirichlet values of ``t0`` imposed."""
        return self.ops.impose(self.dec.local(u0), t0)

    def impose(self, u, t):
        return self.ops.impose(u, t)

    def __call__(self, u, t, out):
        if self.scalar_alpha:
            self.ops.laplacian(u, t, out)
            out *= self.alpha
        else:
            self.ops.div_k_grad(u, t, out)
        s = self.source_at(t)
        if s is not None:
            out += s
        return out


def _refuse_serial_only(backend, **extras):
    """The serial solve_heat arguments the distributed loop does not offer: refused, never ignored."""
    for name, value in extras.items():
        if value is not None and value is not False and not (name == "callbacks" and len(value) == 0):
            raise ParameterError(f"{name}= is not available in fieldgrad.distributed.solve_heat; got "
                                 f"{describe(value)}. Gather the result (fieldgrad.distributed.gather) or write "
                                 "it with fieldgrad.distributed.write_parts")
    if backend not in (None, "cpu"):
        raise BackendError(f"fieldgrad.distributed.solve_heat runs on the CPU of every rank; got backend={backend!r}")


def solve_heat(u0, grid, bc, *, alpha=None, k=None, rho_c=None, contact=None, t_end=None, steps=None, dt=None, method="auto",
               source=None, output=None, output_every=None, output_overwrite=False, progress=None, callbacks=(),
               backend=None, t0=0.0, comm=None, dims=None, check_every=50, **options):
    """Integrate ``du/dt = div(alpha grad u) + source`` (or ``rho_c du/dt = div(k grad u) + source``)
    on an MPI-decomposed grid.

    The arguments and defaults are those of :func:`fieldgrad.solve_heat`, every method included
    (``"auto"`` chooses as the serial solver does: FTCS within the explicit limit, RKL2 up to 600
    times it, Crank--Nicolson beyond), and the serial run-loop extras (``output``,
    ``output_every``, ``output_overwrite``, ``progress``, ``callbacks``, ``backend="cuda"`` and
    the Simulation options other than the implicit steppers') are refused with an error rather
    than ignored.

    Parameters
    ----------
    u0 : array of ``grid.shape``
        Initial field, the global array given on every rank.
    grid : Grid (2D or 3D; a cylindrical (r, z) grid steps with the serial ``k`` / ``rho_c`` rows,
        ``alpha`` meaning ``k`` there as in the serial solver)
    bc : boundary specification; every non-periodic face needs a condition.  ``"surface"``
        (Neumann or Robin on the surface of holes) goes with the ``k`` / ``rho_c`` form and
        ``k=Cells(values, domain=mask)``, as in the serial solver.
    alpha : positive number or positive array of ``grid.shape`` (or give ``k`` / ``rho_c``)
    t_end : float, optional
        End time (give ``t_end``, ``steps`` or both; with both the run stops at whichever comes
        first).
    steps : int, optional
        Number of steps.
    dt : float, optional
        Time step; default ``(t_end - t0) / steps`` when both are given, else 0.9 of the
        explicit limit (FTCS) or 25 times it (RKL2, implicit), as in :class:`fieldgrad.Simulation`.  With
        ``t_end`` the steps are equal and land on it.
    method : {"auto", "ftcs", "rkl2", "backward_euler", "crank_nicolson"}
        The explicit methods step the blocks with one halo exchange per right-hand side.  The
        implicit ones are the serial steppers (:mod:`fieldgrad.heat.implicit`: the same
        right-hand sides, the Rannacher start of Crank--Nicolson, the conservation shift with only
        Neumann / periodic faces, ``rho_c / dt`` screening in the ``k`` / ``rho_c`` form), each
        step's linear solve being :func:`fieldgrad.distributed.solve_poisson`
        (:mod:`fieldgrad.distributed.implicit_heat`; every rank holds the whole field between
        solves, and the solver is set up again at every step).  ``"auto"``: as
        :func:`fieldgrad.heat.methods.choose_method` (RKL2 without a ``dt``).
    source : None, number, array of ``grid.shape`` or callable ``source(x, y[, z], t)``
    k, rho_c, contact : the conductivity / heat capacity form of :func:`fieldgrad.solve_heat`
        (``rho_c du/dt = div(k grad u) + source``; ``k`` any conductivity the serial form takes:
        number, node array, :class:`fieldgrad.Cells`, :class:`fieldgrad.Orthotropic`; ``contact``
        a :class:`fieldgrad.Contact`).  Every rank builds the serial operator
        (:mod:`fieldgrad.distributed.heat_capacity`), so the explicit limit and the steps are
        the serial ones; ``sum(w rho_c u)`` is conserved with insulated walls.
    output, output_every, output_overwrite, progress, callbacks, backend
        As in :func:`fieldgrad.solve_heat`; only their defaults (and ``backend="cpu"``) are
        accepted here.
    t0 : float
    comm : mpi4py communicator (default ``COMM_WORLD``)
    dims : ranks per axis (default from ``MPI.Compute_dims``)
    check_every : int
        Steps between global NaN checks (0 turns them off).
    **options : the implicit steppers' options of :func:`fieldgrad.solve_heat` --
        ``rannacher`` (Crank--Nicolson only, default 2), ``rtol`` (of each solve, default 1e-8;
        the distributed solver's relative residual), ``maxiter`` (default 100), ``conservative``
        (default True), ``nu1`` = ``nu2`` (default 2), ``linear_solver`` (None, "auto" or "cg":
        the distributed solver's methods).  With an explicit method they are refused, as
        serially; other Simulation options are refused as not available here.

    Returns
    -------
    HeatPart
        A :class:`fieldgrad.HeatResult` whose ``u`` (also ``data``) is this rank's block at the
        final time; :func:`fieldgrad.distributed.gather` assembles it.  ``info`` holds ``t``,
        ``steps``, ``dt``, ``method``, ``stages``, ``dims``, ``dt_explicit``, ``dt_ratio`` and
        ``halo_exchanges`` (explicit methods) or ``solves`` and ``linear_solver`` (implicit:
        ``sweeps`` and ``solver_iterations`` count as serially, a Schwarz-CG iteration as one
        MG-CG iteration).

    Raises
    ------
    ParameterError
        Bad input, with the serial message (``dt``, ``method``, ``rtol``, ``rannacher``, implicit
        options with an explicit method, ``alpha`` with ``k`` ...); ``linear_solver`` other than
        None / "auto" / "cg"; a serial-only argument.
    StabilityError
        FTCS with ``dt`` above the explicit limit.
    ConvergenceError
        A linear solve of an implicit step did not reach ``rtol`` in ``maxiter`` iterations.
    NonFiniteError
        The field became non-finite.

    Example
    -------
    >>> r = solve_heat(u0, grid, {"*": Dirichlet(0)}, alpha=1.0, steps=200, comm=MPI.COMM_WORLD)  # doctest: +SKIP
    >>> u = gather(r)                                                                             # doctest: +SKIP
    >>> r = solve_heat(u0, grid, fg.Neumann(0.0), k=fg.Cells(kc), rho_c=rc, dt=0.5, t_end=10.0,  # doctest: +SKIP
    ...                method="crank_nicolson", comm=MPI.COMM_WORLD)
    """
    wall0 = time.perf_counter()
    _refuse_serial_only(backend, output=output, output_every=output_every, output_overwrite=output_overwrite,
                        progress=progress, callbacks=callbacks,
                        **{name: v for name, v in options.items() if name not in SOLVER_OPTIONS})
    if method not in METHODS:
        choose_method(method, dt, 1.0)  # the serial message
    capacity_form = k is not None or rho_c is not None or contact is not None
    if alpha is None and not capacity_form:
        raise ParameterError("alpha (the diffusivity) or k (the conductivity, with rho_c) is required: "
                             "a positive number or array")
    if t_end is None and steps is None:
        raise ParameterError("solve_heat needs t_end=, steps= or both")
    u0 = as_field(u0, grid, "u0", check_finite=True)
    bcs_check = _bnd.resolve_bc(bc, grid, allow_surface=True)
    bcs_check.require_complete("solve_heat")
    # the serial rows: a surface (HeatProblem refuses it with alpha alone) and a cylindrical grid
    # (alpha becomes k there, as in the serial solver) take the links operator too
    links = capacity_form or bcs_check.surface is not None or grid.cylindrical
    dec = Decomposition(grid, comm, dims, cylindrical=links)
    problem = None  # the serial HeatProblem of the implicit steppers
    if method in IMPLICIT:
        problem = HeatProblem(u0, grid, bc, alpha, source, t0, k=k, rho_c=rho_c, contact=contact)
        dt_e = problem.dt_explicit
    elif links:  # the serial operator of the k / rho_c form, cut to the block
        rhs = CapacityRhs(dec, u0, bcs_check, alpha, source, t0, k=k, rho_c=rho_c, contact=contact)
        dt_e = rhs.dt_explicit
    else:
        rhs = _Rhs(dec, bcs_check, alpha, source, u0.dtype)
        # Robin/convection faces lower the limit (fieldgrad.heat.stability)
        dt_e = explicit_limit(grid, alpha if np.ndim(alpha) else rhs.alpha, bcs_check, t=t0)
    if dt is not None and (not isinstance(dt, numbers.Real) or not dt > 0 or not math.isfinite(dt)):
        raise ParameterError(f"dt must be a positive, finite number; got {dt!r}")  # the serial check and message
    if dt is None and t_end is not None and steps is not None:
        dt = (t_end - t0) / steps
    method = choose_method(method, dt, dt_e)  # "auto": FTCS, RKL2 or Crank--Nicolson by dt / dt_explicit
    solver_options = {name: v for name, v in options.items() if name in SOLVER_OPTIONS}
    if method in IMPLICIT and problem is None:
        problem = rhs.problem if links else HeatProblem(u0, grid, bc, alpha, source, t0, k=k, rho_c=rho_c,
                                                        contact=contact)
    elif method not in IMPLICIT and solver_options:
        raise ParameterError(f"options {sorted(solver_options)} apply to implicit methods only; method is {method!r}")
    if dt is None:
        dt = 0.9 * dt_e if method == "ftcs" else 25.0 * dt_e
    dt = float(dt)
    if not (np.isfinite(dt) and dt > 0):
        raise ParameterError(f"dt must be a positive, finite number; got {dt!r}")
    if steps is not None and (not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0):
        raise ParameterError(f"steps must be a non-negative integer; got {describe(steps)}")
    stop_reason = "steps"
    if t_end is not None:
        n_end = max(1, math.ceil((t_end - t0) / dt - 1e-12))
        if steps is None or n_end <= steps:
            steps, dt, stop_reason = n_end, (t_end - t0) / n_end, "t_end"
    if method == "ftcs" and dt > dt_e * (1 + 1e-12):
        raise StabilityError(f"dt = {dt!r} exceeds the FTCS limit {dt_e!r} (Robin faces included, see "
                             "fieldgrad.heat.stability); "
                             "use a smaller dt or method='rkl2'")
    if method in IMPLICIT:
        u, t, st = run_implicit(problem, dec, method, dt, steps, t0, solver_options,
                                lambda ub, n: _check(ub, dec, n, check_every))
        info = {"t": t, "steps": int(steps), "dt": dt, "method": method, "stages": 1, "solves": st.solves,
                "linear_solver": "cg-schwarz", "dims": dec.dims, "dt_explicit": dt_e, "dt_ratio": dt / dt_e}
        return HeatPart(u.astype(problem.dtype, copy=False), t, int(steps), method, dt, st.sweeps,
                        st.solver_iterations, stop_reason, time.perf_counter() - wall0, info, slices=dec.slices,
                        global_shape=grid.shape)
    stages = 1 if method == "ftcs" else rkl2_stages(dt, dt_e)
    u = rhs.initial_field(u0, t0)
    t = float(t0)
    work = np.empty_like(u)
    flat = lambda a: a.reshape(-1)  # noqa: E731  (blocks are C-contiguous: views, no copies)
    cast = u.dtype.type
    if method == "ftcs":
        for n in range(steps):
            rhs(u, t, work)
            kernels.axpy_flat(flat(u), cast(dt), flat(work))
            t = t0 + (n + 1) * dt
            rhs.impose(u, t)
            _check(u, dec, n, check_every)
    else:
        co = rkl2_coefficients(stages)
        mu, nu, mut, gam, c = co["mu"], co["nu"], co["mt"], co["gt"], co["c"]
        ly0 = np.empty_like(u)
        pool = [u, np.empty_like(u), np.empty_like(u), np.empty_like(u)]  # rotated, never reallocated
        for n in range(steps):
            y0 = u
            rhs(y0, t, ly0)
            ym1 = next(b for b in pool if b is not y0)
            ym1[...] = y0
            kernels.axpy_flat(flat(ym1), cast(mut[1] * dt), flat(ly0))
            rhs.impose(ym1, t + c[1] * dt)
            ym2 = y0
            for j in range(2, stages + 1):
                rhs(ym1, t + c[j - 1] * dt, work)
                yj = next(b for b in pool if b is not y0 and b is not ym1 and b is not ym2)
                kernels.rkl2_stage_flat(flat(yj), flat(ym1), flat(ym2), flat(y0), flat(work), flat(ly0),
                                        cast(mu[j]), cast(nu[j]), cast(1.0 - mu[j] - nu[j]), cast(mut[j] * dt),
                                        cast(gam[j] * dt))
                rhs.impose(yj, t + c[j] * dt)
                ym2, ym1 = ym1, yj
            u = ym1
            t = t0 + (n + 1) * dt
            rhs.impose(u, t)
            _check(u, dec, n, check_every)
    exchanges = steps * stages
    info = {"t": t, "steps": int(steps), "dt": dt, "method": method, "stages": stages,
            "halo_exchanges": exchanges, "dims": dec.dims, "dt_explicit": dt_e, "dt_ratio": dt / dt_e}
    return HeatPart(u, t, int(steps), method, dt, int(steps) * stages, 0, stop_reason,
                    time.perf_counter() - wall0, info, slices=dec.slices, global_shape=grid.shape)


def _check(u, dec, n, every):
    if every and (n + 1) % every == 0:
        bad = dec.allreduce(int(not np.all(np.isfinite(u))), "sum")
        if bad:
            raise NonFiniteError(f"the heat solution became non-finite after step {n + 1} on {bad} rank(s); "
                                 "reduce dt or check the source and boundary values")
