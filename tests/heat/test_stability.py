"""The explicit limit counts Robin/convection faces and screening: checked against the largest
eigenvalue of the assembled operator (fieldgrad.poisson_matrix) on small grids, and through the
steppers on the plastic-plate case of issue 13 (k = 0.2 W/m/K cooled by water, h = 5000 W/m^2/K)."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin, poisson_matrix
from fieldgrad.errors import StabilityError
from fieldgrad.heat import explicit_limit, solve_heat
from fieldgrad.heat.problem import HeatProblem


def _true_limit(grid, bc, alpha, screening=0.0):
    """2 / rho(A) of the operator on the unknown nodes (Dirichlet nodes eliminated)."""
    A = poisson_matrix(grid, bc, k=alpha, screening=screening).toarray()
    _, unknown = poisson_matrix(grid, bc, k=alpha, screening=screening, symmetric=True)
    lam = np.linalg.eigvals(A[np.ix_(unknown, unknown)])
    assert np.abs(lam.imag).max() < 1e-8 * np.abs(lam).max()  # similar to a symmetric matrix
    return 2.0 / np.abs(lam).max()


def _interior_only(grid, alpha_max):
    return 1.0 / (2.0 * alpha_max * sum(1.0 / h ** 2 for h in grid.spacing))


RNG = np.random.default_rng(5)
CASES = [
    # (grid, bc, alpha, screening, tight): tight = the bound is the largest row sum of a corner
    (Grid((9, 7)), Robin(40.0, 1.0, 3.0), 1.0, 0.0, True),
    (Grid((9, 7)), Robin(0.5, 2.0, 0.0), 0.3, 0.0, True),
    (Grid((7, 6, 5)), Robin(25.0, 1.0, 0.0), 2.0, 0.0, True),
    (Grid((9, 7)), {"x-": Robin(60.0, 1.0, 0.0), "x+": Dirichlet(1.0), "y": Neumann(0.5)}, 1.0, 0.0, False),
    (Grid((8, 7), periodic=(True, False)), {"x": Periodic(), "y": Robin(30.0, 1.5, 0.0)}, 1.0, 0.0, False),
    (Grid((9, 7)), {"x": Robin(20.0 + 10 * RNG.random(7), 1.0, 0.0), "y": Robin(5.0, 0.5, 0.0)},
     1.0 + RNG.random((9, 7)), 0.0, False),
    (Grid((9, 7)), Robin(40.0, 1.0, 0.0), 1.0, 300.0, True),
    (Grid((9, 7)), Neumann(0.0), 1.0, 0.0, True),
]


@pytest.mark.parametrize("grid,bc,alpha,screening,tight", CASES)
def test_limit_bounds_the_assembled_operator(grid, bc, alpha, screening, tight):
    true = _true_limit(grid, bc, alpha, screening)
    lim = explicit_limit(grid, alpha, bc, screening=screening)
    assert lim <= true * (1 + 1e-12)  # never above the true limit: the step is stable
    # and not needlessly small (measured 0.87-1.0 at corners, 0.75-0.91 with mixed faces/arrays)
    assert lim >= (0.85 if tight else 0.7) * true


def test_interior_formula_alone_is_unstable_with_convection():
    g = Grid((9, 7))
    bc = Robin(40.0, 1.0, 3.0)  # Biot number a h / b = 5 per cell
    true = _true_limit(g, bc, 1.0)
    assert _interior_only(g, 1.0) > 3.0 * true
    assert HeatProblem(np.zeros(g.shape), g, bc, alpha=1.0).dt_explicit <= true * (1 + 1e-12)


def test_ftcs_at_the_limit_keeps_the_maximum_principle_above_it_refused():
    # Robin cooling to 20 from 80: every value stays in [20, 80] at the limit
    g = Grid((21, 17))
    bc = Robin(100.0, 1.0, 100.0 * 20.0)
    p = HeatProblem(np.full(g.shape, 80.0), g, bc, alpha=1.0)
    r = solve_heat(np.full(g.shape, 80.0), g, bc, alpha=1.0, t_end=300 * p.dt_explicit, dt=p.dt_explicit,
                   method="ftcs", progress=False)
    assert r.steps == 300
    assert 20.0 - 1e-9 <= r.u.min() and r.u.max() <= 80.0 + 1e-9
    with pytest.raises(StabilityError, match="Robin"):
        solve_heat(np.full(g.shape, 80.0), g, bc, alpha=1.0, t_end=1.0, dt=_interior_only(g, 1.0), method="ftcs",
                   progress=False)


PLATE = dict(k=0.2, rho_c=1200.0 * 1500.0, h=5000.0, ambient=20.0, start=80.0)


def _plate(n=41, width=0.04):
    g = Grid((n, n), extent=[[0, width], [0, width]])
    k, h = PLATE["k"], PLATE["h"]
    return g, Robin(h, k, h * PLATE["ambient"]), k / PLATE["rho_c"]


@pytest.mark.parametrize("method", ["auto", "rkl2", "ftcs", "crank_nicolson"])
def test_plastic_plate_cooled_by_water_stays_physical(method):
    g, bc, alpha = _plate()
    u0 = np.full(g.shape, PLATE["start"])
    r = solve_heat(u0, g, bc, alpha=alpha, t_end=60.0, method=method, progress=False,
                   **({"dt": 2.0} if method == "crank_nicolson" else {}))
    # maximum principle: between the water and the initial temperature; the surface has cooled
    assert PLATE["ambient"] - 1e-6 <= r.u.min() and r.u.max() <= PLATE["start"] + 1e-6
    assert r.u[0, g.shape[1] // 2] < 30.0 and r.u[g.shape[0] // 2, g.shape[1] // 2] > 70.0
