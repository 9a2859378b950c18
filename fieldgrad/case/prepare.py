"""What a case run needs before and after the solve, serial or MPI: output paths, the evaluated
materials and boundary conditions, the PNGs and the summary lines."""
from __future__ import annotations

import os

from ..errors import CaseFileError, FieldgradError
from ..materials import Cells
from .build import node_view
from .schema import check_output_name

__all__ = ["output_paths", "check_free", "prepare", "make_plots", "format_summary"]

NAMES = {  # physics -> (scalar, flux vector, coefficient, units of scalar, flux units, coefficient units)
    "heat": ("temperature", "heat_flux", "conductivity", "degC", "W/m^2", "W/(m K)"),
    "electrostatics": ("potential", "displacement", "permittivity", "V", "C/m^2", "F/m"),
    "darcy": ("pressure", "darcy_velocity", "permeability", "Pa", "m/s", "m^2"),
}


def output_paths(case, out=None, plot=False, distributed=False):
    """The files a run will write: the HDF5 file, its XDMF sidecar, the PNGs with ``plot``, the
    checkpoint of a transient run with ``output.checkpoint_every``, and under MPI the folder of
    per-rank files (``<file>.parts``)."""
    if out is None:
        out = check_output_name(case.output.get("file", f"{case.name}.h5"))
    out = os.fspath(out)
    stem = os.path.splitext(out)[0]
    paths = {"h5": out, "xmf": stem + ".xmf"}
    if plot:
        paths["png"] = stem + ".png"
        if case.kind == "transient":
            paths["frames_png"] = stem + "_frames.png"
    if case.kind == "transient" and case.output.get("checkpoint_every") is not None:
        paths["checkpoint"] = stem + ".checkpoint.h5"
    if distributed:
        paths["parts"] = out + ".parts"
    return paths


#: What an existing output must be for ``--overwrite`` to replace it.
_KINDS = {"h5": "HDF5", "checkpoint": "HDF5", "xmf": "XDMF", "png": "PNG", "frames_png": "PNG", "parts": "folder"}


def _looks_like(path, kind):
    from ..io.files import is_hdf5

    if kind == "folder":
        return os.path.isdir(path)
    if not os.path.isfile(path):
        return False
    if kind == "HDF5":
        return is_hdf5(path)
    with open(path, "rb") as fh:
        head = fh.read(512)
    if kind == "PNG":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    return head.lstrip().startswith(b"<?xml") and b"<Xdmf" in head  # XDMF


def check_free(paths, overwrite):
    """Refuse outputs a run must not write: a missing directory, a symbolic link in place of any
    output (a dangling one included: it would send the data elsewhere), an existing file without
    ``overwrite``, and, even with ``overwrite``, an existing file of another kind than fieldgrad
    writes there (a text file named ``out.h5`` is never destroyed)."""
    d = os.path.dirname(os.path.abspath(paths["h5"]))
    if not os.path.isdir(d):
        raise CaseFileError(f"output directory {d} does not exist; create it or choose another -o path")
    for p in paths.values():
        if os.path.islink(p):
            raise CaseFileError(f"output {p} is a symbolic link (to {os.readlink(p)!r}); fieldgrad does not write "
                                "through links: allowed: remove the link, or choose another -o path")
    taken = [(k, p) for k, p in paths.items() if os.path.exists(p)]
    if taken and not overwrite:
        raise CaseFileError(f"output {taken[0][1]} already exists; allowed: a new path (-o OUT.h5), "
                            "or --overwrite to replace it")
    for key, p in taken:
        kind = _KINDS.get(key, "HDF5")
        if not _looks_like(p, kind):
            raise CaseFileError(f"output {p} exists and is not a{'n' if kind[0] in 'HX' else ''} {kind} "
                                f"{'' if kind == 'folder' else 'file '}as fieldgrad writes there; refusing to "
                                "replace it even with --overwrite: allowed: move it away, or choose another -o path")


