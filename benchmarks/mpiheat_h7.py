"""Implicit heat under MPI (issue 15): agreement with the serial solver, and the cost of a step.

Run as ``mpiexec -n 2 python benchmarks/mpiheat_h7.py [n]`` (also works with ``-n 1`` or plain
``python``).  Rank 0 prints:

* for each case of tests/distributed/mpi_implicit_heat_checks.py: the relative difference
  ``max|u_mpi - u_serial| / max|u_serial|`` at the same method and rtol, the CG iterations of both;
* the heat change of the insulated case, the Crank--Nicolson observed order;
* timing on an ``n x n`` grid (default 129), Crank--Nicolson, 6 steps (2 Rannacher + 4 CN),
  rtol 1e-8: adjacent pairs (serial solve_heat on rank 0 while the other ranks wait, then the
  distributed run on all ranks), the median of the ratios, with ``os.getloadavg()``.
"""
import os
import sys
import time
from pathlib import Path

import numpy as np

import fieldgrad as fg
import fieldgrad.distributed as fd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "distributed"))
import mpi_implicit_heat_checks as checks  # noqa: E402


def main(n):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    root = comm.rank == 0
    say = print if root else (lambda *a, **k: None)
    say(f"ranks {comm.size}, loadavg {os.getloadavg()}")
    for name, (g, bc, u0, kw) in checks.cases().items():
        part = fd.solve_heat(u0, g, bc, comm=comm, **kw)
        full = fd.gather(part, comm)
        if root:
            ref = fg.solve_heat(u0, g, bc, progress=False, **kw)
            rel = np.max(np.abs(full - ref.u)) / np.max(np.abs(ref.u))
            extra = ""
            if name == "insulated_cn":
                w = g.quadrature_weights() * kw["rho_c"]
                extra = f"  heat change {abs(np.sum(w * full) - np.sum(w * u0)) / abs(np.sum(w * u0)):.1e} (relative)"
            say(f"{name:20s} {part.method:15s} rtol {kw.get('rtol', 1e-8):.0e}  rel diff {rel:.2e}  "
                f"CG iterations mpi {part.solver_iterations} / serial {ref.solver_iterations}{extra}")
    errs = []
    for steps in checks.ORDER_STEPS:
        g, bc, u0, kw = checks.order_case(steps)
        full = fd.gather(fd.solve_heat(u0, g, bc, comm=comm, **kw), comm)
        if root:
            h = g.spacing[0]
            lam = 4.0 / h ** 2 * np.sin(np.pi * h / 2) ** 2
            errs.append(np.max(np.abs(full - np.exp(-lam * checks.ORDER_T) * u0)))
    if root:
        say(f"CN sine mode, errors at {checks.ORDER_STEPS} steps: {errs[0]:.3e} {errs[1]:.3e}, observed order "
            f"{np.log2(errs[0] / errs[1]):.3f}")
    # timing
    g = fg.Grid((n, n))
    x, y = g.mesh()
    u0 = np.sin(np.pi * x) * np.sin(2 * np.pi * y)
    bc = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    kw = dict(alpha=1.0, dt=1e-3, steps=6, method="crank_nicolson")
    fd.solve_heat(u0, g, bc, comm=comm, **kw)  # compile / warm
    if root:
        fg.solve_heat(u0, g, bc, progress=False, **kw)
    ratios = []
    for _ in range(5):
        comm.Barrier()
        t0 = time.perf_counter()
        if root:
            ser = fg.solve_heat(u0, g, bc, progress=False, **kw)
        t_ser = time.perf_counter() - t0
        comm.Barrier()
        t0 = time.perf_counter()
        part = fd.solve_heat(u0, g, bc, comm=comm, **kw)
        comm.Barrier()
        t_mpi = time.perf_counter() - t0
        if root:
            ratios.append(t_mpi / t_ser)
    if root:
        say(f"timing {n}x{n} CN 6 steps rtol 1e-8: distributed / serial wall time, median of 5 adjacent pairs "
            f"{np.median(ratios):.2f} (all: {', '.join(f'{r:.2f}' for r in ratios)}); CG iterations mpi "
            f"{part.solver_iterations} / serial MG cycles {ser.solver_iterations}; loadavg {os.getloadavg()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 129)
