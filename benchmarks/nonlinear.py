"""Nonlinear steady solves in units of one linear solve of the same size.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/nonlinear.py [--repeat 3]``

For each case: outer iterations, inner iterations, and the median over ``repeat`` adjacent pairs
of ``time(solve_nonlinear) / time(one linear solve)``, the linear solve being the final
linearised problem (k sampled at the solution, exchange faces as their Robin faces) solved from
zero to 1e-10 by ``PoissonSolver`` with a fresh setup -- what one outer iteration would cost if
it solved for ``u`` itself.  Cases: the k(T) square of tests/nonlinear (257^2, Dirichlet), a
k(T) slab with a source (65^3), the radiating + convecting fin (1025 x 2) and the manufactured
k(T) + radiation square (129^2).
"""
import argparse
import os
import sys

import numpy as np

import fieldgrad as fg
from fieldgrad.boundary import resolve_bc
from fieldgrad.nonlinear import linearised_bc
from fieldgrad.solvers import PoissonSolver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests", "nonlinear"))
from _timing import header, paired_ratio  # noqa: E402


def square(n):
    beta, k0 = 0.5, 2.0

    def exact(x, y):
        p = 4.0 + np.sin(np.pi * x) * np.sinh(np.pi * y) / np.sinh(np.pi)
        return (np.sqrt(1 + 2 * beta * p / k0) - 1) / beta

    g = fg.Grid((n, n))
    return g, {f: fg.Dirichlet(lambda x, y: exact(x, y)) for f in g.faces}, np.zeros(g.shape), \
        fg.ConductivityOfT(lambda T: k0 * (1 + beta * T))


def slab3(n):
    g = fg.Grid((n, n, n))
    bc = {"x-": fg.Dirichlet(1.0), "x+": fg.Dirichlet(3.0), "*": fg.Neumann(0.0)}
    return g, bc, np.full(g.shape, -10.0), fg.ConductivityOfT(lambda T: 1.0 + 0.5 * T)


def fin(n):
    g = fg.Grid((n, 2), extent=[(0.0, 0.1), (0.0, 0.002)])
    rad = fg.Radiation(0.8, 300.0, h=10.0)
    return g, {"x-": fg.Dirichlet(600.0), "x+": rad, "y": rad}, np.zeros(g.shape), 20.0


def manufactured(n):
    import test_manufactured_2d as m

    g = fg.Grid((n, n), extent=[(0.0, m.A), (0.0, m.A)])
    X, Y = g.mesh()
    tx, ty, lap = m.derivatives(X, Y)
    f = m.K0 * m.B * (tx ** 2 + ty ** 2) + m.k_of_T(m.T_exact(X, Y)) * lap
    y = g.coords[1]
    tb = m.T_exact(m.A, y)
    eps = m.k_of_T(tb) * -m.derivatives(m.A, y)[0] / (m.SIGMA * (tb ** 4 - m.TA ** 4))
    bc = {"x-": fg.Dirichlet(lambda x, y: m.T_exact(x, y)), "y+": fg.Dirichlet(lambda x, y: m.T_exact(x, y)),
          "y-": fg.Neumann(lambda x, y: -m.derivatives(x, y)[1]), "x+": fg.Radiation(eps, m.TA)}
    return g, bc, f, fg.ConductivityOfT(m.k_of_T)


# (name, builder, size, methods): without exchange faces "newton" and "picard" are the same iteration
CASES = [("k(T) square 257^2", square, 257, ("newton",)), ("k(T) slab 65^3", slab3, 65, ("newton",)),
         ("radiating fin 1025x2", fin, 1025, ("newton", "picard")),
         ("k(T)+radiation square 129^2", manufactured, 129, ("newton", "picard"))]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    header("nonlinear steady solves vs one linear solve")
    print("| case | method | outer | inner iterations | nonlinear / one linear solve (median ratio) | per outer "
          "iteration | nonlinear (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, make, n, methods in CASES:
        g, bc, f, k = make(n)
        for method in methods:
            r = fg.solve_nonlinear(f, g, bc, k=k, method=method)
            kk = k(r.u) if callable(k) else k
            lin = linearised_bc(resolve_bc(bc, g, allow_nonlinear=True), r.u, kk, mode=method)

            def linear():
                PoissonSolver(g, lin, k=kk).solve(f, rtol=1e-10)

            ratio, t = paired_ratio(lambda: fg.solve_nonlinear(f, g, bc, k=k, method=method), linear,
                                    repeat=args.repeat)
            print(f"| {name} | {method} | {r.outer_iterations} | {r.inner_iterations} | {ratio:.2f} | "
                  f"{ratio / r.outer_iterations:.2f} | {t:.3f} |")


if __name__ == "__main__":
    main()
