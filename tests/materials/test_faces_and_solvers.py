"""Face conductances from cells against the finite-volume balance worked out by hand at a corner
and an edge node; multigrid, MG-CG, direct and the assembled matrix agree; MG-CG iteration counts
for a 1e4 conductivity contrast stay bounded as the grid is refined."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.materials import cell_centres, cell_shape
from fieldgrad.solvers.discretize import Problem


def test_corner_and_edge_rows_are_the_finite_volume_balance():
    hx, hy = 0.5, 0.25
    g = Grid((4, 3), spacing=(hx, hy))
    c = np.array([[1.0, 2.0], [3.0, 5.0], [7.0, 11.0]])
    A = fg.poisson_matrix(g, Neumann(0.0), k=fg.Cells(c), screening=0.0)
    idx = lambda i, j: np.ravel_multi_index((i, j), g.shape)  # noqa: E731
    # corner (0, 0): control volume hx/2 * hy/2; faces hy/2 (to x) and hx/2 (to y), both in cell (0, 0)
    vol = hx * hy / 4
    assert A[idx(0, 0), idx(1, 0)] == pytest.approx((hy / 2) * c[0, 0] / hx / vol, rel=1e-14)
    assert A[idx(0, 0), idx(0, 1)] == pytest.approx((hx / 2) * c[0, 0] / hy / vol, rel=1e-14)
    # edge node (0, 1) on the x- face: volume hx/2 * hy; its x face (length hy) is half in cell
    # (0, 0), half in (0, 1); the y faces (length hx/2) lie in one cell each
    vol = hx * hy / 2
    assert A[idx(0, 1), idx(1, 1)] == pytest.approx((hy / 2) * (c[0, 0] + c[0, 1]) / hx / vol, rel=1e-14)
    assert A[idx(0, 1), idx(0, 0)] == pytest.approx((hx / 2) * c[0, 0] / hy / vol, rel=1e-14)
    assert A[idx(0, 1), idx(0, 2)] == pytest.approx((hx / 2) * c[0, 1] / hy / vol, rel=1e-14)
    # interior node (1, 1): the x+ face (length hy) is half in cell (1, 0), half in (1, 1)
    assert A[idx(1, 1), idx(2, 1)] == pytest.approx((c[1, 0] + c[1, 1]) / 2 / hx ** 2, rel=1e-14)
    # boundary data: flux g through the node's boundary patch, k the mean of the cells touching it
    gflux = 3.0
    b = fg.poisson_rhs(np.zeros(g.shape), g, Neumann(gflux), k=fg.Cells(c))
    assert b[0, 0] == pytest.approx(-((hy / 2) * c[0, 0] * gflux + (hx / 2) * c[0, 0] * gflux) / (hx * hy / 4))
    assert b[0, 1] == pytest.approx(-(hy / 2) * (c[0, 0] + c[0, 1]) * gflux / (hx * hy / 2))
    # rows of every node sum to zero (no screening): a constant is in the null space
    assert np.abs(A @ np.ones(g.size)).max() < 1e-12


def _random_cells(g, seed):
    rng = np.random.default_rng(seed)
    return np.exp(2 * rng.standard_normal(cell_shape(g)))


@pytest.mark.parametrize("shape,periodic", [((17, 13, 9), (False, False, False)), ((16, 17), (True, False))])
def test_methods_agree_and_symmetric_form(shape, periodic):
    g = Grid(shape, periodic=periodic)
    if len(shape) == 3:
        bc = {"x-": Dirichlet(1.0), "x+": Neumann(0.3), "y": Robin(2.0, 1.5, 0.7), "z": Neumann(-0.2)}
    else:
        bc = {"y-": Dirichlet(0.5), "y+": Robin(1.0, 2.0, 0.1)}
    rng = np.random.default_rng(3)
    f = rng.standard_normal(g.shape)
    labels = (rng.random(g.shape) < 0.3).astype(int)
    k = fg.Orthotropic(*([fg.Cells(_random_cells(g, 1))] + [_random_cells(g, 2)] + [np.ones(g.shape) * 2.0]
                         * (len(shape) - 2))) if len(shape) == 3 else fg.Cells(_random_cells(g, 1))
    contact = fg.Contact(labels, 0.05)
    u = {m: fg.solve_poisson(f, g, bc, k=k, contact=contact, screening=0.1, method=m, rtol=1e-12, maxiter=200).u
         for m in ("direct", "cg", "multigrid")}
    scale = np.abs(u["direct"]).max()
    assert np.abs(u["cg"] - u["direct"]).max() < 1e-9 * scale
    assert np.abs(u["multigrid"] - u["direct"]).max() < 1e-9 * scale
    A = fg.poisson_matrix(g, bc, k=k, screening=0.1, contact=contact)
    b = fg.poisson_rhs(f, g, bc, k=k)
    assert np.abs(A @ u["direct"].ravel() - b.ravel()).max() < 1e-9 * np.abs(b).max()
    As, _ = fg.poisson_matrix(g, bc, k=k, screening=0.1, contact=contact, symmetric=True)
    assert abs(As - As.T).max() < 1e-12 * abs(As).max()


def test_links_diag_is_the_assembled_operator():
    """The heat steppers and multigrid read links_diag(); it must be the matrix's operator."""
    g = Grid((9, 7, 5))
    bc = {"x-": Dirichlet(0.0), "*": Robin(1.0, 2.0, 0.0)}
    k = fg.Cells(_random_cells(g, 5))
    contact = fg.Contact((np.arange(g.size).reshape(g.shape) % 3 == 0).astype(int), 0.2)
    prob = Problem(g, bc, k, 0.0, contact)
    Lx, Ly, Lz, D, tables = prob.links_diag()
    A = fg.poisson_matrix(g, bc, k=k, contact=contact)
    fixed = prob.fixed_mask().ravel()
    assert np.allclose(D.ravel()[~fixed], A.diagonal()[~fixed], rtol=1e-14, atol=0)
    idx = lambda *i: np.ravel_multi_index(i, g.shape)  # noqa: E731
    assert Lx[3, 2, 1] == pytest.approx(A[idx(3, 2, 1), idx(4, 2, 1)], rel=1e-14)
    assert Ly[3, 2, 1] == pytest.approx(A[idx(3, 2, 1), idx(3, 3, 1)], rel=1e-14)
    # the reflected ghost doubles the inward link at a Robin face
    assert 2 * Lz[3, 2, 0] == pytest.approx(A[idx(3, 2, 0), idx(3, 2, 1)], rel=1e-14)


