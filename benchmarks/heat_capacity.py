"""Heat capacity field: cost of a step of the ``k`` / ``rho_c`` form against the ``alpha`` form.

Run: ``python benchmarks/heat_capacity.py [n2d] [n3d]`` (defaults 513 and 65).

The same problem both ways: an array diffusivity ``alpha`` (node array, harmonic face means) and
``k = alpha``, ``rho_c = 1`` as an array, on a 2D grid ``n2d^2`` and a 3D grid ``n3d^3`` with
Neumann walls.  Printed: the median wall time of one FTCS step, one RKL2 step of 10 stages and
one backward Euler / Crank--Nicolson step (multigrid to rtol 1e-8, warm-started), the median
ratio ``k form / alpha form`` of steps run alternately in one process (the shared machine's load
falls on both), and the multigrid cycles per implicit step.  A
second ``rho_c`` case (two materials, ratio 100) gives the implicit cycle counts with an array
screening ``rho_c / dt``.
"""
import sys
import time

import numpy as np

from fieldgrad import Grid, Neumann
from fieldgrad.heat.explicit import FTCS, RKL2
from fieldgrad.heat.implicit import BackwardEuler, CrankNicolson
from fieldgrad.heat.problem import HeatProblem


def interleaved(pairs, reps):
    """Median times and median ratio of two steppers run alternately (the machine's load hits both)."""
    states = []
    for st, u, dt in pairs:
        states.append(st.step(u, 0.0, dt, n=5))  # compile / set up
    it0 = [st.solver_iterations for st, _, _ in pairs]
    times = [[], []]
    for _ in range(reps):
        for m, (st, _, dt) in enumerate(pairs):
            t = time.perf_counter()
            states[m] = st.step(states[m], 0.0, dt, n=5)
            times[m].append(time.perf_counter() - t)
    ratio = float(np.median(np.array(times[1]) / np.array(times[0])))
    cycles = [(st.solver_iterations - i0) / reps for (st, _, _), i0 in zip(pairs, it0)]
    return [float(np.median(t)) for t in times], ratio, cycles


def steppers(p):
    lim = p.dt_explicit
    return {"ftcs": (FTCS(p), 0.9 * lim), "rkl2 s=10": (RKL2(p, stages=10), 20.0 * lim),
            "backward_euler": (BackwardEuler(p), 200.0 * lim),
            "crank_nicolson": (CrankNicolson(p, rannacher=0), 200.0 * lim)}


def case(shape, reps):
    g = Grid(shape)
    u0 = np.random.default_rng(0).random(shape)
    X = g.mesh()[0]
    alpha = 1.0 + 0.5 * np.sin(3 * X)
    pa = HeatProblem(u0, g, Neumann(0.0), alpha=alpha)
    pk = HeatProblem(u0, g, Neumann(0.0), k=alpha, rho_c=np.ones(shape))
    p2 = HeatProblem(u0, g, Neumann(0.0), k=alpha, rho_c=np.where(X < 0.5, 1.0, 100.0))
    sa, sk, s2 = steppers(pa), steppers(pk), steppers(p2)
    print(f"\n{'x'.join(map(str, shape))}: median of {reps} alternating steps; (multigrid cycles per step)")
    for name in sa:
        (ta, tk), ratio, cyc = interleaved([(sa[name][0], pa.initial_field(), sa[name][1]),
                                            (sk[name][0], pk.initial_field(), sk[name][1])], reps)
        line = (f"  {name:15s} alpha {ta * 1e3:8.2f} ms ({cyc[0]:.1f})  k/rho_c {tk * 1e3:8.2f} ms ({cyc[1]:.1f})"
                f"  median ratio k/alpha {ratio:.2f}")
        if name in ("backward_euler", "crank_nicolson"):
            (_, t2), _, c2 = interleaved([(sa[name][0], pa.initial_field(), sa[name][1]),
                                          (s2[name][0], p2.initial_field(), s2[name][1])], reps)
            line += f"  | rho_c 1:100 {t2 * 1e3:8.2f} ms ({c2[1]:.1f})"
        print(line)


if __name__ == "__main__":
    n2 = int(sys.argv[1]) if len(sys.argv) > 1 else 513
    n3 = int(sys.argv[2]) if len(sys.argv) > 2 else 65
    case((n2, n2), 9)
    case((n3, n3, n3), 9)
