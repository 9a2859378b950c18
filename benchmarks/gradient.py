"""fieldgrad.gradient versus numpy.gradient, same arguments, same outputs, one process.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/gradient.py [--n 256] [--repeat 7]``

Prints median times and the ratio numpy/fieldgrad for 3D (n^3) and 2D float64/float32 inputs
with uniform spacings, coordinate arrays and both edge orders, next to two floors measured in
the same process: a parallel kernel that reads the array once and writes three arrays
(preallocated), and the same plus allocating the three outputs (what any function returning
new arrays pays).  numpy and fieldgrad runs are interleaved, so load changes on a shared
machine hit both.  Target (issue 2): fieldgrad.gradient at least 4x faster than
numpy.gradient on 256^3 float64 with 2 threads.
"""
import argparse
import sys
import time

import numpy as np
from numba import njit, prange

import fieldgrad

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _timing import header  # noqa: E402


@njit(parallel=True, cache=True)
def _fan_out(src, a, b, c):
    """Read one 3D array, write three: the memory floor of a 3-component gradient."""
    for i in prange(src.shape[0]):
        for j in range(src.shape[1]):
            for k in range(src.shape[2]):
                v = src[i, j, k]
                a[i, j, k] = v
                b[i, j, k] = v
                c[i, j, k] = v


def _interleaved_medians(fns, repeat):
    """Median time of each function, the runs interleaved so a change in machine load hits all."""
    for fn in fns:
        fn()
    times = [[] for _ in fns]
    for _ in range(repeat):
        for t, fn in zip(times, fns):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in times]


def _check_same(got, ref):
    for g, r in zip(got, ref):
        assert g.dtype == r.dtype and np.allclose(g, r, rtol=1e-12, atol=0), "results differ"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=256, help="points per axis of the 3D case")
    p.add_argument("--n2", type=int, default=4096, help="points per axis of the 2D case")
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args(argv)
    header("fieldgrad.gradient vs numpy.gradient")
    rng = np.random.default_rng(0)
    n, r = args.n, args.repeat

    f = rng.standard_normal((n, n, n))
    outs = [np.empty_like(f) for _ in range(3)]
    fan, fan_alloc = _interleaved_medians([lambda: _fan_out(f, *outs),
                                           lambda: _fan_out(f, *[np.empty_like(f) for _ in range(3)])], r)
    print(f"\n3D {n}^3 float64, all three axes")
    print(f"  floor: read 1 / write 3 (preallocated)   {fan * 1e3:8.1f} ms")
    print(f"  floor: same, allocating the 3 outputs    {fan_alloc * 1e3:8.1f} ms")

    coords = [np.cumsum(rng.uniform(0.5, 1.5, n)) for _ in range(3)]
    cases = [
        ("3D f64 uniform h=(0.1,0.2,0.3), edge_order=1", f, (0.1, 0.2, 0.3), 1),
        ("3D f64 uniform, edge_order=2", f, (0.1, 0.2, 0.3), 2),
        ("3D f64 coordinate arrays, edge_order=2", f, coords, 2),
        ("3D f32 uniform, edge_order=1", f.astype(np.float32), (0.1, 0.2, 0.3), 1),
        (f"2D f64 {args.n2}^2 uniform, edge_order=1",
         rng.standard_normal((args.n2, args.n2)), (0.1, 0.2), 1),
    ]
    print(f"\n{'case':48s} {'numpy':>10s} {'fieldgrad':>10s} {'ratio':>7s}")
    for name, arr, spacing, eo in cases:
        _check_same(fieldgrad.gradient(arr, *spacing, edge_order=eo),
                    np.gradient(arr, *spacing, edge_order=eo))
        t_np, t_fg = _interleaved_medians([lambda: np.gradient(arr, *spacing, edge_order=eo),
                                           lambda: fieldgrad.gradient(arr, *spacing, edge_order=eo)], r)
        print(f"{name:48s} {t_np * 1e3:8.1f}ms {t_fg * 1e3:8.1f}ms {t_np / t_fg:6.1f}x")
        if name.startswith("3D f64 uniform h"):
            print(f"{'   (fieldgrad / allocating floor)':48s} {'':10s} {'':10s} {t_fg / fan_alloc:6.2f}x")


if __name__ == "__main__":
    main()
