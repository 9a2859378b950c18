"""2D variable-coefficient multigrid kernels (:mod:`fieldgrad.solvers.mg_links_2d`): the links
kernels of the fine level and the 9-point kernels of the Galerkin coarse levels against the 3D
kernels on the same ``(nx, ny, 1)`` arrays, and a 2D variable-k solve against an exact solution."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.solvers import PoissonSolver
from fieldgrad.solvers import mg_kernels as K
from fieldgrad.solvers import mg_links as FL
from fieldgrad.solvers import mg_links_2d as L2
from fieldgrad.solvers.discretize import Problem
from fieldgrad.solvers.held import HeldProblem
from fieldgrad.solvers.mg_2d import view2
from fieldgrad.solvers.multigrid import Hierarchy

CASES = [
    ((17, 13), (False, False), {"x-": Dirichlet(1.0), "x+": Neumann(0.3), "y-": Robin(2.0, 1.5, 0.7),
                                "y+": Neumann(0.0)}, False),
    ((16, 21), (True, False), {"y-": Robin(1.0, 2.0, 0.1), "y+": Dirichlet(0.0)}, False),
    ((19, 16), (False, True), {"x": Neumann(0.0)}, True),  # held nodes
    ((24, 20), (True, True), {}, True),
    # an even non-periodic axis (non-uniform coarse grid) and y not coarsened on the first level
    ((18, 13), (False, False), {"x-": Dirichlet(0.0), "*": Neumann(0.0)}, True),
]


def _hierarchy(shape, periodic, bc, held):
    g = Grid(shape, periodic=periodic)
    rng = np.random.default_rng(sum(shape))
    k = np.exp(rng.uniform(-3.0, 3.0, shape))  # contrast ~400 between neighbours
    if held:
        mask = np.zeros(shape, dtype=bool)
        mask[shape[0] // 3: shape[0] // 3 + 3, 4:7] = True
        prob = HeldProblem(g, bc, k, 0.3, mask)
    else:
        prob = Problem(g, bc, k, 0.3)
    return prob, Hierarchy(prob, coarse_size=10)


def _close(a, b, tol=1e-12):
    return np.abs(a - b).max() <= tol * max(np.abs(b).max(), 1e-300)


@pytest.mark.parametrize("shape,periodic,bc,held", CASES)
def test_links_2d_kernels_equal_3d(shape, periodic, bc, held):
    prob, hier = _hierarchy(shape, periodic, bc, held)
    lev = hier.levels[0]
    assert lev.kind == "links" and lev.links_args2 is not None
    fx, fy, fz = lev.fixed1
    rng = np.random.default_rng(3)
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    for use_f in (False, True):  # r3: the residual f - A u after the loop
        r3 = np.empty_like(u)
        FL.residual_links3(u, f, r3, *lev.links, fx, fy, fz, *lev.link_tables, use_f)
        r2 = lev.residual(u, f, np.empty_like(u), use_f=use_f)
        assert np.array_equal(r2, r3)  # the same arithmetic, to the last bit
        r1 = np.empty_like(u)
        FL.residual_links(u, f, r1, *lev.links, fx, fy, fz, *lev.link_tables, use_f)  # dispatches to 2D
        assert np.array_equal(r1, r3)
    D3, D2 = np.empty(lev.shape), np.empty(lev.shape)
    FL.diag_from_links3(*lev.links[:3], *lev.link_tables, D3)
    FL.diag_from_links(*lev.links[:3], *lev.link_tables, D2)  # dispatches to 2D
    assert np.array_equal(D2, D3)
    n3 = FL.residual_norm_links(u, f, *lev.links, fx, fy, fz, *lev.link_tables)
    assert abs(lev.residual_norm(u, f) - n3) <= 1e-13 * n3
    # fused residual + restriction == residual, then restriction
    c = hier.levels[1]
    out = np.empty(c.shape)
    hier.residual_restrict(0, u, f, out)
    (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = hier.transfers[0]
    ref = np.empty(c.shape)
    K.restrict(r3, ref, rix, rwx, riy, rwy, riz, rwz)
    assert _close(out, ref)
    # one fused sweep, either colour first, any slab count == the 3D fused sweep
    for color0 in (0, 1):
        u3 = u.copy()
        FL.smooth_links_fused(u3, f, 1, *lev.links, fx, fy, fz, *lev.link_tables, color0)
        assert not np.allclose(u3, u)
        for nslab in (1, 2, 3, 7):
            u2 = u.copy()
            L2.smooth_links_fused2(view2(u2), view2(f), nslab, *lev.links_args2, color0)
            assert np.array_equal(u2, u3)
    if held:  # held nodes keep their decoupled rows: a sweep puts f / D there
        assert prob.held.sum() == 9
        u2 = u.copy()
        lev.smooth(u2, f, 1)
        assert np.array_equal(u2[prob.held], (f / lev.links[3])[prob.held])


@pytest.mark.parametrize("shape,periodic,bc,held", CASES)
def test_9_point_coarse_kernels_equal_generic(shape, periodic, bc, held):
    prob, hier = _hierarchy(shape, periodic, bc, held)
    assert len(hier.levels) >= 3
    lev = hier.levels[1]
    assert lev.kind == "stencil" and lev.args9 is not None and lev.ncolors == 8
    fx, fy, fz = lev.fixed1
    rng = np.random.default_rng(5)
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    for use_f in (False, True):
        r3 = np.empty_like(u)
        K.residual_stencil(u, f, r3, lev.coef, lev.offs, lev.nbr, fx, fy, fz, use_f)
        r2 = lev.residual(u, f, np.empty_like(u), use_f=use_f)
        assert _close(r2, r3, 1e-14)
    c = hier.levels[2]
    out = np.empty(c.shape)
    hier.residual_restrict(1, u, f, out)
    (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = hier.transfers[1]
    ref = np.empty(c.shape)
    K.restrict(r3, ref, rix, rwx, riy, rwy, riz, rwz)
    assert _close(out, ref)
    for reverse in (False, True):
        u3 = u.copy()
        for col in (range(8)[::-1] if reverse else range(8)):
            K.smooth_stencil(u3, f, lev.coef, lev.offs, lev.nbr, fx, fy, fz, col, 8)
        assert not np.allclose(u3, u)
        for nslab in (1, 2, 3, 5):
            u2 = u.copy()
            L2.smooth9_fused(view2(u2), view2(f), lev.args9[0], nslab, *lev.args9[1:], 1 if reverse else 0)
            assert _close(u2, u3, 1e-14)


def _variable_k_case(n):
    """``div(k grad u) = f`` on the unit square, ``k = 2 + sin(2x + y)``, exact
    ``u = cos(pi x) cos(pi y) + x``; Dirichlet on x-, Neumann on x+ and y-, Robin on y+ (their data
    from the exact solution)."""
    g = Grid((n, n))
    X, Y = g.mesh()
    kf = lambda x, y: 2.0 + np.sin(2 * x + y)  # noqa: E731
    ex = lambda x, y: np.cos(np.pi * x) * np.cos(np.pi * y) + x  # noqa: E731
    ux = lambda x, y: -np.pi * np.sin(np.pi * x) * np.cos(np.pi * y) + 1.0  # noqa: E731
    uy = lambda x, y: -np.pi * np.cos(np.pi * x) * np.sin(np.pi * y)  # noqa: E731
    kx = lambda x, y: 2 * np.cos(2 * x + y)  # noqa: E731
    ky = lambda x, y: np.cos(2 * x + y)  # noqa: E731
    lap = -2 * np.pi ** 2 * np.cos(np.pi * X) * np.cos(np.pi * Y)
    # the solver's convention: div(k grad u) = f
    f = kf(X, Y) * lap + kx(X, Y) * ux(X, Y) + ky(X, Y) * uy(X, Y)
    bc = {"x-": Dirichlet(ex), "x+": Neumann(ux), "y-": Neumann(lambda x, y: -uy(x, y)),
          "y+": Robin(1.0, 1.0, lambda x, y: ex(x, y) + uy(x, y))}
    return g, bc, kf(X, Y), f, ex(X, Y)


@pytest.mark.parametrize("method", ["multigrid", "cg"])
def test_2d_variable_k_solve_is_second_order(method):
    errs = []
    for n in (33, 65, 129):
        g, bc, k, f, exact = _variable_k_case(n)
        solver = PoissonSolver(g, bc, k, method=method)
        assert solver.hier.levels[0].links_args2 is not None
        assert all(lev.args9 is not None for lev in solver.hier.levels[1:])
        res = solver.solve(f, rtol=1e-11)
        assert res.converged
        errs.append(np.abs(res.u - exact).max())
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert errs[-1] < 1e-3
    assert orders.min() > 1.8, (errs, orders)


@pytest.mark.parametrize("shape,periodic,bc,held", CASES)
def test_2d_galerkin_equals_3d_galerkin(shape, periodic, bc, held):
    _, hier = _hierarchy(shape, periodic, bc, held)
    allo = np.array([[dx, dy, dz] for dx in (-1, 0, 1) for dy in (-1, 0, 1) for dz in (-1, 0, 1)], dtype=np.int64)
    keep = [13] + [s for s in range(27) if s != 13 and allo[s, 2] == 0]
    for lv in range(2):
        fine, coarse = hier.levels[lv], hier.levels[lv + 1]
        assert np.array_equal(coarse.offs[:, :2], L2.OFF9) and not coarse.offs[:, 2].any()
        (rix, rwx, pix, pwx), (riy, rwy, piy, pwy), (riz, rwz, piz, pwz) = hier.transfers[lv]
        nc, pc = np.array(coarse.shape, dtype=np.int64), np.array(coarse.periodic, dtype=np.bool_)
        box = L2.standard_box(rix, rwx, pix, pwx, riy, rwy, piy, pwy)
        assert (box[1] > box[0]) == (hier.modes[lv][:2] == (1, 1))  # the table-free interior ran
        if lv == 0:
            slot = np.full(27, -1, dtype=np.int64)
            slot[keep] = np.arange(9)
            ref = np.zeros(coarse.shape + (9,))
            FL.galerkin_links(*fine.links, *fine.link_tables, ref, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy, pwy,
                              piz, pwz, nc, pc, slot)
        else:
            out27 = np.zeros(coarse.shape + (27,))
            K.galerkin(fine.coef, fine.offs, fine.nbr, out27, rix, rwx, riy, rwy, riz, rwz, pix, pwx, piy, pwy,
                       piz, pwz, nc, pc)
            ref = out27[..., keep]
        assert np.array_equal(coarse.coef, ref)  # the same products summed in the same order


@pytest.mark.parametrize("shape,periodic,bc,held", [
    ((41, 29), (False, False), CASES[0][2], True),
    ((48, 30), (True, False), CASES[1][2], False),
    ((56, 44), (True, True), {}, True),
])
def test_sweeps_in_one_pass_equal_separate_sweeps(shape, periodic, bc, held):
    _, hier = _hierarchy(shape, periodic, bc, held)
    rng = np.random.default_rng(7)
    for lv in (0, 1):
        lev = hier.levels[lv]
        nx = lev.shape[0]
        u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
        for sweeps in (2, 3):
            for first in (0, 1):
                ref = u.copy()
                for _ in range(sweeps):
                    if lv == 0:
                        L2.smooth_links_fused2(view2(ref), view2(f), 1, *lev.links_args2, first)
                    else:
                        L2.smooth9_fused(view2(ref), view2(f), lev.args9[0], 1, *lev.args9[1:], first)
                ran = 0
                for nslab in (1, 2, 3):
                    w = L2.wave_schedule(nx, nslab, 2 * sweeps, periodic[0])
                    if w is None:
                        continue
                    ran += 1
                    # every (row, stage) exactly once
                    done = np.concatenate([w[0][s, :w[1][s]] for s in range(len(w[1]))]
                                          + [w[2][b, :w[3][b]] for b in range(len(w[3]))])
                    assert len(done) == nx * 2 * sweeps and len({tuple(x) for x in done}) == len(done)
                    v = u.copy()
                    if lv == 0:
                        L2.smooth_links_waves(view2(v), view2(f), *w, *lev.links_args2, first)
                    else:
                        L2.smooth9_waves(view2(v), view2(f), lev.args9[0], *w, *lev.args9[1:], first)
                    assert np.array_equal(v, ref)
                assert ran >= 1
