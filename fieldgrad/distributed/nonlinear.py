"""Nonlinear heat under MPI: ``k(T)``, radiation and ``h(T)`` faces, steady and transient.

:func:`solve_nonlinear` and :func:`solve_nonlinear_heat` take the arguments and defaults of the
serial :func:`fieldgrad.solve_nonlinear` / :func:`fieldgrad.solve_nonlinear_heat` (plus ``comm``
and ``dims``) and run the *same* outer iteration / step loop
(:func:`fieldgrad.nonlinear.steady.outer_iteration`, :func:`fieldgrad.nonlinear.transient.time_steps`);
only the linear correction solve is distributed: :func:`fieldgrad.distributed.solve_poisson`
(two-level Schwarz CG) with the frozen node-array ``k``, the linearised faces as Robin faces with
face-array coefficients and, for the transient, ``screening = rho_c/dt``.

What is global: every rank holds the whole iterate.  After each inner solve the correction is
gathered to every rank (one ``allgather`` of the blocks), and ``k(T)`` (a user callable on NumPy
arrays), the face linearisation and the residual of the correction are evaluated redundantly on
each rank -- so the outer decisions (update norm, convergence, failure) are the same everywhere
and the result equals the serial one (to the inner solvers' round-off), but memory and that host
work do not shrink with the rank count; the linear solves, the expensive part, do.

Example
-------
>>> r = solve_nonlinear(f, grid, bc, k=ConductivityOfT(kfun), comm=MPI.COMM_WORLD)   # doctest: +SKIP
>>> u = gather(r)                                                                    # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..errors import BackendError, ConvergenceError
from ..grid import require_grid
from ..nonlinear.steady import NonlinearResult, outer_iteration
from ..nonlinear.transient import NonlinearHeatResult, time_steps
from .decomposition import Decomposition
from .poisson import solve_poisson
from .results import Placed

__all__ = ["solve_nonlinear", "solve_nonlinear_heat", "NonlinearPart", "NonlinearHeatPart"]


@dataclass
class NonlinearPart(Placed, NonlinearResult):
    """:class:`fieldgrad.NonlinearResult` of :func:`solve_nonlinear` on one rank: ``u`` is the
    rank's block; ``slices`` and ``global_shape`` place it (:func:`fieldgrad.distributed.gather`)."""


@dataclass
class NonlinearHeatPart(Placed, NonlinearHeatResult):
    """:class:`fieldgrad.NonlinearHeatResult` of :func:`solve_nonlinear_heat` on one rank."""


class _DistributedInner:
    """The inner solver (:mod:`fieldgrad.nonlinear.inner`) of the MPI entry points: the
    distributed ``solve_poisson``, its blocks gathered to every rank."""

    def __init__(self, comm, dims):
        self.comm, self.dims = comm, dims

    def __call__(self, grid, bc, k, screening, r, *, method, rtol):
        part = solve_poisson(r, grid, bc, k=k, screening=screening, method=method, rtol=rtol, comm=self.comm,
                             dims=self.dims)
        out = np.empty(grid.shape)
        for index, data in self.comm.allgather((part.index, part.u)):
            out[index] = data
        return out, part


def _cpu_only(backend, name):
    if backend not in (None, "cpu"):
        raise BackendError(f"fieldgrad.distributed.{name} runs on the CPU of every rank; got backend={backend!r}")


def _run(loop, part_type, grid, comm, dims):
    """``loop(inner)`` (the serial loop with the distributed inner solver); its result (also on a
    ConvergenceError) cut to this rank's block."""
    require_grid(grid)
    dec = Decomposition(grid, comm, dims, cylindrical=True)  # only cuts the result: the inner solves take (r, z) rows

    def cut(res):
        values = {f.name: getattr(res, f.name) for f in fields(res)}
        values["u"] = dec.local(np.asarray(res.u))
        return part_type(**values, slices=dec.slices, global_shape=grid.shape)

    try:
        return cut(loop(_DistributedInner(dec.comm, dec.dims)))
    except ConvergenceError as e:
        if isinstance(e.result, (NonlinearResult, NonlinearHeatResult)):
            e.result = cut(e.result)
        raise


