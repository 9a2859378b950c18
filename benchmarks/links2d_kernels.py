"""2D variable-coefficient multigrid kernels on the heat sink with holes (benchmarks/geometry.py's
``heat_sink_holes``): each 2D row kernel of :mod:`fieldgrad.solvers.mg_links_2d` against the 3D
kernel it replaces, on the solver's own hierarchy, in adjacent pairs (median of the pairs).

Usage: ``cd benchmarks && NUMBA_NUM_THREADS=2 PYTHONPATH=.. python links2d_kernels.py [--n 1025]``
"""
import argparse
import os
import time

import numba
import numpy as np

from fieldgrad.solvers import PoissonSolver
from fieldgrad.solvers import mg_kernels as K
from fieldgrad.solvers import mg_links as FL
from fieldgrad.solvers import mg_links_2d as L2
from fieldgrad.solvers.active_segments import full_segments
from fieldgrad.solvers.mg_2d import view2
from fieldgrad.solvers.multigrid import Hierarchy

from geometry import heat_sink_holes_problem  # noqa: E402 (run from benchmarks/)


def heat_sink_solver(n):
    g, bc, k, mask, _ = heat_sink_holes_problem(n)
    return PoissonSolver(g, bc, k, fixed=mask)


def pairs_of(hier, whole):
    """Kernel pairs on ``whole`` (the solver's problem built without active nodes, so that the 2D and
    3D kernels do the same work), and the fine sweep on every node against the solver's own
    ``hier`` (the domain's nodes only)."""
    L0, L1 = whole.levels[0], whole.levels[1]
    rng = np.random.default_rng(0)
    u, f = rng.standard_normal(L0.shape), rng.standard_normal(L0.shape)
    u1, f1 = rng.standard_normal(L1.shape), rng.standard_normal(L1.shape)
    r, r1 = np.empty(L0.shape), np.empty(L1.shape)
    out, out2 = np.empty(L1.shape), np.empty(hier.levels[2].shape)
    fx, fy, fz = L0.fixed1
    gx, gy, gz = L1.fixed1
    (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = hier.transfers[0]
    (sx, swx, _, _), (sy, swy, _, _), (sz, swz, _, _) = hier.transfers[1]
    nt = numba.get_num_threads()
    buf = (np.empty((nt, 4) + L0.shape[1:]), np.empty((nt, 4), dtype=np.int64))
    # the 2D kernels on every node (as the 3D ones), and on the active nodes the solver uses
    all1 = full_segments(*L1.shape[:2])
    C, fx2, fy2, nbr2 = L1.args9[:4]
    w0, w1 = L0._wave(nt, 2), L1._wave(nt, 2)
    a2, act2 = L0.links_args2, hier.levels[0].links_args2
    return {
        "fine links red-black sweep": (
            lambda: FL.smooth_links_fused(u, f, nt, *L0.links, fx, fy, fz, *L0.link_tables, 0),
            lambda: L2.smooth_links_fused2(view2(u), view2(f), nt, *a2, 0)),
        "fine links, 2 sweeps: two one-pass sweeps -> one wave pass": (
            lambda: [L2.smooth_links_fused2(view2(u), view2(f), nt, *a2, 0) for _ in range(2)],
            lambda: L2.smooth_links_waves(view2(u), view2(f), *w0, *a2, 0)),
        "fine links, 2 sweeps in one wave pass: every node -> the domain's nodes only": (
            lambda: L2.smooth_links_waves(view2(u), view2(f), *w0, *a2, 0),
            lambda: L2.smooth_links_waves(view2(u), view2(f), *w0, *act2, 0)),
        "fine fused residual + restriction": (
            lambda: FL.residual_restrict_links(u, f, out, buf[0], buf[1], *L0.links, fx, fy, fz, *L0.link_tables,
                                               rix, rwx, riy, rwy, riz, rwz),
            lambda: L2.residual_restrict_links2d(view2(u), view2(f), view2(out), nt, *a2, rix, rwx, riy, rwy)),
        "fine A u": (
            lambda: FL.residual_links3(u, f, r, *L0.links, fx, fy, fz, *L0.link_tables, False),
            lambda: L2.residual_links2d(view2(u), view2(f), view2(r), *a2, False)),
        "fine residual norm": (
            lambda: FL.residual_norm_links(u, f, *L0.links, fx, fy, fz, *L0.link_tables),
            lambda: L2.residual_norm_links2d(view2(u), view2(f), nt, *a2)),
        "first coarse level 9-point sweep (8 colours -> one pass)": (
            lambda: [K.smooth_stencil(u1, f1, L1.coef, L1.offs, L1.nbr, gx, gy, gz, c, 8) for c in range(8)],
            lambda: L2.smooth9_fused(view2(u1), view2(f1), C, nt, fx2, fy2, nbr2, *all1, 0)),
        "first coarse level, 2 sweeps: two one-pass sweeps -> one wave pass": (
            lambda: [L2.smooth9_fused(view2(u1), view2(f1), C, nt, fx2, fy2, nbr2, *all1, 0) for _ in range(2)],
            lambda: L2.smooth9_waves(view2(u1), view2(f1), C, *w1, fx2, fy2, nbr2, *all1, 0)),
        "first coarse level residual + restriction": (
            lambda: (K.residual_stencil(u1, f1, r1, L1.coef, L1.offs, L1.nbr, gx, gy, gz, True),
                     K.restrict(r1, out2, sx, swx, sy, swy, sz, swz)),
            lambda: L2.residual_restrict9(view2(u1), view2(f1), view2(out2), nt, C, fx2, fy2, nbr2, *all1, sx, swx, sy,
                                           swy)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1025)
    ap.add_argument("--repeat", type=int, default=15)
    a = ap.parse_args()
    hier = heat_sink_solver(a.n).hier
    whole = Hierarchy(hier.prob, coarse_size=3000)
    print(f"## 2D links kernels, heat sink with holes {a.n}^2, {numba.get_num_threads()} threads, "
          f"load {os.getloadavg()}")
    print("| kernel | before (3D or separate), ms | after (2D), ms | ratio (median of pairs) |")
    print("| --- | --- | --- | --- |")
    for name, (old, new) in pairs_of(hier, whole).items():
        old(), new()
        t = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            old()
            t1 = time.perf_counter()
            new()
            t.append((t1 - t0, time.perf_counter() - t1))
        t = np.array(t)
        print(f"| {name} | {1e3 * np.median(t[:, 0]):.2f} | {1e3 * np.median(t[:, 1]):.2f} | "
              f"{np.median(t[:, 0] / t[:, 1]):.1f} |")
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
