"""Steady nonlinear solves against closed-form solutions.

- k(T) = k0 (1 + beta T) slab with a uniform source and Dirichlet ends: the Kirchhoff transform
  ``phi = k0 (T + beta T^2 / 2)`` turns ``(k(T) T')' = -q`` into ``phi'' = -q``, so
  ``phi`` is a parabola and ``T = (sqrt(1 + 2 beta phi / k0) - 1) / beta``; second order.
- A rod with a radiating end and no source: ``T`` is linear, so the discrete solution is exact
  and the end temperature is the root of ``k (T0 - TL) / L = eps sigma (TL^4 - Ta^4)``.
"""
import numpy as np
import pytest
from scipy.optimize import brentq

import fieldgrad as fg

SIGMA = 5.670374419e-8
K0, BETA, Q, T0, T1 = 2.0, 0.5, 10.0, 1.0, 3.0


def kirchhoff_exact(x):
    phi = lambda T: K0 * (T + BETA * T ** 2 / 2)  # noqa: E731
    p = phi(T0) + (phi(T1) - phi(T0)) * x + Q * x * (1 - x) / 2
    return (np.sqrt(1 + 2 * BETA * p / K0) - 1) / BETA


def k_of_T(T):
    return K0 * (1 + BETA * T)


def slab(n, ndim, k, method="newton"):
    shape = (n,) + (3,) * (ndim - 1)
    g = fg.Grid(shape, extent=[(0.0, 1.0)] + [(0.0, 0.1)] * (ndim - 1))
    bc = {"x-": fg.Dirichlet(T0), "x+": fg.Dirichlet(T1), "*": fg.Neumann(0.0)}
    r = fg.solve_nonlinear(np.full(g.shape, -Q), g, bc, k=k, method=method)
    assert r.converged
    ex = kirchhoff_exact(g.coords[0]).reshape((n,) + (1,) * (ndim - 1))
    return np.max(np.abs(r.u - ex)), r


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_k_of_T_slab_is_second_order(ndim):
    errs = np.array([slab(n, ndim, fg.ConductivityOfT(k_of_T))[0] for n in (17, 33, 65)])
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all((orders > 1.9) & (orders < 2.1)), (errs, orders)
    assert errs[-1] < 1e-4


def test_outer_iterations_with_k_of_T():
    # k lagged: linear convergence; the count does not grow with the grid (measured 9 at every size)
    counts = [slab(n, 2, fg.ConductivityOfT(k_of_T))[1].outer_iterations for n in (17, 65, 257)]
    assert max(counts) <= 10 and max(counts) - min(counts) <= 1, counts
    r = slab(65, 2, fg.ConductivityOfT(k_of_T))[1]
    assert r.inner_method == "cg"  # MG-preconditioned CG for a node-array k


def test_plain_callable_and_table_give_the_same_k():
    tp = np.linspace(0.0, 4.0, 9)
    e_call, r_call = slab(33, 1, k_of_T)
    e_tab, r_tab = slab(33, 1, fg.ConductivityOfT((tp, k_of_T(tp))))
    np.testing.assert_allclose(r_tab.u, r_call.u, rtol=1e-10)


@pytest.mark.parametrize("method, relax, node_array", [("newton", 1.0, False), ("picard", 1.0, False),
                                                       ("newton", 0.6, False), ("newton", 1.0, True)])
def test_radiating_rod_end_is_the_quartic_root(method, relax, node_array):
    k, length, t0, ta, eps = 5.0, 0.2, 800.0, 300.0, 0.7
    tl = brentq(lambda T: k * (t0 - T) / length - eps * SIGMA * (T ** 4 - ta ** 4), ta, t0)
    g = fg.Grid((21,), extent=(0.0, length))
    r = fg.solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(t0), "x+": fg.Radiation(eps, ta)},
                           k=np.full(g.shape, k) if node_array else k, method=method, relax=relax, rtol=1e-12)
    np.testing.assert_allclose(r.u, t0 + (tl - t0) * g.coords[0] / length, rtol=1e-11)
    if relax < 1:  # under-relaxed: the same answer, reached more slowly
        assert r.outer_iterations > 10


