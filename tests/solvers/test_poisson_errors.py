"""Singular problems, non-convergence and bad input."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann
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
