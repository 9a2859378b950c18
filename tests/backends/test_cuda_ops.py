"""GPU operators agree with the CPU operators (simulator in CI, real GPU when present)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import NonFiniteError, ParameterError, ShapeError

BCS = {
    "none": None,
    "dirichlet": fg.Dirichlet(1.5),
    "neumann": fg.Neumann(lambda *c: c[0]),
    "robin": fg.Robin(2.0, 1.0, 0.3),
    "mixed": {"x": fg.Dirichlet(lambda *c: c[-1]), "*": fg.Neumann(0.25)},
}


def _close(got, ref, dtype):
    tol = 1e-12 if dtype == np.float64 else 1e-5
    scale = max(1.0, float(np.abs(ref).max()))
    assert got.dtype == ref.dtype
    np.testing.assert_allclose(got, ref, rtol=0, atol=tol * scale)


@pytest.mark.parametrize("shape", [(7,), (6, 7), (5, 6, 7)])
@pytest.mark.parametrize("bcname", list(BCS))
def test_operators_match_cpu_float64(cu, shape, bcname):
    from fieldgrad.kernels import cuda_ops as co

    rng = np.random.default_rng(len(shape))
    g = fg.Grid(shape, extent=[(0, 1 + a) for a in range(len(shape))])
    bc = BCS[bcname]
    u = rng.standard_normal(shape)
    k = 0.5 + rng.random(shape)
    v = rng.standard_normal((len(shape),) + shape)
    _close(co.to_host(co.laplacian(u, g, bc)), fg.laplacian(u, g, bc), np.float64)
    _close(co.to_host(co.grad(u, g, bc)), fg.grad(u, g, bc), np.float64)
    _close(co.to_host(co.div(v, g, bc)), fg.div(v, g, bc), np.float64)
    _close(co.to_host(co.div_k_grad(u, k, g, bc)), fg.div_k_grad(u, k, g, bc), np.float64)


@pytest.mark.parametrize("shape", [(6, 7), (5, 6, 7)])
def test_operators_match_cpu_float32_periodic(cu, shape):
    from fieldgrad.kernels import cuda_ops as co

    rng = np.random.default_rng(3)
    g = fg.Grid(shape, periodic=(True,) + (False,) * (len(shape) - 1))
    bc = {"*": fg.Robin(1.0, 2.0, 0.5)}
    u = rng.standard_normal(shape).astype(np.float32)
    k = (0.5 + rng.random(shape)).astype(np.float32)
    _close(co.to_host(co.laplacian(u, g, bc)), fg.laplacian(u, g, bc), np.float32)
    _close(co.to_host(co.grad(u, g, bc)), fg.grad(u, g, bc), np.float32)
    _close(co.to_host(co.div_k_grad(u, 3.0, g, bc)), fg.div_k_grad(u, 3.0, g, bc), np.float32)
    _close(co.to_host(co.div_k_grad(u, k, g, bc)), fg.div_k_grad(u, k, g, bc), np.float32)


def test_device_input_out_and_data_stay_on_device(cu):
    from fieldgrad.kernels import cuda_ops as co

    g = fg.Grid((6, 5))
    X, Y = g.mesh()
    u = X ** 2 + 3 * Y ** 2  # Laplacian 8 exactly in the interior
    d = co.to_device(u)
    out = cu.empty(g.shape, np.float64)
    res = co.laplacian(d, g, fg.Dirichlet(lambda x, y: x ** 2 + 3 * y ** 2), out=out)
    assert res is out and not isinstance(res, np.ndarray)
    np.testing.assert_allclose(co.to_host(res)[1:-1, 1:-1], 8.0, atol=1e-10)
    assert np.array_equal(co.to_host(d), u)  # input untouched (Dirichlet values already held)
    gr = co.grad(res, g)  # a device result feeds the next operator without a host copy
    assert gr.shape == (2, 6, 5)


def test_dirichlet_values_imposed_without_touching_input(cu):
    from fieldgrad.kernels import cuda_ops as co

    g = fg.Grid((6, 6))
    u = np.zeros(g.shape)
    d = co.to_device(u)
    lap = co.to_host(co.laplacian(d, g, fg.Dirichlet(1.0)))
    np.testing.assert_allclose(lap, fg.laplacian(u, g, fg.Dirichlet(1.0)), atol=1e-12)
    assert not co.to_host(d).any()


def test_errors(cu):
    from fieldgrad.kernels import cuda_ops as co

    g = fg.Grid((6, 6))
    with pytest.raises(ParameterError, match="order=4"):
        co.laplacian(np.zeros(g.shape), g, order=4)
    with pytest.raises(ShapeError):
        co.laplacian(np.zeros((5, 6)), g)
    bad = np.zeros(g.shape)
    bad[2, 3] = np.nan
    with pytest.raises(NonFiniteError):
        co.laplacian(bad, g, check_finite=True)
    with pytest.raises(ParameterError, match="k must be positive"):
        co.div_k_grad(np.zeros(g.shape), -1.0, g)
    with pytest.raises(ShapeError):
        co.laplacian(np.zeros(g.shape), g, out=cu.empty((6, 6), np.float32))


def test_cupy_arrays_without_copy(cu):
    cp = pytest.importorskip("cupy", reason="CuPy not installed")
    if cu.simulator():
        pytest.skip("the CUDA simulator cannot wrap __cuda_array_interface__ arrays")
    from fieldgrad.kernels import cuda_ops as co

    g = fg.Grid((8, 9))
    u = cp.asarray(np.random.default_rng(0).standard_normal(g.shape))
    wrapped = cu.as_device(u)
    assert wrapped.__cuda_array_interface__["data"][0] == u.__cuda_array_interface__["data"][0]
    np.testing.assert_allclose(co.to_host(co.laplacian(u, g)), fg.laplacian(cp.asnumpy(u), g), atol=1e-12)
