"""Transient nonlinear heat: ``rho_c du/dt = div(k(u) grad u) + source`` with radiation / ``h(T)`` faces.

Semi-implicit backward Euler, linearised per step: ``k`` is sampled at the previous step's
temperature ``u_n`` and every surface-exchange face is replaced by its Newton linearisation about
``u_n`` (:mod:`.exchange`), so each step is one linear solve

    div(k(u_n) grad u) - (rho_c/dt) u = -(rho_c/dt) u_n - source(t_(n+1))

by :class:`fieldgrad.PoissonSolver` with ``screening = rho_c/dt``, for the change over the step
(:mod:`.correction`); with ``backend="cuda"`` by the device solver, and under MPI
(:func:`fieldgrad.distributed.solve_nonlinear_heat`) by the distributed one -- :func:`time_steps`
is the one step loop all three run.  No outer iteration: the
scheme is first order in time (the lag of ``k`` costs O(dt), like backward Euler itself) and
unconditionally stable for the linear part.

Example
-------
>>> g = fg.Grid((9,), extent=(0.0, 0.01))
>>> r = solve_nonlinear_heat(np.full(g.shape, 600.0), g, {"x-": fg.Neumann(0.0), "x+": fg.Radiation(1.0, 300.0)},
...                          k=50.0, rho_c=4e6, t_end=10.0, dt=1.0)
>>> r.steps, bool(300.0 < r.u.min() < 600.0)
(10, True)
"""
from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConvergenceError, ParameterError, describe
from ..solvers.discretize import check_rhs
from ..validation import check_coefficient, check_positive
from ._common import check_start, conductivity_at, prepare
from .correction import correction
from .exchange import linearised_bc
from .inner import select_inner

__all__ = ["solve_nonlinear_heat", "NonlinearHeatResult", "time_steps"]


@dataclass
class NonlinearHeatResult:
    """Outcome of :func:`solve_nonlinear_heat`.

    Attributes
    ----------
    u : ndarray of ``grid.shape`` (float64) at ``t``
    t : float -- the end time
    steps : int
    dt : float -- the step used (``(t_end - t0) / steps``)
    inner_iterations : list of int -- iterations of each step's linear solve
    inner_method : str
    wall_time : float -- seconds
    """

    u: np.ndarray
    t: float
    steps: int
    dt: float
    inner_iterations: list = field(default_factory=list)
    inner_method: str = ""
    wall_time: float = 0.0


def _source_at(source, t, grid):
    if source is None:
        return 0.0
    val = source(t) if callable(source) else source
    if np.ndim(val):
        return check_rhs(val, grid, "source")
    if not isinstance(val, numbers.Real) or not math.isfinite(val):
        raise ParameterError(f"source must be a finite number, an array of the grid's shape or a callable "
                             f"source(t) giving one; got {describe(val)}")
    return float(val)


def solve_nonlinear_heat(u0, grid, bc, *, k, rho_c=1.0, t_end, dt, t0=0.0, source=None, inner_method="auto",
                         inner_rtol=1e-10, callback=None, backend=None):
    """Evolve ``rho_c du/dt = div(k(u) grad u) + source`` from ``u0`` at ``t0`` to ``t_end``.

    Semi-implicit backward Euler (first order in time; see the module docstring): ``k`` and the
    radiation / ``h(T)`` faces are linearised about the previous step, one linear solve per step.

    Parameters
    ----------
    u0 : array of ``grid.shape`` -- initial temperature (kelvin where faces radiate)
    grid : Grid
    bc : boundary specification, a condition on every face (values may depend on ``t``; a step
        uses them at its end time)
    k : :class:`~fieldgrad.ConductivityOfT`, callable ``k(T)``, positive number or node array
    rho_c : positive number or node array -- volumetric heat capacity
    t_end : float > t0
    dt : float > 0 -- the largest step; ``ceil((t_end - t0)/dt)`` equal steps are taken
    t0 : float -- start time
    source : None, number, array of ``grid.shape`` or callable ``source(t)`` giving one (W/m^3)
    inner_method, inner_rtol : the inner solver's method and tolerance (:class:`~fieldgrad.PoissonSolver`
        methods; on CUDA "auto", "multigrid" or "cg")
    callback : callable ``callback(step, t, u)`` after every step, optional
    backend : None, "cpu" or "cuda" -- where each step's linear solve runs (None follows
        :func:`fieldgrad.get_backend`); ``k(T)`` and the linearisation stay on the host and ``u``
        is a NumPy array either way (:mod:`fieldgrad.nonlinear.inner`)

    Returns
    -------
    NonlinearHeatResult

    Raises
    ------
    ParameterError -- bad times, ``k(T) <= 0`` at a temperature reached (named), a non-positive
        ``rho_c``; ConvergenceError -- a failed inner solve (names the step)

    Example
    -------
    >>> g = fg.Grid((17,))
    >>> r = solve_nonlinear_heat(np.zeros(g.shape), g, fg.Dirichlet(1.0), k=fg.ConductivityOfT(lambda T: 1.0 + T),
    ...                          t_end=5.0, dt=0.5)
    >>> r.steps, bool(np.allclose(r.u, 1.0, atol=1e-6))
    (10, True)
    """
    return time_steps(select_inner(backend), u0, grid, bc, k=k, rho_c=rho_c, t_end=t_end, dt=dt, t0=t0,
                      source=source, inner_method=inner_method, inner_rtol=inner_rtol, callback=callback)


