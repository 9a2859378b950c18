"""Singular problems, non-convergence and bad input."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.errors import ConvergenceError, NonFiniteError, ParameterError, ShapeError
from fieldgrad.solvers import CompatibilityWarning, solve_poisson


def test_singular_neumann_compatible_incompatible_strict():
    g = Grid((33, 17))
    X, Y = g.mesh()
    f = np.cos(np.pi * X) * np.cos(np.pi * Y)  # integrates to zero, zero flux: compatible
    res = solve_poisson(f, g, Neumann(0.0), method="multigrid")
    w = g.quadrature_weights()
    assert abs(np.sum(w * res.u)) < 1e-12
    ref = solve_poisson(f, g, Neumann(0.0), method="direct").u
    assert np.abs(res.u - ref).max() < 1e-7 * np.abs(ref).max()
    with pytest.warns(CompatibilityWarning, match="off by 1.000e-01"):
        solve_poisson(f + 0.1, g, Neumann(0.0), method="multigrid")
    with pytest.raises(ParameterError, match="strict"):
        solve_poisson(f + 0.1, g, Neumann(0.0), method="cg", strict=True)


def test_non_convergence_raises_with_history_or_returns():
    g = Grid((65, 65))
    f = np.random.default_rng(0).standard_normal(g.shape)
    with pytest.raises(ConvergenceError) as info:
        solve_poisson(f, g, Dirichlet(0.0), method="multigrid", maxiter=2, fmg=False, rtol=1e-14)
    assert len(info.value.residuals) == 2 and info.value.residuals[1] < info.value.residuals[0]
    res = solve_poisson(f, g, Dirichlet(0.0), method="cg", maxiter=1, rtol=1e-14, raise_on_failure=False)
    assert not res.converged and res.iterations == 1


def test_bad_input():
    g = Grid((9, 9))
    f = np.zeros(g.shape)
    with pytest.raises(ShapeError, match=r"\(8, 9\)"):
        solve_poisson(np.zeros((8, 9)), g, Dirichlet(0.0))
    with pytest.raises(ParameterError, match="k must be positive"):
        solve_poisson(f, g, Dirichlet(0.0), k=-np.ones(g.shape))
    bad = f.copy()
    bad[3, 3] = np.nan
    with pytest.raises(NonFiniteError):
        solve_poisson(bad, g, Dirichlet(0.0))
    with pytest.raises(ParameterError, match="rtol"):
        solve_poisson(f, g, Dirichlet(0.0), rtol=2.0)
    with pytest.raises(ParameterError, match="spectral"):
        solve_poisson(f, g, Dirichlet(0.0), k=np.ones(g.shape) * 2, method="spectral")


def test_callback_and_x0():
    g = Grid((33, 33))
    f = np.ones(g.shape)
    seen = []
    res = solve_poisson(f, g, Dirichlet(0.0), method="multigrid", callback=lambda i, r: seen.append((i, r)))
    assert [r for _, r in seen] == res.residuals
    again = solve_poisson(f, g, Dirichlet(0.0), method="multigrid", x0=res.u, rtol=1e-6)
    assert again.iterations == 1


# ---------------------------------------------------------------- setup cache keyed on values
def test_setup_cache_sees_boundary_dict_changed_in_place():
    """u'' = 0 with u = 5 at x = 0, u = 0 at x = 1 and insulated y faces is u = 5 (1 - x), exact
    on the grid; the first call (both x faces 0) must not leave a setup that answers u = 0."""
    g = Grid((9, 5))
    X, _ = g.mesh()
    bc = {"x": Dirichlet(0.0), "y": Neumann(0.0)}
    assert np.abs(solve_poisson(np.zeros(g.shape), g, bc, method="multigrid").u).max() < 1e-12
    bc["x-"] = Dirichlet(5.0)
    u = solve_poisson(np.zeros(g.shape), g, bc, method="multigrid").u
    assert np.abs(u - 5.0 * (1.0 - X)).max() < 1e-9


def test_setup_cache_sees_robin_array_changed_in_place():
    """u'' = 0, u(0) = 0, alpha u + u' = 20 at x = 1: u = 20 x / (1 + alpha) (linear, exact)."""
    g = Grid((17, 5))
    X, _ = g.mesh()
    alpha = np.ones(g.face_shape("x+"))
    bc = {"x-": Dirichlet(0.0), "x+": Robin(alpha, 1.0, 20.0), "y": Neumann(0.0)}
    for method in ("multigrid", "cg", "direct"):
        alpha[:] = 1.0
        u = solve_poisson(np.zeros(g.shape), g, bc, method=method).u
        assert np.abs(u - 10.0 * X).max() < 1e-7
        alpha[:] = 3.0  # same objects, new values: u(1) drops from 10 to 5
        u = solve_poisson(np.zeros(g.shape), g, bc, method=method).u
        assert np.abs(u - 5.0 * X).max() < 1e-7, method