def solve_nonlinear(f, grid, bc, *, k, method="newton", u0=None, rtol=1e-8, maxiter=50, relax=1.0, t=0.0,
                    inner_method="auto", inner_rtol=1e-10, callback=None, raise_on_failure=True, backend=None,
                    comm=None, dims=None):
    """Steady ``div(k(u) grad u) = f`` with ``k(T)`` and radiation / ``h(T)`` faces on an
    MPI-decomposed grid: :func:`fieldgrad.solve_nonlinear` with distributed inner solves.

    Parameters
    ----------
    f, grid, bc, k, method, u0, rtol, maxiter, relax, t, inner_rtol, callback, raise_on_failure :
        as for :func:`fieldgrad.solve_nonlinear` (global arrays, the same on every rank; a 2D or
        3D grid, Cartesian or cylindrical (r, z))
    inner_method : "auto" or "cg" (the distributed solver's methods)
    backend : None or "cpu"
    comm : mpi4py communicator (default ``COMM_WORLD``); dims : ranks per axis (optional)

    Returns
    -------
    NonlinearPart -- a :class:`fieldgrad.NonlinearResult` whose ``u`` is this rank's block
    (``inner_method`` "cg-schwarz"; the other fields are the same on every rank)

    Raises
    ------
    As :func:`fieldgrad.solve_nonlinear`, with the same messages; a ConvergenceError's
    ``result`` is this rank's NonlinearPart.  BackendError -- ``backend="cuda"``.

    Example
    -------
    >>> r = solve_nonlinear(np.zeros(g.shape), g, bc, k=20.0, comm=MPI.COMM_WORLD)   # doctest: +SKIP
    >>> r.outer_iterations, gather(r).shape                                       # doctest: +SKIP
    (5, (17, 2))
    """
    _cpu_only(backend, "solve_nonlinear")
    return _run(lambda inner: outer_iteration(
        inner, f, grid, bc, k=k, method=method, u0=u0, rtol=rtol, maxiter=maxiter, relax=relax, t=t,
        inner_method=inner_method, inner_rtol=inner_rtol, callback=callback, raise_on_failure=raise_on_failure),
        NonlinearPart, grid, comm, dims)


def solve_nonlinear_heat(u0, grid, bc, *, k, rho_c=1.0, t_end, dt, t0=0.0, source=None, inner_method="auto",
                         inner_rtol=1e-10, callback=None, backend=None, comm=None, dims=None):
    """Transient ``rho_c du/dt = div(k(u) grad u) + source`` on an MPI-decomposed grid:
    :func:`fieldgrad.solve_nonlinear_heat` (backward Euler linearised per step) with each step's
    linear solve distributed.

    Parameters
    ----------
    u0, grid, bc, k, rho_c, t_end, dt, t0, source, inner_rtol :
        as for :func:`fieldgrad.solve_nonlinear_heat` (global arrays on every rank)
    inner_method : "auto" or "cg"
    callback : callable ``callback(step, t, u)``, optional -- ``u`` is the global field (every
        rank holds it, see the module docstring)
    backend : None or "cpu"
    comm, dims : as for :func:`solve_nonlinear`

    Returns
    -------
    NonlinearHeatPart -- a :class:`fieldgrad.NonlinearHeatResult` whose ``u`` is this rank's block

    Raises
    ------
    As :func:`fieldgrad.solve_nonlinear_heat`; BackendError -- ``backend="cuda"``

    Example
    -------
    >>> r = solve_nonlinear_heat(u0, g, bc, k=50.0, rho_c=4e6, t_end=10.0, dt=1.0)   # doctest: +SKIP
    >>> r.steps                                                                      # doctest: +SKIP
    10
    """
    _cpu_only(backend, "solve_nonlinear_heat")
    return _run(lambda inner: time_steps(
        inner, u0, grid, bc, k=k, rho_c=rho_c, t_end=t_end, dt=dt, t0=t0, source=source,
        inner_method=inner_method, inner_rtol=inner_rtol, callback=callback),
        NonlinearHeatPart, grid, comm, dims)
