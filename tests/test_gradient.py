"""fieldgrad.gradient against numpy.gradient (the reference), plus accuracy and bad input.

The fast Numba path repeats NumPy's operations in NumPy's order, so float64 results are
compared at 1e-12 relative and float32 results at a few float32 ulps.  Tests that mean to
exercise the Numba kernels make the NumPy fallback raise, so a silent fallback cannot pass.
"""
import importlib
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldgrad.errors import FieldgradError, ParameterError, ShapeError
from fieldgrad.errors import AxisParameterError, ParameterTypeError
from fieldgrad.numpy_gradient import gradient

# the module, not the function fieldgrad/__init__.py re-exports under the same name
fg_module = importlib.import_module("fieldgrad.numpy_gradient")

try:
    from numpy.exceptions import AxisError
except ImportError:  # pragma: no cover
    AxisError = np.AxisError


@contextmanager
def no_fallback():
    """Fail if fieldgrad.gradient hands the call to numpy.gradient (small arrays included)."""
    def boom(*args, **kwargs):
        raise AssertionError("fieldgrad.gradient fell back to numpy.gradient")
    with mock.patch.object(fg_module, "_numpy_gradient", boom), \
            mock.patch.object(fg_module, "_MIN_KERNEL_SIZE", 0):
        yield


def assert_matches_numpy(got, ref):
    """Same container type, shapes, dtypes; values to 1e-12 relative (float32: 4 ulp)."""
    if isinstance(ref, np.ndarray):
        assert isinstance(got, np.ndarray) and type(got) is type(ref)
        got, ref = [got], [ref]
    else:
        assert type(got) is type(ref) and len(got) == len(ref)
    for g, r in zip(got, ref):
        assert g.shape == r.shape and g.dtype == r.dtype, (g.shape, r.shape, g.dtype, r.dtype)
        if r.dtype == np.float32:
            rtol = 4 * np.finfo(np.float32).eps
        else:
            rtol = 1e-12
        scale = float(np.max(np.abs(r))) if r.size else 0.0
        np.testing.assert_allclose(g, r, rtol=rtol, atol=rtol * scale * 1e-3)


def random_coords(rng, n, dtype):
    x = np.cumsum(rng.uniform(0.05, 1.0, n)) - 0.3
    if dtype == "int":
        return np.cumsum(rng.integers(1, 4, n))
    return x.astype(dtype)


@st.composite
def gradient_cases(draw):
    """A random array (1-3D, float64/float32/int), spacing arguments, axis and edge order."""
    ndim = draw(st.integers(1, 3))
    edge_order = draw(st.sampled_from([1, 2]))
    shape = tuple(draw(st.integers(edge_order + 1, 7)) for _ in range(ndim))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(shape) * 10.0
    f = f.astype(dtype) if dtype is not np.int64 else np.round(f).astype(np.int64)
    if draw(st.booleans()):
        axis = None
        axes = tuple(range(ndim))
    else:
        axes = tuple(draw(st.permutations(range(ndim)))[: draw(st.integers(1, ndim))])
        axes = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
        axis = axes[0] if len(axes) == 1 and draw(st.booleans()) else axes
    mode = draw(st.sampled_from(["none", "one", "each"]))
    if mode == "none":
        varargs = ()
    elif mode == "one":
        varargs = (float(rng.uniform(0.1, 3.0)),)
    else:
        # one per axis.  NumPy computes a float32 array in float32 with Python-float spacings
        # or float32 coordinates, in float64 with NumPy float64 scalars or float64/integer
        # coordinates; the kernels do the same as long as all axes agree (mixed precision
        # across axes goes to NumPy, see test_mixed_precision_across_axes_matches_numpy)
        cdtype = np.float32 if dtype is np.float32 and draw(st.booleans()) else np.float64
        kinds = ["float", "coords", "uniform_coords"] + (["int_coords"] if cdtype is np.float64 else [])
        varargs = []
        for a in axes:
            kind = draw(st.sampled_from(kinds))
            n = shape[a]
            if kind == "float":
                h = float(rng.uniform(0.1, 3.0))
                varargs.append(h if cdtype is np.float32 or dtype is not np.float32 else np.float64(h))
            elif kind == "coords":
                varargs.append(random_coords(rng, n, cdtype))
            elif kind == "int_coords":
                varargs.append(random_coords(rng, n, "int"))
            else:
                varargs.append((0.5 + 0.25 * np.arange(n)).astype(cdtype))
        varargs = tuple(varargs)
    return f, varargs, axis, edge_order


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gradient_cases())
def test_matches_numpy_gradient_on_random_data(case):
    f, varargs, axis, edge_order = case
    ref = np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    with no_fallback():
        got = gradient(f, *varargs, axis=axis, edge_order=edge_order)
    assert_matches_numpy(got, ref)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_3d_all_axes_nonuniform_larger_grid(edge_order, dtype):
    """A grid large enough that every thread gets several planes; coordinates on every axis."""
    rng = np.random.default_rng(7)
    shape = (19, 23, 37)
    f = rng.standard_normal(shape).astype(dtype)
    coords = [random_coords(rng, n, dtype) for n in shape]
    with no_fallback():
        got = gradient(f, *coords, edge_order=edge_order)
    assert_matches_numpy(got, np.gradient(f, *coords, edge_order=edge_order))
    with no_fallback():
        got = gradient(f, 0.3, 0.7, 1.9, edge_order=edge_order)
    assert_matches_numpy(got, np.gradient(f, 0.3, 0.7, 1.9, edge_order=edge_order))


