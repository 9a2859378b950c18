"""reverse_axes: the tiled Numba transposition equals ``a.T`` exactly, C-contiguous, for every
frame shape the writer meets (tile edges not dividing the shape), dtype and fallback path."""
import numpy as np
import pytest

from fieldgrad.io.reverse import TILE, reverse_axes


@pytest.mark.parametrize("shape", [(41, 37), (13, 9, 8), (3, 21, 11, 17), (2, 9, 13), (TILE * 5, TILE * 3, 7)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
def test_equals_numpy_transpose(shape, dtype):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    b = reverse_axes(a)
    assert b.flags.c_contiguous and b.dtype == a.dtype and b.shape == shape[::-1]
    assert b.tobytes() == np.ascontiguousarray(a.T).tobytes()
    out = np.full(shape[::-1], np.nan, dtype=dtype)
    assert reverse_axes(a, out=out) is out and out.tobytes() == b.tobytes()


@pytest.mark.parametrize("a", [np.arange(40.0).reshape(8, 5)[:, ::2], np.arange(12).reshape(3, 4),
                               np.arange(5.0), np.arange(4000.0).reshape(4, 10, 10, 10)[:, ::2]])
def test_fallback_paths(a):
    b = reverse_axes(a)
    np.testing.assert_array_equal(b, a.T)
    assert b.flags.c_contiguous
