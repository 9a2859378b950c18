"""Observed orders of accuracy of the operators against manufactured solutions.

Interior nodes are second order (fourth with ``order=4``) for every boundary kind.  At the
boundary nodes themselves: Dirichlet and unconstrained faces use one-sided closures of the
operator's order; the ghost-node Neumann/Robin Laplacian is first order pointwise at the
boundary node (stated and asserted); the order-4 operators stay fourth order everywhere.
"""
import numpy as np
import pytest

import fieldgrad as fg
from manufactured import Manufactured, observed_order

KINDS = ["dirichlet", "neumann", "robin", "none", "periodic"]
SIZES = {2: (32, 64), 3: (16, 32)}
SIZES4 = {2: (32, 64), 3: (24, 48)}


def _grid(nd, n, periodic):
    return fg.Grid((n if periodic else n + 1,) * nd, periodic=periodic)


def _errors(op, nd, kind, order=2, sizes=None):
    """Max error over all nodes and over interior nodes (3 away from the walls) at two sizes."""
    per = kind == "periodic"
    m = Manufactured(nd, per)
    out = []
    for n in (sizes or SIZES)[nd]:
        g = _grid(nd, n, per)
        X = g.mesh()
        bc = None if per else m.bc(kind)
        got, want = op(m, g, X, bc, order)
        err = np.abs(got - want)
        inner = (Ellipsis,) + tuple(slice(3, -3) for _ in range(nd))
        out.append((err.max(), err[inner].max()))
    return [observed_order(out[0][i], out[1][i]) for i in (0, 1)]


def _lap(m, g, X, bc, order):
    return fg.laplacian(m.u(*X), g, bc, order=order), m.lap(*X)


def _grad(m, g, X, bc, order):
    return fg.grad(m.u(*X), g, bc, order=order), m.grad(*X)


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_laplacian_order2(nd, kind):
    everywhere, interior = _errors(_lap, nd, kind)
    assert abs(interior - 2) < 0.1
    boundary_order = 1 if kind in ("neumann", "robin") else 2  # ghost-node closure is first order at the node
    assert abs(everywhere - boundary_order) < 0.1


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_grad_order2(nd, kind):
    everywhere, interior = _errors(_grad, nd, kind)
    assert abs(interior - 2) < 0.1
    assert abs(everywhere - 2) < 0.1


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("op", [_lap, _grad], ids=["laplacian", "grad"])
def test_order4(nd, kind, op):
    everywhere, interior = _errors(op, nd, kind, order=4, sizes=SIZES4)
    assert abs(interior - 4) < 0.1
    assert abs(everywhere - 4) < 0.15 or everywhere > 4


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_div_k_grad_order(nd, kind):
    def op(m, g, X, bc, order):
        return fg.div_k_grad(m.u(*X), m.k(*X), g, bc), m.div_k_grad(*X)

    per = kind == "periodic"
    m = Manufactured(nd, per)
    if per:  # periodic k
        m.k = lambda *X: 1.5 + 0.5 * np.sin(2 * np.pi * sum(X))
        m.dk = lambda a, *X: np.pi * np.cos(2 * np.pi * sum(X))
    everywhere, interior = _errors(op, nd, kind) if not per else _errors_periodic_k(m, nd)
    assert abs(interior - 2) < 0.1
    # boundary nodes: the half-cell flux balance (Neumann/Robin) is first order pointwise;
    # Dirichlet/none (extrapolated ghost value and conductivity) and periodic stay second order
    assert abs(everywhere - (1 if kind in ("neumann", "robin") else 2)) < 0.1


