"""Steady nonlinear heat conduction: ``div(k(u) grad u) = f`` with radiation / ``h(T)`` faces.

Each outer iteration freezes ``k`` at the last iterate (``k(T)`` sampled at the nodes) and
linearises every surface-exchange face about it (:mod:`.exchange`), then solves the linear
problem for the correction to the last iterate (:mod:`.correction`) with
:class:`fieldgrad.PoissonSolver` (MG-preconditioned CG for a node-array ``k``, multigrid for a
constant one), or with the device solver (``backend="cuda"``) or the distributed one
(:func:`fieldgrad.distributed.solve_nonlinear`): :func:`outer_iteration` is the one loop all
three run, with the inner solver of :mod:`.inner`.

- ``method="newton"``: the exchange faces use the Newton slope ``dq/dT`` (for radiation
  ``4*eps*sigma*T**3``); ``k(T)`` is still lagged, so the outer convergence is quadratic when
  only the faces are nonlinear and linear (fast, rate ~ the relative variation of ``k``) when
  ``k`` depends on ``T``.
- ``method="picard"``: the faces use the secant ``h_rad = eps*sigma*(T**2 + Ta**2)*(T + Ta)``
  (plus ``h(T)``): linear convergence, more outer iterations, sometimes more robust.

The outer iteration stops when the update ``max|u_m - u_(m-1)|`` is at most ``rtol`` times
``max|u_m|``.

Example
-------
>>> g = fg.Grid((17,), extent=(0.0, 0.1))
>>> bc = {"x-": fg.Dirichlet(500.0), "x+": fg.Radiation(0.9, 300.0)}
>>> r = solve_nonlinear(np.zeros(g.shape), g, bc, k=1.0)
>>> r.converged, r.outer_iterations <= 5
(True, True)
"""
from __future__ import annotations

import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConvergenceError, ParameterError, describe
from ..solvers.discretize import check_rhs
from ._common import check_start, conductivity_at, fixes_level, linear_fixes_level, prepare, reference_temperature
from .correction import correction
from .exchange import MODES, linearised_bc
from .inner import select_inner

__all__ = ["solve_nonlinear", "NonlinearResult", "outer_iteration"]


@dataclass
class NonlinearResult:
    """Outcome of :func:`solve_nonlinear`.

    Attributes
    ----------
    u : ndarray of ``grid.shape`` (float64)
    method : "newton" or "picard"
    outer_iterations : int -- linear solves made
    update_norms : list of float -- ``max|u_m - u_(m-1)| / max|u_m|`` after each outer iteration
    inner_iterations : list of int -- iterations of each inner linear solve
    inner_method : str -- the :class:`~fieldgrad.PoissonSolver` method of the inner solves
    converged : bool
    wall_time : float -- seconds
    """

    u: np.ndarray
    method: str
    outer_iterations: int
    update_norms: list = field(default_factory=list)
    inner_iterations: list = field(default_factory=list)
    inner_method: str = ""
    converged: bool = False
    wall_time: float = 0.0


def _check_options(method, rtol, maxiter, relax):
    if method not in MODES:
        raise ParameterError(f"method must be one of {MODES}; got {describe(method)}")
    if not isinstance(rtol, numbers.Real) or not 0.0 < rtol < 1.0:
        raise ParameterError(f"rtol must be a number in (0, 1); got {describe(rtol)}")
    if not isinstance(maxiter, numbers.Integral) or isinstance(maxiter, bool) or maxiter < 1:
        raise ParameterError(f"maxiter must be a positive integer; got {describe(maxiter)}")
    if not isinstance(relax, numbers.Real) or not 0.0 < relax <= 1.0:
        raise ParameterError(f"relax must be a number in (0, 1]; got {describe(relax)}")


def _diverging(steps):
    """Four growing updates in a row, past the first one: the iteration runs away."""
    return len(steps) >= 5 and all(b > a for a, b in zip(steps[-5:-1], steps[-4:])) and steps[-1] > steps[0]


