"""Multigrid and MG-CG on anisotropic grids (spacing ratios 1 to 1000): semi-coarsening keeps the
cycle counts bounded independently of the ratio and of the grid size (full coarsening stalled
at a ratio of 100), the answer equals the sparse direct solve, and the discretisation stays
second order."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin
from fieldgrad.solvers import PoissonSolver, solve_poisson
from fieldgrad.solvers.mg_semicoarsen import coarsen_modes

RATIOS = (1, 10, 100, 1000)
MG_CYCLES, CG_ITERS = 6, 8  # measured at most 6 and 7 (see benchmarks/RESULTS.md)

BCS = {
    "dirichlet": Dirichlet(0.3),
    "neumann": Neumann(0.0),
    "robin": Robin(1.0, 0.5, 0.2),
    "periodic": Periodic(),
    "mixed": {"*": Neumann(0.1), "x-": Dirichlet(1.0), "y+": Robin(2.0, 1.0, 0.0)},
}


def _grid(n, dim, fine_axes, ratio, periodic):
    """``n`` nodes per axis (``n - 1`` when periodic); the axes in ``fine_axes`` get a spacing
    ``ratio`` times smaller than the others."""
    h = [1.0 / (n - 1)] * dim
    for a in fine_axes:
        h[a] /= ratio
    shape = (n - 1 if periodic else n,) * dim
    return Grid(shape, spacing=h, periodic=periodic)


def _cycles_to(residuals, rtol):
    return next(i + 1 for i, r in enumerate(residuals) if r <= rtol)


def test_coarsen_modes_follow_the_strong_axes():
    per = (False,) * 3
    # isotropic: every axis; hy = hx/100: only y until the spacings meet
    assert coarsen_modes((65, 65, 65), (0.1, 0.1, 0.1), per) == (1, 1, 1)
    assert coarsen_modes((65, 65, 1), (1.0, 0.01, 1.0), per) == (0, 1, 0)
    assert coarsen_modes((65, 65, 65), (0.01, 0.01, 1.0), per) == (1, 1, 0)
    # within a factor 2 in 1/h^2 counts as isotropic
    assert coarsen_modes((65, 65, 1), (1.0, 0.75, 1.0), per) == (1, 1, 0)
    # the strong axis is down to 3 nodes: a small level stops (coarse LU), a large one goes on
    assert coarsen_modes((65, 3, 1), (1.0, 0.1, 1.0), per) == (0, 0, 0)
    assert coarsen_modes((65, 3, 1), (1.0, 0.1, 1.0), per, stuck_lu=100) == (1, 0, 0)
    # a thin isotropic slab still coarsens its wide axes
    assert coarsen_modes((3, 65, 65), (0.1, 0.1, 0.1), per) == (0, 1, 1)
    # a mildly stronger stuck axis (couplings 16 : 36, periodic y of 6 nodes) is no reason to stop:
    # the other axes coarsen and a small grid stays multilevel
    assert coarsen_modes((5, 6, 5), (0.25, 1 / 6, 0.25), (False, True, False)) == (1, 0, 1)


CASES = [(2, (1,), name) for name in BCS] + [
    (3, (2,), "mixed"), (3, (2,), "periodic"), (3, (0, 1), "robin"), (3, (0, 1), "neumann")]


@pytest.mark.parametrize("dim,fine_axes,bcname", CASES, ids=[f"{d}d-{''.join(map(str, a))}-{b}" for d, a, b in CASES])
def test_cycles_bounded_and_equal_to_direct(dim, fine_axes, bcname):
    sizes = (33, 65) if dim == 2 else (9, 17)
    bc = BCS[bcname]
    periodic = bcname == "periodic"
    counts = {}
    for ratio in RATIOS:
        for n in sizes:
            g = _grid(n, dim, fine_axes, ratio, periodic)
            rng = np.random.default_rng(n)
            f = rng.standard_normal(g.shape)
            ref = solve_poisson(f, g, bc, method="direct").u
            runs = [("multigrid", None), ("cg", None)]
            if ratio == RATIOS[-1]:  # variable k (Galerkin coarse operators on the semi-coarsened grids)
                runs.append(("cg", 1.0 + 0.5 * np.sin(np.arange(g.size).reshape(g.shape)) ** 2))
            for method, k in runs:
                # a small coarse level so that these small grids get deep hierarchies
                s = PoissonSolver(g, bc, k=k, method=method, coarse_size=30)
                res = s.solve(f, rtol=1e-10, maxiter=30, raise_on_failure=False)
                # 1e-10 can be below the round-off floor of the residual itself (eps ||A|| ||u||
                # grows as ratio^2 n^2; measured 1.5e-9 for Neumann at 1000, 65^2): the claim is
                # the count to 1e-8
                assert min(res.residuals) <= 1e-8, (ratio, n, method, res.residuals)
                counts[ratio, n, method, k is None] = _cycles_to(res.residuals, 1e-8)
                if k is None:
                    # both solutions carry round-off amplified by the condition number, which
                    # grows as ratio^2 (n-1)^2: 1e-8 up to ratio 10; measured differences 2.5e-8
                    # (ratio 100) and 2.5e-7 (ratio 1000, 65^2) of max|u|
                    tol = max(1e-8, 50 * np.finfo(float).eps * ratio ** 2 * (n - 1) ** 2)
                    scale = np.abs(ref).max()
                    assert np.abs(res.u - ref).max() <= tol * scale, (ratio, n, method)
    for (ratio, n, method, _), c in counts.items():
        assert c <= (MG_CYCLES if method == "multigrid" else CG_ITERS), counts


def _manufactured(n, dim, ratio):
    """u = sin(pi x) cos(pi y / Ly) [sin(pi z)] on a box with Ly = 1/ratio (so hy = hx/ratio):
    Dirichlet on x (and z), Neumann at y = 0, Robin at y = Ly; ``method="auto"`` picks multigrid."""
    ly = 1.0 / ratio
    ext = [(0.0, 1.0), (0.0, ly)] + [(0.0, 1.0)] * (dim - 2)
    g = Grid((n,) * dim, extent=ext)
    X = g.mesh()
    u = np.sin(np.pi * X[0]) * np.cos(np.pi * X[1] / ly)
    lap = -(np.pi ** 2 + (np.pi / ly) ** 2)
    if dim == 3:
        u = u * np.sin(np.pi * X[2])
        lap -= np.pi ** 2
    # at y = Ly: u = -sin(pi x)[sin(pi z)], du/dn = 0, so alpha u + beta du/dn = -alpha sin(pi x)...
    if dim == 2:
        rob = Robin(2.0, ly, lambda x, y: -2.0 * np.sin(np.pi * x))
    else:
        rob = Robin(2.0, ly, lambda x, y, z: -2.0 * np.sin(np.pi * x) * np.sin(np.pi * z))
    bc = {"*": Dirichlet(0.0), "y-": Neumann(0.0), "y+": rob}
    return g, bc, lap * u, u


@pytest.mark.parametrize("dim,sizes", [(2, (17, 33, 65)), (3, (9, 17, 33))])
@pytest.mark.parametrize("ratio", [10, 1000])
def test_manufactured_solution_second_order_with_auto(dim, sizes, ratio):
    errs = []
    for n in sizes:
        g, bc, f, u = _manufactured(n, dim, ratio)
        res = solve_poisson(f, g, bc, method="auto", rtol=1e-10)
        assert res.method == "multigrid" and res.converged
        assert res.iterations <= MG_CYCLES + 2, res.residuals  # to 1e-10
        errs.append(np.abs(res.u - u).max())
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 1.9), (errs, orders)


def test_cuda_fast_path_leaves_anisotropic_grids_to_the_semi_coarsened_levels():
    # the fast all-Dirichlet CUDA multigrid coarsens every axis; anisotropic grids go to the
    # stencil levels, which take this CPU hierarchy (and so its semi-coarsening)
    from fieldgrad.solvers.cuda_poisson import _fast_path

    assert _fast_path(Grid((33, 33)), Dirichlet(0.0), None, 0.0, "auto")
    assert not _fast_path(Grid((33, 33), spacing=(1.0, 0.01)), Dirichlet(0.0), None, 0.0, "auto")