def test_setup_cache_sees_k_changed_in_place_and_reuses_equal_values():
    from fieldgrad.solvers import poisson as front

    g = Grid((9, 9))
    k = np.ones(g.shape)
    f = np.ones(g.shape)
    u1 = solve_poisson(f, g, Dirichlet(0.0), k=k, method="cg").u
    k *= 2.0
    u2 = solve_poisson(f, g, Dirichlet(0.0), k=k, method="cg").u
    assert np.abs(u2 - u1 / 2).max() < 1e-8 * np.abs(u1).max()
    # equal values in new objects reuse the setup (the point of the cache)
    opts = dict(cycle="V", nu1=2, nu2=2, fmg=None)
    s1 = front._cached_solver(g, {"*": Dirichlet(0.0)}, k, 0.0, "cg", opts)
    s2 = front._cached_solver(Grid((9, 9)), {"*": Dirichlet(0.0)}, k.copy(), 0.0, "cg", dict(opts))
    assert s1 is s2


# ---------------------------------------------------------------- issue 13.8: refused, not garbage
def test_complex_coefficients_refused_not_truncated():
    import warnings

    g = Grid((9, 9))
    f = np.ones(g.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ComplexWarning would be the old, truncating behaviour
        for kwargs, words in [(dict(k=2 + 1j), r"k must be a real number .*\(2\+1j\)"),
                              (dict(k=np.ones(g.shape) * (1 + 1j)), "k must be a real number or array; got .*complex128"),
                              (dict(screening=1j), "screening must be a real number .*1j"),
                              (dict(k=10**400), "k = 1000.* is not a finite float64")]:
            with pytest.raises(ParameterError, match=words):
                solve_poisson(f, g, Dirichlet(0.0), **kwargs)


def test_poisson_rhs_and_robin_beta_zero_refused():
    from fieldgrad import poisson_rhs
    from fieldgrad.errors import BoundaryError

    g = Grid((9, 9))
    with pytest.raises(ShapeError, match=r"f has shape \(4, 4\); the grid needs \(9, 9\)"):
        poisson_rhs(np.ones((4, 4)), g, Dirichlet(0.0))
    with pytest.raises(BoundaryError, match="beta on face x- must be non-zero"):  # gave inf
        solve_poisson(np.ones(g.shape), g, Robin(1.0, lambda x, y: 0.0 * x, 0.0))


def test_problem_too_large_for_memory_is_refused(monkeypatch):
    from fieldgrad import validation
    from fieldgrad.errors import TooLargeError

    monkeypatch.setattr(validation, "available_memory", lambda: 2**30)
    g = Grid((1025, 1025, 129))  # 1 GiB per field: the solve needs several
    with pytest.raises(TooLargeError, match="Poisson solve"):
        solve_poisson(np.zeros(3), g, Dirichlet(0.0))


def test_finite_data_that_overflows_is_reported_not_returned_as_nan():
    g = Grid((9, 9))
    f = np.zeros(g.shape)
    f[3, 6] = -1.79e308  # finite, but the solve's arithmetic overflows
    with pytest.raises(NonFiniteError, match="non-finite values from finite data"):
        solve_poisson(f, g, Dirichlet(0.0))
