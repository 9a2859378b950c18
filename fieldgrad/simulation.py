"""The run loop of time-dependent problems: :class:`Simulation`.

A Simulation owns a heat problem, its integrator and the state ``(u, t, step)``, and runs it
with the things a long run needs: callbacks and writers on schedules
(:mod:`fieldgrad.schedules`), a progress bar (:mod:`fieldgrad.progress`: on in a terminal, off
when stderr is not a tty, when the ``CI`` environment variable is set, or with ``progress=False``;
it stays on screen when the run ends), a NaN/overflow
guard that names the step and time, a steady-state stop, a wall-time limit, and checkpoints.

Writer protocol: any object with ``open(sim)``, ``write(t, fields)``, ``close()`` and an
attribute ``every`` (steps, or None: the initial state and the end of every ``run``).  ``fields``
is ``{"u": array}``.
"""
from __future__ import annotations

import math
import numbers
import time

import numpy as np

from . import boundary as _bnd
from .closing import Closing
from .errors import BackendError, ConvergenceError, NonFiniteError, ParameterError
from .grid import Grid
from .heat.gpu import GPU_METHODS, make_cuda_stepper, resolve_heat_backend
from .heat.guard import GROWTH_FACTOR, GrowthGuard
from .heat.methods import check_solver_options, choose_method, make_stepper
from .heat.problem import HeatProblem, _finite_time
from .progress import RunProgress, progress_enabled
from .schedules import SimTime, Steps, as_schedule
from .threads import serial_if_small

__all__ = ["Simulation", "MAX_STEPS"]

#: default largest number of steps one ``Simulation.run`` may plan (``max_steps=`` raises it)
MAX_STEPS = 10 ** 8


def _material_state(k, contact):
    """Arrays that rebuild ``k`` given as :class:`~fieldgrad.Cells` and a :class:`~fieldgrad.Contact`
    from a checkpoint (numbers and node arrays are stored as before; Orthotropic is stored per axis)."""
    from .materials import Cells, Orthotropic

    out = {}
    comps = {"k": k} if not isinstance(k, Orthotropic) else {f"k{a}": c for a, c in zip("xyz", k.components)}
    for name, c in comps.items():
        if isinstance(c, Cells):
            out[name + "_cells"] = np.array(c.values)
            if c.domain is not None:
                out[name + "_domain"] = np.array(c.domain)
        elif isinstance(c, np.ndarray) and isinstance(k, Orthotropic):
            out[name + "_nodes"] = np.array(c)
        elif isinstance(k, Orthotropic):
            out[name + "_value"] = np.array(float(c))
    if contact is not None:
        out["contact_regions"] = np.array(contact.regions)
        res = contact.resistance
        if isinstance(res, dict):
            pairs = sorted(res.items())
            out["contact_pairs"] = np.array([p for p, _ in pairs], dtype=np.int64).reshape(-1, 2)
            out["contact_values"] = np.array([v for _, v in pairs], dtype=np.float64)
        else:
            out["contact_value"] = np.array(float(res))
    return out


def _material_from_state(extra):
    """Inverse of :func:`_material_state`: keyword arguments ``k`` and ``contact`` (when stored)."""
    from .materials import Cells, Contact, Orthotropic

    def comp(name):
        if name + "_cells" in extra:
            return Cells(extra[name + "_cells"], domain=extra.get(name + "_domain"))
        if name + "_nodes" in extra:
            return np.asarray(extra[name + "_nodes"])
        if name + "_value" in extra:
            return float(extra[name + "_value"])
        return None

    kw = {}
    if comp("k") is not None:
        kw["k"] = comp("k")
    elif comp("kx") is not None:
        kw["k"] = Orthotropic(*[c for c in (comp("kx"), comp("ky"), comp("kz")) if c is not None])
    if "contact_regions" in extra:
        if "contact_value" in extra:
            res = float(extra["contact_value"])
        else:
            res = {tuple(int(x) for x in p): float(v) for p, v in zip(extra["contact_pairs"], extra["contact_values"])}
        kw["contact"] = Contact(np.asarray(extra["contact_regions"]), res)
    return kw


