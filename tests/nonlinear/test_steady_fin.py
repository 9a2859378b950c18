"""Steady radiating / h(T)-convecting fins against the fin equation solved by scipy's solve_bvp.

The fin is a 2D strip of thickness ``th`` with two nodes across it and the exchange condition on
both faces y- and y+.  By the y-symmetry the two rows are equal and each boundary row's half-cell
balance reads ``k T_xx - (2/th) q(T) = 0``: the strip is exactly the plate-fin equation
``k A T'' = P q(T)`` (``P/A = 2/th``) in x, so it converges to the ODE solution at second order in
the x spacing.  The tip x+ carries the same condition: ``-k T'(L) = q(T(L))``.
"""
import numpy as np
import pytest
from scipy.integrate import solve_bvp

import fieldgrad as fg

SIGMA = 5.670374419e-8  # written here again on purpose: the test does not read the package's constant
L, TH, K, TB, TA = 0.1, 0.002, 20.0, 600.0, 300.0


def fin_reference(q):
    """solve_bvp of k T'' = (2/th) q(T), T(0) = Tb, -k T'(L) = q(T(L))."""
    x = np.linspace(0.0, L, 201)

    def rhs(x, y):
        return np.vstack([y[1], 2.0 / (K * TH) * q(y[0])])

    def bcs(ya, yb):
        return np.array([ya[0] - TB, K * yb[1] + q(yb[0])])

    sol = solve_bvp(rhs, bcs, x, np.vstack([np.full_like(x, 450.0), np.zeros_like(x)]), tol=1e-8, max_nodes=100000)
    assert sol.status == 0, sol.message
    return lambda xs: sol.sol(xs)[0]


def fin_errors(cond, ref, method, sizes=(33, 65, 129, 257)):
    errs, outer = [], []
    for nx in sizes:
        g = fg.Grid((nx, 2), extent=[(0.0, L), (0.0, TH)])
        r = fg.solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(TB), "x+": cond, "y": cond}, k=K,
                               method=method)
        assert r.converged
        errs.append(np.max(np.abs(r.u - ref(g.coords[0])[:, None])))
        outer.append(r.outer_iterations)
    return np.array(errs), outer


def observed_orders(errs):
    return np.log2(errs[:-1] / errs[1:])


EPS, H = 0.8, 10.0
RAD_REF = None


def radiation_reference():
    global RAD_REF
    if RAD_REF is None:
        RAD_REF = fin_reference(lambda T: EPS * SIGMA * (T ** 4 - TA ** 4) + H * (T - TA))
    return RAD_REF


@pytest.mark.parametrize("method, most_outer", [("newton", 4), ("picard", 9)])
def test_radiating_fin_converges_at_second_order(method, most_outer):
    ref = radiation_reference()
    errs, outer = fin_errors(fg.Radiation(EPS, TA, h=H), ref, method)
    orders = observed_orders(errs)
    assert np.all((orders > 1.95) & (orders < 2.05)), (errs, orders)
    assert errs[-1] < 2e-3  # kelvin, at 257 nodes along a fin cooling from 600 K to ~331 K
    # the outer iteration count does not grow with the grid (measured: newton 4, picard 9)
    assert max(outer) <= most_outer and min(outer) >= most_outer - 1, outer


def test_newton_update_norms_fall_quadratically():
    g = fg.Grid((129, 2), extent=[(0.0, L), (0.0, TH)])
    rad = fg.Radiation(EPS, TA, h=H)
    seen = []
    r = fg.solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(TB), "x+": rad, "y": rad}, k=K, rtol=1e-12,
                           callback=lambda it, norm: seen.append((it, norm)))
    assert seen == list(enumerate(r.update_norms, start=1))
    n = np.array(r.update_norms)
    # each update is at most a modest multiple of the square of the one before (quadratic convergence)
    assert np.all(n[2:-1] < 50.0 * n[1:-2] ** 2), n
    assert r.inner_method == "multigrid" and len(r.inner_iterations) == r.outer_iterations


def h_of_T(T):
    return 5.0 + 0.05 * (T - TA)


def test_h_of_T_fin_matches_solve_bvp():
    ref = fin_reference(lambda T: h_of_T(T) * (T - TA))
    errs, outer = fin_errors(fg.ConvectionOfT(h_of_T, TA), ref, "newton", sizes=(33, 65, 129))
    orders = observed_orders(errs)
    assert np.all((orders > 1.95) & (orders < 2.05)), (errs, orders)
    assert max(outer) <= 5, outer


def test_h_table_gives_the_callable_result():
    # a table through points of the linear h(T) interpolates it exactly
    tp = np.linspace(250.0, 700.0, 10)
    table = fg.PropertyOfT((tp, h_of_T(tp)), name="h", positive=False)
    g = fg.Grid((33, 2), extent=[(0.0, L), (0.0, TH)])
    out = []
    for h in (h_of_T, table):
        c = fg.ConvectionOfT(h, TA)
        out.append(fg.solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(TB), "x+": c, "y": c}, k=K).u)
    np.testing.assert_allclose(out[1], out[0], rtol=1e-9)
