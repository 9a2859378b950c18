"""Output under MPI: per-rank part files joined by virtual datasets (what ``mpiexec fieldgrad
run`` writes, :class:`fieldgrad.distributed.io.PartsWriter`) vs gathering every frame on rank 0
and writing it with :class:`fieldgrad.io.HDF5Writer`.

Run: ``mpiexec -n 2 python benchmarks/mpi_output.py [N] [FRAMES]`` (also with ``-n 1``).
Prints the median of 3 repetitions of writing FRAMES frames of a scalar and a vector field on an
N x N grid, and the ratio, measured in one process group.
"""
import os
import shutil
import sys
import tempfile
import time
import types

import numpy as np
from mpi4py import MPI

from fieldgrad import Grid
from fieldgrad.distributed import Decomposition, Part, gather
from fieldgrad.distributed.io import PartsWriter
from fieldgrad.io import HDF5Writer


def main(n=1025, frames=10):
    comm = MPI.COMM_WORLD
    grid = Grid((n, n))
    dec = Decomposition(grid, comm)
    rng = np.random.default_rng(comm.rank)
    u = rng.standard_normal(dec.local_grid.shape)
    q = rng.standard_normal((2,) + dec.local_grid.shape)
    d = comm.bcast(tempfile.mkdtemp(dir=os.environ.get("BENCH_DIR")) if comm.rank == 0 else None)

    def parts(tag):
        w = PartsWriter(os.path.join(d, f"p{tag}.h5"), grid, comm, overwrite=True)
        for i in range(frames):
            w.write(float(i), i, {"T": Part(u, dec.slices, grid.shape), "q": Part(q, dec.slices, (2,) + grid.shape)})
        w.close()

    def gathered(tag):
        w = None
        if comm.rank == 0:
            w = HDF5Writer(os.path.join(d, f"g{tag}.h5"), overwrite=True)
            w.open(types.SimpleNamespace(grid=grid, bc=None, params={}, step=0))
        for i in range(frames):
            T = gather(Part(u, dec.slices, grid.shape), comm)
            Q = gather(Part(q, dec.slices, (2,) + grid.shape), comm)
            if w is not None:
                w._sim.step = i
                w.write(float(i), {"T": T, "q": Q})
        if w is not None:
            w.close()
        comm.Barrier()

    res = {}
    for name, f in (("parts + virtual datasets", parts), ("gather to rank 0 + HDF5Writer", gathered)):
        times = []
        for rep in range(3):
            comm.Barrier()
            t0 = time.perf_counter()
            f(rep)
            comm.Barrier()
            times.append(time.perf_counter() - t0)
        res[name] = float(np.median(times))
    if comm.rank == 0:
        mb = frames * 3 * n * n * 8 / 2**20
        print(f"{comm.size} rank(s), grid {n}x{n}, {frames} frames of T + q ({mb:.0f} MiB), median of 3")
        for name, t in res.items():
            print(f"  {name:<32} {t:8.3f} s  {mb / t:8.1f} MiB/s")
        a, b = res.values()
        print(f"  ratio gather / parts: {b / a:.2f}")
        shutil.rmtree(d)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