def test_float32_stays_float32_and_integers_give_float64():
    f32 = np.arange(24, dtype=np.float32).reshape(4, 6) ** 2
    with no_fallback():
        gx, gy = gradient(f32, 0.5)
    assert gx.dtype == np.float32 and gy.dtype == np.float32
    m = np.arange(24).reshape(4, 6)
    np.testing.assert_array_equal(gy[:, 1:-1], 4.0 * m[:, 1:-1])  # (m+1)^2 - (m-1)^2 over 2*0.5
    np.testing.assert_array_equal(gx[1:-1], 24.0 * m[1:-1])     # (m+6)^2 - (m-6)^2 over 2*0.5
    with no_fallback():
        gi = gradient(np.array([1, 4, 9, 16], dtype=np.int8))
    assert gi.dtype == np.float64
    np.testing.assert_array_equal(gi, [3.0, 4.0, 6.0, 7.0])  # no int8 wrap-around


def test_exact_on_quadratics_with_edge_order_2_nonuniform():
    """Independent of NumPy: the three-point formulas are exact for quadratics on any grid."""
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(0.0, 2.0, 11))
    y = np.sort(rng.uniform(-1.0, 1.0, 9))
    X, Y = np.meshgrid(x, y, indexing="ij")
    u = 3 * X**2 - 2 * X * Y + 0.5 * Y**2 + X - 4
    with no_fallback():
        ux, uy = gradient(u, x, y, edge_order=2)
    np.testing.assert_allclose(ux, 6 * X - 2 * Y + 1, rtol=0, atol=1e-9)
    np.testing.assert_allclose(uy, -2 * X + Y, rtol=0, atol=1e-9)


@pytest.mark.parametrize("edge_order", [1, 2])
def test_observed_order_on_nonuniform_grid(edge_order):
    """Interior nodes are second order on a smoothly stretched grid; edges have order edge_order."""
    errs_int, errs_edge = [], []
    for n in (41, 81, 161):
        s = np.linspace(0.0, 1.0, n)
        x = s + 0.2 * s**2  # smooth stretching
        u = np.sin(3 * x)
        with no_fallback():
            du = gradient(u, x, edge_order=edge_order)
        err = np.abs(du - 3 * np.cos(3 * x))
        errs_int.append(err[1:-1].max())
        errs_edge.append(max(err[0], err[-1]))
    p_int = np.log2(np.array(errs_int[:-1]) / np.array(errs_int[1:]))
    p_edge = np.log2(np.array(errs_edge[:-1]) / np.array(errs_edge[1:]))
    assert np.all(np.abs(p_int - 2) < 0.1), p_int
    assert np.all(np.abs(p_edge - edge_order) < 0.1), p_edge


def test_return_types_follow_numpy():
    f = np.random.default_rng(1).standard_normal((4, 5, 6))
    with no_fallback():
        one = gradient(f, axis=1)
        neg = gradient(f, 2.0, axis=(-1,))
        two = gradient(f, axis=(2, 0))
    assert isinstance(one, np.ndarray)
    assert_matches_numpy(one, np.gradient(f, axis=1))
    assert_matches_numpy(neg, np.gradient(f, 2.0, axis=(-1,)))
    assert_matches_numpy(two, np.gradient(f, axis=(2, 0)))
    assert type(two) is type(np.gradient(f))
    assert gradient(f, axis=()) == np.gradient(f, axis=())


