"""Active nodes of 2D multigrid levels (:mod:`fieldgrad.solvers.active_segments`): the row runs,
the coarse active sets, the row kernels on the runs against a Gauss-Seidel written from the
explicit matrix, and the V-cycle of a domain with holes as a symmetric preconditioner that
never leaves the domain."""
import numpy as np
import pytest
import scipy.sparse as sp_

import fieldgrad as fg
from fieldgrad import Grid, Neumann, Robin
from fieldgrad.materials import cell_centres
from fieldgrad.solvers import PoissonSolver
from fieldgrad.solvers.active_segments import coarse_active, full_segments, row_segments
from fieldgrad.solvers.held import HeldProblem
from fieldgrad.solvers.krylov import HostOps
from fieldgrad.solvers.multigrid import Hierarchy


def test_row_segments_reproduce_the_mask():
    rng = np.random.default_rng(0)
    for shape in ((1, 1), (5, 1), (7, 9), (13, 4)):
        for p in (0.0, 0.3, 0.8, 1.0):
            m = rng.random(shape) < p
            sp, sv = row_segments(m)
            back = np.zeros(shape, dtype=bool)
            for i in range(shape[0]):
                runs = sv[sp[i]:sp[i + 1]]
                assert np.all(runs[:, 0] < runs[:, 1])
                assert np.all(runs[1:, 0] > runs[:-1, 1])  # ascending, separated by a gap
                for a, b in runs:
                    back[i, a:b] = True
            assert np.array_equal(back, m)
    fsp, fsv = full_segments(4, 6)
    assert fsp.tolist() == [0, 1, 2, 3, 4] and fsv.tolist() == [[0, 6]] * 4


def test_coarse_active_is_the_restriction_footprint():
    rng = np.random.default_rng(1)
    act = rng.random((9, 11)) < 0.1
    rix = np.array([[0, 1, -1], [1, 2, 3], [3, 4, 5], [5, 6, 7], [7, 8, -1]])
    riy = np.array([[0, 1, -1], [1, 2, 3], [3, 4, 5], [5, 6, 7], [7, 8, 9], [9, 10, -1]])
    want = np.zeros((5, 6), dtype=bool)
    for I in range(5):
        for J in range(6):
            want[I, J] = any(act[p, q] for p in rix[I] if p >= 0 for q in riy[J] if q >= 0)
    assert np.array_equal(coarse_active(act, rix, riy), want)


