"""One explicit FTCS heat step against a parallel copy of the same array (issue 12).

The step is taken the way :func:`fieldgrad.solve_heat` takes it -- ``FTCS(problem).step(u, t, dt)``,
the per-step call path with its ghost fills and Dirichlet values -- on a cube of ``n^3`` float64
nodes with a constant diffusivity, for all-Dirichlet, all-Neumann, all-periodic and a mixed set of
faces (plus a time-dependent Dirichlet case), and the bare FTCS kernel alone.  Each timing is the
median over adjacent pairs of ``time(step) / time(parallel_copy)`` (``fieldgrad.kernels.cpu.parallel_copy``
between two arrays of the grid's shape: the bandwidth floor; a step also reads one array and
writes one).

Usage::

    NUMBA_NUM_THREADS=2 python benchmarks/ftcs_step.py [n ...] [--repeat R] [--only a,b] [--before] [--clock cpu]

(default sizes 257 and 129, 41 pairs per case; ``--before`` also times the step as main took it
before this change, in the same process).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import header  # noqa: E402

from fieldgrad import Dirichlet, Grid, Neumann  # noqa: E402
from fieldgrad.boundary import apply_bc  # noqa: E402
from fieldgrad.heat import kernels as K  # noqa: E402
from fieldgrad.heat.explicit import FTCS  # noqa: E402
from fieldgrad.heat.problem import HeatProblem  # noqa: E402
from fieldgrad.kernels.cpu import parallel_copy  # noqa: E402


def cases(n):
    """(name, grid, bc) of the timed cases."""
    box = Grid((n, n, n))
    yield "dirichlet", box, Dirichlet(0.0)
    yield "dirichlet(t)", box, Dirichlet(lambda x, y, z, t: 0.0 * x + t)
    yield "neumann", box, Neumann(1.0)
    yield "periodic", Grid((n, n, n), periodic=True), {}
    yield "mixed", Grid((n, n, n), periodic=(False, False, True)), {"x": Dirichlet(1.0), "y": Neumann(0.5)}


CLOCK = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter


def pairs(fn, floor, repeat):
    """Median of adjacent-pair ratios ``time(fn) / time(floor)`` (and their spread)."""
    for _ in range(3):
        fn(), floor()
    r = []
    for _ in range(repeat):
        t0 = clock()
        floor()
        t1 = clock()
        fn()
        t2 = clock()
        r.append((t2 - t1) / (t1 - t0))
    r = np.array(r)
    return float(np.median(r)), float(np.percentile(r, 25)), float(np.percentile(r, 75))


def before_step(st, u, state, dt):
    """The step as main took it before issue 12 (--before): every ghost face filled by the plan,
    the general sweep ``ftcs_const_3d``, then ``apply_bc`` at the new time."""
    sw, p, t = st.sweep, st.problem, state["t"]
    out = st._others(u, 1)[0]
    gh = [x for pair in sw.ghosts.fill(u, t) for x in pair]
    K.ftcs_const_3d(u, *gh, *sw.coef, sw.f(p.source_at(t)), sw.f(dt), out)
    apply_bc(out, p.grid, p.bcs, t + dt)
    state["t"] += dt


def devito_steps(u0, steps=10):
    """Devito's generated C for the same step (interior 7-point FTCS, float64, its OpenMP), the
    strongest peer's kernel: a callable taking ``steps`` steps per call (Devito's per-call argument
    processing is paid once per call), or None where Devito is not installed (not a dependency)."""
    try:
        import devito
    except ImportError:
        return None
    g = devito.Grid(shape=u0.shape, extent=tuple(1.0 for _ in u0.shape), dtype=np.float64)
    u = devito.TimeFunction(name="u", grid=g, space_order=2, time_order=1, dtype=np.float64)
    u.data[0] = u0
    dt = 0.9 * min(g.spacing) ** 2 / (2 * len(u0.shape))
    op = devito.Operator(devito.Eq(u.forward, u + dt * u.laplace))
    return lambda: op.apply(time_m=0, time_M=steps - 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="*", type=int, default=[257, 129])
    ap.add_argument("--repeat", type=int, default=41)
    ap.add_argument("--only", default="", help="comma-separated case names (default all)")
    ap.add_argument("--before", action="store_true", help="also time the step as main took it before (same process)")
    ap.add_argument("--clock", choices=sorted(CLOCK), default="wall",
                    help="wall (default) or cpu: process CPU time of all threads (run with OMP_WAIT_POLICY=passive so "
                         "waiting threads do not spin), insensitive to the time slices a loaded machine takes away")
    a = ap.parse_args()
    global clock
    clock = CLOCK[a.clock]
    header("FTCS step / parallel_copy (issue 12: target <= 1.4 at 257^3)")
    print(f"clock: {a.clock}  OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}")
    only = set(a.only.split(",")) - {""}
    for n in a.n:
        print(f"\n## {n}^3 float64, load average {os.getloadavg()}")
        rng = np.random.default_rng(0)
        u0 = rng.random((n, n, n))
        b = np.empty_like(u0)
        floor = (lambda: parallel_copy(u0, b))
        for name, g, bc in cases(n):
            if only and name not in only:
                continue
            p = HeatProblem(u0, g, bc, alpha=1.0)
            st = FTCS(p)
            u = p.initial_field()
            dt = 0.9 * p.dt_explicit
            state = {"t": 0.0}

            def step():
                st.step(u, state["t"], dt)
                state["t"] += dt  # a new time each step, as in a run (time-dependent values re-evaluated)

            med, q1, q3 = pairs(step, floor, a.repeat)
            line = f"  step {name:14s}: {med:5.2f} x copy  (quartiles {q1:.2f}-{q3:.2f})"
            if a.before:
                state["t"] = 0.0
                mb, b1, b3 = pairs(lambda: before_step(st, u, state, dt), floor, a.repeat)
                line += f"   before: {mb:5.2f} ({b1:.2f}-{b3:.2f})"
            print(line, flush=True)
        # the bare kernels (zero ghosts, no Python around them): the row sweep the steps run and
        # the general sweep they ran before (ftcs_const_3d, every ghost a face array)
        g = Grid((n, n, n))
        f = [np.zeros((n, n)) for _ in range(6)]
        out = np.empty_like(u0)
        h2 = 1.0 / g.spacing[0] ** 2
        zw = np.zeros(6)
        jb = 16  # as the steppers (fieldgrad.heat.explicit._Sweeper.jb)
        if not only or "bare" in only:
            for name, bare in (("rows kernel", lambda: K.ftcs_rows_3d(u0, *f[:4], zw, f[4], zw, f[5], 0, *f, h2, h2, h2,
                                                                       0.0, 1e-6, jb, out)),
                               ("general kernel", lambda: K.ftcs_const_3d(u0, *f, h2, h2, h2, 0.0, 1e-6, out))):
                med, q1, q3 = pairs(bare, floor, a.repeat)
                print(f"  bare {name:14s}: {med:5.2f} x copy  (quartiles {q1:.2f}-{q3:.2f})", flush=True)
            dv = devito_steps(u0)
            if dv is None:
                print("  Devito: not installed")
            else:  # 10 steps per call against 10 copies
                med, q1, q3 = pairs(dv, lambda: [floor() for _ in range(10)], max(5, a.repeat // 4))
                print(f"  Devito FTCS step (interior) : {med:5.2f} x copy  (quartiles {q1:.2f}-{q3:.2f})", flush=True)
        print(f"  load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