def test_fortran_order_and_strided_views():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((8, 9, 10))
    fort = np.asfortranarray(base)
    with no_fallback():
        got = gradient(fort, 0.5, [0, 1, 3, 4, 6, 7, 8, 11, 12], 2.0, edge_order=2)
    ref = np.gradient(fort, 0.5, [0, 1, 3, 4, 6, 7, 8, 11, 12], 2.0, edge_order=2)
    assert_matches_numpy(got, ref)
    assert all(g.flags.f_contiguous for g in got)  # layout kept, as NumPy's empty_like does
    view = base[::2, 1:, ::-3]
    with no_fallback():
        got = gradient(view, axis=(0, 2))
    assert_matches_numpy(got, np.gradient(view, axis=(0, 2)))


@pytest.mark.parametrize("make", [
    lambda r: r.standard_normal((3, 4, 3, 5)),                          # 4D
    lambda r: r.standard_normal((5, 6)) + 1j * r.standard_normal((5, 6)),  # complex
    lambda r: r.standard_normal(7).astype(np.float16),
    lambda r: r.standard_normal((4, 5)).astype(np.longdouble),
    lambda r: r.standard_normal(6).astype(">f8"),                        # non-native order
    lambda r: np.ma.masked_array(r.standard_normal(6)),                  # subclass
])
@pytest.mark.parametrize("edge_order", [1, 2])
def test_fallback_cases_match_numpy(make, edge_order):
    f = make(np.random.default_rng(4))
    got = gradient(f, 0.5, edge_order=edge_order)
    ref = np.gradient(f, 0.5, edge_order=edge_order)
    ref_list = [ref] if isinstance(ref, np.ndarray) else list(ref)
    got_list = [got] if isinstance(got, np.ndarray) else list(got)
    assert type(got) is type(ref) and len(got_list) == len(ref_list)
    for g, r in zip(got_list, ref_list):
        assert g.dtype == r.dtype and type(g) is type(r)
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-12)


def test_datetime_and_object_inputs_match_numpy():
    d = np.array(["2020-01-01", "2020-01-03", "2020-01-08"], dtype="datetime64[D]")
    np.testing.assert_array_equal(gradient(d), np.gradient(d))
    assert gradient(d).dtype == np.gradient(d).dtype
    o = np.array([1.0, 4.0, 9.0, 16.0], dtype=object)
    np.testing.assert_array_equal(gradient(o), np.gradient(o))


def test_spacing_type_mixtures_match_numpy():
    """NumPy scalars are 'strong' and raise float32 arithmetic to float64; results follow."""
    f = np.random.default_rng(5).standard_normal((6, 7)).astype(np.float32)
    for varargs in [(np.float64(0.3),), (np.float32(0.3),), (3,), (np.int64(3),),
                    (np.array(0.25),), (0.3, 0.7), (np.float64(0.3), np.float64(0.7))]:
        for eo in (1, 2):
            with no_fallback():
                got = gradient(f, *varargs, edge_order=eo)
            assert_matches_numpy(got, np.gradient(f, *varargs, edge_order=eo))
    g = f.astype(np.float64)
    x32 = np.cumsum(np.linspace(0.5, 1.0, 7)).astype(np.float32)  # float32 coefficients
    for eo in (1, 2):
        with no_fallback():
            got = gradient(g, np.float32(0.3), x32, edge_order=eo)
        assert_matches_numpy(got, np.gradient(g, np.float32(0.3), x32, edge_order=eo))
    # float32 arithmetic on one axis, float64 on the other: handed to NumPy, same results
    for eo in (1, 2):
        assert_matches_numpy(gradient(f, 0.3, np.float64(0.7), edge_order=eo),
                             np.gradient(f, 0.3, np.float64(0.7), edge_order=eo))