def solve_nonlinear(f, grid, bc, *, k, method="newton", u0=None, rtol=1e-8, maxiter=50, relax=1.0, t=0.0,
                    inner_method="auto", inner_rtol=1e-10, callback=None, raise_on_failure=True, backend=None):
    """Solve ``div(k(u) grad u) = f`` with temperature-dependent ``k`` and nonlinear faces.

    The sign convention is :func:`fieldgrad.solve_poisson`'s: a heat source ``q`` (W/m^3) is
    ``f = -q``.  Faces take any linear condition and :class:`~fieldgrad.Radiation` /
    :class:`~fieldgrad.ConvectionOfT` (outward flux ``eps*sigma*(u**4 - Ta**4) + h(u)*(u - Ta)``,
    kelvin when radiating).  See the module docstring for the outer iteration.

    Parameters
    ----------
    f : array of ``grid.shape``
    grid : Grid (1D, 2D or 3D)
    bc : boundary specification, a condition on every face
    k : :class:`~fieldgrad.ConductivityOfT`, callable ``k(T)``, positive number or node array
    method : "newton" (default) or "picard" -- the linearisation of the exchange faces
    u0 : array of ``grid.shape``, optional -- starting temperature (default: the mean of the
        temperatures the faces prescribe, as a constant)
    rtol : float in (0, 1) -- outer tolerance on the relative update norm
    maxiter : int -- most outer iterations
    relax : float in (0, 1] -- under-relaxation ``u_m = u_(m-1) + relax*(solve - u_(m-1))``
    t : float -- time for time-dependent boundary values
    inner_method : the inner solver's method ("auto": MG-CG for ``k(T)``; on CUDA "auto",
        "multigrid" or "cg")
    inner_rtol : float -- relative residual target of the inner solves (of the correction, so
        relative to the current residual); after the first outer iteration a looser
        ``min(1e-3, 0.01 * last update norm)`` is used while that is larger
    callback : callable ``callback(outer_iteration, update_norm)``, optional
    raise_on_failure : bool -- False returns ``converged=False`` instead of raising
    backend : None, "cpu" or "cuda" -- where the inner linear solves run (None follows
        :func:`fieldgrad.get_backend`); the outer iteration and ``k(T)`` stay on the host, and
        ``u`` is a NumPy array either way (:mod:`fieldgrad.nonlinear.inner`)

    Returns
    -------
    NonlinearResult

    Raises
    ------
    ConvergenceError -- ``maxiter`` outer iterations without reaching ``rtol``, a diverging or
        non-finite iterate, or a failed inner solve (the message names the outer iteration and
        the last update norm; ``error.result`` holds the last iterate)
    ParameterError -- ``k(T) <= 0`` or ``h(T) < 0`` at a temperature reached (named), bad options
    BoundaryError, ShapeError -- as :func:`fieldgrad.solve_poisson`; BackendError -- "cuda"
        where it cannot run

    Example
    -------
    >>> g = fg.Grid((33,))
    >>> k = fg.ConductivityOfT(lambda T: 1.0 + T)
    >>> r = solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0)}, k=k)
    >>> x = g.coords[0]
    >>> exact = np.sqrt(1.0 + 3.0 * x) - 1.0   # (T + T**2/2) is linear in x
    >>> bool(np.max(np.abs(r.u - exact)) < 1e-3), r.method
    (True, 'newton')
    """
    return outer_iteration(select_inner(backend), f, grid, bc, k=k, method=method, u0=u0, rtol=rtol,
                           maxiter=maxiter, relax=relax, t=t, inner_method=inner_method, inner_rtol=inner_rtol,
                           callback=callback, raise_on_failure=raise_on_failure)


