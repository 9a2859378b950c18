"""The assembled matrix matches the operators; every method matches the sparse direct solve."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin, apply_bc
from fieldgrad.operators import div_k_grad
from fieldgrad.solvers import PoissonSolver, poisson_matrix, poisson_rhs, solve_poisson

MIXED3 = {"x-": Dirichlet(1.0), "x+": Neumann(0.3), "y": Robin(2.0, 1.5, 0.7), "z": Neumann(0.2)}
MIXED2 = {"x-": Dirichlet(lambda x, y: np.sin(3 * y)), "x+": Robin(1.0, 2.0, 0.5), "y-": Neumann(-0.4),
          "y+": Dirichlet(0.0)}


def test_matrix_equals_div_k_grad_minus_screening():
    rng = np.random.default_rng(1)
    g = Grid((7, 6, 5))
    k = 1 + rng.random(g.shape)
    u = apply_bc(rng.random(g.shape), g, MIXED3)
    A = poisson_matrix(g, MIXED3, k=k, screening=0.5)
    b0 = poisson_rhs(np.zeros(g.shape), g, MIXED3, k=k)  # minus the boundary-data terms
    mine = (A @ u.ravel()).reshape(g.shape) - b0
    ref = div_k_grad(u, k, g, MIXED3) - 0.5 * u
    assert np.abs(mine - ref)[1:].max() < 1e-11 * np.abs(ref).max()
    assert np.allclose(mine[0], u[0] - 1.0)  # identity rows on the Dirichlet face (b = value)


def test_symmetric_form_is_symmetric():
    g = Grid((6, 5, 4), periodic=(False, False, True))
    k = 1 + np.random.default_rng(2).random(g.shape)
    As, unknown = poisson_matrix(g, {"x-": Dirichlet(0), "x+": Robin(1, 2, 0), "y": Neumann(0)}, k=k, symmetric=True)
    assert abs(As - As.T).max() < 1e-12 * abs(As).max()
    assert As.shape == (unknown.size, unknown.size) and unknown.size == 5 * 5 * 4


CASES = [
    (Grid((33, 29)), MIXED2, None, 0.0),
    (Grid((33, 29)), MIXED2, "var", 0.7),
    (Grid((17, 9, 13)), MIXED3, None, 0.0),
    (Grid((17, 9, 13)), MIXED3, "var", "var"),
    (Grid((16, 17), periodic=(True, False)), {"y-": Dirichlet(1.0), "y+": Neumann(0.5)}, None, 0.2),
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("method", ["multigrid", "cg"])
def test_iterative_methods_match_direct(case, method):
    g, bc, k, s = CASES[case]
    rng = np.random.default_rng(case)
    if k == "var":
        k = 1 + rng.random(g.shape)
    if s == "var":
        s = rng.random(g.shape)
    f = rng.standard_normal(g.shape)
    ref = solve_poisson(f, g, bc, k=k, screening=s, method="direct").u
    solver = PoissonSolver(g, bc, k, s, method, coarse_size=10)
    assert len(solver.hier.levels) >= 3
    res = solver.solve(f, rtol=1e-12)
    assert res.converged and res.method == method and res.residuals[-1] <= 1e-12
    assert np.abs(res.u - ref).max() <= 1e-9 * np.abs(ref).max()


@pytest.mark.parametrize("shape,periodic,bc", [
    ((33, 17), False, {"x": Dirichlet(lambda x, y: x + y * y), "y": Dirichlet(2.0)}),
    ((9, 12, 17), (False, True, False), {"x": Neumann(0.3), "z": Dirichlet(-1.0)}),
    ((16, 10), (True, False), {"y": Neumann(0.0)}),
])
def test_spectral_matches_direct(shape, periodic, bc):
    g = Grid(shape, periodic=periodic)
    f = np.random.default_rng(3).standard_normal(g.shape)
    with pytest.warns(UserWarning) if "y" in bc and isinstance(bc["y"], Neumann) else _nullcontext():
        ref = solve_poisson(f, g, bc, k=2.5, screening=0.0 if len(shape) == 2 else 0.3, method="direct").u
    with pytest.warns(UserWarning) if "y" in bc and isinstance(bc["y"], Neumann) else _nullcontext():
        res = solve_poisson(f, g, bc, k=2.5, screening=0.0 if len(shape) == 2 else 0.3, method="spectral")
    assert np.abs(res.u - ref).max() <= 1e-10 * np.abs(ref).max()


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_auto_reports_choice_and_float32():
    g = Grid((17, 17))
    f = np.ones(g.shape, dtype=np.float32)
    assert solve_poisson(f, g, Dirichlet(0.0)).method == "spectral"
    assert solve_poisson(f, g, Robin(1.0, 1.0, 0.0)).method == "multigrid"
    res = solve_poisson(f, g, Dirichlet(0.0), k=1 + np.random.default_rng(0).random(g.shape))
    assert res.method == "cg" and res.u.dtype == np.float32
