"""Operator speed next to the memory-bandwidth floor and the usual yardsticks.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/stencils.py [--quick | --bc [--repeat N] [--no-before]]``
(``--bc``: only the laplacian by boundary condition, each ratio the median of ``N`` adjacent pairs,
default 9; ``--no-before`` leaves out the copy-based path it replaced)

For 3D 256^3 (and 257^3) and 2D 4096^2 float64 it prints the median time of each fieldgrad
operator next to, in the same process: a parallel copy kernel on all threads (the floor: a
stencil reads its input and writes its output at least once; for gradients a copy of one array
into ndim arrays), ``np.copyto``, ``numpy.gradient``, ``scipy.ndimage.laplace`` and a NumPy
slicing Laplacian.  Ratios are medians of ratios to the floor run just before each timing, which
holds still on a shared machine where absolute times drift.  Finally the time of
``import fieldgrad`` plus the first ``laplacian`` call in a fresh process (warm Numba cache).
"""
import os
import subprocess
import sys
import time

import numpy as np
import scipy.ndimage
from numba import njit, prange

import fieldgrad as fg
from fieldgrad.kernels.cpu import parallel_copy

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _timing import header, median_time, paired_ratio  # noqa: E402


@njit(parallel=True, cache=True)
def fan_out_copy(src, a, b, c):
    """Read one array, write three: the floor of a gradient (one field in, three out)."""
    s = src.reshape(src.shape[0], -1)
    x, y, z = a.reshape(s.shape), b.reshape(s.shape), c.reshape(s.shape)
    n, m = s.shape
    for i in prange(n):
        for j in range(m):
            v = s[i, j]
            x[i, j] = v
            y[i, j] = v
            z[i, j] = v


def numpy_laplacian(u, h, out):
    out[...] = 0.0
    inner = tuple(slice(1, -1) for _ in range(u.ndim))
    for a in range(u.ndim):
        lo = list(inner)
        hi = list(inner)
        lo[a] = slice(0, -2)
        hi[a] = slice(2, None)
        out[inner] += (u[tuple(lo)] - 2 * u[inner] + u[tuple(hi)]) / h[a] ** 2
    return out