def prepare(case, out=None, *, plot=False, distributed=False):
    """Everything a run needs from a checked case, evaluated once: materials, boundary
    conditions, source, fixed regions, output paths, field names, units and file parameters.

    Returns
    -------
    dict
    """
    from ..fields._solve import complete_bc

    paths = output_paths(case, out, plot, distributed)
    mat = case.material()
    coef = mat.get("conductivity", mat.get("permittivity"))
    if case.physics == "darcy":
        coef = mat["permeability"] / mat["viscosity"]
    kb = mat.get("conductivity")
    if case.has_regions:
        # a convection face divides by the k its rows multiply the data by: with cells, the
        # mean of the cells touching the node (a region's interface meeting the face)
        kb = node_view(case.material(cells=True).get("conductivity", kb), case.grid)
    try:
        bc = complete_bc(case.boundary(kb), case.grid)
    except FieldgradError as exc:
        raise CaseFileError(f"[boundary]: {exc}") from None
    scalar, fluxname, coefname, units, funits, cunits = NAMES[case.physics]
    names = [scalar, fluxname] + ([coefname] if case.kind == "steady" else [])
    keep = case.output.get("fields", names)
    for name in keep:
        if name not in names:
            raise CaseFileError(f"output.fields names {name!r}; allowed for a {case.kind} {case.physics} case: "
                                f"{names}")
    if scalar not in keep:
        raise CaseFileError(f"output.fields = {keep!r} must include {scalar!r} (the solution)")
    coef_field = mat.get(coefname, coef)
    if case.has_regions:
        # piecewise materials: steady and transient solves take them on cells (regions at cell
        # centres, an interface on a grid line second order); the fields and the written
        # coefficient carry their node-sampled view (mean of the cells touching a node).  Smooth
        # expressions stay node-sampled (second order either way), which the distributed solvers share.
        mat = case.material(cells=True)
        coef = mat.get("conductivity", mat.get("permittivity"))
        if case.physics == "darcy":
            perm = mat["permeability"]
            coef = Cells(perm.values / mat["viscosity"]) if isinstance(perm, Cells) else perm / mat["viscosity"]
        if isinstance(coef, Cells):
            coef_field = node_view(mat.get(coefname, coef), case.grid)
    return {"paths": paths, "mat": mat, "coef": coef, "coef_field": coef_field, "bc": bc,
            "src": case.source(), "fixed": case.fixed(), "scalar": scalar, "fluxname": fluxname,
            "coefname": coefname, "unit": units, "keep": tuple(keep),
            "units": {scalar: units, fluxname: funits, coefname: cunits},
            "long_names": {scalar: scalar.replace("_", " "), fluxname: fluxname.replace("_", " "),
                           coefname: coefname},
            "params": {"case": case.name, "physics": case.physics, "kind": case.kind,
                       "origin": os.path.basename(case.origin), **case.params}}


def make_plots(case, ctx, field, t_last):
    """The PNGs of ``--plot``: the last field with its flux, and for transient runs a grid of frames."""
    from ..plot import plot_field, plot_frames, save_figure

    title = f"{case.name}: {ctx['scalar']}" + (", steady state" if t_last is None else f" at t = {t_last:g} s")
    fig = plot_field(field, flux=True, title=title, fixed=ctx["fixed"])
    _save_png(save_figure, fig, ctx["paths"]["png"])
    if t_last is not None:
        frames = plot_frames(ctx["paths"]["h5"], ctx["scalar"], coefficient=ctx["coef_field"], fixed=ctx["fixed"])
        _save_png(save_figure, frames, ctx["paths"]["frames_png"])


def _save_png(save, fig, path):
    """Save ``fig`` through a fresh temporary file renamed over ``path``: never through a link,
    mode ``0o666 & ~umask``, and never half a picture."""
    from ..io.files import clean_stale_temps, commit_temp, create_temp, discard_temp, os_errors

    clean_stale_temps(path)
    tmp = create_temp(path, keep_ext=True)  # ends in .png: matplotlib chooses the format by it
    try:
        with os_errors(path, "write"):
            save(fig, tmp, overwrite=True)
        commit_temp(tmp, path, "picture")
    except BaseException:
        discard_temp(tmp)
        raise


def format_summary(s, units):
    """Lines of the run summary a user reads."""
    lines = [f"case {s['case']!r} ({s['physics']}, {s['kind']}) finished in {s['wall_time']:.2f} s",
             f"  work:    {s['steps']}"]
    for name, (lo, hi) in s["ranges"].items():
        lines.append(f"  {name}: min {lo:.6g} {units}, max {hi:.6g} {units}")
    bal = s.get("balance")
    if bal is not None:
        what = {"heat": "heat", "electrostatics": "flux of D", "darcy": "flow"}[s["physics"]]
        held = f" + held regions {bal['held']:.6g}" if "held" in bal else ""
        lines.append(f"  balance: {what} in {bal['in']:.6g} + source {bal['source']:.6g}{held} = out {bal['out']:.6g}"
                     f"  (imbalance {bal['imbalance']:.2e}, relative {bal['relative']:.1e})")
        lines.append("           per face (outward): " + ", ".join(f"{k} {v:.4g}" for k, v in bal["faces"].items()))
    for key, p in s["paths"].items():
        lines.append(f"  output:  {os.path.abspath(p)}")
    for note in s.get("notes", ()):
        lines.append(f"  note:    {note}")
    return lines
