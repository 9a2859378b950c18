"""The public operators hand work to the CUDA backend when asked (simulator in CI)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.backends import cuda_available, use_backend

pytestmark = pytest.mark.skipif(not cuda_available(), reason="numba-cuda (or its simulator) is not installed")


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_backend_argument_and_context_dispatch(dtype, tol):
    from fieldgrad.kernels.cuda_ops import to_host

    g = fg.Grid((6, 5, 7))
    u = np.random.default_rng(0).random(g.shape).astype(dtype)
    bc = {"x": fg.Dirichlet(0.5), "*": fg.Neumann(1.0)}
    cpu_lap = fg.laplacian(u, g, bc)
    gpu_lap = fg.laplacian(u, g, bc, backend="cuda")
    assert not isinstance(gpu_lap, np.ndarray)  # stays on the device
    scale = np.abs(cpu_lap).max()
    np.testing.assert_allclose(to_host(gpu_lap), cpu_lap, atol=tol * scale)
    with use_backend("cuda"):
        d_grad = fg.grad(u, g, bc)
        d_kg = fg.div_k_grad(u, 2.0, g, bc)
    np.testing.assert_allclose(to_host(d_grad), fg.grad(u, g, bc), atol=tol * scale)
    np.testing.assert_allclose(to_host(d_kg), fg.div_k_grad(u, 2.0, g, bc), atol=2 * tol * scale)
    # a device array as input goes to the GPU without being asked
    np.testing.assert_allclose(to_host(fg.div(d_grad, g)), fg.div(fg.grad(u, g, bc), g), atol=tol * scale)


def test_solve_poisson_backend_cuda_matches_the_cpu_solver():
    from fieldgrad.kernels.cuda_ops import to_host

    g = fg.Grid((9, 9))
    X, Y = g.mesh()
    f = np.sin(np.pi * X) * (1 + Y)
    bc = {"x": fg.Dirichlet(0.0), "y-": fg.Neumann(0.5), "y+": fg.Robin(1.0, 2.0, 0.3)}
    ref = fg.solve_poisson(f, g, bc, method="direct")
    got = fg.solve_poisson(f, g, bc, rtol=1e-10, backend="cuda")
    assert got.method.endswith("cuda")
    np.testing.assert_allclose(to_host(got.u), ref.u, rtol=0, atol=1e-8 * np.abs(ref.u).max())
    with pytest.raises(fg.errors.ParameterError, match="not available with backend='cuda'"):
        fg.solve_poisson(f, g, bc, method="spectral", backend="cuda")