def test_given_conductivity_is_the_one_in_the_condition():
    # -conductivity dT/dn = q(T): a conductivity twice the body's halves the heat the face passes
    k, length, t0, ta, eps = 5.0, 0.2, 800.0, 300.0, 0.7
    tl = brentq(lambda T: k * (t0 - T) / length - eps * SIGMA * (T ** 4 - ta ** 4) / 2, ta, t0)
    g = fg.Grid((11,), extent=(0.0, length))
    bc = {"x-": fg.Dirichlet(t0), "x+": fg.Radiation(eps, ta, conductivity=2 * k)}
    r = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=k, rtol=1e-12)
    assert r.u[-1] == pytest.approx(tl, rel=1e-11)


def test_radiation_with_k_of_T_uses_k_at_the_face():
    # conductivity=None: the face's flux is eps sigma (T^4 - Ta^4) whatever k(T) is there.  With
    # k = k0 (1 + b T) the Kirchhoff potential is linear: k-weighted mean flux (phi(T0) - phi(TL))/L
    k0, b, length, t0, ta, eps = 5.0, 1e-3, 0.2, 800.0, 300.0, 0.7
    phi = lambda T: k0 * (T + b * T ** 2 / 2)  # noqa: E731
    tl = brentq(lambda T: (phi(t0) - phi(T)) / length - eps * SIGMA * (T ** 4 - ta ** 4), ta, t0)
    errs = []
    for n in (17, 33, 65):
        g = fg.Grid((n,), extent=(0.0, length))
        r = fg.solve_nonlinear(np.zeros(g.shape), g, {"x-": fg.Dirichlet(t0), "x+": fg.Radiation(eps, ta)},
                               k=fg.ConductivityOfT(lambda T: k0 * (1 + b * T)))
        errs.append(abs(r.u[-1] - tl))
    errs = np.array(errs)
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all((orders > 1.9) & (orders < 2.1)) and errs[-1] < 1e-3, (errs, orders)


def test_k_of_T_square_multigrid_levels_second_order():
    # 2D: the Kirchhoff potential phi = k0 (T + beta T^2/2) of the exact solution is harmonic,
    # phi = 4 + sin(pi x) sinh(pi y) / sinh(pi), so div(k(T) grad T) = 0 with T = phi^-1 on the edges
    def exact(X, Y):
        p = 4.0 + np.sin(np.pi * X) * np.sinh(np.pi * Y) / np.sinh(np.pi)
        return (np.sqrt(1 + 2 * BETA * p / K0) - 1) / BETA

    errs = []
    for n in (33, 65, 129):
        g = fg.Grid((n, n))
        bc = {f: fg.Dirichlet(lambda x, y: exact(x, y)) for f in g.faces}
        r = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=fg.ConductivityOfT(k_of_T))
        errs.append(np.max(np.abs(r.u - exact(*g.mesh()))))
        # MG-CG over several levels: the inner iterations stay bounded as the grid is refined
        assert r.inner_method == "cg" and max(r.inner_iterations) <= 8, r.inner_iterations  # measured 7
        assert r.outer_iterations <= 5, r.update_norms  # measured 5 at every size
    errs = np.array(errs)
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all((orders > 1.9) & (orders < 2.1)), (errs, orders)


def test_float32_data_gives_a_float32_solution():
    """float32 stays float32 end to end (as in solve_poisson): the radiating rod from float32 data
    has the float64 solution rounded to float32."""
    g = fg.Grid((17, 3), extent=[(0, 1), (0, 0.1)])
    bc = {"x-": fg.Dirichlet(1000.0), "x+": fg.Radiation(1.0, 0.0), "*": fg.Neumann(0.0)}
    r64 = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=50.0)
    r32 = fg.solve_nonlinear(np.zeros(g.shape, np.float32), g, bc, k=50.0)
    assert r32.u.dtype == np.float32 and r64.u.dtype == np.float64
    TL = brentq(lambda T: 50.0 * (1000.0 - T) - SIGMA * T ** 4, 0.0, 1000.0)   # Ta = 0
    assert r64.u[-1, 1] == pytest.approx(TL, rel=1e-10)
    assert np.array_equal(r32.u, r64.u.astype(np.float32))
