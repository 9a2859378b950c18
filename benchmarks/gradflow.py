"""Benchmark of fieldgrad.gradflow: what a gradient-descent / FTCS step costs over the bare
Laplacian it calls, and the spectral exact flow against expm_multiply.

Prints medians (seconds) and ratios measured in this one process.

Run:  python benchmarks/gradflow.py [--n 257] [--repeat 15]
"""
import argparse
import os
import time

import numpy as np

from fieldgrad import Dirichlet, Grid, laplacian
from fieldgrad.gradflow import exact_flow, gradient_descent, heat_steps, step_size_limits


def median_time(func, repeat):
    func()  # warm-up (Numba compile / cache load)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=257)
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--steps", type=int, default=200)
    a = p.parse_args()
    grid = Grid((a.n, a.n))
    bc = Dirichlet(0.0)
    u0 = np.random.default_rng(0).standard_normal(grid.shape)
    out = np.empty_like(u0)
    eta = 0.5 * step_size_limits(grid, bc, 1.0)["stable"]
    print(f"grid {grid.shape}, {a.steps} steps per call, nproc={os.cpu_count()}")
    t_lap = median_time(lambda: laplacian(u0, grid, bc, out=out), a.repeat)
    t_gd = median_time(lambda: gradient_descent(u0, grid, bc, lr=eta, steps=a.steps, weight_decay=1.0,
                                                record_every=0), a.repeat) / a.steps
    t_ftcs = median_time(lambda: heat_steps(u0, grid, bc, dt=eta, steps=a.steps, absorption=1.0,
                                            record_every=0), a.repeat) / a.steps
    t_copy = median_time(lambda: np.copyto(out, u0), a.repeat)
    print(f"laplacian (out=)             median {t_lap:.3e} s")
    print(f"gradient_descent, per step   median {t_gd:.3e} s   ratio to laplacian {t_gd / t_lap:.2f}")
    print(f"heat_steps, per step         median {t_ftcs:.3e} s   ratio to laplacian {t_ftcs / t_lap:.2f}")
    print(f"numpy copy (1 thread)        median {t_copy:.3e} s   laplacian / copy {t_lap / t_copy:.2f}")
    small = Grid((65, 65))
    v0 = np.random.default_rng(1).standard_normal(small.shape)
    t_spec = median_time(lambda: exact_flow(v0, small, bc, 0.01, weight_decay=1.0, method="spectral"), a.repeat)
    t_expm = median_time(lambda: exact_flow(v0, small, bc, 0.01, weight_decay=1.0, method="expm"), 3)
    print(f"exact_flow 65x65 spectral    median {t_spec:.3e} s")
    print(f"exact_flow 65x65 expm        median {t_expm:.3e} s   ratio expm / spectral {t_expm / t_spec:.1f}")


if __name__ == "__main__":
    main()
