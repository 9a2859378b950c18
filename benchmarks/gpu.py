"""GPU benchmark: operators, FTCS step, multigrid V-cycle and Poisson solve vs the copy floor and the CPU.

Run:  python benchmarks/gpu.py [--small] [--repeat N] [--no-cpu]
      NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu.py --check   (every path on tiny grids, simulator)

3D 512^3 float32 and 256^3 float64 (``--small``: 128^3 / 64^3): ``laplacian``, ``grad``, one FTCS
step, next to a device-to-device copy kernel of the same array (the bandwidth floor) and the
CPU backend; one multigrid V-cycle and a full Poisson solve to rtol 1e-8 on 2^n+1 grids
(513^3 float32, 257^3 float64); for 257^3 float64 also the general path (mixed
Dirichlet/Robin/Neumann faces, variable k: explicit-stencil levels and MG-preconditioned CG,
with its host setup time) and the CPU solver on the same problems.  Every number is a median of ``--repeat`` runs measured in
this process after a warm-up run (compilation excluded).  Targets (issue 8): laplacian and
FTCS at >= 70% of copy bandwidth; a 257^3 Poisson solve to 1e-8 under 0.2 s on an H100.
Without a GPU it prints why and exits 0.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


CHECK = False  # --check: one call per path, no warm-up (the simulator is slow)


def median_time(fn, sync, repeat):
    if CHECK:
        t0 = time.perf_counter()
        fn()
        sync()
        return time.perf_counter() - t0
    fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="small sizes (quick check)")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-cpu", action="store_true", help="skip the CPU backend timings")
    ap.add_argument("--check", action="store_true", help="8^3 smoke run of every path (works in the simulator)")
    args = ap.parse_args(argv)
    global CHECK
    CHECK = args.check

    import fieldgrad as fg
    from fieldgrad.backends import cuda as cu
    from fieldgrad.errors import BackendError

    try:
        cuda = cu.load()
    except BackendError as exc:
        print(f"no GPU: {exc}")
        return 0
    if cu.simulator() and not args.check:
        print("no GPU: NUMBA_ENABLE_CUDASIM=1 selects the CUDA simulator; timings would be meaningless")
        return 0
    from fieldgrad.kernels import cuda_ops as co
    from fieldgrad.heat.cuda import CudaFTCS
    from fieldgrad.solvers.cuda_multigrid import CudaMultigrid, solve_poisson_cuda
    from fieldgrad.kernels import cuda as kc
    from fieldgrad.kernels.cuda import launch1
    from fieldgrad.heat.problem import HeatProblem

    if cu.simulator():
        name = "CUDA simulator (smoke run, timings meaningless)"
    else:
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else dev.name
    sync = cuda.synchronize
    n32, n64 = (128, 64) if args.small else (512, 256)
    if args.check:
        n32, n64, args.repeat = 6, 6, 1
    print(f"device: {name}; numba-cuda; repeat={args.repeat} (medians)")
    rows = []
    for n, dtype in ((n32, np.float32), (n64, np.float64)):
        g = fg.Grid((n, n, n))
        rng = np.random.default_rng(0)
        host = rng.standard_normal(g.shape).astype(dtype)
        u = cuda.to_device(host)
        out = cuda.device_array(g.shape, dtype)
        gout = cuda.device_array((3,) + g.shape, dtype)
        nbytes = host.nbytes
        bc = fg.Neumann(0.0)
        kern = kc.kernels()
        blocks, threads = launch1(u.size)
        t_copy = median_time(lambda: kern.copy[blocks, threads](u.reshape(u.size), out.reshape(out.size)), sync, args.repeat)
        bw = 2 * nbytes / t_copy
        t_lap = median_time(lambda: co.laplacian(u, g, bc, out=out), sync, args.repeat)
        t_grad = median_time(lambda: co.grad(u, g, bc, out=gout), sync, args.repeat)
        prob = HeatProblem(host, g, bc, alpha=1.0)
        st = CudaFTCS(prob)
        dt = prob.dt_explicit
        t_ftcs = median_time(lambda: st.step(u, 0.0, dt), sync, args.repeat)
        tag = f"{n}^3 {np.dtype(dtype).name}"
        rows.append((tag, "copy (floor)", t_copy, 2 * nbytes / t_copy, 1.0))
        rows.append((tag, "laplacian", t_lap, 2 * nbytes / t_lap, t_copy / t_lap))
        rows.append((tag, "grad", t_grad, 4 * nbytes / t_grad, (4 * nbytes / t_grad) / bw))
        rows.append((tag, "FTCS step", t_ftcs, 2 * nbytes / t_ftcs, t_copy / t_ftcs))
        if not args.no_cpu:
            from fieldgrad.kernels import cpu

            hout = np.empty_like(host)
            t_cpu_copy = median_time(lambda: cpu.parallel_copy(host, hout), lambda: None, 3)
            t_cpu_lap = median_time(lambda: fg.laplacian(host, g, bc, out=hout), lambda: None, 3)
            t_cpu_grad = median_time(lambda: fg.grad(host, g, bc), lambda: None, 3)
            rows.append((tag, "CPU copy", t_cpu_copy, 2 * nbytes / t_cpu_copy, t_cpu_copy / t_copy))
            rows.append((tag, "CPU laplacian", t_cpu_lap, 2 * nbytes / t_cpu_lap, t_cpu_lap / t_lap))
            rows.append((tag, "CPU grad", t_cpu_grad, 4 * nbytes / t_cpu_grad, t_cpu_grad / t_grad))
        del u, out, gout, st, prob, host
        # multigrid on the 2^m + 1 grid of about the same size
        m = n + 1
        gm = fg.Grid((m, m, m))
        f = cuda.to_device(np.ones(gm.shape, dtype))
        csize = 20 if args.check else 3000  # --check: several levels even on the tiny grid
        mg = CudaMultigrid(gm, dtype, coarse_size=csize)
        ub = cuda.to_device(np.zeros(gm.shape, dtype))
        t_v = median_time(lambda: mg.vcycle(0, ub, f), sync, max(3, args.repeat // 2))
        tagm = f"{m}^3 {np.dtype(dtype).name}"
        rows.append((tagm, "MG V-cycle(2,2)", t_v, float("nan"), float("nan")))
        rtol = 1e-8 if dtype == np.float64 else 1e-5  # float32 residuals stall near 1e-7
        if args.check:
            rtol = 1e-2  # a couple of iterations exercise every kernel
        res = []
        t_s = median_time(lambda: res.append(solve_poisson_cuda(f, gm, fg.Dirichlet(0.0), rtol=rtol, solver=mg)),
                          sync, 1 if args.check else 3)
        res = res[-1]
        rows.append((tagm, f"Poisson solve {rtol:g} ({res.iterations} V)", t_s, float("nan"), float("nan")))
        if dtype == np.float64:
            # the general path: mixed faces, variable k -> explicit-stencil levels, MG-preconditioned CG
            from fieldgrad.solvers.cuda_poisson import solve as cuda_solve

            kv = 1.0 + 0.5 * np.random.default_rng(1).random(gm.shape)
            bcm = {"x-": fg.Dirichlet(0.0), "y": fg.Robin(1.0, 1.0, 0.0), "*": fg.Neumann(0.0)}
            t0 = time.perf_counter()
            resg = cuda_solve(f, gm, bcm, k=kv, rtol=rtol, coarse_size=csize)  # builds and caches the setup
            sync()
            t_first = time.perf_counter() - t0
            t_g = median_time(lambda: cuda_solve(f, gm, bcm, k=kv, rtol=rtol, coarse_size=csize), sync,
                              1 if args.check else 3)
            rows.append((tagm, "var-k 1st call (host setup+solve)", t_first, float("nan"), float("nan")))
            rows.append((tagm, f"var-k mixed-BC CG {rtol:g} ({resg.iterations} it)", t_g, float("nan"), float("nan")))
            if not args.no_cpu:
                fh = np.ones(gm.shape, dtype)
                t_cpu_s = median_time(lambda: fg.solve_poisson(fh, gm, fg.Dirichlet(0.0), method="multigrid",
                                                               rtol=rtol), lambda: None, 1)
                rows.append((tagm, f"CPU Poisson MG {rtol:g}", t_cpu_s, float("nan"), t_cpu_s / t_s))
                t_cpu_g = median_time(lambda: fg.solve_poisson(fh, gm, bcm, k=kv, method="cg", rtol=rtol),
                                      lambda: None, 1)
                rows.append((tagm, f"CPU var-k CG {rtol:g}", t_cpu_g, float("nan"), t_cpu_g / t_g))
            del kv
        del f, ub, mg
    print(f"{'case':<18} {'what':<30} {'median s':>10} {'GB/s':>8} {'ratio':>8}")
    for tag, what, t, gbs, ratio in rows:
        print(f"{tag:<18} {what:<30} {t:>10.5f} {gbs / 1e9:>8.1f} {ratio:>8.2f}")
    print("ratio: copy time / op time for GPU ops (fraction of copy bandwidth; grad counts 1 read + 3 writes); "
          "CPU time / GPU time for CPU rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
