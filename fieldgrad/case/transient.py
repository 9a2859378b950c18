"""Transient case runs: one :class:`fieldgrad.Simulation` in absolute time with an
:class:`fieldgrad.io.HDF5Writer` attached.

The case's ``solver.t0`` .. ``solver.t_end`` is cut into ``output.frames`` equal intervals and
the step is chosen so that a whole number of equal steps fills each interval
(:func:`plan_steps`), so every frame lands on its time exactly and the serial and the MPI runs
(:mod:`fieldgrad.case.mpi`) take the same steps.  Time-dependent boundary values
and sources see the true time ``t``.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import CaseFileError
from ..heat.stability import capacity_limit, explicit_limit  # noqa: F401 - explicit_limit re-exported for case users

__all__ = ["explicit_limit", "plan_steps", "plan_run", "capacity_form", "FrameWriter", "run_transient", "CASE_METHODS"]

#: case-file method names -> fieldgrad.heat method names
CASE_METHODS = {"explicit": "ftcs", "implicit": "backward_euler"}


def plan_steps(case, alpha, bc=None, max_steps=None, *, dt_explicit=None):
    """The method, the step and the frame times of a transient case.

    Parameters
    ----------
    case : Case
    alpha : float or array -- the diffusivity ``k / (rho c)`` (a number is taken as its maximum)
    bc : boundary conditions of the run, optional -- Robin/convection faces lower the explicit
        limit (:func:`fieldgrad.heat.stability.explicit_limit`); without them only the interior
        limit is known
    max_steps : int, optional -- the most steps the run may take (default
        :data:`fieldgrad.simulation.MAX_STEPS`)
    dt_explicit : float, optional -- the explicit stability limit when it is known already
        (the ``k / rho_c`` form: :func:`fieldgrad.heat.capacity_limit`); ``alpha`` is then unused

    Returns
    -------
    dict with ``method`` (a :mod:`fieldgrad.heat` name), ``dt`` (the step actually taken),
    ``times`` (frame times, ``frames + 1`` of them from ``t0`` to ``t_end``),
    ``steps_per_frame`` and ``dt_explicit``.

    Raises
    ------
    CaseFileError
        An explicit step above the stability limit, a non-finite ``t_end``, or more than
        ``max_steps`` steps.

    Example
    -------
    >>> from fieldgrad.case import loads_case
    >>> c = loads_case('[case]\\nname = "a"\\nphysics = "heat"\\n[grid]\\nshape = [11, 11]\\n'
    ...                'extent = [[0, 1], [0, 1]]\\n[initial]\\nvalue = 0\\n[solver]\\nkind = "transient"\\n'
    ...                't_end = 0.1\\ndt = 0.002\\nmethod = "explicit"\\n[output]\\nframes = 4')
    >>> p = plan_steps(c, 1.0)
    >>> p["method"], p["steps_per_frame"], len(p["times"]), round(p["dt"] * 13, 12)
    ('ftcs', 13, 5, 0.025)
    """
    from ..heat.methods import choose_method
    from ..simulation import MAX_STEPS

    t0, t_end = case.t0, float(case.solver["t_end"])
    if not math.isfinite(t_end):
        raise CaseFileError(f"solver.t_end = {t_end!r}; allowed: a finite number greater than solver.t0 = {t0!r} "
                            "(the end time, s)")
    dt_e = explicit_limit(case.grid, alpha, bc) if dt_explicit is None else float(dt_explicit)
    dt = case.solver.get("dt")
    name = case.solver.get("method", "auto")
    method = choose_method(CASE_METHODS.get(name, name), dt, dt_e)
    if method == "ftcs" and dt is not None and dt > dt_e * (1 + 1e-12):
        raise CaseFileError(
            f"solver.dt = {dt!r} is above the explicit stability limit {dt_e:.4g} s of this grid, material and "
            f"boundary (2 / (4 alpha_max sum 1/h^2 + convection terms 2 alpha h_c / (k h)), see "
            f"fieldgrad.heat.stability); allowed: dt <= {dt_e:.4g}, or method = \"implicit\"")
    if dt is None:  # the Simulation's defaults
        dt = 0.9 * dt_e if method == "ftcs" else 25.0 * dt_e
    frames = int(case.output.get("frames", 20))
    times = np.linspace(t0, t_end, frames + 1)
    span = (t_end - t0) / frames
    limit = MAX_STEPS if max_steps is None else max_steps
    if span / dt * frames > limit:
        raise CaseFileError(
            f"solver.dt = {dt!r} from t0 = {t0!r} to t_end = {t_end!r} plans {span / dt * frames:.3g} time steps, "
            f"more than {limit} (fieldgrad.simulation.MAX_STEPS); allowed: a larger solver.dt (or none: the "
            "stability limit), a shorter run, or method = \"implicit\"")
    n = max(1, math.ceil(span / dt - 1e-9))
    return {"method": method, "dt": span / n, "times": times, "steps_per_frame": n, "dt_explicit": dt_e}


class FrameWriter:
    """Writer adapter: turns the Simulation's ``{"u": u}`` into the case's named fields
    (temperature and heat flux), records their range and hands them to an HDF5Writer.

    Parameters
    ----------
    inner : HDF5Writer
    names : (scalar name, flux name)
    flux : callable ``flux(u, t)`` -> vector field
    params : dict -- merged into the Simulation's parameters in the file
    keep : sequence of names to write (default both)
    """

    every = None  # the initial state and the end of every run (one run per frame)

    def __init__(self, inner, names, flux, params, keep=None):
        self.inner, self.names, self.flux, self.params = inner, names, flux, params
        self.keep = tuple(names) if keep is None else tuple(keep)
        self.lo, self.hi = math.inf, -math.inf
        self.frames = 0
        self.last = None

    def open(self, sim):
        self.inner.open(_WithParams(sim, self.params))

    def write(self, t, fields):
        u = fields["u"]
        self.lo, self.hi = min(self.lo, float(u.min())), max(self.hi, float(u.max()))
        out = {self.names[0]: u}
        if self.names[1] in self.keep:
            out[self.names[1]] = self.flux(u, t)
        self.inner.write(t, {k: v for k, v in out.items() if k in self.keep})
        self.frames += 1
        self.last = u

    def close(self):
        self.inner.close()


class _WithParams:
    """The Simulation as the HDF5Writer sees it, with the case's parameters added."""

    def __init__(self, sim, extra):
        self._sim, self._extra = sim, extra

    @property
    def params(self):
        return {**self._sim.params, **self._extra}

    def __getattr__(self, name):
        return getattr(self._sim, name)


