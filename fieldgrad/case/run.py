"""Run a case: solve, write HDF5 (+ XDMF) and optional PNGs, and summarise."""
from __future__ import annotations

import time

from .prepare import check_free, format_summary, make_plots, output_paths, prepare

__all__ = ["run_case", "output_paths", "prepare", "format_summary"]


def run_case(case, out=None, *, overwrite=False, plot=False, progress=None, echo=print, comm=None):
    """Run a checked case and write its results.

    Under ``mpiexec -n N`` (N > 1; :func:`fieldgrad.distributed.under_mpi`) the case runs
    distributed on ``MPI.COMM_WORLD`` (:mod:`fieldgrad.case.mpi`): the same
    results in one logical HDF5 file, read like a serial one; only rank 0 prints.

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
    comm : mpi4py communicator, optional -- run distributed on it (default: ``COMM_WORLD``
        when started by mpiexec with more than one rank, else serial)

    Returns
    -------
    dict -- the summary (``wall_time``, ``steps``, ``paths``, ``ranges``, ``balance``)

    Example
    -------
    >>> import tempfile, os
    >>> from importlib.resources import files
    >>> from fieldgrad.case import load_case
    >>> s = run_case(load_case(files("fieldgrad") / "data" / "demo.toml"),
    ...              os.path.join(tempfile.mkdtemp(), "demo.h5"), echo=lambda line: None)
    >>> s["balance"]["relative"] < 1e-8
    True
    """
    if comm is None:
        from ..distributed.io import under_mpi, world

        comm = world() if under_mpi() else None
    if comm is not None:
        from .mpi import run_case_mpi

        return run_case_mpi(case, out, comm, overwrite=overwrite, plot=plot, progress=progress, echo=echo)
    t_start = time.perf_counter()
    ctx = prepare(case, out, plot=plot)
    check_free(ctx["paths"], overwrite)
    summary = {"case": case.name, "physics": case.physics, "kind": case.kind, "paths": ctx["paths"]}
    if case.kind == "steady":
        from .steady import run_steady

        res = run_steady(case, ctx, overwrite=overwrite)
        field, t_last = res["field"], None
    else:
        from .steady import physical_field
        from .transient import run_transient

        res = run_transient(case, ctx, overwrite=overwrite, progress=progress)
        field, t_last = physical_field(case, ctx, res["u"]), res["t"]
    summary.update({k: res[k] for k in ("steps", "ranges", "balance") if k in res})
    if plot:
        make_plots(case, ctx, field, t_last)
    summary["wall_time"] = time.perf_counter() - t_start
    for line in format_summary(summary, ctx["unit"]):
        echo(line)
    return summary
