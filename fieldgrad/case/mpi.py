"""Case runs under MPI: ``mpiexec -n N fieldgrad run case.toml``.

The same case file as a serial run, with the distributed solvers on ``comm``:

* steady cases: :func:`fieldgrad.distributed.solve_poisson` (``div(k grad u) = -source``);
* transient heat cases: :func:`fieldgrad.distributed.solve_heat` frame interval by frame
  interval in absolute time, with the step plan of the serial run
  (:func:`fieldgrad.case.transient.plan_steps`), so both take the same steps.

Every rank writes its blocks; :class:`~fieldgrad.distributed.io.PartsWriter` joins them into
one file in the :mod:`fieldgrad.io` layout.  Only rank 0 prints, plots and computes the steady
balance (from the gathered field).  Steady cases with ``[[fixed]]`` regions and
``[[material.region]]`` materials (on cells) take the distributed solver's material path, and so
do transient cases in the ``k / rho_c`` form (:func:`fieldgrad.case.transient.capacity_form`);
implicit heat methods solve each step with the distributed Poisson solver, and cylindrical (r, z)
cases take the solvers' (r, z) rows (the written flux is ``-k grad u``, whose components d/dr, d/dz
are the Cartesian ones).
"""
from __future__ import annotations

import time

import numpy as np

from ..errors import CaseFileError, FieldgradError

__all__ = ["run_case_mpi", "on_root", "allgather"]


def on_root(comm, func):
    """Run ``func()`` on rank 0 only; an exception there is raised on every rank (the original
    on rank 0, a :class:`FieldgradError` with its message elsewhere), so no rank waits forever.
    Returns ``func()``'s value on rank 0, None elsewhere."""
    res, err = None, None
    if comm.Get_rank() == 0:
        try:
            res = func()
        except BaseException as exc:  # noqa: BLE001 - re-raised below, on every rank
            err = exc
    msg = comm.bcast(None if err is None else f"{type(err).__name__}: {err}", root=0)
    if err is not None:
        raise err
    if msg is not None:
        raise FieldgradError(f"rank 0 failed: {msg}")
    return res


def allgather(part, comm):
    """The global array of ``part`` on every rank."""
    out = np.empty(part.global_shape, dtype=part.data.dtype)
    for index, data in comm.allgather((part.index, part.data)):
        out[index] = data
    return out


def run_case_mpi(case, out, comm, *, overwrite=False, plot=False, progress=None, echo=print):
    """:func:`fieldgrad.case.run_case` on ``comm`` (collective: call it on every rank).

    Returns the summary dict on rank 0 (None elsewhere).
    """
    from .prepare import check_free, format_summary, make_plots, prepare

    t_start = time.perf_counter()
    rank = comm.Get_rank()
    ctx = prepare(case, out, plot=plot, distributed=True)
    on_root(comm, lambda: check_free(ctx["paths"], overwrite))
    summary = {"case": case.name, "physics": case.physics, "kind": case.kind, "paths": ctx["paths"], "notes": []}
    # every case runs distributed: [[fixed]] regions and cell materials take the material path
    # (fieldgrad.distributed.poisson_links), every heat method has a distributed solver
    if case.kind == "steady":
        if case.solver.get("method", "auto") != "auto":
            summary["notes"].append(f"solver.method = {case.solver['method']!r} is a serial solver; under MPI the "
                                    "distributed CG solve ran")
        res = _steady(case, ctx, comm, overwrite)
    else:
        if case.output.get("checkpoint_every") is not None:
            raise CaseFileError("output.checkpoint_every is not supported under MPI yet (the distributed heat "
                                "solver writes no checkpoints); allowed: remove it, or run on one process")
        from .transient import plan_run

        res = _transient(case, ctx, comm, plan_run(case, ctx["mat"], ctx["bc"]), overwrite, progress)
    summary["notes"].append(f"{comm.Get_size()} MPI ranks")

    def finish():
        summary.update({k: res[k] for k in ("steps", "ranges", "balance") if k in res})
        if plot:
            make_plots(case, ctx, res["field"], res.get("t"))
        summary["wall_time"] = time.perf_counter() - t_start
        for line in format_summary(summary, ctx["unit"]):
            echo(line)
        return summary

    out = on_root(comm, finish)
    comm.Barrier()
    return out if rank == 0 else None


def _writer(case, ctx, comm, overwrite, params):
    from ..distributed.io import PartsWriter

    return PartsWriter(ctx["paths"]["h5"], case.grid, comm, overwrite=overwrite, bc=ctx["bc"],
                       params={**params, **ctx["params"]}, units=ctx["units"], long_names=ctx["long_names"])


def _flux_part(ops, dec, u_block, k, t):
    from ..distributed.gather import Part

    g = ops.grad(np.array(u_block), t)
    g *= -(k if np.ndim(k) == 0 else k[dec.slices])
    return Part(g, dec.slices, (dec.grid.ndim,) + dec.grid.shape)


