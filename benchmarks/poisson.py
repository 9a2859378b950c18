"""Poisson solvers: fieldgrad multigrid / FMG / spectral / MG-CG next to SciPy DST-I, pyamg and plain CG.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/poisson.py [--sizes 129 257] [--repeat 3] [--quick] [--only 257]``

3D Dirichlet problem on the unit cube, exact solution
``u = prod_a (x_a - x_a^2) exp(x_a)`` (not an eigenmode), ``f = laplacian(u)`` analytically.
Everything is timed in one process (medians of ``--repeat`` runs after one warm-up), ratios are
to the SciPy DST-I direct solve of the same discrete problem:

* fieldgrad multigrid to rtol 1e-8 (FMG start + V(2,2) cycles, and plain V(2,2) from zero),
* fieldgrad FMG alone (cubic interpolation of the coarse solution, one V-cycle per level) with its
  error against the exact solution next to the discretisation error (the error of the exact
  discrete solution, by DST-I), and its algebraic error (against that discrete solution),
* 2D (1025^2, 2049^2): multigrid and FMG vs a 2D SciPy DST-I,
* each fine-level multigrid kernel against a parallel copy of the same array (the bandwidth floor),
* fieldgrad spectral, SciPy DST-I,
* pyamg ``ruge_stuben_solver`` setup + CG-accelerated solve to 1e-8 (if pyamg is installed),
* unpreconditioned ``scipy.sparse.linalg.cg`` (capped in iterations and time; reported),
* variable ``k`` (jump 1e4 at x = 1/2): fieldgrad MG-CG vs pyamg,
* O(N): multigrid solve time per unknown from 65^3 upwards,
* peak RSS of a solve, in a fresh subprocess per case, in arrays of the grid's size.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np
import scipy.fft as sfft
import scipy.sparse.linalg as spla

import fieldgrad as fg
from fieldgrad.solvers import PoissonSolver, poisson_matrix

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import header, paired_ratio  # noqa: E402

_LAST_MIN = [float("nan")]


def median_time(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup``; the minimum is kept for
    :func:`row` (on the shared, loaded machine the minimum is the less disturbed number)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    _LAST_MIN[0] = min(times)
    return float(np.median(times))

BC = fg.Dirichlet(0.0)


def problem(n):
    """Grid, right-hand side and exact solution on ``n^3`` nodes."""
    g = fg.Grid((n, n, n))
    x = np.linspace(0.0, 1.0, n)
    gx = (x - x * x) * np.exp(x)
    d2 = (-x * x - 3 * x) * np.exp(x)
    u = gx[:, None, None] * gx[None, :, None] * gx[None, None, :]
    f = (d2[:, None, None] * gx[None, :, None] * gx[None, None, :]
         + gx[:, None, None] * d2[None, :, None] * gx[None, None, :]
         + gx[:, None, None] * gx[None, :, None] * d2[None, None, :])
    return g, f, u


def jump_k(g):
    x = g.mesh()[0]
    return np.where(x < 0.5 - 1e-12, 1.0, 1e4)


def dst_solve(f, h):
    """SciPy DST-I direct solve of the 7-point Dirichlet problem on the interior nodes."""
    fi = f[1:-1, 1:-1, 1:-1]
    m = fi.shape[0]
    lam = -4.0 / h ** 2 * np.sin(np.pi * np.arange(1, m + 1) / (2 * (m + 1))) ** 2
    y = sfft.dstn(fi, type=1, workers=-1)
    y /= lam[:, None, None] + lam[None, :, None] + lam[None, None, :]
    return sfft.idstn(y, type=1, workers=-1, overwrite_x=True)


def rel_residual(A, x, b):
    return float(np.linalg.norm(b - A @ x) / np.linalg.norm(b))


def pyamg_solve(A, b):
    import pyamg

    t0 = time.perf_counter()
    ml = pyamg.ruge_stuben_solver(A)
    t1 = time.perf_counter()
    x = ml.solve(b, tol=1e-8, accel="cg", maxiter=200)
    t2 = time.perf_counter()
    return x, t1 - t0, t2 - t1


def have_pyamg():
    try:
        import pyamg  # noqa: F401
        return True
    except ImportError:
        return False


class _Stop(Exception):
    pass


def plain_cg(A, b, maxiter, max_seconds):
    """Unpreconditioned CG to 1e-8, stopped after ``maxiter`` iterations or ``max_seconds``."""
    count = [0]
    t0 = time.perf_counter()

    def cb(_):
        count[0] += 1
        if time.perf_counter() - t0 > max_seconds:
            raise _Stop

    x = None
    try:
        x, _ = spla.cg(A, b, rtol=1e-8, maxiter=maxiter, callback=cb)
    except _Stop:
        pass
    return count[0], time.perf_counter() - t0, x


def row(name, t, ref, extra="", tmin=None):
    """One line: median time, ratio to the DST-I median, the minimum of the runs in brackets."""
    tmin = _LAST_MIN[0] if tmin is None else tmin
    print(f"  {name:<44s} {t:9.3f} s  {t / ref:8.2f} x DST-I  (min {tmin:.3f} s)  {extra}")


def bench_size(n, repeat, pyamg_max, cg_seconds):
    g, f, uex = problem(n)
    h = g.spacing[0]
    N = (n - 2) ** 3
    print(f"\n## {n}^3 nodes ({N} unknowns), Dirichlet, rtol 1e-8")
    t_dst = median_time(lambda: dst_solve(f, h), repeat)
    dst_min = _LAST_MIN[0]
    ud = dst_solve(f, h)
    err_disc = np.abs(ud - uex[1:-1, 1:-1, 1:-1]).max()
    row("SciPy DST-I (dstn/idstn, workers=-1)", t_dst, t_dst, f"discretisation error {err_disc:.3e}")
    t = median_time(lambda: fg.solve_poisson(f, g, BC, method="spectral"), repeat)
    row("fieldgrad spectral", t, t_dst)

    t0 = time.perf_counter()
    mg = PoissonSolver(g, BC, method="multigrid")
    t_setup = time.perf_counter() - t0
    res = mg.solve(f)
    t = median_time(lambda: mg.solve(f), repeat)
    row("fieldgrad multigrid FMG+V(2,2) (solve)", t, t_dst,
        f"{res.iterations} it, res {res.residuals[-1]:.1e}, setup {t_setup:.3f} s, levels {len(mg.hier.levels)}")
    t_mg = t
    mg_min = _LAST_MIN[0]
    res = mg.solve(f, x0=np.zeros_like(f))
    t = median_time(lambda: mg.solve(f, x0=np.zeros_like(f)), repeat)
    row("fieldgrad multigrid V(2,2) from zero", t, t_dst, f"{res.iterations} it, res {res.residuals[-1]:.1e}")

    m12 = PoissonSolver(g, BC, method="multigrid", nu1=1, nu2=2)
    res = m12.solve(f)
    t = median_time(lambda: m12.solve(f), repeat)
    row("fieldgrad multigrid FMG+V(1,2) (nu1=1)", t, t_dst, f"{res.iterations} it, res {res.residuals[-1]:.1e}")

    t_fmg = None
    for nu1, nu2, its, name in ((2, 1, 1, "FMG (cubic), one V(2,1) per level"),
                                (1, 1, 1, "FMG (cubic), one V(1,1) per level"),
                                (2, 1, 2, "FMG + one more fine V(2,1)")):
        fm = PoissonSolver(g, BC, method="multigrid", fmg=True, nu1=nu1, nu2=nu2)
        res = fm.solve(f, maxiter=its, raise_on_failure=False)
        err = np.abs(res.u - uex).max()
        alg = np.abs(res.u[1:-1, 1:-1, 1:-1] - ud).max()
        t = median_time(lambda: fm.solve(f, maxiter=its, raise_on_failure=False), repeat)
        if t_fmg is None:
            t_fmg, fmg_min = t, _LAST_MIN[0]
        row("fieldgrad " + name, t, t_dst,
            f"error {err / err_disc:.3f} x discretisation error (algebraic {alg / err_disc:.3f} x), "
            f"res {res.residuals[-1]:.1e}")

    out = {"n": n, "dst": t_dst, "mg": t_mg, "fmg": t_fmg, "dst_min": dst_min, "mg_min": mg_min,
           "fmg_min": fmg_min}
    # the targets as medians of adjacent-pair ratios (DST-I, then the solve), steadier under load
    fm = PoissonSolver(g, BC, method="multigrid", fmg=True, nu1=2, nu2=1)
    out["mg_pair"], _ = paired_ratio(lambda: mg.solve(f), lambda: dst_solve(f, h), max(7, repeat))
    out["mg12_pair"], _ = paired_ratio(lambda: m12.solve(f), lambda: dst_solve(f, h), max(7, repeat))
    out["fmg_pair"], _ = paired_ratio(lambda: fm.solve(f, maxiter=1, raise_on_failure=False),
                                      lambda: dst_solve(f, h), max(7, repeat))
    print(f"  adjacent-pair ratios: multigrid to 1e-8 {out['mg_pair']:.2f} x DST-I "
          f"(FMG+V(1,2): {out['mg12_pair']:.2f}), "
          f"FMG {out['fmg_pair']:.2f} x DST-I"
          f"  (loadavg {tuple(round(x, 2) for x in os.getloadavg())})")
    if n <= pyamg_max or cg_seconds > 0:
        A, unknown = poisson_matrix(g, BC, symmetric=True)
        A = (-A).tocsr()
        b = -f.ravel()[unknown]
    if n <= pyamg_max:
        if have_pyamg():
            x, ts, tsol = pyamg_solve(A, b)
            ta = ts + tsol
            print(f"  {'pyamg ruge_stuben setup + CG solve':<44s} {ta:9.3f} s  {ta / t_dst:8.2f} x DST-I  "
                  f"(setup {ts:.2f} s, solve {tsol:.2f} s, res {rel_residual(A, x, b):.1e}); "
                  f"fieldgrad multigrid is {ta / (t_mg + t_setup):.1f}x faster (setup+solve)")
            out["pyamg"] = ta
        else:
            print("  pyamg: not installed (pip install pyamg) -- skipped")
    if cg_seconds > 0:
        its, tc, x = plain_cg(A, b, maxiter=5000, max_seconds=cg_seconds)
        rr = rel_residual(A, x, b) if x is not None else float("nan")
        note = (f"converged in {its} it" if x is not None and rr <= 1e-8 * 1.01 else
                f"STOPPED after {its} it / {tc:.0f} s cap (res {rr:.1e})" if x is not None else
                f"STOPPED after {its} it at the {cg_seconds:.0f} s cap, did not converge")
        print(f"  {'scipy.sparse.linalg.cg, no preconditioner':<44s} {tc:9.3f} s  {tc / t_dst:8.2f} x DST-I  {note}")
    return out


def bench_variable(n, repeat, pyamg_max):
    g, f, _ = problem(n)
    k = jump_k(g)
    print(f"\n## variable k (1 | 1e4 jump at x = 1/2), {n}^3, Dirichlet, rtol 1e-8")
    split = []

    def fg_run():
        t0 = time.perf_counter()
        s = PoissonSolver(g, BC, k, 0.0, "cg")
        t1 = time.perf_counter()
        r = s.solve(f)
        split.append((t1 - t0, time.perf_counter() - t1))
        return r

    res = fg_run()
    split.clear()
    t = median_time(fg_run, max(1, repeat // 2))
    ts, tsol = (float(np.median([a for a, _ in split])), float(np.median([b for _, b in split])))
    print(f"  {'fieldgrad MG-CG setup + solve':<44s} {t:9.3f} s  {res.iterations} it, res {res.residuals[-1]:.1e} "
          f"(setup {ts:.3f} s, solve {tsol:.3f} s)")
    if n <= pyamg_max:
        if have_pyamg():
            A, unknown = poisson_matrix(g, BC, k=k, symmetric=True)
            A = (-A).tocsr()
            b = -f.ravel()[unknown]
            x, ts, tsol = pyamg_solve(A, b)
            ta = ts + tsol
            print(f"  {'pyamg ruge_stuben setup + CG solve':<44s} {ta:9.3f} s  (setup {ts:.2f} s, solve {tsol:.2f} s, "
                  f"res {rel_residual(A, x, b):.1e}); fieldgrad MG-CG is {ta / t:.1f}x faster")
        else:
            print("  pyamg: not installed -- skipped")


def problem2(n):
    """2D analogue of :func:`problem` on ``n^2`` nodes."""
    g = fg.Grid((n, n))
    x = np.linspace(0.0, 1.0, n)
    gx = (x - x * x) * np.exp(x)
    d2 = (-x * x - 3 * x) * np.exp(x)
    return g, d2[:, None] * gx[None, :] + gx[:, None] * d2[None, :], gx[:, None] * gx[None, :]


def dst_solve2(f, h):
    fi = f[1:-1, 1:-1]
    m = fi.shape[0]
    lam = -4.0 / h ** 2 * np.sin(np.pi * np.arange(1, m + 1) / (2 * (m + 1))) ** 2
    y = sfft.dstn(fi, type=1, workers=-1)
    y /= lam[:, None] + lam[None, :]
    return sfft.idstn(y, type=1, workers=-1, overwrite_x=True)


def bench_2d(sizes, repeat):
    out = []
    for n in sizes:
        g, f, uex = problem2(n)
        h = g.spacing[0]
        print(f"\n## 2D: {n}^2 nodes, Dirichlet, rtol 1e-8")
        t_dst = median_time(lambda: dst_solve2(f, h), repeat)
        ud = dst_solve2(f, h)
        err_disc = np.abs(ud - uex[1:-1, 1:-1]).max()
        row("SciPy DST-I 2D", t_dst, t_dst, f"discretisation error {err_disc:.3e}")
        mg = PoissonSolver(g, BC, method="multigrid")
        res = mg.solve(f)
        t = median_time(lambda: mg.solve(f), repeat)
        row("fieldgrad multigrid FMG+V(2,2) (solve)", t, t_dst, f"{res.iterations} it, res {res.residuals[-1]:.1e}")
        fm = PoissonSolver(g, BC, method="multigrid", fmg=True, nu1=2, nu2=1)
        res = fm.solve(f, maxiter=1, raise_on_failure=False)
        t2 = median_time(lambda: fm.solve(f, maxiter=1, raise_on_failure=False), repeat)
        err = np.abs(res.u - uex).max()
        row("fieldgrad FMG (cubic), one V(2,1) per level", t2, t_dst,
            f"error {err / err_disc:.3f} x discretisation error "
            f"(algebraic {np.abs(res.u[1:-1, 1:-1] - ud).max() / err_disc:.3f} x)")
        out.append((n, t / t_dst, t2 / t_dst))
    return out


def bench_kernels(n, repeat):
    """Each fine-level kernel against a parallel copy of one array of the same size: the median over
    ``repeat`` (at least 9) adjacent pairs (copy, then kernel) of the time ratio."""
    from fieldgrad.kernels.cpu import parallel_copy

    g, f, _ = problem(n)
    s = PoissonSolver(g, BC, method="multigrid")
    h, lev = s.hier, s.hier.levels[0]
    u, b = np.zeros(lev.shape), f.copy()
    dst = np.empty_like(u)
    copy = lambda: parallel_copy(u, dst)  # noqa: E731
    cases = [("red-black SOR sweep, both colours one pass", lambda: lev.smooth(u, b, 1)),
             ("residual + full-weighting restriction", lambda: h.residual_restrict(0, u, b, h.levels[1].f)),
             ("residual norm (not stored)", lambda: lev.residual_norm(u, b)),
             ("prolongation + correction", lambda: h.prolong(0, h.levels[1].u, u, False)),
             ("one V(2,2) cycle, all levels", lambda: h.cycle(u, b, 0, "V", 2, 2)),
             ("one V(2,1) cycle, all levels", lambda: h.cycle(u, b, 0, "V", 2, 1))]
    print(f"\n## fine-level kernels at {n}^3 vs a parallel copy (median of adjacent-pair ratios; "
          f"loadavg before {tuple(round(x, 2) for x in os.getloadavg())})")
    tc = median_time(copy, max(9, repeat))
    print(f"  {'parallel copy (read 1 + write 1 array)':<44s} {tc:9.4f} s    1.00 x copy")
    for name, fn in cases:
        r, t = paired_ratio(fn, copy, max(9, repeat))
        print(f"  {name:<44s} {t:9.4f} s  {r:6.2f} x copy")
    print(f"  loadavg after {tuple(round(x, 2) for x in os.getloadavg())}")


def bench_scaling(sizes, repeat):
    print("\n## O(N): multigrid solve (FMG + V(2,2) to 1e-8), time per unknown")
    base = None
    for n in sizes:
        g, f, _ = problem(n)
        s = PoissonSolver(g, BC, method="multigrid")
        res = s.solve(f)
        t = median_time(lambda: s.solve(f), repeat)
        per = t / (n - 2) ** 3 * 1e9
        base = base or per
        print(f"  {n:4d}^3  {t:9.3f} s  {per:7.1f} ns/unknown  {per / base:5.2f} x the {sizes[0]}^3 value  "
              f"({res.iterations} it)")


RSS_CASES = ("dst", "spectral", "multigrid", "cg-var")


def _rss_now_and_peak():
    """(current RSS, peak RSS) in bytes: /proc/self/status (VmRSS, VmHWM) on Linux, else getrusage."""
    try:
        with open("/proc/self/status") as fh:
            d = dict(line.split(":", 1) for line in fh if ":" in line)
        return int(d["VmRSS"].split()[0]) * 1024, int(d["VmHWM"].split()[0]) * 1024
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return peak, peak


def rss_child(case, n):
    """Runs in a fresh process: peak RSS increase of one solve, in arrays of the grid's size.

    The Numba compile / import peak is removed by warming up first and resetting the peak
    (``/proc/self/clear_refs`` = 5, Linux); without that reset ``resource.getrusage`` is used and
    the value is only an upper bound at small sizes.
    """
    g, f, _ = problem(17)  # warm up (Numba cache, imports)
    PoissonSolver(g, BC, method="multigrid").solve(f)
    PoissonSolver(g, BC, jump_k(g), 0.0, "cg").solve(f)
    fg.solve_poisson(f, g, BC, method="spectral")
    g = fg.Grid((n, n, n))
    arr = n ** 3 * 8
    k = jump_k(g) if case == "cg-var" else None  # the input k is not counted
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    base, _ = _rss_now_and_peak()
    f = np.ones(g.shape)  # the input f, counted
    f[1:-1, 1:-1, 1:-1] = -1.0
    if case == "dst":
        dst_solve(f, g.spacing[0])
    elif case == "spectral":
        fg.solve_poisson(f, g, BC, method="spectral")
    elif case == "multigrid":
        PoissonSolver(g, BC, method="multigrid").solve(f)
    else:
        PoissonSolver(g, BC, k, 0.0, "cg").solve(f)
    _, peak = _rss_now_and_peak()
    print(f"{(peak - base) / arr:.2f}")


def bench_rss(n):
    print(f"\n## peak RSS of one solve at {n}^3 (fresh process each; setup + solve; input f counted, "
          "input k not), in arrays of the grid's size")
    for case in RSS_CASES:
        r = subprocess.run([sys.executable, __file__, "--rss-child", case, str(n)], capture_output=True, text=True)
        val = r.stdout.strip().splitlines()[-1] if r.returncode == 0 else "failed: " + r.stderr[-300:]
        print(f"  {case:<12s} {val} arrays")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[129, 257])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pyamg-max", type=int, default=129, help="largest n for pyamg (its setup is slow)")
    ap.add_argument("--cg-seconds", type=float, default=60.0, help="time cap of the plain CG runs (0: skip)")
    ap.add_argument("--sizes2d", type=int, nargs="+", default=[1025, 2049])
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--only", type=int, metavar="N", help="only the N^3 solver rows and its fine-level kernels")
    ap.add_argument("--rss-child", nargs=2, metavar=("CASE", "N"))
    a = ap.parse_args()
    if a.rss_child:
        rss_child(a.rss_child[0], int(a.rss_child[1]))
        return
    if a.quick:
        a.sizes, a.repeat, a.pyamg_max, a.cg_seconds, a.sizes2d = [33, 65], 1, 65, 5.0, [129, 257]
    header("Poisson: fieldgrad multigrid / FMG / spectral / MG-CG vs SciPy DST-I, pyamg, plain CG")
    if a.only:  # one 3D size and its fine-level kernels (no pyamg, CG, 2D, scaling, RSS): a few minutes
        r = bench_size(a.only, a.repeat, 0, 0.0)
        bench_kernels(a.only, a.repeat)
        print(f"\n## targets\n  {a.only}^3: multigrid/DST-I = {r['mg_pair']:.2f} (pairs; FMG+V(1,2) "
              f"{r['mg12_pair']:.2f}; target <= 2), "
              f"FMG/DST-I = {r['fmg_pair']:.2f} (pairs; target <= 1)")
        return
    if not have_pyamg():
        print("note: pyamg is not installed; its rows are skipped (pip install pyamg)")
    results = [bench_size(n, a.repeat, a.pyamg_max, a.cg_seconds) for n in a.sizes]
    res2 = bench_2d(a.sizes2d, a.repeat)
    bench_kernels(max(a.sizes), a.repeat)
    bench_variable(min(max(s for s in a.sizes if s <= a.pyamg_max) if any(s <= a.pyamg_max for s in a.sizes)
                       else a.sizes[0], 129), a.repeat, a.pyamg_max)
    bench_scaling(sorted({65, *a.sizes}), a.repeat)
    bench_rss(max(a.sizes))
    print("\n## targets")
    for r in results:
        line = (f"  {r['n']}^3: multigrid/DST-I = {r['mg'] / r['dst']:.2f} (min/min {r['mg_min'] / r['dst_min']:.2f}; "
                f"pairs {r['mg_pair']:.2f}; target <= 2), FMG/DST-I = {r['fmg'] / r['dst']:.2f} "
                f"(min/min {r['fmg_min'] / r['dst_min']:.2f}; pairs {r['fmg_pair']:.2f}; target <= 1)")
        if "pyamg" in r:
            line += f", pyamg/multigrid = {r['pyamg'] / r['mg']:.1f} (target >= 20)"
        print(line)
    for n, rmg, rfmg in res2:
        print(f"  2D {n}^2: multigrid/DST-I = {rmg:.2f}, FMG/DST-I = {rfmg:.2f}")


if __name__ == "__main__":
    main()
