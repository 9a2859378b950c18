"""Run under ``mpiexec -n N``: the two-level Schwarz CG and the wide-halo exchange.

Rank 0 writes to the ``.npz`` named on the command line: gathered solutions and CG iteration
counts of :func:`fieldgrad.distributed.solve_poisson` on problems large enough that every block
uses a real multigrid hierarchy, and the results of two exact checks of
:class:`~fieldgrad.distributed.overlap.OverlapExchange` (fill reproduces the global array on the
extended block; accumulate is the transpose of fill).
"""
import sys

import numpy as np

import fieldgrad as fg
from fieldgrad import distributed as fd
from fieldgrad.distributed.decomposition import Decomposition
from fieldgrad.distributed.overlap import OverlapExchange

CASES = {
    # name: (shape, periodic, bc, variable k)
    "dirichlet_2d_129": ((129, 129), False, {"*": fg.Dirichlet(0.0)}, False),
    "dirichlet_2d_257": ((257, 257), False, {"*": fg.Dirichlet(0.0)}, False),
    "mixed_2d": ((130, 97), (False, True), {"x-": fg.Dirichlet(1.0), "x+": fg.Neumann(0.5)}, False),
    "vark_3d": ((33, 29, 31), False, {"x": fg.Dirichlet(0.0), "*": fg.Neumann(0.0)}, True),
}


def problem(name):
    shape, per, bc, vark = CASES[name]
    g = fg.Grid(shape, periodic=per)
    mesh = g.mesh()
    f = np.sin(3 * mesh[0]) * np.cos(2 * mesh[1]) + 1.0
    k = 1.0 + 0.5 * np.sin(2 * np.pi * mesh[0]) * np.cos(np.pi * mesh[-1]) if vark else None
    return g, bc, f, k


def overlap_checks(comm):
    out = {}
    for shape, per in (((23, 18), (False, True)), ((13, 12, 11), (True, False, False))):
        g = fg.Grid(shape, periodic=per)
        dec = Decomposition(g, comm)
        glob = np.arange(g.size, dtype=np.float64).reshape(shape)
        for delta in (1, 3):
            ex = OverlapExchange(dec, delta)
            ext = np.full(ex.shape, np.nan)
            ext[ex.owned] = glob[dec.slices]
            ex.fill(ext)
            index = [np.arange(s.start - lo, s.stop + hi) % n
                     for s, (lo, hi), n in zip(dec.slices, ex.widths, shape)]
            fill_ok = bool(np.array_equal(ext, glob[np.ix_(*index)]))
            # <fill x, y> over extended blocks == <x, accumulate y> over owned blocks
            rng = np.random.default_rng(comm.rank + 10 * delta)
            x, y = rng.standard_normal(dec.shape), rng.standard_normal(ex.shape)
            fx = np.zeros(ex.shape)
            fx[ex.owned] = x
            ex.fill(fx)
            ay = y.copy()
            ex.accumulate(ay)
            lhs = comm.allreduce(float(np.sum(fx * y)))
            rhs = comm.allreduce(float(np.sum(x * ay[ex.owned])))
            out[f"overlap_{len(shape)}d_{delta}"] = np.array([fill_ok, abs(lhs - rhs) / abs(lhs)])
    return out


def main(path):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    results = overlap_checks(comm)
    for name in CASES:
        g, bc, f, k = problem(name)
        part = fd.solve_poisson(f, g, bc, k=k, rtol=1e-10, comm=comm)
        full = fd.gather(part, comm)
        if comm.rank == 0:
            results[name] = full
            results[name + "_iterations"] = np.array(part.info["iterations"])
            results[name + "_residual"] = np.array(part.info["residuals"][-1])
    if comm.rank == 0:
        np.savez(path, **results)


if __name__ == "__main__":
    main(sys.argv[1])