def run_case(shape, repeat):
    g = fg.Grid(shape)
    rng = np.random.default_rng(0)
    u = rng.random(shape)
    k = rng.uniform(1, 2, shape)
    out = np.empty_like(u)
    vec = np.empty((g.ndim,) + shape)
    h = g.spacing
    bc = fg.Dirichlet(0.0)
    fg.apply_bc(u, g, bc)
    vecs = [vec[a] for a in range(g.ndim)] + ([out] if g.ndim == 2 else [])

    def floor():
        parallel_copy(u, out)

    def grad_floor():
        fan_out_copy(u, vecs[0], vecs[1], vecs[2])

    few = max(3, repeat // 2)
    rows = {  # name: (operation, repeats, its floor)
        "fan-out copy 1->ndim (grad floor)": (grad_floor, repeat, floor),
        "np.copyto": (lambda: np.copyto(out, u), repeat, floor),
        "fieldgrad.laplacian": (lambda: fg.laplacian(u, g, out=out), repeat, floor),
        "fieldgrad.laplacian bc=Dirichlet": (lambda: fg.laplacian(u, g, bc, out=out), repeat, floor),
        "fieldgrad.laplacian order=4": (lambda: fg.laplacian(u, g, order=4, out=out), few, floor),
        "fieldgrad.grad": (lambda: fg.grad(u, g, out=vec), repeat, grad_floor),
        "fieldgrad.div": (lambda: fg.div(vec, g, out=out), repeat, floor),
        "fieldgrad.div_k_grad": (lambda: fg.div_k_grad(u, g, k=k, out=out), repeat, floor),
        "fieldgrad.gradient (numpy drop-in)": (lambda: fg.gradient(u, *h), repeat, grad_floor),
        "numpy.gradient": (lambda: np.gradient(u, *h), few, grad_floor),
        "NumPy slicing Laplacian": (lambda: numpy_laplacian(u, h, out), few, floor),
        "scipy.ndimage.laplace": (lambda: scipy.ndimage.laplace(u, output=out), few, floor),
    }
    floor_time = median_time(floor, repeat)
    print(f"\n## {g.ndim}D {'x'.join(map(str, shape))} float64")
    print(f"parallel copy (floor): median {1e3 * floor_time:.2f} ms")
    print(f"{'operation':40s} {'median [ms]':>12s} {'/ its floor':>12s}  (median of ratios to the floor run just before)")
    result = {}
    for name, (fn, rep, fl) in rows.items():
        ratio, t = paired_ratio(fn, fl, rep)
        result[name] = (ratio, t)
        which = "grad floor" if fl is grad_floor else "copy floor"
        print(f"{name:40s} {1e3 * t:12.2f} {ratio:12.2f}  ({which})")
    print(f"numpy.gradient / fieldgrad.gradient: {result['numpy.gradient'][1] / result['fieldgrad.gradient (numpy drop-in)'][1]:.1f}x")
    return result


def laplacian_by_condition(shape=(256, 256, 256), repeat=9, before=True):
    """3D laplacian for every kind of face condition as a ratio to the parallel copy (issue 12's
    target: at most 1.3x for each), with Devito's and pystencils' generated kernels beside it when
    they are installed (they are not dependencies)."""
    g = fg.Grid(shape)
    gp = fg.Grid(shape, periodic=True)
    u = np.random.default_rng(0).random(shape)
    out = np.empty_like(u)
    cases = {
        "Dirichlet(0)": (g, {"*": fg.Dirichlet(0.0)}),
        "Neumann(0)": (g, {"*": fg.Neumann(0.0)}),
        "Robin(1, 1, 0)": (g, {"*": fg.Robin(1.0, 1.0, 0.0)}),
        "periodic": (gp, None),
        "bc=None": (g, None),
    }

    def floor():
        parallel_copy(u, out)

    print(f"\n## laplacian 3D {'x'.join(map(str, shape))} float64 by boundary condition (target <= 1.3x copy)")
    print(f"{'condition':20s} {'median [ms]':>12s} {'/ copy':>8s} {'copy-based path / copy':>24s}  load average")
    result = {}
    for name, (grid, bc) in cases.items():
        ratio, t = paired_ratio(lambda grid=grid, bc=bc: fg.laplacian(u, grid, bc, out=out), floor, repeat)
        old = float("nan")
        if before:
            old, _ = paired_ratio(lambda grid=grid, bc=bc: _copy_based_laplacian(u, grid, bc, out), floor, repeat)
        result[name] = ratio
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{name:20s} {1e3 * t:12.2f} {ratio:8.2f} {old:24.2f}  {load}", flush=True)
    for name, make in (("Devito", _devito_laplacian), ("pystencils", _pystencils_laplacian)):
        try:
            fn = make(u, out)
        except ImportError:
            print(f"{name}: not installed")
            continue
        ratio, t = paired_ratio(fn, floor, repeat)
        print(f"{name + ' (interior 7-point)':20s} {1e3 * t:12.2f} {ratio:8.2f}")
    return result


def _copy_based_laplacian(u, grid, bc, out):
    """The laplacian as it ran before the held sweep (h6): Dirichlet values written into a copy of the
    field when it does not hold them, ghosts filled by the rule table, then the plain sweep."""
    from fieldgrad import boundary as bnd
    from fieldgrad.kernels import cpu

    bcs = bnd.resolve_bc(bc, grid)
    uu = bnd.with_dirichlet(u, grid, bcs)
    ghosts = bnd.ghost_layers(uu, grid, bcs, 2)
    ih2 = [1.0 / h ** 2 for h in grid.spacing]
    cpu.laplacian_3d(uu, *[x for pair in ghosts for x in pair], *ih2, out)


def _devito_laplacian(u, out):
    import devito

    # Devito's default dtype is float32: ask for the field's own dtype, or it moves half the bytes
    grid = devito.Grid(shape=u.shape, extent=tuple(1.0 for _ in u.shape), dtype=u.dtype.type)
    f = devito.Function(name="f", grid=grid, space_order=2, dtype=u.dtype.type)
    r = devito.Function(name="r", grid=grid, space_order=2, dtype=u.dtype.type)
    f.data[:] = u
    op = devito.Operator(devito.Eq(r, f.laplace))
    return lambda: op.apply()


def _pystencils_laplacian(u, out):
    import pystencils as ps

    src, dst = ps.fields(f"src, dst: double[{u.ndim}D]", src=u, dst=out)
    n = src.center
    lap = sum(src[tuple(d if a == b else 0 for b in range(u.ndim))] + src[tuple(-d if a == b else 0 for b in range(u.ndim))]
              for a in range(u.ndim) for d in (1,)) - 2 * u.ndim * n
    try:  # pystencils >= 2.0 names the OpenMP switch cpu_optim.openmp
        config = ps.CreateKernelConfig()
        config.cpu.openmp.enable = True
    except AttributeError:
        config = ps.CreateKernelConfig(cpu_openmp=True)
    kernel = ps.create_kernel(ps.Assignment(dst.center, lap), config=config).compile()
    return lambda: kernel(src=u, dst=out)


def first_call_time():
    code = ("import time; t0 = time.perf_counter(); import numpy as np, fieldgrad as fg; g = fg.Grid((64, 64, 64)); "
            "fg.laplacian(np.zeros(g.shape), g); print(time.perf_counter() - t0)")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # warm the cache
    times = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
             for _ in range(3)]
    print(f"\nimport + first laplacian call in a new process (warm cache), median of 3: {np.median(times):.2f} s")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    header("fieldgrad stencils")
    t0 = time.perf_counter()
    if "--bc" in sys.argv:
        n = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 9
        laplacian_by_condition(repeat=n, before="--no-before" not in sys.argv)
        sys.exit()
    if quick:
        run_case((64, 64, 64), 3)
        run_case((512, 512), 3)
    else:
        run_case((256, 256, 256), 9)
        laplacian_by_condition()
        # node-centred grids naturally have 2^n + 1 nodes; power-of-two strides also alias in cache
        run_case((257, 257, 257), 9)
        run_case((4096, 4096), 9)
    first_call_time()
    print(f"\ntotal benchmark time {time.perf_counter() - t0:.0f} s")
