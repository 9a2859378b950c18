"""GPU multigrid on a 1D grid (view ``(1, 1, n)``): the threads of a launch beyond the single y
node must not touch ``u`` (they once passed the interior test, which read ``ny == 1`` as "every
j is interior", and indexed out of bounds -- an IndexError in the simulator, stray writes on a GPU)."""
import numpy as np

import fieldgrad as fg


def test_1d_multilevel_matches_direct_solve(cu):
    from fieldgrad.solvers import solve_poisson
    from fieldgrad.solvers.cuda_multigrid import solve_poisson_cuda

    g = fg.Grid((33,))
    (x,) = g.mesh()
    f = np.cos(3 * x) + x ** 2
    bc = {"x-": fg.Dirichlet(0.25), "x+": fg.Dirichlet(-1.0)}
    res = solve_poisson_cuda(f, g, bc, rtol=1e-10, coarse_size=5)
    ref = solve_poisson(f, g, bc, method="direct").u
    assert res.converged and len(res.info["levels"]) >= 3
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-9 * max(1.0, np.abs(ref).max()))
    # in 1D red-black Gauss-Seidel with full weighting and linear interpolation is a direct
    # solver: one V-cycle (two at most, for rounding) reaches the tolerance
    assert len(res.residuals) <= 2, res.residuals
