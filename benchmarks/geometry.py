"""Held-value regions (electrodes, held temperatures) by multigrid / MG-CG vs the SciPy elimination
they replaced, and vs the same box without the regions.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/geometry.py [--n3 129] [--n2 1025] [--repeat 3]
[--no-old]``

* 3D electrostatics, ``n3^3`` nodes on the unit cube: grounded box faces (Dirichlet 0), a
  spherical electrode (r = 0.15) held at 1 V, a dielectric slab (relative permittivity 10 for
  x > 0.6, so the slab also cuts through nothing held); ``solve_steady`` as fields and case runs
  call it (rtol 1e-12).  Timed: the new path (``solve_steady`` -> MG-CG with the held nodes
  eliminated inside the multigrid operator), the old path (a private copy of the SciPy
  elimination ``solve_steady`` had before: above 400 000 unknowns, Jacobi-preconditioned
  ``scipy.sparse.linalg.cg``; run once, it takes minutes), and the same box and dielectric
  without the electrode (x- face at 1 V instead, so there is data; MG-CG, the same rtol).
* 2D heat-sink-like plate, ``n2^2`` nodes: a base plate with 8 fins of conductivity 200 in air
  of conductivity 1, three chips held at 80, 60 and 70 degC inside the base, convection (Robin)
  on the top face, insulated elsewhere; vs the plain box solve (same k and faces, a uniform
  source in place of the chips).

Medians over ``--repeat`` runs of complete calls (setup included: ``solve_steady`` builds its
solver every call), and ratios of adjacent runs, in one process; the old path runs once, between
two halves of the new runs.
"""
import argparse
import os
import sys
import time

import numba
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import fieldgrad as fg
from fieldgrad.fields import solve_steady
from fieldgrad.fields.potential import EPSILON_0
from fieldgrad.solvers import PoissonSolver

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import header, median_time  # noqa: E402


def alternate(first, second, repeat):
    """Times of ``repeat`` runs of each, alternating (load drifts hit both alike): two lists."""
    t1, t2 = [], []
    for _ in range(repeat):
        t1.append(median_time(first, repeat=1, warmup=0))
        t2.append(median_time(second, repeat=1, warmup=0))
    return t1, t2


def old_solve_steady(grid, bc, k, fixed, rtol=1e-12):
    """The SciPy elimination ``fieldgrad.fields._solve.solve_steady`` used before held regions ran
    in multigrid (kept here only as the timing reference; no source, no screening, not singular):
    eliminate Dirichlet and held nodes, symmetrise with the trapezoid weights, sparse direct up to
    400 000 unknowns, else Jacobi-preconditioned CG."""
    from fieldgrad.boundary import Dirichlet
    from fieldgrad.fields._solve import complete_bc
    from fieldgrad.solvers import poisson_matrix, poisson_rhs

    bcs = complete_bc(bc, grid)
    A = poisson_matrix(grid, bcs, k, 0.0).tocsr()
    b = poisson_rhs(np.zeros(grid.shape), grid, bcs, k).ravel()
    dirichlet = np.zeros(grid.shape, dtype=bool)
    for face, cond in bcs.faces.items():
        if isinstance(cond, Dirichlet):
            axis, side = grid.parse_face(face)
            sl = [slice(None)] * grid.ndim
            sl[axis] = 0 if side == 0 else -1
            dirichlet[tuple(sl)] = True
    fixed_mask = dirichlet.copy()
    values = np.where(dirichlet, b.reshape(grid.shape), 0.0)
    for mask, value in fixed:
        fixed_mask |= mask
        values[mask] = np.broadcast_to(value, grid.shape)[mask]
    fixed_flat = fixed_mask.ravel()
    free = np.flatnonzero(~fixed_flat)
    u = values.ravel().copy()
    w = grid.quadrature_weights().ravel()[free]
    Aff = sp.csr_matrix(sp.diags(w) @ A[free][:, free])
    rhs = w * (b[free] - A[free][:, np.flatnonzero(fixed_flat)] @ u[fixed_flat])
    if free.size <= 400_000:
        x = spla.spsolve(Aff.tocsc(), rhs)
    else:
        M = sp.diags(1.0 / -Aff.diagonal())
        x, info = spla.cg(-Aff, -rhs, rtol=rtol, maxiter=20 * int(np.sqrt(free.size)) + 1000, M=M)
        assert info == 0, info
    u[free] = x
    return u.reshape(grid.shape)


