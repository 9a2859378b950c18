"""Materials on cells: setup and MG-CG solve cost against the node-sampled conductivity.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/materials.py [--n 129] [--repeat 3]``

A cube with a centred box inclusion of conductivity 1e4 (its faces on grid lines), Dirichlet 0 on
every face, ``f = 1``, rtol 1e-8.  Cases: the node-sampled array (the form before cell
materials), the same inclusion as ``Cells``, the node array with a contact resistance on the
inclusion's surface, an ``Orthotropic`` cell conductivity (the inclusion's cells in x and y,
1/100 of them in z: a laminate), and ``Cells`` with a spherical insulating hole (``domain=``).
For each: ``PoissonSolver`` setup time (face conductances, Galerkin hierarchy, coarse
factorisation), median solve time, MG-CG iterations, and the ratios to the node-sampled case
measured in the same process.
"""
import argparse
import os
import sys
import time

import numpy as np

import fieldgrad as fg
from fieldgrad.materials import cell_centres, cell_shape
from fieldgrad.solvers import PoissonSolver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import header, median_time  # noqa: E402


def cases(g):
    xc, yc, zc = np.meshgrid(*cell_centres(g), indexing="ij")
    box = (np.abs(xc - 0.5) < 0.25) & (np.abs(yc - 0.5) < 0.25) & (np.abs(zc - 0.5) < 0.25)
    kc = np.where(box, 1e4, 1.0)
    x, y, z = g.mesh()
    nbox = (np.abs(x - 0.5) <= 0.25) & (np.abs(y - 0.5) <= 0.25) & (np.abs(z - 0.5) <= 0.25)
    hole = (xc - 0.5) ** 2 + (yc - 0.5) ** 2 + (zc - 0.5) ** 2 > 0.2 ** 2
    return {
        "node array": (np.where(nbox, 1e4, 1.0), None),
        "Cells": (fg.Cells(kc), None),
        "Cells + contact": (np.where(nbox, 1e4, 1.0), fg.Contact(nbox.astype(int), 1e-3)),
        "Orthotropic Cells": (fg.Orthotropic(fg.Cells(kc), fg.Cells(kc), fg.Cells(kc / 100)), None),
        "Cells, spherical hole": (fg.Cells(np.ones(cell_shape(g)), domain=hole), None),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=129)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    header(f"materials on cells, {args.n}^3, 1e4 inclusion, MG-CG to rtol 1e-8")
    g = fg.Grid((args.n,) * 3)
    f = np.ones(g.shape)
    rows = []
    for name, (k, contact) in cases(g).items():
        PoissonSolver(fg.Grid((9, 9, 9)), fg.Dirichlet(0.0), k=2.0 * np.ones((9, 9, 9)))  # compiled already
        t0 = time.perf_counter()
        s = PoissonSolver(g, fg.Dirichlet(0.0), k=k, contact=contact)
        setup = time.perf_counter() - t0
        res = s.solve(f, rtol=1e-8, raise_on_failure=False)
        print(f"  {name}: setup {setup:.2f} s, {res.iterations} iterations, converged {res.converged}, "
              f"last residual {res.residuals[-1]:.1e}", flush=True)
        solve = median_time(lambda: s.solve(f, rtol=1e-8, raise_on_failure=False), repeat=args.repeat)
        rows.append((name, setup, solve, res.iterations))
    base = rows[0]
    print(f"{'case':24s} {'setup s':>8s} {'solve s':>8s} {'iters':>5s} {'setup/node':>10s} {'solve/node':>10s}")
    for name, setup, solve, it in rows:
        print(f"{name:24s} {setup:8.2f} {solve:8.2f} {it:5d} {setup / base[1]:10.2f} {solve / base[2]:10.2f}")


if __name__ == "__main__":
    main()
