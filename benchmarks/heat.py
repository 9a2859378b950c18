"""Heat benchmark: a hot cube diffusing in a cold box, every method at its largest accurate step.

Run: ``python benchmarks/heat.py [n] [methods]`` (default n = 129: 129^3 nodes, odd for multigrid;
methods a comma list, default ``rkl2,crank_nicolson,backward_euler``).

The reference is the exact semi-discrete solution on the same grid (DST-I of the interior, exact
exponential in time), so the errors measured are the integrators' own.  FTCS runs at 0.9 of its
limit for the fixed physical time T = 300 * 0.9 * dt_explicit; every other method takes the largest
step ratio from a candidate list whose final error is within 2x of FTCS's.  Printed: wall time,
stencil sweeps (implicit: fine-grid work units of the multigrid solves), max error, and one FTCS
step against the bandwidth floor (``cpu.parallel_copy`` between two grid-sized arrays), timed in
alternation in this process.
"""
import sys
import time

import numpy as np
from scipy.fft import dstn, idstn

from fieldgrad import Dirichlet, Grid
from fieldgrad.heat import solve_heat
from fieldgrad.heat.explicit import FTCS
from fieldgrad.heat.problem import HeatProblem
from fieldgrad.kernels.cpu import parallel_copy


def exact(u0, g, t):
    n = g.shape[0]
    h = g.spacing[0]
    inner = u0[1:-1, 1:-1, 1:-1]
    c = dstn(inner, type=1)
    p = np.arange(1, n - 1)
    lam1 = -4 / h ** 2 * np.sin(p * np.pi / (2 * (n - 1))) ** 2
    lam = lam1[:, None, None] + lam1[None, :, None] + lam1[None, None, :]
    out = np.zeros_like(u0)
    out[1:-1, 1:-1, 1:-1] = idstn(c * np.exp(lam * t), type=1)
    return out


def step_vs_copy(g, u0, reps=40):
    p = HeatProblem(u0, g, Dirichlet(0.0), alpha=1.0)
    st = FTCS(p)
    x = p.initial_field()
    b = np.empty_like(x)
    dt = 0.9 * p.dt_explicit
    st.step(x, 0.0, dt)
    parallel_copy(x, b)
    tc, ts = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        parallel_copy(x, b)
        t1 = time.perf_counter()
        st.step(x, 0.0, dt)
        t2 = time.perf_counter()
        tc.append(t1 - t0)
        ts.append(t2 - t1)
    tc, ts = np.array(tc), np.array(ts)
    return tc, ts


def main(n=129, methods=("rkl2", "crank_nicolson", "backward_euler")):
    g = Grid((n, n, n))
    X, Y, Z = g.mesh()
    u0 = ((abs(X - 0.5) < 0.125) & (abs(Y - 0.5) < 0.125) & (abs(Z - 0.5) < 0.125)).astype(float)
    bc = Dirichlet(0.0)
    lim = HeatProblem(u0, g, bc, alpha=1.0).dt_explicit
    T = 300 * 0.9 * lim
    ref = exact(u0, g, T)
    print(f"grid {n}^3, dt_explicit {lim:.4e}, T = {T:.4e} (300 FTCS steps at 0.9 of the limit)")
    tc, ts = step_vs_copy(g, u0)
    print(f"one FTCS step: min {ts.min()*1e3:.2f} ms, median {np.median(ts)*1e3:.2f} ms; parallel_copy: "
          f"min {tc.min()*1e3:.2f} ms, median {np.median(tc)*1e3:.2f} ms; ratio of minima {ts.min()/tc.min():.2f}, "
          f"median of paired ratios {np.median(ts/tc):.2f}")
    rows = []

    def run(method, ratio, **kw):
        nsteps = int(np.ceil(T / (ratio * lim) - 1e-9))
        t0 = time.perf_counter()
        r = solve_heat(u0, g, bc, alpha=1.0, t_end=T, dt=T / nsteps, method=method, progress=False, **kw)
        wall = time.perf_counter() - t0
        err = float(np.abs(r.u - ref).max())
        return dict(method=method, ratio=T / nsteps / lim, steps=r.steps, sweeps=r.sweeps, iters=r.solver_iterations,
                    wall=wall, err=err)

    run("ftcs", 0.9)  # compile
    base = run("ftcs", 0.9)
    rows.append(base)
    print(f"ftcs error {base['err']:.3e}; target for the others <= {2*base['err']:.3e}", flush=True)
    cands = {"rkl2": [300, 200, 150, 100, 70, 50, 35, 25, 18, 12, 8, 5],
             "crank_nicolson": [150, 100, 70, 50, 35, 25, 18, 12, 8, 5, 3],
             "backward_euler": [2.5, 2.0, 1.6, 1.3, 1.0]}
    for method in methods:
        ratios = cands[method]
        for r in ratios:
            row = run(method, r)
            print(f"  try {method} ratio {row['ratio']:.1f}: err {row['err']:.3e}, wall {row['wall']:.2f} s", flush=True)
            if row["err"] <= 2 * base["err"]:
                rows.append(row)
                break
    print(f"\n{'method':16s} {'dt/dt_expl':>10s} {'steps':>6s} {'sweeps':>7s} {'MG cyc':>7s} {'wall s':>8s} "
          f"{'max err':>10s} {'sweeps vs FTCS':>14s} {'speed-up':>8s}")
    for r in rows:
        print(f"{r['method']:16s} {r['ratio']:10.1f} {r['steps']:6d} {r['sweeps']:7d} {r['iters']:7d} {r['wall']:8.2f} "
              f"{r['err']:10.3e} {base['sweeps']/r['sweeps']:14.2f} {base['wall']/r['wall']:8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 129,
         tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else ("rkl2", "crank_nicolson", "backward_euler"))
