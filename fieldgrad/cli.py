"""The ``fieldgrad`` command line.

::

    fieldgrad run CASE.toml [-o OUT.h5] [--plot] [--overwrite] [--debug]
    mpiexec -n 4 fieldgrad run CASE.toml ...     (the same case, distributed; one result file)
    fieldgrad demo [-o DIR|OUT.h5] [--no-plot] [--overwrite] [--print]
    fieldgrad info OUT.h5
    fieldgrad plot OUT.h5 [--field NAME] [--time T] [--slice z=0.3] [--vector heat_flux|E|none]
                          [--style streamlines|arrows] [--center 0] [-o FIG.png] [--overwrite]
    fieldgrad --version

Errors print one line (what was wrong, the value, what is allowed) and exit with status 2;
``--debug`` shows the traceback.  Nothing on disk is replaced without ``--overwrite``.  When
the reader of the output goes away (``fieldgrad info OUT.h5 | head``) the command stops quietly
with status 141 (as if killed by SIGPIPE).
"""
from __future__ import annotations

import argparse
import os
import sys

__all__ = ["main"]


def _version():
    from . import __version__

    return f"fieldgrad {__version__}"


def _with_debug(p):
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback of an error instead of one line")


def _parser():
    p = argparse.ArgumentParser(prog="fieldgrad", description="Physical gradient fields: run case files, look at results.")
    p.add_argument("--version", action="version", version=_version(), help="print the fieldgrad version and exit")
    p.add_argument("--debug", action="store_true", help="show the full traceback of an error instead of one line")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="run a TOML case file", description="Run a TOML case file; write HDF5 (+ XDMF).")
    r.add_argument("case", help="case file (TOML); `fieldgrad demo --print` shows one")
    r.add_argument("-o", "--output", metavar="OUT.h5",
                   help="HDF5 result file (default: output.file of the case, in the current directory)")
    r.add_argument("--plot", action="store_true", help="also write PNG figures next to the result")
    r.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    _with_debug(r)
    d = sub.add_parser("demo", help="run the built-in demo case",
                       description="Run the built-in demo case (a copper plate with an insulating slot).")
    d.add_argument("-o", "--output", metavar="DIR or OUT.h5",
                   help="where to write: a directory (created if missing; demo.h5 goes in it) or an .h5 path "
                        "(default: demo.h5 in the current directory)")
    d.add_argument("--no-plot", action="store_true", help="skip the PNG")
    d.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    d.add_argument("--print", action="store_true", help="print the demo case file and exit")
    _with_debug(d)
    i = sub.add_parser("info", help="summarise a result file", description="Summarise a result file.")
    i.add_argument("file", help="fieldgrad HDF5 result file")
    _with_debug(i)
    q = sub.add_parser("plot", help="draw a field of a result file",
                       description="Draw one frame of a field of a result file as a PNG/PDF/SVG.")
    q.add_argument("file", help="fieldgrad HDF5 result file")
    q.add_argument("--field", help="field name (default: the first scalar field; a vector field is drawn as its "
                                   "magnitude)")
    q.add_argument("--time", type=float, help="time of the frame; the nearest frame is used, with a note when it "
                                              "differs (default: the last frame)")
    q.add_argument("--slice", metavar="AXIS=VALUE", help="3D results: the section through the node nearest this "
                                                          "coordinate, e.g. z=0.3 (default: the middle of z)")
    q.add_argument("--vector", metavar="NAME",
                   help="vector drawn on top: a stored vector field (heat_flux, displacement, ...), q, D, E "
                        "(E = -grad phi from the potential) or none (default: the first stored vector field)")
    q.add_argument("--style", choices=["streamlines", "arrows"], default="streamlines",
                   help="how the vector is drawn (default: streamlines)")
    q.add_argument("--center", type=float, metavar="VALUE",
                   help="a diverging colour scale centred on VALUE (e.g. 0)")
    q.add_argument("-o", "--output", metavar="FIG.png", help="figure file (default: FILE_FIELD.png next to FILE)")
    q.add_argument("--overwrite", action="store_true", help="replace an existing figure file")
    _with_debug(q)
    return p