# MG-CG iterations to rtol 1e-10 for a square inclusion with conductivity 1e4 (grid-aligned
# cells) in a unit plate, measured 7 on every grid; the bound leaves room for nothing more
CONTRAST_ITERATIONS_2D = 8


@pytest.mark.parametrize("n", [65, 129, 257])
def test_mg_cg_iterations_bounded_for_1e4_contrast(n):
    g = Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    k = np.where((np.abs(xc - 0.5) < 0.25) & (np.abs(yc - 0.5) < 0.25), 1e4, 1.0)
    f = np.ones(g.shape)
    res = fg.solve_poisson(f, g, Dirichlet(0.0), k=fg.Cells(k), rtol=1e-10)
    assert res.method == "cg"
    assert res.iterations <= CONTRAST_ITERATIONS_2D
    ref = fg.solve_poisson(f, g, Dirichlet(0.0), k=fg.Cells(k), method="direct").u
    A = fg.poisson_matrix(g, Dirichlet(0.0), k=fg.Cells(k))
    b = fg.poisson_rhs(f, g, Dirichlet(0.0), k=fg.Cells(k)).ravel()
    true = lambda u: np.linalg.norm(A @ u.ravel() - b) / np.linalg.norm(b)  # noqa: E731
    # at this contrast the true residual bottoms out at round-off (~1e-8 at n = 257: matrix
    # entries ~1e4 n^2): CG gets as close to it as the sparse direct solve does
    assert true(res.u) <= max(1e-9, 2 * true(ref))
    assert np.abs(res.u - ref).max() <= 1e-4 * np.abs(ref).max()
