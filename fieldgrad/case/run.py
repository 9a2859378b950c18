"""Run a case: solve, write HDF5 (+ XDMF) and optional PNGs, and summarise."""
from __future__ import annotations

import os
import sys
import time

import numpy as np

from ..boundary import resolve_bc
from ..errors import CaseFileError, FieldgradError
from .schema import check_output_name

__all__ = ["run_case", "output_paths"]

NAMES = {  # physics -> (scalar, flux vector, coefficient, units of scalar, flux units, coefficient units)
    "heat": ("temperature", "heat_flux", "conductivity", "degC", "W/m^2", "W/(m K)"),
    "electrostatics": ("potential", "displacement", "permittivity", "V", "C/m^2", "F/m"),
    "darcy": ("pressure", "darcy_velocity", "permeability", "Pa", "m/s", "m^2"),
}


def output_paths(case, out=None, plot=False):
    """The files a run will write: the HDF5 file, its XDMF sidecar and the PNGs with ``plot``."""
    if out is None:
        out = check_output_name(case.output.get("file", f"{case.name}.h5"))
    out = os.fspath(out)
    stem = os.path.splitext(out)[0]
    paths = {"h5": out, "xmf": stem + ".xmf"}
    if plot:
        paths["png"] = stem + ".png"
        if case.kind == "transient":
            paths["frames_png"] = stem + "_frames.png"
    return paths


def _check_free(paths, overwrite):
    d = os.path.dirname(os.path.abspath(paths["h5"]))
    if not os.path.isdir(d):
        raise CaseFileError(f"output directory {d} does not exist; create it or choose another -o path")
    if not overwrite:
        taken = [p for p in paths.values() if os.path.exists(p)]
        if taken:
            raise CaseFileError(f"output {taken[0]} already exists; allowed: a new path (-o OUT.h5), "
                                "or --overwrite to replace it")


def _field(case, mat, bc, src, data=None):
    from ..fields import PotentialField, PressureField, TemperatureField

    meta = {"length_unit": case.length_unit}
    if case.physics == "heat":
        return TemperatureField(case.grid, data, conductivity=mat["conductivity"], heat_capacity=mat["heat_capacity"],
                                bc=bc, source=src, units="degC", **meta)
    if case.physics == "electrostatics":
        return PotentialField(case.grid, data, permittivity=mat["permittivity"], bc=bc, charge_density=src, **meta)
    return PressureField(case.grid, data, permeability=mat["permeability"], viscosity=mat["viscosity"], bc=bc,
                         source=src, **meta)


