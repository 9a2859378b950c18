"""Strong scaling of the distributed heat (200 FTCS steps) and Poisson solve on 1 and 2 ranks, 2D and 3D.

Run: ``python benchmarks/scaling.py [--n 1024] [--pn 513] [--n3 128] [--pn3 97] [--repeat 3]``.  The driver starts
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


def _timed(comm, fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        comm.Barrier()
        t0 = time.perf_counter()
        out = fn()
        comm.Barrier()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def worker(args):
    from mpi4py import MPI

    import fieldgrad as fg
    from fieldgrad import distributed as fd

    comm = MPI.COMM_WORLD
    bc = {"*": fg.Dirichlet(0.0)}
    res = {"ranks": comm.size}
    for nd, n, pn in ((2, args.n, args.pn), (3, args.n3, args.pn3)):
        g = fg.Grid((n,) * nd)
        mesh = g.mesh()
        u0 = np.prod([np.sin(np.pi * x) for x in mesh], axis=0)
        fd.solve_heat(u0, g, bc, steps=2, comm=comm)  # compile / load the Numba cache
        th, part = _timed(comm, lambda: fd.solve_heat(u0, g, bc, steps=200, comm=comm), args.repeat)
        gp = fg.Grid((pn,) * nd)
        f = np.ones(gp.shape)
        fd.solve_poisson(f, gp, bc, rtol=1e-8, comm=comm)  # compile, warm caches
        tp, p = _timed(comm, lambda: fd.solve_poisson(f, gp, bc, rtol=1e-8, comm=comm), args.repeat)
        res[f"{nd}d"] = {"dims": part.info["dims"], "heat": th, "poisson": tp, "iterations": p.info["iterations"],
                         "coarse": p.info["coarse_shape"]}
    if comm.rank == 0:
        print("RESULT " + json.dumps(res))


def model(ranks, block_sides, bytes_per_value=8, bandwidth=10e9, latency=2e-6, node_rate=1e9 / 16):
    """Halo bytes per FTCS step vs interior work per rank (weak scaling: fixed block per rank).

    A block of side ``m`` sweeps ``m^d`` nodes (about 16 bytes of memory traffic each at the
    ``node_rate`` nodes/s of one core) and exchanges ``2d`` faces of ``m^(d-1)`` values.
    """
    rows = []
    for nd in (2, 3):
        for m in block_sides[nd]:
            interior = m ** nd
            halo = 2 * nd * m ** (nd - 1)
            t_comm = 2 * nd * latency + halo * bytes_per_value / bandwidth
            t_comp = interior / node_rate
            rows.append((nd, m, halo * bytes_per_value, halo / interior, t_comm / t_comp))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--pn", type=int, default=513)
    ap.add_argument("--n3", type=int, default=128)
    ap.add_argument("--pn3", type=int, default=97)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    res = {}
    for r in (1, 2):
        out = subprocess.run([mpiexec, "-n", str(r), sys.executable, __file__, "--worker", "--n", str(args.n),
                              "--pn", str(args.pn), "--n3", str(args.n3), "--pn3", str(args.pn3),
                              "--repeat", str(args.repeat)], capture_output=True, text=True, env=env, check=True).stdout
        res[r] = json.loads(out.split("RESULT ", 1)[1])
    print(f"nproc={os.cpu_count()}  200 FTCS steps on {args.n}^2 and {args.n3}^3; one Poisson solve (rtol 1e-8, "
          f"Dirichlet, f=1) on {args.pn}^2 and {args.pn3}^3; median of {args.repeat}; 1 Numba thread per rank")
    print(f"{'dim':>3} {'ranks':>5} {'dims':>10} {'heat s':>8} {'speed-up':>9} {'poisson s':>10} {'CG its':>7} "
          f"{'coarse':>14} {'speed-up':>9}")
    for nd in (2, 3):
        key = f"{nd}d"
        for r in (1, 2):
            d, d1 = res[r][key], res[1][key]
            print(f"{nd:>3} {r:>5} {str(tuple(d['dims'])):>10} {d['heat']:8.3f} {d1['heat'] / d['heat']:9.2f} "
                  f"{d['poisson']:10.3f} {d['iterations']:7d} {str(tuple(d['coarse'])):>14} "
                  f"{d1['poisson'] / d['poisson']:9.2f}")
    print("\nWeak-scaling model, one FTCS step per rank (float64, one halo layer, cubic blocks, 10 GB/s links, "
          "2 us per message, 62.5 M nodes/s per core):")
    print(f"{'dim':>3} {'block side':>10} {'halo bytes/step':>16} {'halo/interior':>14} {'comm/comp':>10}")
    for nd, m, b, ratio, cc in model(None, {2: [64, 256, 1024, 4096], 3: [32, 64, 128, 256]}):
        print(f"{nd:>3} {m:>10} {b:>16,.0f} {ratio:>14.4f} {cc:>10.3f}")


if __name__ == "__main__":
    main()