def _errors_periodic_k(m, nd):
    out = []
    for n in SIZES[nd]:
        g = _grid(nd, n, True)
        X = g.mesh()
        err = np.abs(fg.div_k_grad(m.u(*X), m.k(*X), g) - m.div_k_grad(*X))
        out.append((err.max(), err[tuple(slice(3, -3) for _ in range(nd))].max()))
    return [observed_order(out[0][i], out[1][i]) for i in (0, 1)]


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("kind", ["dirichlet", "neumann", "none", "periodic"])
@pytest.mark.parametrize("order", [2, 4])
def test_div_order(nd, kind, order):
    """div of the exact gradient field; the condition applies to the normal component."""
    per = kind == "periodic"
    m = Manufactured(nd, per)
    errs = []
    for n in (SIZES if order == 2 else SIZES4)[nd]:
        g = _grid(nd, n, per)
        X = g.mesh()
        v = m.grad(*X)
        bc = None
        if kind == "dirichlet":  # normal component known on each face
            bc = {"xyz"[a] + s: fg.Dirichlet(lambda *Y, a=a: m.du(a, *Y)) for a in range(nd) for s in "-+"}
        elif kind == "neumann":  # outward normal derivative of the normal component
            bc = {}
            for a in range(nd):
                for s, sign in (("-", -1.0), ("+", 1.0)):
                    def d2(*Y, a=a, sign=sign):
                        return sign * m._prod(Y, [2 if b == a else 0 for b in range(nd)])
                    bc["xyz"[a] + s] = fg.Neumann(d2)
        errs.append(np.abs(fg.div(v, g, bc, order=order) - m.lap(*X)).max())
    assert abs(observed_order(*errs) - order) < 0.1 or (order == 4 and observed_order(*errs) > 4)


def test_neumann_normal_derivative_exact():
    """At a Neumann face the normal gradient component is the prescribed flux (outward sign)."""
    g = fg.Grid((9, 7), extent=[(0, 2), (0, 1)])
    X, Y = g.mesh()
    u = np.sin(X) * np.cos(Y)
    G = fg.grad(u, g, {"x-": fg.Neumann(0.25), "x+": fg.Neumann(-0.5)})
    np.testing.assert_allclose(G[0, 0], -0.25, rtol=0, atol=1e-14)
    np.testing.assert_allclose(G[0, -1], -0.5, rtol=0, atol=1e-14)


def test_dirichlet_values_are_imposed():
    """Operators evaluate with the Dirichlet value on the boundary nodes, whatever u holds there."""
    g = fg.Grid((6, 6))
    X, Y = g.mesh()
    u = X ** 2 + Y ** 2
    wrong = u.copy()
    wrong[0] = 123.0  # x- face overwritten; the Dirichlet value puts it right again
    bc = {"x-": fg.Dirichlet(lambda x, y: x ** 2 + y ** 2)}
    np.testing.assert_allclose(fg.laplacian(wrong, g, bc), fg.laplacian(u, g), atol=1e-10)
    assert wrong[0, 0] == 123.0  # the input is not modified


def test_time_dependent_boundary_value():
    g = fg.Grid((5, 5))
    bc = {"x-": fg.Dirichlet(lambda x, y, t: t + 0 * y)}
    u = np.zeros(g.shape)
    L1 = fg.laplacian(u, g, bc, t=1.0)
    L2 = fg.laplacian(u, g, bc, t=2.0)
    h2 = g.spacing[0] ** 2
    # the node next to the face sees the boundary value t through the 5-point stencil
    np.testing.assert_allclose(L1[1, 1:-1], 1.0 / h2)
    np.testing.assert_allclose(L2[1, 1:-1], 2.0 / h2)


def test_curl_of_rotation_and_2d_scalar_curl():
    g = fg.Grid((7, 6, 5), extent=[(0, 1), (0, 2), (0, 1)])
    X, Y, Z = g.mesh()
    w = np.array([0.5, -1.0, 2.0])
    v = np.stack([w[1] * Z - w[2] * Y, w[2] * X - w[0] * Z, w[0] * Y - w[1] * X])  # w x r
    c = fg.curl(v, g)
    for a in range(3):
        np.testing.assert_allclose(c[a], 2 * w[a], atol=1e-12)
    g2 = fg.Grid((8, 9))
    X, Y = g2.mesh()
    np.testing.assert_allclose(fg.curl(np.stack([-Y * X, X * X]), g2), 2 * X + X, atol=1e-12)