def time_steps(inner, u0, grid, bc, *, k, rho_c, t_end, dt, t0, source, inner_method, inner_rtol, callback):
    """The steps of :func:`solve_nonlinear_heat` (same arguments, all required), with each step's
    linear solve made by ``inner`` (:mod:`fieldgrad.nonlinear.inner`): written once for the CPU,
    CUDA and MPI entry points.

    Returns
    -------
    NonlinearHeatResult (``u`` the global field)

    Example
    -------
    >>> from fieldgrad.nonlinear.inner import serial_inner
    >>> u0 = np.ones(5)
    >>> r = time_steps(serial_inner, u0, fg.Grid((5,)), fg.Dirichlet(1.0), k=2.0, rho_c=1.0, t_end=1.0, dt=0.5,
    ...                t0=0.0, source=None, inner_method="auto", inner_rtol=1e-10, callback=None)
    >>> r.steps, bool(np.allclose(r.u, u0))
    (2, True)
    """
    t_start = time.perf_counter()
    bcs, k = prepare(grid, bc, k)
    u = check_rhs(u0, grid, "u0")
    out_dtype = np.float32 if np.asarray(u).dtype == np.float32 else np.float64  # float32 stays float32
    u = np.array(u, dtype=np.float64)
    check_start(u, bcs)
    rc = check_coefficient(rho_c, grid, "rho_c", positive=True)
    for name, v in (("t0", t0), ("t_end", t_end)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise ParameterError(f"{name} must be a finite number; got {describe(v)}")
    dt = check_positive(dt, "dt")
    if not t_end > t0:
        raise ParameterError(f"t_end must be later than t0 = {t0:g}; got {describe(t_end)}")
    steps = max(1, math.ceil((t_end - t0) / dt * (1 - 1e-12)))
    dt = (t_end - t0) / steps
    res = NonlinearHeatResult(u, float(t_end), steps, dt)
    for n in range(1, steps + 1):
        t = t0 + n * dt if n < steps else float(t_end)
        s = rc / dt
        try:
            kk = conductivity_at(k, u)
            lin = linearised_bc(bcs, u, kk, t=t, mode="newton")
        except ParameterError as e:
            raise ParameterError(f"{e} (step {n}, t = {t:g})") from None
        try:
            delta, solved = correction(grid, lin, kk, s, -(s * u + _source_at(source, t, grid)), u, t=t,
                                       method=inner_method, rtol=inner_rtol, inner=inner)
        except RuntimeError as e:  # ConvergenceError, or a singular factorisation when k(T) underflows
            raise ConvergenceError(f"solve_nonlinear_heat: the inner solve of step {n} (t = {t:g}) failed "
                                   f"({type(e).__name__}: {e})", residuals=getattr(e, "residuals", None),
                                   result=res) from e
        u = u + delta
        res.inner_iterations.append(solved.iterations)
        res.inner_method = solved.method
        if callback is not None:
            callback(n, t, u)
    res.u, res.wall_time = u.astype(out_dtype, copy=False), time.perf_counter() - t_start
    return res