def _progress_bar(progress, t0, t_end, dt, desc):
    """The run's progress bar (:class:`fieldgrad.progress.RunProgress`), or None when off."""
    from ..progress import RunProgress, progress_enabled

    return RunProgress(t0=t0, t_end=t_end, dt=dt, desc=desc) if progress_enabled(progress) else None


def capacity_form(mat):
    """True when a transient heat run needs the ``k / rho_c`` form of the heat equation: the
    conductivity on cells (``[[material.region]]``) or a heat capacity that varies in space."""
    from ..materials import Cells

    return isinstance(mat["conductivity"], Cells) or np.ndim(mat["heat_capacity"]) > 0


def plan_run(case, mat, bc):
    """:func:`plan_steps` for a case's materials: the explicit limit of the ``k / rho_c`` form
    (:func:`fieldgrad.heat.capacity_limit`) when :func:`capacity_form` says so, else of
    ``alpha = k / rho_c``.  Serial and MPI runs plan with it, so they take the same steps."""
    k, rho_c = mat["conductivity"], mat["heat_capacity"]
    if capacity_form(mat):
        return plan_steps(case, None, bc, dt_explicit=capacity_limit(case.grid, bc, k=k, rho_c=rho_c))
    return plan_steps(case, k / rho_c, bc)


def run_transient(case, ctx, *, overwrite=False, progress=None):
    """Run a transient heat case with one Simulation; frames written on the case's schedule.

    Parameters
    ----------
    case : Case
    ctx : dict -- from :func:`fieldgrad.case.prepare.prepare` (``bc``, ``mat``, ``paths``, names ...)
    overwrite : bool
    progress : bool or None -- a progress bar over simulated time (None: in a terminal)

    Returns
    -------
    dict -- ``u`` (last field), ``steps`` (text), ``ranges``, ``times``, ``plan``
    """
    from ..fields.fluxes import cell_flux
    from ..io import HDF5Writer
    from ..materials import Cells
    from ..operators import grad
    from ..simulation import Simulation

    if ctx["fixed"]:
        raise CaseFileError("[[fixed]] regions are supported for steady runs only; remove them or use "
                            "solver.kind = \"steady\"")
    mat, bc, grid = ctx["mat"], ctx["bc"], case.grid
    k, rho_c = mat["conductivity"], mat["heat_capacity"]
    u0 = case.initial().astype(float)
    ck = {}
    every = case.output.get("checkpoint_every")
    if every is not None:
        ck = {"checkpoint": ctx["paths"]["checkpoint"], "checkpoint_every": int(every)}
    plan = plan_run(case, mat, bc)
    if capacity_form(mat):
        # materials on cells or a varying heat capacity: rho_c du/dt = div(k grad u) + q
        sim = Simulation(u0, grid, bc, k=k, rho_c=rho_c, dt=plan["dt"], method=plan["method"],
                         source=case.source_function(1.0), t0=case.t0, progress=False, **ck)
    else:
        sim = Simulation(u0, grid, bc, alpha=k / rho_c, dt=plan["dt"], method=plan["method"],
                         source=case.source_function(1.0 / rho_c), t0=case.t0, progress=False, **ck)
    k_nodes = ctx["coef_field"]  # node-sampled view of k for the written flux

    def flux(u, t):
        if isinstance(k, Cells):  # the mean of each node's face fluxes: exact across an interface
            return cell_flux(u, k, grid, bc, t)
        g = grad(u, grid, bc, t=t)
        g *= -k_nodes
        return g

    inner = HDF5Writer(ctx["paths"]["h5"], overwrite=overwrite, units=ctx["units"], long_names=ctx["long_names"])
    writer = FrameWriter(inner, (ctx["scalar"], ctx["fluxname"]), flux, ctx["params"], keep=ctx["keep"])
    sim.add_writer(writer)
    times = plan["times"]
    bar = _progress_bar(progress, float(times[0]), float(times[-1]), plan["dt"], case.name)
    if bar is not None:
        # on a wall-clock schedule: the run loop checks the field before every due callback
        sim.add_callback(lambda s: bar.update(s.t, s.step), wall=0.2)
    try:
        for t1 in times[1:]:
            sim.run(t_end=float(t1))
    finally:
        sim.close()
        if bar is not None:
            bar.update(sim.t, sim.step)  # the wall schedule may not have fired at the end
            bar.close()
    return {"u": np.array(sim.u), "t": sim.t, "times": times, "plan": plan,
            "steps": f"{sim.step} time steps ({plan['method']}, dt = {plan['dt']:.4g} s), "
                     f"{writer.frames} frames from t = {times[0]:g} to {times[-1]:g} s",
            "ranges": {ctx["scalar"]: (writer.lo, writer.hi)}}