def electrostatics(n, repeat, old):
    g = fg.Grid((n, n, n))
    X, Y, Z = g.mesh()
    electrode = (X - 0.35) ** 2 + (Y - 0.5) ** 2 + (Z - 0.5) ** 2 < 0.15 ** 2
    eps = np.where(X > 0.6, 10.0, 1.0) * EPSILON_0
    bc = fg.Dirichlet(0.0)
    fixed = [(electrode, 1.0)]
    print(f"\n## 3D electrostatics {n}^3: electrode sphere r=0.15 at 1 V, eps_r 10 slab, grounded box, rtol 1e-12")
    new = lambda: solve_steady(g, bc, eps, fixed=fixed)  # noqa: E731
    u = new()
    res = PoissonSolver(g, bc, eps, method="cg", fixed=electrode).solve(np.zeros(g.shape), rtol=1e-12,
                                                                           fixed_value=1.0)
    plain_bc = {"x-": fg.Dirichlet(1.0), "x+": fg.Dirichlet(0.0), "y": fg.Dirichlet(0.0), "z": fg.Dirichlet(0.0)}
    plain = lambda: solve_steady(g, plain_bc, eps)  # noqa: E731
    rp = PoissonSolver(g, plain_bc, eps).solve(np.zeros(g.shape), rtol=1e-12)
    # new and plain alternate; the old path (minutes) runs between two halves of the new runs
    t_new, t_plain = alternate(new, plain, repeat)
    print(f"new (MG-CG, held nodes in the multigrid operator): {np.median(t_new):.3f} s median "
          f"({', '.join(f'{t:.2f}' for t in t_new)}), {res.iterations} iterations")
    print(f"same box without the electrode (MG-CG): {np.median(t_plain):.3f} s median, {rp.iterations} iterations")
    print(f"ratio new / no electrode: {np.median(np.array(t_new) / np.array(t_plain)):.2f} (median of adjacent "
          "pairs; target <= 3)")
    if old:
        t0 = time.perf_counter()
        uo = old_solve_steady(g, bc, eps, fixed)
        t_old = time.perf_counter() - t0
        after = [median_time(new, repeat=1, warmup=0) for _ in range(repeat)]
        print(f"old SciPy elimination (Jacobi-CG above 400k unknowns): {t_old:.1f} s (one run); new runs after it: "
              f"{', '.join(f'{t:.2f}' for t in after)}")
        med = float(np.median(t_new + after))
        print(f"ratio old / new: {t_old / med:.1f} against the median of all {len(t_new + after)} new runs, "
              f"{t_old / np.median([t_new[-1], after[0]]):.1f} against the two runs around it (target >= 10); "
              f"max |u_new - u_old| = {np.abs(u - uo).max():.2e} V")
        # one Numba thread, as the SciPy path uses one core: the comparison least moved by load
        nt = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            one = [median_time(new, repeat=1, warmup=0) for _ in range(repeat)]
        finally:
            numba.set_num_threads(nt)
        print(f"new on one Numba thread: {np.median(one):.3f} s median ({', '.join(f'{t:.2f}' for t in one)}); "
              f"ratio old / new (both one core): {t_old / np.median(one):.1f}")


def heat_sink(n, repeat):
    g = fg.Grid((n, n))
    X, Y = g.mesh()
    base = Y < 0.25
    fins = (Y >= 0.25) & (Y < 0.9) & (np.mod(X * 8.0, 1.0) < 0.35)
    k = np.where(base | fins, 200.0, 1.0)
    chips = [((np.abs(X - c) < 0.06) & (np.abs(Y - 0.08) < 0.03), v) for c, v in ((0.2, 80.0), (0.5, 60.0),
                                                                                  (0.8, 70.0))]
    bc = {"x": fg.Neumann(0.0), "y-": fg.Neumann(0.0), "y+": fg.Robin(10.0, 1.0, 200.0)}  # h/k = 10, T_air 20
    print(f"\n## 2D heat sink {n}^2: 8 fins k=200 in k=1, 3 chips held at 80/60/70, convection on y+, rtol 1e-12")
    new = lambda: solve_steady(g, bc, k, fixed=chips)  # noqa: E731
    mask = chips[0][0] | chips[1][0] | chips[2][0]
    res = PoissonSolver(g, bc, k, method="cg", fixed=mask).solve(np.zeros(g.shape), rtol=1e-12, fixed_value=70.0)
    src = np.where(base, 1e3, 0.0)
    plain = lambda: solve_steady(g, bc, k, source=src)  # noqa: E731
    rp = PoissonSolver(g, bc, k).solve(-src, rtol=1e-12)
    new(), plain()
    t_new, t_plain = alternate(new, plain, repeat)
    print(f"held chips (MG-CG): {np.median(t_new):.3f} s median, {res.iterations} iterations")
    print(f"plain box (same k and faces, a source, MG-CG): {np.median(t_plain):.3f} s median, {rp.iterations} "
          "iterations")
    print(f"ratio held / plain: {np.median(np.array(t_new) / np.array(t_plain)):.2f} (median of adjacent pairs; "
          "target < 3)")