class Simulation(Closing):
    """Heat diffusion ``du/dt = div(alpha grad u) + source`` (or ``rho_c du/dt = div(k grad u) +
    source``) run step by step.

    Parameters
    ----------
    u0, grid, bc, alpha, source, t0 : the problem (see :class:`fieldgrad.heat.HeatProblem`)
    k, rho_c : conductivity and volumetric heat capacity (numbers or arrays), the alternative to
        ``alpha``: giving ``alpha`` with either is a ParameterError.
    dt : float, optional
        Step.  None: ``0.9 * dt_explicit`` for FTCS, ``25 * dt_explicit`` otherwise.
    method : "auto", "ftcs", "rkl2", "backward_euler", "crank_nicolson"
    reduce_dt : bool
        FTCS only: shrink a ``dt`` above the stability limit to ``0.9 * limit`` instead of raising
        :class:`~fieldgrad.errors.StabilityError`.
    progress : bool or None
        tqdm bar; None = on in a terminal unless ``CI`` is set.
    nan_check_every : int
        Steps between checks of the field (each costs one pass over it); the field is also
        checked before every callback and writer call and at the end of each ``run``, so no
        writer or checkpoint ever receives a non-finite or runaway field.  The check refuses
        NaN/inf (:class:`~fieldgrad.errors.NonFiniteError`, "NaN at step S, t = ...") and values
        beyond ``growth_factor`` times the maximum-principle bound of the data
        (:class:`~fieldgrad.errors.StabilityError` naming the step; see :mod:`fieldgrad.heat.guard`).
    growth_factor : float or None
        Multiple of that bound (default 1e3); None checks NaN/inf only.
    max_steps : int or None
        Largest number of steps one ``run`` may plan (default ``10**8``, a day or more of
        stepping even on small grids); a ``run(t_end=...)`` whose ``(t_end - t) / dt`` exceeds it
        is refused with a ParameterError before any step.  Pass a larger number (or None: no
        limit) to allow more.
    steady_tol : float, optional
        Stop when ``max|u_new - u_old| / dt < steady_tol`` (checked every step when given).
    max_wall_time : float, optional
        Seconds; ``run`` stops (``stop_reason == "wall_time"``) once exceeded.
    checkpoint, checkpoint_every : path and step interval for periodic checkpoints.
    check : bool
        Check inputs (NaN in ``u0`` -> NonFiniteError); default True.
    backend : None, "cpu" or "cuda"
        Where the steps run (None: :func:`fieldgrad.backends.get_backend`).  On ``"cuda"``,
        FTCS and RKL2 run on the GPU and ``sim.u`` is a device array (``sim.host_u()`` copies it);
        ``"auto"`` picks FTCS or RKL2 there; the implicit methods solve on the GPU with a host
        ``sim.u`` (see :mod:`fieldgrad.heat.gpu`).
    **solver_options : ``rannacher``, ``linear_solver``, ``rtol`` for the implicit methods.

    Example
    -------
    >>> g = fg.Grid((17, 17))
    >>> sim = Simulation(np.ones(g.shape), g, fg.Dirichlet(0.0), alpha=1.0, method="ftcs", progress=False)
    >>> sim.run(steps=10).step
    10
    """

    def __init__(self, u0, grid, bc, *, alpha=None, k=None, rho_c=None, contact=None, dt=None, method="auto", source=None, t0=0.0,
                 reduce_dt=False, progress=None, nan_check_every=10, steady_tol=None, max_wall_time=None,
                 checkpoint=None, checkpoint_every=None, check=True, step=0, backend=None, growth_factor=GROWTH_FACTOR,
                 max_steps=MAX_STEPS, **solver_options):
        check_solver_options(solver_options)
        self.problem = HeatProblem(u0, grid, bc, alpha, source=source, t0=t0, check=check, k=k, rho_c=rho_c,
                                   contact=contact)
        p = self.problem
        self.grid, self.bc = grid, p.bcs
        if dt is not None and (not isinstance(dt, numbers.Real) or not dt > 0 or not math.isfinite(dt)):
            raise ParameterError(f"dt must be a positive, finite number; got {dt!r}")
        self.backend = resolve_heat_backend(backend)
        self.method = choose_method(method, dt, p.dt_explicit)
        if self.backend == "cuda" and method == "auto" and self.method not in GPU_METHODS:
            self.method = "rkl2"  # auto stays explicit on the GPU (the crossover to CN was measured on the CPU)
        if dt is None:
            dt = 0.9 * p.dt_explicit if self.method == "ftcs" else 25.0 * p.dt_explicit
        if self.backend == "cuda":
            self.stepper = make_cuda_stepper(self.method, p, **solver_options)
        else:
            self.stepper = make_stepper(self.method, p, **solver_options)
        if self.method == "ftcs" and dt > p.dt_explicit * (1 + 1e-12):
            if reduce_dt:
                dt = 0.9 * p.dt_explicit
            else:
                self.stepper.check_dt(dt)
        self.dt = float(dt)
        self.solver_options = dict(solver_options)
        self.u = self.stepper.initial_field() if self.backend == "cuda" else p.initial_field()
        self.t = p.t0
        self.step = int(step)
        self.progress = progress_enabled(progress)
        if not isinstance(nan_check_every, numbers.Integral) or nan_check_every < 1:
            raise ParameterError(f"nan_check_every must be a positive integer; got {nan_check_every!r}")
        self.nan_check_every = int(nan_check_every)
        if max_steps is not None and (not isinstance(max_steps, numbers.Real) or isinstance(max_steps, bool)
                                      or not max_steps >= 1):
            raise ParameterError(f"max_steps must be a number >= 1 or None (no limit); got {max_steps!r}")
        self.max_steps = max_steps
        if growth_factor is not None and (not isinstance(growth_factor, numbers.Real) or not growth_factor > 1
                                          or not math.isfinite(growth_factor)):
            raise ParameterError(f"growth_factor must be a finite number > 1 or None; got {growth_factor!r}")
        self.guard = GrowthGuard(p, growth_factor)
        self.steady_tol = steady_tol
        self.max_wall_time = max_wall_time
        self.stop_reason = None
        self.wall_time = 0.0
        self._callbacks = []  # (schedule, func)
        self._writers = []  # (schedule or None, writer)
        self._open = False
        self._last_clean = self.step
        if checkpoint_every is not None:
            if checkpoint is None:
                raise ParameterError("checkpoint_every needs checkpoint= (the file path)")
            self.add_callback(lambda sim: sim.checkpoint(checkpoint), every=checkpoint_every)

    # ------------------------------------------------------------------ description
    @property
    def params(self):
        """JSON-ready parameters of the run (method, dt, alpha if scalar, ...)."""
        out = {"method": self.method, "backend": self.backend, "dt": self.dt,
               "nan_check_every": self.nan_check_every, "steady_tol": self.steady_tol, "t0": self.problem.t0}
        out.update(self.problem.params())
        out.update({k: v for k, v in self.solver_options.items() if isinstance(v, (int, float, str))})
        return out

    @property
    def sweeps(self):
        return self.stepper.sweeps

    @property
    def solver_iterations(self):
        return self.stepper.solver_iterations

    def host_u(self):
        """The current field as a NumPy array (a copy from the device on ``backend="cuda"``)."""
        return _host(self.u)

    def fields(self):
        return {"u": self.host_u()}

    # ------------------------------------------------------------------ callbacks and writers
    def add_callback(self, func, *, every=None, interval=None, wall=None):
        """Call ``func(sim)`` after steps chosen by one schedule: ``every`` n steps, every
        ``interval`` of simulated time, or every ``wall`` seconds.  Returns ``func``."""
        sched = as_schedule(every, interval, wall)
        if sched is None:
            raise ParameterError("add_callback needs one of every=, interval=, wall=")
        if isinstance(sched, SimTime):
            sched.start = self.t
        self._callbacks.append((sched, func))
        return func

    def add_writer(self, writer, *, interval=None):
        """Attach an output writer (``open``/``write``/``close``/``every``); ``interval`` (simulated
        time) is used when ``writer.every`` is None."""
        for name in ("open", "write", "close"):
            if not callable(getattr(writer, name, None)):
                raise ParameterError(f"a writer needs a callable {name}(); {type(writer).__name__} has none")
        every = getattr(writer, "every", None)
        sched = Steps(every) if every is not None else as_schedule(interval=interval)
        if isinstance(sched, SimTime):
            sched.start = self.t
        self._writers.append((sched, writer))
        if self._open:
            writer.open(self)
            writer.write(self.t, self.fields())
        return writer

    def _open_writers(self):
        if not self._open:
            self._open = True
            for _, w in self._writers:
                w.open(self)
                w.write(self.t, self.fields())

    def close(self):
        """Close every writer (further runs reopen nothing: attach new writers instead)."""
        for _, w in self._writers:
            w.close()
        self._writers = []
        self._open = False

    # ------------------------------------------------------------------ the loop
    def _check_finite(self):
        """The guard (:mod:`fieldgrad.heat.guard`) on the current field: NaN/inf or runaway growth raise."""
        self.guard.check(self.host_u(), self.step, self.t,
                         f" (last clean check at step {self._last_clean}); method {self.method}, dt = {self.dt!r}, "
                         f"explicit limit {self.problem.dt_explicit!r}")
        self._last_clean = self.step

    def _check_run_args(self, t_end, steps):
        if t_end is None and steps is None:
            raise ParameterError("run needs t_end= or steps=")
        if steps is not None and (not isinstance(steps, numbers.Integral) or isinstance(steps, bool) or steps < 0):
            raise ParameterError(f"steps must be a non-negative integer; got {steps!r}")
        if t_end is None:
            return None
        t_end = _finite_time(t_end, "t_end")
        if t_end < self.t:
            raise ParameterError(f"t_end = {t_end!r} is before the current time {self.t!r}")
        planned = (t_end - self.t) / self.dt
        if steps is not None:
            planned = min(planned, steps)
        if self.max_steps is not None and planned > self.max_steps:
            raise ParameterError(
                f"run(t_end={t_end!r}) from t = {self.t!r} with dt = {self.dt!r} plans {planned:.3g} steps, more than "
                f"max_steps = {self.max_steps!r}; accepted: a larger dt, an earlier t_end, or max_steps= raised "
                "(None: no limit) when that many steps are meant")
        return t_end

    def _advance(self, old, dt):
        """One stepper call (on one thread for a small grid, :mod:`fieldgrad.threads`); a linear solve
        that fails on a non-finite field is the NaN guard's error."""
        try:
            with serial_if_small(self.grid.size):
                return self.stepper.step(old, self.t, dt, self.step)
        except ConvergenceError as exc:
            if all(math.isfinite(r) for r in exc.residuals) and np.isfinite(_host(old)).all():
                raise
            self.guard.check(_host(old), self.step, self.t,
                             f" (the linear solve of step {self.step + 1} met it; last clean check at step "
                             f"{self._last_clean}); method {self.method}, dt = {self.dt!r}")
            raise NonFiniteError(f"NaN at step {self.step + 1}, t = {self.t + dt!r}: the linear solve of "
                                 f"{self.method} produced non-finite values ({exc})") from exc

    def run(self, t_end=None, steps=None):
        """Advance until ``t_end`` (the last step is shortened to land on it) and/or for ``steps``
        steps, whichever comes first; stop early on steady state or the wall-time limit.

        ``t_end`` must be a finite time (NaN/inf are refused, ParameterError) and the run may plan at
        most ``max_steps`` steps (see the class parameters).

        Returns
        -------
        Simulation (self); ``stop_reason`` is "t_end", "steps", "steady_state" or "wall_time".
        """
        t_end = self._check_run_args(t_end, steps)
        self._open_writers()
        start_wall = time.perf_counter()
        step0, t_start = self.step, self.t
        bar = None
        if self.progress:
            bar = RunProgress(t0=self.t, dt=self.dt, t_end=t_end, steps=steps, desc=self.method)
        self.stop_reason = None
        try:
            while True:
                if steps is not None and self.step - step0 >= steps:
                    self.stop_reason = "steps"
                    break
                dt = self.dt
                if t_end is not None:
                    remaining = t_end - self.t
                    if remaining <= 1e-12 * max(abs(t_end), self.dt):
                        self.stop_reason = "t_end"
                        break
                    if remaining < dt * (1 + 1e-9):
                        dt = remaining
                old = self.u
                new = self._advance(old, dt)
                self.step += 1
                self.t = t_end if (t_end is not None and dt != self.dt) else self.t + dt
                change = None
                if self.steady_tol is not None:
                    change = float(np.max(np.abs(_host(new) - _host(old)))) / dt
                self.u = new
                # ask every schedule once (time schedules keep count), then check before anyone sees the field
                due_cb = [func for sched, func in self._callbacks if sched(self)]
                due_w = [w for sched, w in self._writers if sched is not None and sched(self)]
                if (self.step % self.nan_check_every == 0 or due_cb or due_w
                        or (change is not None and not math.isfinite(change))):
                    self._check_finite()
                if bar is not None:
                    bar.update(self.t, self.step - step0)
                for func in due_cb:
                    func(self)
                if due_w:
                    if due_cb:  # a callback may have changed the field
                        self._check_finite()
                    frame = self.fields()
                    for w in due_w:
                        w.write(self.t, frame)
                if change is not None and change < self.steady_tol:
                    self.stop_reason = "steady_state"
                    break
                if self.max_wall_time is not None and time.perf_counter() - start_wall > self.max_wall_time:
                    self.stop_reason = "wall_time"
                    break
            if self.step != step0:  # the state this run leaves (and its last frames) is checked
                self._check_finite()
            if self.step != step0:
                for sched, w in self._writers:
                    if sched is None:  # "every frame": the initial state and the end of each run
                        w.write(self.t, self.fields())
        finally:
            if bar is not None:
                bar.close({"steady_state": "steady state", "wall_time": "wall-time limit"}.get(self.stop_reason))
            self.wall_time += time.perf_counter() - start_wall
        return self

    # ------------------------------------------------------------------ state and checkpoints
    def state(self):
        """Everything needed to continue bitwise identically (see :meth:`from_state`)."""
        p = self.problem
        extra = {}
        if p.capacity is None and not p.alpha_scalar:
            extra["alpha"] = np.array(p.alpha)
        for name in ("k", "rho_c"):
            v = getattr(p, name, None)
            if p.capacity is not None and isinstance(v, np.ndarray) and v.ndim:
                extra[name] = np.array(v)
        if p.capacity is not None:
            extra.update(_material_state(p.k, p.contact))
        if p.source_kind == "array":
            extra["source"] = np.array(p._src_const)
        return {"grid": self.grid.to_dict(), "t": float(self.t), "step": int(self.step),
                "fields": {"u": np.array(self.host_u())}, "params": self.params, "extra": extra}

    @classmethod
    def from_state(cls, state, **overrides):
        """Rebuild a Simulation from :meth:`state`; ``bc=``, ``source=``, ``alpha=`` ... override
        what cannot be stored (callables, time-dependent values)."""
        grid = Grid.from_dict(state["grid"])
        params = dict(state["params"])
        extra = state.get("extra", {})
        coef = ("k", "rho_c") if "rho_c" in params else ("alpha",)
        kw = {c: extra.get(c, params.get(c)) for c in coef}
        kw.update({"dt": params["dt"], "method": params["method"],
              "nan_check_every": params.get("nan_check_every", 10), "steady_tol": params.get("steady_tol"),
              "t0": state["t"], "step": state["step"]})
        kw.update(_material_from_state(extra))
        if "source" in extra:
            kw["source"] = extra["source"]
        elif isinstance(params.get("source"), (int, float)):
            kw["source"] = params["source"]
        for opt in ("rannacher", "linear_solver", "rtol"):
            if opt in params:
                kw[opt] = params[opt]
        if "bc" not in overrides:
            kw["bc"] = _bc_from_description(params.get("bc", {}))
        kw.update(overrides)
        for c in coef:
            if c in kw and (isinstance(kw[c], str) or kw[c] is None):
                raise ParameterError(f"the stored state has no {c} values; pass {c}= to from_state")
        bc = kw.pop("bc")
        return cls(state["fields"]["u"], grid, bc, **kw)

    def checkpoint(self, path):
        """Write :meth:`state` to ``path`` with :func:`fieldgrad.io.checkpoint.write_checkpoint`."""
        from .io.checkpoint import write_checkpoint

        return write_checkpoint(path, self.state())

    @classmethod
    def restart(cls, path, **overrides):
        """Rebuild a Simulation from a checkpoint, ready to continue bitwise identically.

        Parameters
        ----------
        path : str or PathLike
            A checkpoint written by ``Simulation.checkpoint(path)``.
        **overrides
            Passed to :meth:`from_state` (e.g. new writers or end time).

        Returns
        -------
        Simulation

        Example
        -------
        >>> import os, tempfile
        >>> sim = Simulation(np.zeros((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(1.0), alpha=1.0, method="ftcs")
        >>> path = os.path.join(tempfile.mkdtemp(), "ck.h5")
        >>> _ = sim.checkpoint(path)
        >>> Simulation.restart(path).t == sim.t
        True
        """
        from .io.checkpoint import read_checkpoint

        return cls.from_state(read_checkpoint(path), **overrides)


def _host(a):
    """NumPy view/copy of a host or device array."""
    return a.copy_to_host() if hasattr(a, "copy_to_host") else a


def _bc_from_description(desc):
    kinds = {"dirichlet": (_bnd.Dirichlet, ("value",)), "neumann": (_bnd.Neumann, ("flux",)),
             "robin": (_bnd.Robin, ("alpha", "beta", "value")), "periodic": (_bnd.Periodic, ())}
    spec = {}
    for face, d in desc.items():
        if d is None:
            continue
        cls, fields = kinds[d["kind"]]
        vals = [d[f] for f in fields]
        if any(isinstance(v, str) for v in vals):
            raise ParameterError(f"the boundary condition on face {face} ({d}) was a callable or an array and is "
                                 "not stored; pass bc= to from_state")
        if cls is _bnd.Periodic:
            continue
        spec[face] = cls(*vals)
    return spec