def _holes_hierarchy(n=37, periodic=(False, False)):
    """A variable-k 2D problem with held nodes and its hierarchy, and an active set with a hole and
    a notch (``n`` a multiple of 4 on a periodic axis keeps the colours of both levels a colouring)."""
    g = Grid((n, n), periodic=periodic)
    rng = np.random.default_rng(n)
    k = np.exp(rng.uniform(-2.0, 2.0, (n, n)))
    held = np.zeros((n, n), dtype=bool)
    held[n // 3: n // 3 + 2, 3:6] = True
    bc = {"y-": Robin(1.0, 1.0, 0.0), "y+": Neumann(0.0)}
    if not periodic[0]:
        bc["x"] = Neumann(0.0)
    prob = HeldProblem(g, bc, k, 0.0, held)
    hier = Hierarchy(prob, coarse_size=50)
    X, Y = g.mesh()
    active = ((X - 0.6) ** 2 + (Y - 0.5) ** 2 > 0.2 ** 2) & ((X < 0.8) | (Y < 0.3))
    return hier, active


def _matrix(lev):
    """The level's operator as a CSR matrix (rows of fixed nodes: identity)."""
    coef, offs = lev.explicit()
    shape = lev.shape
    n = int(np.prod(shape))
    idx = np.arange(n).reshape(shape)
    rows, cols, vals = [], [], []
    for s in range(offs.shape[0]):
        for i, j, kk in np.ndindex(shape):
            c = coef[s, i, j, kk]
            if c == 0.0:
                continue
            q = [i + offs[s, 0], j + offs[s, 1], kk + offs[s, 2]]
            ok = True
            for a in range(3):
                if lev.periodic[a]:
                    q[a] %= shape[a]
                elif not 0 <= q[a] < shape[a]:
                    ok = False
            if ok:
                rows.append(idx[i, j, kk])
                cols.append(idx[tuple(q)])
                vals.append(c)
    return sp_.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _gs_reference(A, u, f, order, fixed):
    """Gauss-Seidel over the node lists of ``order`` (one list per colour, updated in turn)."""
    u = u.ravel().copy()
    diag = A.diagonal()
    for nodes in order:
        for p in nodes:
            if fixed[p]:
                continue
            row = A.getrow(p)
            off = row.dot(u)[0] - diag[p] * u[p]
            u[p] = (f.ravel()[p] - off) / diag[p]
    return u


@pytest.mark.parametrize("periodic", [(False, False), (True, False)])
def test_row_kernels_on_runs_equal_gauss_seidel_on_the_active_nodes(periodic):
    hier, active = _holes_hierarchy(40 if periodic[0] else 37, periodic)
    assert hier.set_active(active)
    rng = np.random.default_rng(2)
    for lv in (0, 1):
        lev = hier.levels[lv]
        act = lev.active
        assert act.any() and not act.all()
        nx, ny = lev.shape[:2]
        A = _matrix(lev)
        fx, fy, _ = lev.fixed1
        fixed = (fx[:, None] | fy[None, :]).ravel()
        u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
        I, J = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        if lv == 0:  # red-black: colour (i + j) % 2, colour 0 first
            order = [np.flatnonzero((act & ((I + J) % 2 == c)).ravel()) for c in (0, 1)]
        else:  # 4 colours: even rows (even j, odd j), then odd rows
            order = [np.flatnonzero((act & (I % 2 == a) & (J % 2 == b)).ravel()) for a in (0, 1) for b in (0, 1)]
        want = _gs_reference(A, u, f, order, fixed).reshape(lev.shape)
        got = u.copy()
        lev.smooth(got, f, 1)
        assert np.array_equal(got[~act[:, :, None]], u[~act[:, :, None]])  # inactive nodes untouched
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
        # residual: f - A u on the active nodes, 0 elsewhere
        r = lev.residual(u, f, np.empty(lev.shape))
        rr = (f.ravel() - A.dot(u.ravel())).reshape(lev.shape)
        rr[~act] = 0.0
        rr.reshape(-1)[fixed] = 0.0
        np.testing.assert_allclose(r, rr, rtol=0, atol=1e-12 * np.abs(rr).max())
        assert lev.residual_norm(u, f) == pytest.approx(np.linalg.norm(rr), rel=1e-12)


def test_v_cycle_on_active_nodes_is_symmetric_and_stays_inside():
    hier, active = _holes_hierarchy()
    assert hier.set_active(active)
    ops = HostOps(hier, nu=2)
    rng = np.random.default_rng(3)
    shape = hier.levels[0].shape
    mask = active.reshape(shape)
    x, y = (np.where(mask, rng.standard_normal(shape), 0.0) for _ in range(2))
    mx, my = np.empty(shape), np.empty(shape)
    ops.precondition(x, mx)
    ops.precondition(y, my)
    assert np.all(mx[~mask] == 0.0) and np.all(my[~mask] == 0.0)
    assert abs(ops.dot(x, my) - ops.dot(mx, y)) <= 1e-12 * abs(ops.dot(x, my))
    # div(k grad u) is negative definite, and so is its preconditioner
    assert ops.dot(x, mx) < 0.0 and ops.dot(y, my) < 0.0


def test_finned_plate_solution_unchanged_by_skipping_the_outside():
    """A heat sink (5 fins on a base with a mounting hole, a held chip, convection on the fin
    tips) at 129^2: the solve on the active nodes (the default) against the direct solve."""
    n = 129
    g = Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    base = yc < 0.3
    fins = np.mod(xc * 5.0, 1.0) < 0.4
    hole = np.hypot(xc - 0.2, yc - 0.12) <= 0.05
    k = fg.Cells(np.full(xc.shape, 150.0), domain=(base | fins) & ~hole)
    X, Y = g.mesh()
    chip = (np.abs(X - 0.6) < 0.08) & (np.abs(Y - 0.1) < 0.04)
    bc = {"x": Neumann(0.0), "y-": Neumann(0.0), "y+": Robin(8.0, 1.0, 160.0)}
    s = PoissonSolver(g, bc, k, fixed=chip)
    assert s.hier.levels[0].active is not None and not s.hier.levels[0].active.all()
    assert s.level0.active is not None
    res = s.solve(np.zeros(g.shape), rtol=1e-11, fixed_value=80.0)
    ref = PoissonSolver(g, bc, k, fixed=chip, method="direct").solve(np.zeros(g.shape), fixed_value=80.0)
    assert np.abs(res.u - ref.u).max() <= 1e-8 * np.abs(ref.u).max()
    assert res.iterations <= 7


def test_set_active_declined_without_2d_row_kernels():
    g = Grid((9, 9, 9))
    prob = HeldProblem(g, Neumann(0.0), np.ones(g.shape) + np.arange(9)[:, None, None], 0.0,
                       np.pad(np.ones((1, 1, 1), dtype=bool), 4))
    hier = Hierarchy(prob, coarse_size=50)
    assert not hier.set_active(np.ones(g.shape, dtype=bool))
    assert all(lev.active is None for lev in hier.levels)


def _transfer_matrix(idx_x, w_x, idx_y, w_y, nrows, ncols):
    """The 2D tensor-product transfer ``T[(r, s), (c, d)] = w_x[r, a] w_y[s, b]`` from per-axis
    tables (``idx[r, a]`` -1: unused)."""
    def axis(idx, w, ncol):
        rows, cols, vals = [], [], []
        for r in range(idx.shape[0]):
            for a in range(idx.shape[1]):
                if idx[r, a] >= 0 and w[r, a] != 0.0:
                    rows.append(r), cols.append(idx[r, a]), vals.append(w[r, a])
        return sp_.csr_matrix((vals, (rows, cols)), shape=(idx.shape[0], ncol))
    return sp_.kron(axis(idx_x, w_x, ncols[0]), axis(idx_y, w_y, ncols[1])).tocsr()


@pytest.mark.parametrize("periodic", [(False, False), (True, False)])
def test_coarse_levels_are_the_galerkin_operators_of_the_active_sub_problem(periodic):
    """``Hierarchy(..., active=)``: on the active coarse nodes, ``R_a A_aa P_a`` with the fine
    operator's rows and columns at active nodes only, written here from the explicit matrices."""
    n = 40 if periodic[0] else 37
    hier0, active = _holes_hierarchy(n, periodic)
    hier = Hierarchy(hier0.prob, coarse_size=50, active=active)
    assert hier.levels[0].active is not None
    for lv in range(len(hier.levels) - 1):
        fine, coarse = hier.levels[lv], hier.levels[lv + 1]
        (rix, rwx, pix, pwx), (riy, rwy, piy, pwy), _ = hier.transfers[lv]
        R = _transfer_matrix(rix, rwx, riy, rwy, None, fine.shape[:2])
        P = _transfer_matrix(pix, pwx, piy, pwy, None, coarse.shape[:2])
        fa, ca = fine.active.ravel(), coarse.active.ravel()
        A = _matrix(fine)
        fixed_f = (fine.fixed1[0][:, None] | fine.fixed1[1][None, :]).ravel()
        keep_f = fa & ~fixed_f
        want = (R[:, keep_f] @ A[keep_f][:, keep_f] @ P[keep_f]).toarray()
        got = _matrix(coarse).toarray()
        fixed_c = (coarse.fixed1[0][:, None] | coarse.fixed1[1][None, :]).ravel()
        rows = ca & ~fixed_c
        scale = np.abs(want[rows]).max()
        np.testing.assert_allclose(got[rows], want[rows], rtol=0, atol=1e-12 * scale)
        assert np.all(got[~ca] == 0.0)  # no rows are built off the active nodes
    # the cycle of the sub-problem converges as the whole-grid one does on this random-k problem
    # (about 0.27 per V(2,2) cycle with and without the holes)
    lev = hier.levels[0]
    rng = np.random.default_rng(4)
    f = np.where(active.reshape(lev.shape), rng.standard_normal(lev.shape), 0.0)
    u = np.zeros(lev.shape)
    r0 = lev.residual_norm(u, f)
    for _ in range(6):
        hier.cycle(u, f, 0, "V", 2, 2)
    assert lev.residual_norm(u, f) < 1e-3 * r0