def heat_sink_holes_problem(n):
    """The heat sink with holes on ``n^2`` nodes: ``(grid, bc, k, chips mask, chip values)``
    (also the problem of ``links2d_kernels.py``)."""
    from fieldgrad.materials import cell_centres

    g = fg.Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    inside = (yc < 0.25) | (np.mod(xc * 8.0, 1.0) < 0.35)
    for cx in (0.1, 0.9):
        inside &= np.hypot(xc - cx, yc - 0.15) > 0.03
    k = fg.Cells(np.full(inside.shape, 200.0), domain=inside)
    X, Y = g.mesh()
    chips = [((np.abs(X - c) < 0.06) & (np.abs(Y - 0.08) < 0.03), v) for c, v in ((0.3, 80.0), (0.5, 60.0),
                                                                                  (0.7, 70.0))]
    mask = chips[0][0] | chips[1][0] | chips[2][0]
    values = np.where(chips[0][0], 80.0, np.where(chips[1][0], 60.0, 70.0))
    bc = {"x": fg.Neumann(0.0), "y-": fg.Neumann(0.0), "y+": fg.Robin(10.0, 1.0, 200.0)}
    return g, bc, k, mask, values


def heat_sink_holes(n, repeat):
    """The heat sink as a real domain: fins and mounting holes cut out (``Cells(..., domain=)``),
    convection on the fin tips (y+), chips held, against the plain box (one material, the same
    faces, a source; the constant-coefficient multigrid)."""
    g, bc, k, mask, values = heat_sink_holes_problem(n)
    print(f"\n## 2D heat sink with holes {n}^2: fins and 2 mounting holes cut out (Cells domain), 3 chips held, "
          "convection on the fin tips, rtol 1e-10")
    solver = PoissonSolver(g, bc, k, fixed=mask)
    new = lambda: solver.solve(np.zeros(g.shape), rtol=1e-10, fixed_value=values)  # noqa: E731
    plain_solver = PoissonSolver(g, bc, 200.0)
    src = np.where(mask, -1e4, 0.0)  # the chips as sources: a 2D problem
    plain = lambda: plain_solver.solve(src, rtol=1e-10)  # noqa: E731
    setup_new = median_time(lambda: PoissonSolver(g, bc, k, fixed=mask), repeat=1, warmup=0)
    setup_plain = median_time(lambda: PoissonSolver(g, bc, 200.0), repeat=1, warmup=0)
    res, rp = new(), plain()
    t_new, t_plain = alternate(new, plain, repeat)
    print(f"holes + held chips ({res.method}): setup {setup_new:.3f} s, solve {np.median(t_new):.3f} s median, "
          f"{res.iterations} iterations")
    print(f"plain box (k = 200, same faces, the chips as sources; {rp.method}): setup {setup_plain:.3f} s, solve "
          f"{np.median(t_plain):.3f} s median, {rp.iterations} iterations")
    print(f"ratio solve holes / plain: {np.median(np.array(t_new) / np.array(t_plain)):.2f}; setup + solve: "
          f"{(setup_new + np.median(t_new)) / (setup_plain + np.median(t_plain)):.2f} (target < 3)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n3", type=int, default=129)
    ap.add_argument("--n2", type=int, default=1025)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-old", action="store_true")
    a = ap.parse_args()
    header("held-value regions by multigrid (benchmarks/geometry.py)")
    electrostatics(a.n3, a.repeat, not a.no_old)
    heat_sink(a.n2, a.repeat)
    heat_sink_holes(a.n2, a.repeat)


if __name__ == "__main__":
    main()
