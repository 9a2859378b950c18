"""Multigrid on anisotropic grids: cycles and time per spacing ratio vs the isotropic grid.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/anisotropic.py [--sizes2 513 1025] [--sizes3 65 129]
[--repeat 3] [--no-full]``

Mixed boundary conditions (Dirichlet, Neumann and a Robin face, so ``method="auto"`` runs
multigrid), a random right-hand side, rtol 1e-8 from zero.  2D grids have ``hy = hx / ratio``; 3D
grids ``hz = hx / ratio`` ("z") or ``hx = hy = hz / ratio`` ("xy").  For each case: V(2,2)
cycles and median time of ``solve_poisson(method="auto")`` (a cached setup, as a time stepper
sees it), MG-CG iterations, the time relative to the isotropic grid of the same node count, and
(unless ``--no-full``) the cycles full coarsening needed -- the behaviour before semi-coarsening
(50 cycles at most; "-" when it did not reach 1e-8).
"""
import argparse
import os
import sys

import numpy as np

import fieldgrad as fg
from fieldgrad.solvers import PoissonSolver, solve_poisson
from fieldgrad.solvers import multigrid as MG

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import header, median_time  # noqa: E402

BC = {"*": fg.Neumann(0.0), "x-": fg.Dirichlet(1.0), "y+": fg.Robin(2.0, 1.0, 0.0)}
RATIOS = (1, 10, 100, 1000)


def grid(n, dim, stretch, ratio):
    h = [1.0 / (n - 1)] * dim
    for a in {"y": (1,), "z": (2,), "xy": (0, 1)}[stretch]:
        h[a] /= ratio
    return fg.Grid((n,) * dim, spacing=h)


def full_coarsening_cycles(g, f):
    """Cycles to 1e-8 with every axis coarsened on every level (the rule before semi-coarsening)."""
    saved = MG.coarsen_modes
    MG.coarsen_modes = lambda shape, h, periodic: saved(shape, h, periodic, strong=1e-300, stuck_lu=0)
    try:
        res = PoissonSolver(g, BC, method="multigrid").solve(f, maxiter=50, raise_on_failure=False)
    finally:
        MG.coarsen_modes = saved
    return str(res.iterations) if res.converged else f"- ({res.residuals[-1]:.1e})"


def run(n, dim, stretch, repeat, full):
    base = None
    for ratio in RATIOS:
        g = grid(n, dim, stretch, ratio)
        f = np.random.default_rng(0).standard_normal(g.shape)
        res = solve_poisson(f, g, BC, method="auto")
        t = median_time(lambda: solve_poisson(f, g, BC, method="auto"), repeat=repeat)
        cg = PoissonSolver(g, BC, method="cg").solve(f)
        base = t if ratio == 1 else base
        old = full_coarsening_cycles(g, f) if full else "not run"
        nlev = len(res.info["levels"])
        print(f"| {dim}D {n}^{dim} {stretch} | {ratio} | {res.method} {res.iterations} | {cg.iterations} | "
              f"{nlev} | {t:.3f} | {t / base:.2f} | {old} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes2", type=int, nargs="*", default=[513, 1025])
    ap.add_argument("--sizes3", type=int, nargs="*", default=[65, 129])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-full", action="store_true")
    a = ap.parse_args()
    header("multigrid on anisotropic grids (rtol 1e-8, mixed Dirichlet/Neumann/Robin faces)")
    print("| grid | hmax/hmin | auto: method cycles | MG-CG iterations | levels | median s | vs ratio 1 | "
          "full coarsening cycles |")
    print("|---|---|---|---|---|---|---|---|")
    for n in a.sizes2:
        run(n, 2, "y", a.repeat, not a.no_full)
    for n in a.sizes3:
        for stretch in ("z", "xy"):
            run(n, 3, stretch, a.repeat, not a.no_full)


if __name__ == "__main__":
    main()