def test_one_dimensional_operators():
    g = fg.Grid(41, extent=(0, 2))
    x = g.coords[0]
    np.testing.assert_allclose(fg.laplacian(x ** 2, g), 2.0, atol=1e-10)
    np.testing.assert_allclose(fg.grad(x ** 2, g)[0], 2 * x, atol=1e-12)
    np.testing.assert_allclose(fg.div((x ** 2)[None], g), 2 * x, atol=1e-12)
    np.testing.assert_allclose(fg.div_k_grad(x ** 2, 3.0, g), 6.0, atol=1e-10)
    np.testing.assert_allclose(fg.laplacian(x ** 4, g, order=4), 12 * x ** 2, atol=1e-8)
    np.testing.assert_allclose(fg.grad(x ** 4, g, order=4)[0], 4 * x ** 3, atol=1e-9)


def test_out_argument_is_used_and_returned():
    g = fg.Grid((6, 5, 4))
    u = np.random.default_rng(0).random(g.shape)
    out = np.empty(g.shape)
    assert fg.laplacian(u, g, out=out) is out
    np.testing.assert_array_equal(out, fg.laplacian(u, g))
    gout = np.empty((3,) + g.shape)
    assert fg.grad(u, g, out=gout) is gout
    dout = np.empty(g.shape)
    assert fg.div(gout, g, out=dout) is dout
    kout = np.empty(g.shape)
    assert fg.div_k_grad(u, 2.0, g, out=kout) is kout
    np.testing.assert_allclose(kout, 2 * out, rtol=1e-13, atol=1e-10)


def test_harmonic_mean_handles_a_conductivity_jump():
    """Steady 1D conduction through two materials: the exact piecewise-linear profile has zero
    div(k grad u) when the interface sits midway between nodes (harmonic face mean)."""
    n = 21
    g = fg.Grid((n, 4), extent=[(0, 1), (0, 1)])
    x = g.coords[0]
    k1, k2 = 1.0, 1000.0
    xi = 0.5 * (x[10] + x[11])
    kx = np.where(x < xi, k1, k2)
    q = 1.0 / (xi / k1 + (1 - xi) / k2)  # flux for u(0)=1, u(1)=0
    ux = np.where(x < xi, 1 - q * x / k1, q * (1 - x) / k2)
    u = np.repeat(ux[:, None], 4, axis=1)
    k = np.repeat(kx[:, None], 4, axis=1)
    r = fg.div_k_grad(u, k, g, {"x-": fg.Dirichlet(1.0), "x+": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)})
    assert np.abs(r[1:-1]).max() < 1e-9 * q / g.spacing[0] ** 2


@pytest.mark.parametrize("nd", [2, 3])
@pytest.mark.parametrize("per", [False, True], ids=["one-sided", "periodic"])
@pytest.mark.parametrize("order", [2, 4])
def test_curl_order(nd, per, order):
    """curl(u c) = grad(u) x c for a constant vector c (in 2D the scalar curl)."""
    m = Manufactured(nd, per)
    c = np.array([1.0, -2.0, 0.5])[:nd]
    errs = []
    for n in (SIZES if order == 2 else SIZES4)[nd]:
        g = _grid(nd, n, per)
        X = g.mesh()
        u = m.u(*X)
        G = m.grad(*X)
        v = np.stack([c[a] * u for a in range(nd)])
        if nd == 2:
            want = G[0] * c[1] - G[1] * c[0]
        else:
            want = np.stack([G[1] * c[2] - G[2] * c[1], G[2] * c[0] - G[0] * c[2], G[0] * c[1] - G[1] * c[0]])
        errs.append(np.abs(fg.curl(v, g, order=order) - want).max())
    assert abs(observed_order(*errs) - order) < 0.1 or (order == 4 and observed_order(*errs) > 4)
