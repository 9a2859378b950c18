"""``solve_heat``: the one-call front door, and its result."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["solve_heat", "HeatResult"]


@dataclass
class HeatResult:
    """Outcome of :func:`solve_heat`.

    Attributes
    ----------
    u : ndarray -- the final field
    t : float -- the final time
    steps : int
    method : str -- the method that ran (after ``"auto"``)
    dt : float -- the step (the last one may be shorter, to land on ``t_end``)
    sweeps : int -- stencil applications, smoother/residual sweeps of the linear solves included
    solver_iterations : int -- multigrid cycles / CG iterations over the run (0 for explicit methods)
    stop_reason : str -- "t_end", "steps", "steady_state" or "wall_time"
    wall_time : float -- seconds
    info : dict -- dt_explicit, RKL2 stages ...
    """

    u: np.ndarray
    t: float
    steps: int
    method: str
    dt: float
    sweeps: int
    solver_iterations: int
    stop_reason: str
    wall_time: float
    info: dict = field(default_factory=dict)


def solve_heat(u0, grid, bc, *, alpha=None, k=None, rho_c=None, contact=None, t_end=None, steps=None, dt=None, method="auto",
               source=None, output=None, output_every=None, output_overwrite=False, progress=None, callbacks=(),
               backend=None, **options):
    """Evolve ``du/dt = div(alpha grad u) + source`` -- or, with ``k`` and ``rho_c``,
    ``rho_c du/dt = div(k grad u) + source`` -- from ``u0`` to ``t_end`` or for ``steps`` steps.

    The coefficients are given as ``alpha`` alone (meaning ``k = alpha``, ``rho_c = 1``) or as
    ``k`` and/or ``rho_c`` (each defaulting to 1); ``alpha`` together with ``k`` or ``rho_c`` is a
    ParameterError.  The ``k`` / ``rho_c`` form steps with the operator of the Poisson solvers
    (:mod:`fieldgrad.heat.capacity`), conserves ``sum(w rho_c u)`` with zero-flux walls, takes its
    explicit limit node by node (:func:`fieldgrad.heat.stability.capacity_limit`) and runs on
    either backend.

    Parameters
    ----------
    u0 : array of ``grid.shape``
    grid : Grid (2D or 3D)
    bc : boundary specification (a condition on every non-periodic face; values may take ``t``)
    alpha : positive number or array -- the diffusivity (or give ``k`` / ``rho_c``)
    k : positive number or array, optional -- the conductivity
    rho_c : positive number or positive array of ``grid.shape``, optional -- the volumetric heat
        capacity (``source`` is then a heat source: ``u`` changes at the rate ``source / rho_c``)
    t_end : float, optional -- the end time (the last step is shortened to land on it)
    steps : int, optional -- the number of steps; give ``t_end``, ``steps`` or both (the run stops
        at whichever comes first)
    dt : float, optional (see :class:`fieldgrad.Simulation`)
    method : "auto", "ftcs", "rkl2", "backward_euler", "crank_nicolson"
    source : None, number, array, ``source(t)`` or ``source(x, y[, z], t)``
    output : path or writer, optional -- a path: an HDF5 file written by
        ``fieldgrad.io.HDF5Writer(output, every=output_every, overwrite=output_overwrite)``; or a
        writer object (an :class:`fieldgrad.io.HDF5Writer` with its own options, or anything with
        ``open``/``write``/``close``), attached as it is
    output_every : int, optional -- steps between frames of a path ``output``; the final state is
        always written as the last frame (None: the
        initial and the final state)
    output_overwrite : bool -- replace an existing ``output`` file (otherwise it is an error,
        raised before any step)
    progress : bool or None -- tqdm bar (None: on in a terminal unless ``CI`` is set)
    callbacks : iterable of ``(func, schedule_kwargs)`` pairs, e.g. ``(f, {"every": 10})``
    backend : None, "cpu" or "cuda" -- where the steps run (None: :func:`fieldgrad.get_backend`); on
        CUDA the explicit steps run on the device, the implicit ones solve there (:mod:`fieldgrad.heat.gpu`)
    **options : further :class:`fieldgrad.Simulation` arguments (``reduce_dt``, ``steady_tol``,
        ``max_wall_time``, ``t0``, ``max_steps``, ``growth_factor``, ``nan_check_every``,
        ``rannacher``, ``linear_solver``, ``rtol`` ...)

    Raises
    ------
    ParameterError -- a non-finite ``t_end``, ``t0`` or ``dt``, or more than ``max_steps``
    (default ``10**8``) steps planned, ``alpha`` given with ``k`` or ``rho_c``, a ``rho_c`` that is
    not positive (NonFiniteError for NaN/inf in it, ShapeError for an array of another shape);
    BackendError -- ``backend="cuda"`` without a device or simulator; StabilityError -- an FTCS
    step above the limit (Robin faces included, :mod:`fieldgrad.heat.stability`) or a run growing past any physical bound;
    NonFiniteError -- NaN/inf in the solution ("NaN at step S, t = ..."), before it is written

    Returns
    -------
    HeatResult

    Example
    -------
    >>> g = fg.Grid((17, 17))
    >>> r = solve_heat(np.ones(g.shape), g, fg.Neumann(0.0), alpha=1.0, t_end=0.01, method="rkl2", progress=False)
    >>> r.method, round(float(r.u.mean()), 12), r.t
    ('rkl2', 1.0, 0.01)
    >>> rc = np.where(g.mesh()[0] < 0.5, 1.0, 100.0)   # two materials of different rho*c
    >>> r = solve_heat(np.ones(g.shape), g, fg.Neumann(0.0), k=1.0, rho_c=rc, t_end=0.01, progress=False)
    >>> round(float(r.u.mean()), 12)
    1.0
    """
    from ..simulation import Simulation

    sim = Simulation(u0, grid, bc, alpha=alpha, k=k, rho_c=rho_c, contact=contact, dt=dt, method=method, source=source,
                     progress=progress,
                     backend=backend, **options)
    for func, sched in callbacks:
        sim.add_callback(func, **sched)
    writer = None
    if output is not None:
        from ..errors import ParameterError

        if callable(getattr(output, "write", None)):
            if output_every is not None or output_overwrite:
                raise ParameterError("output_every and output_overwrite apply to an output path; give them to "
                                     "the writer object instead (e.g. HDF5Writer(path, every=10, overwrite=True))")
            writer = sim.add_writer(output)
        else:
            from ..io import HDF5Writer

            writer = sim.add_writer(HDF5Writer(output, every=output_every, overwrite=output_overwrite))
    try:
        sim.run(t_end=t_end, steps=steps)
        every = getattr(writer, "every", None)
        if every is not None and sim.step % every:
            writer.write(sim.t, sim.fields())  # the final state always ends the file
    finally:
        sim.close()
    st = sim.stepper
    info = {"dt_explicit": sim.problem.dt_explicit, "dt_ratio": sim.dt / sim.problem.dt_explicit}
    if sim.method == "rkl2":
        info["stages"] = st.stages(sim.dt)
    return HeatResult(np.array(sim.host_u()), sim.t, sim.step, sim.method, sim.dt, st.sweeps, st.solver_iterations,
                      sim.stop_reason, sim.wall_time, info)