def _demo_path():
    from importlib.resources import files

    return files("fieldgrad") / "data" / "demo.toml"


def _run(args):
    from .case import load_case, run_case

    case = load_case(args.case)
    run_case(case, args.output, overwrite=args.overwrite, plot=args.plot, echo=_echo)
    return 0


def _echo(line):
    print(line, flush=True)


def _demo_output(out):
    """The demo's HDF5 path from ``-o``: None (here), an .h5 path, or a directory (created)."""
    if out is None or out.lower().endswith((".h5", ".hdf5")):
        return out
    os.makedirs(out, exist_ok=True)
    return os.path.join(out, "demo.h5")


def _demo(args):
    from .case import loads_case, run_case

    text = _demo_path().read_text(encoding="utf-8")
    if args.print:
        sys.stdout.write(text)
        return 0
    case = loads_case(text, "demo.toml (built in)")
    s = run_case(case, _demo_output(args.output), overwrite=args.overwrite, plot=not args.no_plot, echo=_echo)
    if s is None:  # an MPI rank other than 0: rank 0 prints
        return 0
    h5 = s["paths"]["h5"]
    print("\nLook at the results:")
    if "png" in s["paths"]:
        print(f"  picture:   {s['paths']['png']}")
    print(f"  summary:   fieldgrad info {h5}")
    print(f"  plot:      fieldgrad plot {h5} --field temperature -o my_plot.png")
    print(f"  ParaView:  open {s['paths']['xmf']} (XDMF sidecar of the HDF5 file)")
    print(f"  Python:    import fieldgrad.io; f = fieldgrad.io.open('{h5}'); f['temperature'][-1]")
    print("  your case: fieldgrad demo --print > my_case.toml; edit it; fieldgrad run my_case.toml --plot")
    return 0


def _info(args):
    import numpy as np

    from . import io as fio

    with fio.open(args.file) as f:
        g = f.grid
        print(f"{args.file}: fieldgrad result, version {f.version}")
        print(f"  grid:   {g}")
        tt = np.asarray(f.times)
        if len(tt):
            print(f"  frames: {len(tt)}, t from {tt[0]:g} to {tt[-1]:g} s")
        else:
            print("  frames: 0")
        if f.params:
            print("  parameters: " + ", ".join(f"{k}={v}" for k, v in f.params.items()))
        for name, view in f.fields.items():
            line = f"  {name:<16} {view.kind:<7} {view.units or '-':<10} shape {view.shape}"
            if len(view):
                last = np.asarray(view[-1])
                line += f"  last frame min {last.min():.6g} max {last.max():.6g}"
            print(line)
        if f.unclean:
            print("  note: the writer did not close this file cleanly (run `fieldgrad.io.recover` on it)")
    return 0


def _plot(args):
    from .plot import plot_result, save_figure

    fig, name, notes = plot_result(args.file, args.field, time=args.time, slice=args.slice,
                                   vector=args.vector or "auto", style=args.style, center=args.center)
    for note in notes:
        print(f"note: {note}")
    out = args.output or f"{os.path.splitext(args.file)[0]}_{name}.png"
    save_figure(fig, out, overwrite=args.overwrite)
    print(f"wrote {out}")
    return 0


def _mpi_rank():
    """This process's rank under ``mpiexec`` (0 otherwise), without initialising MPI."""
    for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return 0


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
        pass


def main(argv=None):
    """Entry point of the ``fieldgrad`` command; returns the exit status."""
    import matplotlib

    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    args = _parser().parse_args(argv)
    from .errors import FieldgradError

    rank0 = _mpi_rank() == 0
    try:
        return {"run": _run, "demo": _demo, "info": _info, "plot": _plot}[args.command](args)
    except BrokenPipeError:
        # the reader of stdout went away (`fieldgrad info out.h5 | head`): stop quietly, like
        # other Unix tools, and keep Python from complaining when it flushes stdout at exit
        _silence_stdout()
        return 141
    except (FieldgradError, OSError) as exc:
        if args.debug:
            raise
        name = type(exc).__name__
        if rank0:  # under mpiexec every rank sees the error; one line is enough
            print(f"fieldgrad {args.command}: error: {name}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fieldgrad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
