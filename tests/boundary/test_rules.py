"""Each rule of the boundary table against its closed form.

A ghost rule is exact on the polynomials its closure is built for: the order-2 Neumann/Robin
ghost (a central difference at the boundary node) reproduces a quadratic at ``x_b + h``, the
extrapolation ghosts reproduce quadratics (first derivatives) and cubics (second derivatives),
the order-4 ghosts reproduce quintics at ``-h`` and ``-2h``.
"""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin
from fieldgrad.boundary.rules import (EXTRAPOLATION, KINDS, flux_scale, ghost_conductivity, ghost_rule,
                                      neighbour_rule, order4_rules)

G = Grid((9,), extent=((0.0, 2.0),))  # h = 0.25
H = 0.25


def layers_of(u, side, count):
    """u_m, m = 0.. inward from a face of a 1D array, as 0-d face arrays."""
    idx = range(count) if side == 0 else range(len(u) - 1, len(u) - 1 - count, -1)
    return [np.array(u[i]) for i in idx]


def poly(coefs, x):
    return sum(c * x ** p for p, c in enumerate(coefs))


def dpoly(coefs, x):
    return sum(p * c * x ** (p - 1) for p, c in enumerate(coefs) if p)


QUAD = (0.3, -1.1, 0.7)
CUBIC = (0.3, -1.1, 0.7, 0.45)
QUINTIC = (0.3, -1.1, 0.7, 0.45, -0.2, 0.13)


def ghost_x(side, layer=1):
    return -layer * H if side == 0 else 2.0 + layer * H


def outward_slope(coefs, side):
    x = 0.0 if side == 0 else 2.0
    return dpoly(coefs, x) * (-1 if side == 0 else 1)


@pytest.mark.parametrize("side", [0, 1])
def test_neumann_ghost_is_the_quadratic_beyond_the_face(side):
    u = poly(QUAD, G.coords[0])
    rule = ghost_rule(Neumann(outward_slope(QUAD, side)), G, "x" + "-+"[side], derivative=2)
    assert rule.kind == "neumann" and rule.weights == (0.0, 1.0) and rule.held is None
    assert float(rule.apply(layers_of(u, side, 2))) == pytest.approx(poly(QUAD, ghost_x(side)), abs=1e-13)


@pytest.mark.parametrize("side", [0, 1])
def test_robin_ghost_is_the_quadratic_beyond_the_face(side):
    u = poly(QUAD, G.coords[0])
    a, b = 2.5, 0.8
    xb = 0.0 if side == 0 else 2.0
    value = a * poly(QUAD, xb) + b * outward_slope(QUAD, side)
    rule = ghost_rule(Robin(a, b, value), G, "x" + "-+"[side])
    assert rule.kind == "robin"
    assert float(rule.weights[0]) == pytest.approx(-2 * H * a / b)
    assert float(rule.apply(layers_of(u, side, 2))) == pytest.approx(poly(QUAD, ghost_x(side)), abs=1e-13)


@pytest.mark.parametrize("kind", ["dirichlet", "none"])
@pytest.mark.parametrize("derivative,coefs", [(1, QUAD), (2, CUBIC)])
def test_extrapolation_ghosts_are_exact_for_their_polynomials(kind, derivative, coefs):
    u = poly(coefs, G.coords[0])
    for side in (0, 1):
        cond = Dirichlet(float(u[0 if side == 0 else -1])) if kind == "dirichlet" else None
        rule = ghost_rule(cond, G, "x" + "-+"[side], derivative=derivative)
        assert rule.kind == kind and rule.weights == EXTRAPOLATION[derivative]
        got = float(rule.apply(layers_of(u, side, rule.depth)))
        assert got == pytest.approx(poly(coefs, ghost_x(side)), abs=1e-12)


def test_dirichlet_rule_holds_the_boundary_value_at_time_t():
    g = Grid((4, 3))
    rule = ghost_rule(Dirichlet(lambda x, y, t: y + 10 * t), g, "x+", t=0.5)
    np.testing.assert_allclose(rule.held, g.coords[1] + 5.0)
    assert ghost_rule(None, g, "x+").held is None


def test_periodic_ghost_is_the_opposite_node():
    g = Grid((6,), periodic=True)
    u = np.arange(6.0) ** 2
    for side in (0, 1):
        rule = ghost_rule(Periodic(), g, "x" + "-+"[side])
        assert rule.source == "opposite"
        assert float(rule.apply(layers_of(u, 1 - side, 1))) == (u[-1] if side == 0 else u[0])


def test_neighbour_ghost_is_the_halo_node():
    rule = neighbour_rule()
    halo = np.array([[1.5, -2.0]])
    assert rule.source == "halo"
    np.testing.assert_array_equal(rule.apply([halo]), halo)


def test_flux_scale_with_conductivity():
    kb, k1 = np.array(2.0), np.array(3.0)
    khalf = 2 * 2.0 * 3.0 / 5.0
    assert float(flux_scale(kb, k1)) == pytest.approx(2.0 / khalf)
    rule = ghost_rule(Neumann(0.5), G, "x-", k_layers=(kb, k1))
    assert float(rule.offset) == pytest.approx(2 * H * 0.5 * 2.0 / khalf)


def test_ghost_conductivity_per_kind():
    k = [np.array([2.0, 1.0]), np.array([3.0, 2.0]), np.array([3.5, 2.0])]
    assert ghost_conductivity(ghost_rule(Neumann(0), G, "x-"), k) is k[1]
    assert ghost_conductivity(ghost_rule(Periodic(), Grid((6,), periodic=True), "x-"), k) is k[0]
    assert ghost_conductivity(neighbour_rule(), k) is k[0]
    # quadratic extrapolation 3k0 - 3k1 + k2, k0 where that is not positive
    np.testing.assert_allclose(ghost_conductivity(ghost_rule(None, G, "x-"), k), [3 * 2 - 3 * 3 + 3.5, 1.0])


@pytest.mark.parametrize("side", [0, 1])
def test_order4_extrapolation_and_hermite_ghosts_are_exact_for_quintics(side):
    u = poly(QUINTIC, G.coords[0])
    xb = 0.0 if side == 0 else 2.0
    conds = {
        "none": None,
        "dirichlet": Dirichlet(float(poly(QUINTIC, xb))),
        "neumann": Neumann(outward_slope(QUINTIC, side)),
        "robin": Robin(1.5, 0.5, 1.5 * poly(QUINTIC, xb) + 0.5 * outward_slope(QUINTIC, side)),
    }
    for kind, cond in conds.items():
        for layer, rule in zip((1, 2), order4_rules(cond, G, "x" + "-+"[side])):
            assert rule.kind == kind
            got = float(rule.apply(layers_of(u, side, rule.depth)))
            assert got == pytest.approx(poly(QUINTIC, ghost_x(side, layer)), abs=1e-10), (kind, layer)


def test_order4_periodic_ghosts_wrap_two_layers():
    g = Grid((7,), periodic=True)
    u = np.arange(7.0) ** 2
    r1, r2 = order4_rules(Periodic(), g, "x-")
    assert float(r1.apply(layers_of(u, 1, 1))) == u[6]
    assert float(r2.apply(layers_of(u, 1, 2))) == u[5]


def test_every_kind_has_a_rule():
    g = Grid((6, 6), periodic=(False, True))
    made = {ghost_rule(c, g, f).kind for c, f in [(Dirichlet(0), "x-"), (None, "x-"), (Neumann(0), "x-"),
                                                   (Robin(1, 1, 0), "x-"), (Periodic(), "y-")]}
    made.add(neighbour_rule().kind)
    assert made == set(KINDS)