def outer_iteration(inner, f, grid, bc, *, k, method, u0, rtol, maxiter, relax, t, inner_method, inner_rtol,
                    callback, raise_on_failure):
    """The outer iteration of :func:`solve_nonlinear` (same arguments, all required), with the
    linear correction solves made by ``inner`` (:mod:`fieldgrad.nonlinear.inner`): written once
    for the CPU, CUDA and MPI entry points.

    Returns
    -------
    NonlinearResult (``u`` the global field)

    Example
    -------
    >>> from fieldgrad.nonlinear.inner import serial_inner
    >>> g = fg.Grid((9,))
    >>> r = outer_iteration(serial_inner, np.zeros(g.shape), g, fg.Dirichlet(2.0), k=lambda T: 1.0 + T,
    ...                     method="newton", u0=None, rtol=1e-8, maxiter=5, relax=1.0, t=0.0, inner_method="auto",
    ...                     inner_rtol=1e-10, callback=None, raise_on_failure=True)
    >>> r.outer_iterations, bool(np.allclose(r.u, 2.0))
    (1, True)
    """
    t_start = time.perf_counter()
    _check_options(method, rtol, maxiter, relax)
    bcs, k = prepare(grid, bc, k)
    f = check_rhs(f, grid, "f")
    out_dtype = np.float32 if np.asarray(f).dtype == np.float32 else np.float64  # float32 stays float32
    if not fixes_level(bcs):
        raise ParameterError("solve_nonlinear needs a face that fixes the temperature level (Dirichlet, "
                             "Robin/Convection, Radiation or ConvectionOfT); got only flux/periodic faces "
                             f"{bcs.kinds()}")
    if u0 is None:
        u = np.full(grid.shape, reference_temperature(bcs, t))
    else:
        u = np.array(check_rhs(u0, grid, "u0"), dtype=np.float64)
    check_start(u, bcs)
    res = NonlinearResult(u, method, 0)

    def fail(msg):
        res.u, res.wall_time = u.astype(out_dtype, copy=False), time.perf_counter() - t_start
        if raise_on_failure:
            raise ConvergenceError(msg, residuals=res.update_norms, result=res)
        return res

    steps = []
    for it in range(1, maxiter + 1):
        try:
            kk = conductivity_at(k, u)
            lin = linearised_bc(bcs, u, kk, t=t, mode=method)
        except ParameterError as e:
            raise ParameterError(f"{e} (outer iteration {it})") from None
        if not linear_fixes_level(lin, grid, t):
            where = "the start" if it == 1 else "the last iterate"
            raise ParameterError(
                f"solve_nonlinear: at outer iteration {it} no face fixes the temperature level: every exchange "
                f"face has the slope dq/dT = 0 at {where} (max |u| = {float(np.max(np.abs(u))):.6g}; e.g. "
                "radiation to an ambient of 0 K from 0 K, or an h(T) that is 0 at the ambient temperature the "
                "default start takes); accepted: a start u0 at which some face exchanges heat (a guess of the "
                "temperature), or a Dirichlet face")
        try:
            # inexact early solves: the correction needs only a little more accuracy than the last update had
            tol = inner_rtol if not res.update_norms else min(1e-3, max(inner_rtol, 1e-2 * res.update_norms[-1]))
            delta, solved = correction(grid, lin, kk, 0.0, f, u, t=t, method=inner_method, rtol=tol, inner=inner)
        except RuntimeError as e:  # ConvergenceError, or a singular factorisation when k(T) underflows
            last = f"{res.update_norms[-1]:.3e}" if res.update_norms else "none yet"
            return fail(f"solve_nonlinear ({method}): the inner solve of outer iteration {it} failed "
                        f"({type(e).__name__}: {e}); last update norm {last}")
        res.inner_method = solved.method
        res.inner_iterations.append(solved.iterations)
        new = u + relax * delta
        if not np.all(np.isfinite(new)):
            return fail(f"solve_nonlinear ({method}) diverged: outer iteration {it} gave non-finite temperatures")
        step = float(np.max(np.abs(new - u)))
        steps.append(step)
        norm = step / max(float(np.max(np.abs(new))), 1e-300)
        u = new
        res.outer_iterations = it
        res.update_norms.append(norm)
        if callback is not None:
            callback(it, norm)
        if norm <= rtol:
            res.u, res.converged, res.wall_time = u.astype(out_dtype, copy=False), True, time.perf_counter() - t_start
            return res
        if _diverging(steps):
            return fail(f"solve_nonlinear ({method}) diverged: the update max|u_m - u_(m-1)| grew for 4 outer "
                        f"iterations, to {step:.3e} at outer iteration {it} (first {steps[0]:.3e}; update norm "
                        f"{norm:.3e}); check that a steady state exists, or try relax < 1 or a closer u0")
    return fail(f"solve_nonlinear ({method}) did not converge: outer iteration {maxiter} (maxiter) ended with the "
                f"update norm {res.update_norms[-1]:.3e} > rtol={rtol:g}; raise maxiter, or try relax < 1 / "
                "method='newton'")
