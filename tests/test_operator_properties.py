"""Algebraic properties of the operators, checked on random data with hypothesis."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldgrad as fg

shapes = st.one_of(
    st.tuples(st.integers(6, 12), st.integers(6, 12)),
    st.tuples(st.integers(6, 9), st.integers(6, 9), st.integers(6, 9)),
)
spacings = st.floats(0.05, 3.0)
settings.register_profile("fieldgrad", max_examples=25, deadline=None)
settings.load_profile("fieldgrad")


def _grid(shape, hs, periodic=False):
    return fg.Grid(shape, spacing=[hs[i % len(hs)] for i in range(len(shape))], periodic=periodic)


@given(shapes, st.lists(spacings, min_size=3, max_size=3), st.integers(0, 2**31 - 1), st.floats(-3, 3))
def test_linearity(shape, hs, seed, a):
    g = _grid(shape, hs)
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal((2,) + shape)
    scale = 1.0 / min(g.spacing) ** 2
    for op in (lambda w: fg.laplacian(w, g), lambda w: fg.grad(w, g), lambda w: fg.laplacian(w, g, order=4),
               lambda w: fg.div_k_grad(w, 2.5, g)):
        np.testing.assert_allclose(op(u + a * v), op(u) + a * op(v), atol=1e-11 * scale * (1 + abs(a)))


@given(shapes, st.lists(spacings, min_size=3, max_size=3), st.floats(-1e3, 1e3), st.booleans())
def test_constants_map_to_zero(shape, hs, c, periodic):
    g = _grid(shape, hs, periodic)
    u = np.full(shape, c)
    tol = 1e-12 * max(1.0, abs(c)) / min(g.spacing) ** 2
    assert np.abs(fg.grad(u, g)).max() <= tol
    assert np.abs(fg.laplacian(u, g)).max() <= tol
    assert np.abs(fg.laplacian(u, g, order=4)).max() <= tol
    k = np.random.default_rng(1).uniform(0.1, 10, shape)
    assert np.abs(fg.div_k_grad(u, k, g)).max() <= 10 * tol
    # zero-flux walls keep constants steady too
    assert np.abs(fg.laplacian(u, g, fg.Neumann(0.0))).max() <= tol


@given(shapes, st.lists(spacings, min_size=3, max_size=3), st.lists(st.floats(-5, 5), min_size=10, max_size=10))
def test_exact_on_linear_and_quadratic_fields(shape, hs, c):
    g = _grid(shape, hs)
    X = g.mesh()
    nd = g.ndim
    lin = c[0] + sum(c[1 + a] * X[a] for a in range(nd))
    G = fg.grad(lin, g)
    size = max(1.0, max(abs(x).max() for x in X))
    for a in range(nd):
        np.testing.assert_allclose(G[a], c[1 + a], atol=1e-10 * size / min(g.spacing))
    quad = lin + sum(c[4 + a] * X[a] ** 2 for a in range(nd)) + c[7] * X[0] * X[1]
    want = 2 * sum(c[4 + a] for a in range(nd))
    tol = 1e-9 * size ** 2 / min(g.spacing) ** 2
    np.testing.assert_allclose(fg.laplacian(quad, g), want, atol=tol)
    np.testing.assert_allclose(fg.div_k_grad(quad, 3.0, g), 3 * want, atol=3 * tol)
    np.testing.assert_allclose(fg.laplacian(quad, g, order=4), want, atol=10 * tol)


@given(shapes, st.lists(spacings, min_size=3, max_size=3), st.integers(0, 2**31 - 1))
def test_div_grad_is_the_wide_laplacian_on_periodic_grids(shape, hs, seed):
    """On a periodic grid div(grad u) is exactly the wide (2h) Laplacian; it agrees with the
    compact Laplacian on the modes both resolve, and both annihilate constants."""
    g = _grid(shape, hs, periodic=True)
    u = np.random.default_rng(seed).standard_normal(shape)
    dg = fg.div(fg.grad(u, g), g)
    wide = sum((np.roll(u, -2, a) - 2 * u + np.roll(u, 2, a)) / (4 * g.spacing[a] ** 2) for a in range(g.ndim))
    np.testing.assert_allclose(dg, wide, atol=1e-12 / min(g.spacing) ** 2)


@given(shapes, st.lists(spacings, min_size=3, max_size=3), st.integers(0, 2**31 - 1))
def test_curl_of_grad_vanishes(shape, hs, seed):
    g = _grid(shape, hs, periodic=True)
    u = np.random.default_rng(seed).standard_normal(shape)
    c = fg.curl(fg.grad(u, g), g)
    assert np.abs(c).max() < 1e-11 / min(g.spacing) ** 2


@given(shapes, st.integers(0, 2**31 - 1))
def test_float32_in_float32_out(shape, seed):
    g = fg.Grid(shape)
    u = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    ref = u.astype(np.float64)
    for op in (fg.laplacian, fg.grad):
        r32 = op(u, g)
        assert r32.dtype == np.float32
        np.testing.assert_allclose(r32, op(ref, g), rtol=1e-4, atol=1e-3 * np.abs(op(ref, g)).max())
    assert fg.div_k_grad(u, 2.0, g).dtype == np.float32
    assert fg.div(np.stack([u] * g.ndim), g).dtype == np.float32
    assert fg.laplacian(u, g, order=4).dtype == np.float32


def test_neumann_laplacian_conserves_the_trapezoid_sum():
    """With zero-flux walls the trapezoid-weighted sum of the ghost-node Laplacian is zero, so
    heat is conserved exactly by any scheme built on it."""
    g = fg.Grid((9, 11, 7), extent=[(0, 1), (0, 2), (0, 0.5)])
    u = np.random.default_rng(3).random(g.shape)
    w = g.quadrature_weights()
    assert abs(np.sum(w * fg.laplacian(u, g, fg.Neumann(0.0)))) < 1e-11
    k = np.random.default_rng(4).uniform(0.5, 5.0, g.shape)
    assert abs(np.sum(w * fg.div_k_grad(u, k, g, fg.Neumann(0.0)))) < 1e-10