def test_default_small_and_large_arrays_match_numpy():
    """Default settings: a small array (NumPy path) and one above the kernel threshold."""
    rng = np.random.default_rng(8)
    small = rng.standard_normal((5, 6, 7))
    large = rng.standard_normal((fg_module._MIN_KERNEL_SIZE // 400 + 1, 20, 20))
    for f in (small, large):
        assert_matches_numpy(gradient(f, 0.5, edge_order=2), np.gradient(f, 0.5, edge_order=2))
    with mock.patch.object(fg_module, "_numpy_gradient", None):
        assert_matches_numpy(gradient(large, 0.5), np.gradient(large, 0.5))


def test_mixed_precision_across_axes_matches_numpy():
    """float32 data, one axis computed by NumPy in float32 and one in float64."""
    f = np.random.default_rng(6).standard_normal((5, 6)).astype(np.float32)
    x = np.cumsum(np.linspace(0.5, 1.0, 6))
    for eo in (1, 2):
        assert_matches_numpy(gradient(f, 0.3, x, edge_order=eo), np.gradient(f, 0.3, x, edge_order=eo))


def test_zero_and_repeated_spacing_match_numpy():
    f = np.arange(5.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_array_equal(gradient(f, 0.0), np.gradient(f, 0.0))
        x = np.array([0.0, 1.0, 1.0, 2.0, 3.0])
        np.testing.assert_array_equal(gradient(f, x), np.gradient(f, x))


@pytest.mark.parametrize("call, fg_error, builtin", [
    (lambda f: gradient(f, 1.0, 2.0), ParameterTypeError, TypeError),          # 2 spacings, 3 axes
    (lambda f: gradient(f, np.ones((2, 2)), 1.0, 1.0), ShapeError, ValueError),  # 2D coordinates
    (lambda f: gradient(f, np.arange(3.0), 1.0, 1.0), ShapeError, ValueError),   # wrong length
    (lambda f: gradient(f, edge_order=3), ParameterError, ValueError),
    (lambda f: gradient(f, edge_order=0), ParameterError, ValueError),
    (lambda f: gradient(f[:, :1], axis=1), ShapeError, ValueError),             # too few points
    (lambda f: gradient(f[:, :2], axis=1, edge_order=2), ShapeError, ValueError),
    (lambda f: gradient(f, axis=3), AxisParameterError, AxisError),
    (lambda f: gradient(f, axis=-4), AxisParameterError, IndexError),
    (lambda f: gradient(f, axis=(0, -3)), ParameterError, ValueError),          # repeated axis
    (lambda f: gradient(f, axis=1.5), ParameterTypeError, TypeError),
])
def test_bad_input_raises_fieldgrad_errors_numpy_compatible(call, fg_error, builtin):
    f = np.zeros((4, 5, 6))
    with pytest.raises(fg_error) as info:
        call(f)
    assert isinstance(info.value, FieldgradError) and isinstance(info.value, builtin)
    assert "accepted" in str(info.value)


def test_bad_input_numpy_raises_the_same_builtin():
    """The cases above are errors for NumPy too (so nothing NumPy accepts is refused)."""
    f = np.zeros((4, 5, 6))
    for call, builtin in [
        (lambda: np.gradient(f, 1.0, 2.0), TypeError),
        (lambda: np.gradient(f, np.ones((2, 2)), 1.0, 1.0), ValueError),
        (lambda: np.gradient(f, np.arange(3.0), 1.0, 1.0), ValueError),
        (lambda: np.gradient(f, edge_order=3), ValueError),
        (lambda: np.gradient(f[:, :1], axis=1), ValueError),
        (lambda: np.gradient(f, axis=3), AxisError),
        (lambda: np.gradient(f, axis=(0, -3)), ValueError),
        (lambda: np.gradient(f, axis=1.5), TypeError),
    ]:
        with pytest.raises(builtin):
            call()


@pytest.mark.parametrize("shape", [(20_000,), (30, 700), (8, 50, 60)])
def test_timedelta64_at_kernel_sizes_matches_numpy_exactly(shape):
    """timedelta64 is a NumPy 'integer' but NumPy keeps it: same dtype and the same values."""
    rng = np.random.default_rng(11)
    f = rng.integers(-10**6, 10**6, size=shape).astype("m8[ms]")
    for eo in (1, 2):
        got, ref = gradient(f, edge_order=eo), np.gradient(f, edge_order=eo)
        got_list = [got] if isinstance(got, np.ndarray) else list(got)
        ref_list = [ref] if isinstance(ref, np.ndarray) else list(ref)
        for g, r in zip(got_list, ref_list):
            assert g.dtype == r.dtype == np.dtype("m8[ms]")
            np.testing.assert_array_equal(g, r)


@pytest.mark.parametrize("call, words", [
    (lambda f: gradient(f, np.stack([np.arange(4.0)] * 2, axis=-1), 1.0, 1.0), "scalars or 1d"),
    (lambda f: gradient(f, np.arange(3.0), 1.0, 1.0), "distances must match the length"),
    (lambda f: gradient(f, 1.0, 2.0), "invalid number of arguments"),
    (lambda f: gradient(f, edge_order=3), "greater than 2 not supported"),
    (lambda f: gradient(f[:, :1], axis=1), "too small to calculate a numerical gradient"),
])
def test_bad_input_carries_numpy_wording(call, words):
    """NumPy's own tests match on these phrases (numpy/lib/tests/test_function_base.py)."""
    with pytest.raises(FieldgradError, match=words):
        call(np.zeros((4, 5, 6)))


def test_non_numeric_input_is_a_fieldgrad_type_error():
    with pytest.raises(TypeError):
        np.gradient(np.array([True, False, True]))
    with pytest.raises(ParameterTypeError, match="bool"):
        gradient(np.array([True, False, True]))
