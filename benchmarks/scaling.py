"""Strong scaling of the distributed heat (200 FTCS steps) and Poisson solve on 1 and 2 ranks.

Run: ``python benchmarks/scaling.py [--n 1024] [--pn 513] [--repeat 3]``.  The driver starts
``mpiexec -n R python benchmarks/scaling.py --worker`` for R = 1, 2 (one Numba thread per rank)
and prints the median times, the speed-ups and a weak-scaling model.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def worker(args):
    from mpi4py import MPI

    import fieldgrad as fg
    from fieldgrad import distributed as fd

    comm = MPI.COMM_WORLD
    g = fg.Grid((args.n, args.n))
    X, Y = g.mesh()
    u0 = np.sin(np.pi * X) * np.sin(np.pi * Y)
    bc = {"*": fg.Dirichlet(0.0)}
    fd.solve_heat(u0, g, bc, steps=2, comm=comm)  # compile / load the Numba cache
    heat = []
    for _ in range(args.repeat):
        comm.Barrier()
        t0 = time.perf_counter()
        part = fd.solve_heat(u0, g, bc, steps=200, comm=comm)
        comm.Barrier()
        heat.append(time.perf_counter() - t0)
    gp = fg.Grid((args.pn, args.pn))
    f = np.ones(gp.shape)
    pois, iters = [], 0
    for _ in range(args.repeat):
        comm.Barrier()
        t0 = time.perf_counter()
        p = fd.solve_poisson(f, gp, bc, rtol=1e-8, comm=comm)
        comm.Barrier()
        pois.append(time.perf_counter() - t0)
        iters = p.info["iterations"]
    if comm.rank == 0:
        print("RESULT " + json.dumps({"ranks": comm.size, "dims": part.info["dims"], "heat": float(np.median(heat)),
                                      "poisson": float(np.median(pois)), "iterations": iters}))


def model(n, ranks, bytes_per_value=8):
    """Halo bytes per FTCS step vs interior work for an n x n (2D) or n^3 (3D) global grid."""
    rows = []
    for nd in (2, 3):
        for p in ranks:
            side = n / p ** (1 / nd)  # cubic blocks
            interior = side ** nd
            faces = 2 * nd * side ** (nd - 1)  # halo nodes received per step (interior rank)
            rows.append((nd, p, int(side), faces * bytes_per_value, faces / interior))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--pn", type=int, default=513)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    res = {}
    for r in (1, 2):
        out = subprocess.run([mpiexec, "-n", str(r), sys.executable, __file__, "--worker", "--n", str(args.n),
                              "--pn", str(args.pn), "--repeat", str(args.repeat)],
                             capture_output=True, text=True, env=env, check=True).stdout
        res[r] = json.loads(out.split("RESULT ", 1)[1])
    print(f"nproc={os.cpu_count()}  heat grid {args.n}^2 (200 FTCS steps), Poisson grid {args.pn}^2 "
          f"(rtol 1e-8), median of {args.repeat}, 1 Numba thread per rank")
    print(f"{'ranks':>5} {'dims':>8} {'heat s':>8} {'heat speed-up':>14} {'poisson s':>10} {'CG its':>7} "
          f"{'poisson speed-up':>17}")
    for r in (1, 2):
        d = res[r]
        print(f"{r:>5} {str(tuple(d['dims'])):>8} {d['heat']:8.3f} {res[1]['heat'] / d['heat']:14.2f} "
              f"{d['poisson']:10.3f} {d['iterations']:7d} {res[1]['poisson'] / d['poisson']:17.2f}")
    print("\nWeak-scaling model (halo exchange per FTCS step, float64, one layer, cubic blocks of a 4096^2 / "
          "4096^3-per-axis domain):")
    print(f"{'dim':>3} {'ranks':>6} {'block side':>10} {'halo bytes/step/rank':>21} {'halo/interior nodes':>20}")
    for nd, p, side, b, ratio in model(4096, [1, 8, 64, 512, 4096]):
        print(f"{nd:>3} {p:>6} {side:>10} {b:>21,.0f} {ratio:>20.4f}")


if __name__ == "__main__":
    main()
