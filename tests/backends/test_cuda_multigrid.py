"""GPU multigrid agrees with the CPU direct solve and converges like multigrid should."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BoundaryError, ConvergenceError, ParameterError


@pytest.mark.parametrize("shape,screening,k", [((9, 9), 0.0, 1.0), ((5, 9, 9), 2.0, 0.5)])
def test_matches_direct_solve(cu, shape, screening, k):
    from fieldgrad.solvers.cuda_multigrid import solve_poisson_cuda
    from fieldgrad.solvers import solve_poisson

    g = fg.Grid(shape, extent=[(0, 1)] * (len(shape) - 1) + [(0, 2)])
    X = g.mesh()
    f = np.cos(3 * X[0]) + X[-1] ** 2
    bc = {"x-": fg.Dirichlet(lambda *c: c[-1]), "*": fg.Dirichlet(0.5)}
    res = solve_poisson_cuda(f, g, bc, k=k, screening=screening, rtol=1e-10, coarse_size=10)
    ref = solve_poisson(f, g, bc, k=k, screening=screening, method="direct").u
    assert res.converged and len(res.info["levels"]) >= 2
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-8 * max(1.0, np.abs(ref).max()))
    # multigrid, not a plain smoother: each V-cycle reduces the residual at least fivefold
    rates = np.array(res.residuals[1:]) / np.array(res.residuals[:-1])
    assert rates.max() < 0.2, rates


def test_float32_and_device_rhs(cu):
    from fieldgrad.solvers.cuda_multigrid import solve_poisson_cuda

    g = fg.Grid((9, 9))
    X, Y = g.mesh()
    exact = X ** 2 + Y ** 2  # lap = 4; the 5-point stencil is exact for quadratics
    f = cu.as_device(np.full(g.shape, 4.0, np.float32))
    res = solve_poisson_cuda(f, g, fg.Dirichlet(lambda x, y: x ** 2 + y ** 2), rtol=1e-5, coarse_size=10)
    u = res.u.copy_to_host()
    assert u.dtype == np.float32
    np.testing.assert_allclose(u, exact, atol=1e-5)


def test_refusals(cu):
    from fieldgrad.solvers.cuda_multigrid import solve_poisson_cuda

    g = fg.Grid((9, 9))
    with pytest.raises(BoundaryError, match="Dirichlet"):
        solve_poisson_cuda(np.ones(g.shape), g, fg.Neumann(0.0))
    with pytest.raises(ParameterError):
        solve_poisson_cuda(np.ones(g.shape), g, fg.Dirichlet(0.0), k=np.ones(g.shape))
    with pytest.raises(ConvergenceError) as info:
        solve_poisson_cuda(np.ones(g.shape), g, fg.Dirichlet(0.0), rtol=1e-14, maxiter=1, coarse_size=10)
    assert len(info.value.residuals) == 1