def run_case(case, out=None, *, overwrite=False, plot=False, progress=None, echo=print):
    """Run a checked case and write its results.

    Parameters
    ----------
    case : Case
    out : str, optional -- the HDF5 path (default: ``output.file`` of the case, in the current
        directory)
    overwrite : bool -- replace existing outputs (otherwise an existing file is an error,
        checked before any work)
    plot : bool -- also write PNGs
    progress : bool or None -- a progress bar (default: when stderr is a terminal)
    echo : callable -- where the summary lines go

    Returns
    -------
    dict -- the summary (``wall_time``, ``steps``, ``paths``, ``ranges``, ``balance``)
    """
    from .. import io as fio
    from ..fields._solve import complete_bc, solve_steady

    t_start = time.perf_counter()
    paths = output_paths(case, out, plot)
    _check_free(paths, overwrite)
    mat = case.material()
    coef = mat.get("conductivity", mat.get("permittivity"))
    if case.physics == "darcy":
        coef = mat["permeability"] / mat["viscosity"]
    try:
        bc = complete_bc(case.boundary(mat.get("conductivity")), case.grid)
    except FieldgradError as exc:
        raise CaseFileError(f"[boundary]: {exc}") from None
    src = case.source()
    fixed = case.fixed()
    scalar, fluxname, coefname, units, funits, cunits = NAMES[case.physics]
    units_map = {scalar: units, fluxname: funits, coefname: cunits}
    long_names = {scalar: scalar.replace("_", " "), fluxname: fluxname.replace("_", " "), coefname: coefname}
    params = {"case": case.name, "physics": case.physics, "origin": os.path.basename(case.origin), **case.params}
    summary = {"case": case.name, "physics": case.physics, "kind": case.kind, "paths": paths}
    if case.kind == "steady":
        method = case.solver.get("method", "auto")
        u = solve_steady(case.grid, bc, coef, source=0.0 if src is None else src, fixed=fixed, method=method,
                         rtol=case.solver.get("rtol", 1e-12))
        f = _field(case, mat, bc, src, u)
        flux = f.flux()
        fio.save(paths["h5"], case.grid, overwrite=overwrite, params=params, units=units_map,
                 long_names=long_names, **{scalar: f.data, fluxname: flux, coefname: mat.get(coefname, coef)})
        free = int(case.grid.size)
        summary["steps"] = f"1 steady solve ({method}, {free} nodes)"
        if not fixed:
            summary["balance"] = f.balance()
        summary["ranges"] = {scalar: (f.min(), f.max())}
        frames_t = None
    else:
        from ..io import HDF5Writer
        from .transient import Stepper
        import types

        alpha = mat["conductivity"] / mat["heat_capacity"]
        q = None if src is None else src / mat["heat_capacity"]
        stepper = Stepper(case.grid, bc, alpha, q, case.solver.get("dt"), case.solver.get("method", "auto"))
        t_end = float(case.solver["t_end"])
        nframes = int(case.output.get("frames", 20))
        times = np.linspace(0.0, t_end, nframes + 1)
        u = case.initial().astype(float)
        from ..boundary import apply_bc
        apply_bc(u, case.grid, bc, 0.0)
        if fixed:
            raise CaseFileError("[[fixed]] regions are supported for steady runs only; remove them or use "
                                "solver.kind = \"steady\"")
        writer = HDF5Writer(paths["h5"], overwrite=overwrite, units=units_map, long_names=long_names)
        sim = types.SimpleNamespace(grid=case.grid, bc=None, params=params, t=0.0, step=0)
        writer.open(sim)
        bar = None
        if progress or (progress is None and sys.stderr.isatty()):
            from tqdm import tqdm
            bar = tqdm(total=nframes, desc=case.name, unit="frame", file=sys.stderr)
        lo, hi = float(u.min()), float(u.max())
        try:
            f = _field(case, mat, bc, src, u)
            writer.write(0.0, {scalar: u, fluxname: f.flux()})
            for i in range(nframes):
                u = stepper.advance(u, times[i], times[i + 1])
                if not np.all(np.isfinite(u)):
                    raise CaseFileError(f"the solution became non-finite before t = {times[i + 1]:g}; "
                                        "allowed: a smaller solver.dt or method = \"implicit\"")
                lo, hi = min(lo, float(u.min())), max(hi, float(u.max()))
                f = f.with_data(u)
                sim.t, sim.step = times[i + 1], i + 1
                writer.write(times[i + 1], {scalar: u, fluxname: f.flux()})
                if bar is not None:
                    bar.update(1)
        finally:
            writer.close()
            if bar is not None:
                bar.close()
        summary["steps"] = f"{stepper.steps} time steps ({stepper.engine}), {nframes + 1} frames to t = {t_end:g} s"
        summary["ranges"] = {scalar: (lo, hi)}
        frames_t = times
    if plot:
        from ..plot import plot_field, plot_frames, save_figure

        fig = plot_field(f, flux=True, title=f"{case.name}: {scalar}" + ("" if frames_t is None else f" at t = {frames_t[-1]:g} s"))
        save_figure(fig, paths["png"], overwrite=True)
        if frames_t is not None:
            save_figure(plot_frames(paths["h5"], scalar), paths["frames_png"], overwrite=True)
    summary["wall_time"] = time.perf_counter() - t_start
    for line in format_summary(summary, units):
        echo(line)
    return summary


def format_summary(s, units):
    """Lines of the run summary a user reads."""
    lines = [f"case {s['case']!r} ({s['physics']}, {s['kind']}) finished in {s['wall_time']:.2f} s",
             f"  work:    {s['steps']}"]
    for name, (lo, hi) in s["ranges"].items():
        lines.append(f"  {name}: min {lo:.6g} {units}, max {hi:.6g} {units}")
    bal = s.get("balance")
    if bal is not None:
        what = {"heat": "heat", "electrostatics": "flux of D", "darcy": "flow"}[s["physics"]]
        lines.append(f"  balance: {what} in {bal['in']:.6g} + source {bal['source']:.6g} = out {bal['out']:.6g}"
                     f"  (imbalance {bal['imbalance']:.2e}, relative {bal['relative']:.1e})")
        lines.append("           per face (outward): " + ", ".join(f"{k} {v:.4g}" for k, v in bal["faces"].items()))
    for key, p in s["paths"].items():
        lines.append(f"  output:  {os.path.abspath(p)}")
    return lines
