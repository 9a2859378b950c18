"""The residual norm computed inside the last smoothing pass (constant-coefficient 3D levels)
against the separate residual-norm kernel and against the assembled sparse matrix."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.solvers import PoissonSolver, poisson_matrix
from fieldgrad.solvers import mg_fused as FU
from fieldgrad.solvers.discretize import Problem
from fieldgrad.solvers.multigrid import Hierarchy


@pytest.mark.parametrize("nslab", [1, 2, 3, 7, 12, 15])
def test_fused_sweep_norm_is_the_residual_norm_for_any_slab_count(nslab):
    g = Grid((12, 9, 11), periodic=(True, False, False))
    bc = {"y-": Dirichlet(0.5), "y+": Neumann(0.2), "z": Robin(1.0, 2.0, 0.0)}
    lev = Hierarchy(Problem(g, bc, 1.3, 0.2), coarse_size=10).levels[0]
    rng = np.random.default_rng(nslab)
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    u1, u2 = u.copy(), u.copy()
    nrm = FU.smooth_rb_fused(u1, f, nslab, *lev.const_args, 1, 1.2, True)
    assert FU.smooth_rb_fused(u2, f, nslab, *lev.const_args, 1, 1.2) == 0.0
    assert np.array_equal(u1, u2)  # the norm does not change the sweep
    ref = lev.residual_norm(u2, f)
    assert ref > 0 and abs(nrm - ref) <= 1e-13 * ref


def test_reported_residuals_are_the_true_residuals():
    """Every reported relative residual of a multigrid solve (FMG start + V cycles) is the one of
    the assembled matrix; the last one is below rtol."""
    n = 33
    g = Grid((n, n, n))
    x = np.linspace(0.0, 1.0, n)
    s = np.sin(np.pi * x) * np.exp(x)
    f = s[:, None, None] * s[None, :, None] * s[None, None, :]
    hist = []
    res = PoissonSolver(g, Dirichlet(0.0), method="multigrid").solve(
        f, rtol=1e-8, callback=lambda it, r: hist.append(r))
    A = poisson_matrix(g, Dirichlet(0.0))
    inner = (slice(1, -1),) * 3
    r_true = (f - (A @ res.u.ravel()).reshape(g.shape))[inner]
    rel = np.linalg.norm(r_true) / np.linalg.norm(f[inner])
    assert res.converged and res.iterations >= 2 and rel <= 1e-8
    # rounding of a residual 1e-9 times ||f|| is ~1e-6 of it (measured 6e-7); a stale norm (the
    # previous cycle's) would be off by the cycle's factor, ~30
    assert abs(res.residuals[-1] - rel) <= 1e-4 * rel
    assert hist == list(res.residuals)
