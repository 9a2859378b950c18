"""Shared by the distributed checks that run once under ``mpiexec -n 2`` and compare with the
serial solvers in the test process: the rank-side loop over named Poisson and heat cases, and
the test-side launch that reads back what rank 0 saved.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import fieldgrad.distributed as fd

HERE = Path(__file__).parent


def run_cases(path, poisson_cases, heat_cases, extra=None):
    """On every rank: solve each case distributed, gather, and on rank 0 save the fields, the CG
    iterations (``<name>_iterations``) and the heat steps (``heat_<name>``, ``heat_<name>_dt``)
    to ``path`` (``.npz``); ``extra(comm)`` adds its own entries first."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    results = {} if extra is None else extra(comm)
    for name, (g, bc, f, kw) in poisson_cases.items():
        part = fd.solve_poisson(f, g, bc, rtol=1e-11, comm=comm, **kw)
        full = fd.gather(part, comm)
        if comm.rank == 0:
            results[name] = full
            results[name + "_iterations"] = np.array(part.iterations)
    for name, (g, bc, u0, kw) in heat_cases.items():
        part = fd.solve_heat(u0, g, bc, comm=comm, **kw)
        full = fd.gather(part, comm)
        if comm.rank == 0:
            results["heat_" + name] = full
            results["heat_" + name + "_dt"] = np.array(part.dt)
    if comm.rank == 0:
        np.savez(path, **results)


def launch(script, folder, python_flags=()):
    """Run ``script`` (a file next to this one) under ``mpiexec -n 2`` with one thread per rank
    and return what it saved, as a dict of arrays."""
    from test_mpi import _mpiexec

    path = folder / "res.npz"
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(_mpiexec() + ["-n", "2", sys.executable, *python_flags, str(HERE / script), str(path)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return dict(np.load(path))