def _steady(case, ctx, comm, overwrite):
    from .steady import physical_field
    from ..distributed.decomposition import Decomposition
    from ..distributed.gather import Part, gather
    from ..distributed.operators import BlockOperators
    from ..distributed.poisson import solve_poisson

    from ..fields._solve import _held

    grid, t = case.grid, case.t0
    src = ctx["src"]
    f = np.zeros(grid.shape) if src is None else -np.broadcast_to(np.asarray(src, float), grid.shape)
    rtol = case.solver.get("rtol", 1e-12)
    mask, values = _held(ctx["fixed"], grid)  # the serial steady run's combination of the regions
    part = solve_poisson(np.ascontiguousarray(f), grid, ctx["bc"], k=ctx["coef"], rtol=rtol, t=t, comm=comm,
                         fixed=mask, fixed_value=values)
    dec = Decomposition(grid, comm, cylindrical=grid.cylindrical)  # blocks for the output and grad
    if tuple(dec.slices) != tuple(part.slices):  # pragma: no cover - the default decomposition is deterministic
        raise FieldgradError("internal: the flux decomposition differs from the solver's")
    coef_field = np.broadcast_to(np.asarray(ctx["coef_field"], float), grid.shape)
    if case.has_regions:  # cell materials: the serial field's flux (face conductances), cut to the block
        flux = physical_field(case, ctx, allgather(part, comm)).flux()
        flux_part = Part(np.ascontiguousarray(flux[(slice(None),) + dec.slices]), dec.slices,
                         (grid.ndim,) + grid.shape)
    else:
        flux_part = _flux_part(BlockOperators(dec, ctx["bc"], np.float64), dec, part.data, ctx["coef"], t)
    parts = {ctx["scalar"]: part, ctx["fluxname"]: flux_part,
             ctx["coefname"]: Part(dec.local(coef_field), dec.slices, grid.shape)}
    iters = part.info.get("iterations")
    w = _writer(case, ctx, comm, overwrite, {"method": part.info.get("method"), "iterations": iters, "rtol": rtol})
    try:
        w.write(t, 0, {k: v for k, v in parts.items() if k in ctx["keep"]})
    finally:
        w.close()
    u = gather(part, comm)
    res = {"steps": f"1 distributed steady solve ({part.info.get('method')}, {iters} iterations, "
                    f"{int(grid.size)} nodes)"}
    if comm.Get_rank() == 0:
        field = physical_field(case, ctx, u).holding(ctx["fixed"])  # held regions' flow in the balance
        res.update({"field": field, "ranges": {ctx["scalar"]: (field.min(), field.max())}})
        res["balance"] = field.balance(t)
    return res


def _transient(case, ctx, comm, plan, overwrite, progress):
    from ..boundary import apply_bc
    from .steady import physical_field
    from .transient import _progress_bar
    from ..distributed.decomposition import Decomposition
    from ..distributed.gather import Part
    from ..distributed.heat import solve_heat
    from ..distributed.operators import BlockOperators
    from ..fields.fluxes import cell_flux
    from ..materials import Cells

    from .transient import capacity_form

    grid, bc, mat = case.grid, ctx["bc"], ctx["mat"]
    k, cap = mat["conductivity"], mat["heat_capacity"]
    if capacity_form(mat):  # rho_c du/dt = div(k grad u) + q, materials on cells
        coef = {"k": k, "rho_c": cap}
        q = case.source_function(1.0)
    else:
        coef = {"alpha": k / cap}
        q = case.source_function(1.0 / cap)
    cells = k if isinstance(k, Cells) else None  # the written flux: the mean of the face fluxes (as serial)
    k = ctx["coef_field"]  # node-sampled k for the written flux
    times, n, dt = plan["times"], plan["steps_per_frame"], plan["dt"]
    u = apply_bc(case.initial().astype(float), grid, bc, case.t0)
    dec = Decomposition(grid, comm, cylindrical=grid.cylindrical)  # blocks for the output and grad
    ops = BlockOperators(dec, bc, np.float64)
    scalar, fluxname, keep = ctx["scalar"], ctx["fluxname"], ctx["keep"]
    lo, hi = float(u.min()), float(u.max())
    w = _writer(case, ctx, comm, overwrite, {"method": plan["method"], "dt": dt, "t0": case.t0,
                                            "dt_explicit": plan["dt_explicit"]})
    bar = _progress_bar(progress, float(times[0]), float(times[-1]), dt, case.name) if comm.Get_rank() == 0 else None
    step = 0
    try:
        block = dec.local(u)
        for i, t in enumerate(times):
            if i:
                # Crank--Nicolson's Rannacher start steps belong to the run's start only, as in the serial run
                later = {"rannacher": 0} if plan["method"] == "crank_nicolson" and i > 1 else {}
                part = solve_heat(u, grid, bc, **coef, source=q, dt=dt, steps=n, method=plan["method"],
                                  t0=float(times[i - 1]), comm=comm, dims=dec.dims, check_every=10, **later)
                step += n
                block = part.data
                u = allgather(part, comm)
                if not np.all(np.isfinite(u)):
                    raise CaseFileError(f"the solution became non-finite before t = {t:g} s (step {step}); "
                                        "allowed: a smaller solver.dt or method = \"implicit\"")
                lo, hi = min(lo, float(u.min())), max(hi, float(u.max()))
                if bar is not None:
                    bar.update(float(t), step)
            parts = {scalar: Part(block, dec.slices, grid.shape)}
            if fluxname in keep and cells is not None:
                flux = cell_flux(u, cells, grid, bc, float(t))
                parts[fluxname] = Part(np.ascontiguousarray(flux[(slice(None),) + dec.slices]), dec.slices,
                                       (grid.ndim,) + grid.shape)
            elif fluxname in keep:
                parts[fluxname] = _flux_part(ops, dec, block, k, float(t))
            w.write(float(t), step, parts)
    finally:
        w.close()
        if bar is not None:
            bar.close()
    return {"field": physical_field(case, ctx, u), "t": float(times[-1]), "ranges": {scalar: (lo, hi)},
            "steps": f"{step} time steps ({plan['method']}, dt = {dt:.4g} s, distributed), {len(times)} frames "
                     f"from t = {times[0]:g} to {times[-1]:g} s"}
