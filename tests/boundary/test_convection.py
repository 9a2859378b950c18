"""Convection(h, ambient, conductivity=k): -k du/dn = h (u - ambient), checked on a slab whose exact
solution is linear (so the second-order discretisation reproduces it to rounding)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BoundaryError


def slab(k, h, t0=100.0, ambient=20.0):
    g = fg.Grid((33, 5), extent=[(0.0, 2.0), (0.0, 1.0)])
    bc = {"x-": fg.Dirichlet(t0), "x+": fg.Convection(h, ambient, conductivity=k), "y": fg.Neumann(0.0)}
    u = fg.solve_poisson(np.zeros(g.shape), g, bc, k=k, method="direct").u
    slope = h * (ambient - t0) / (k + h * 2.0)  # -k T'(L) = h (T(L) - ambient), T(0) = t0
    X, _ = g.mesh()
    return u, t0 + slope * X, slope


@pytest.mark.parametrize("k, h", [(2.0, 50.0), (0.2, 5000.0), (40.0, 1.0)])
def test_slab_matches_newtons_law_of_cooling(k, h):
    u, exact, slope = slab(k, h)
    np.testing.assert_allclose(u, exact, rtol=0, atol=1e-9 * 100)
    # the conducted flux leaving through x+ equals the convected flux h (T_wall - ambient)
    assert -k * slope == pytest.approx(h * (u[-1, 2] - 20.0), rel=1e-9)


def test_the_conductivity_is_part_of_the_condition():
    # the same h and ambient with another body conductivity give another wall temperature
    u1, _, _ = slab(1.0, 1.0)
    u4, _, _ = slab(4.0, 1.0)
    assert abs(u1[-1, 2] - u4[-1, 2]) > 10.0


def test_it_is_the_robin_condition_with_alpha_h_beta_k():
    c = fg.Convection(np.full(5, 3.0), 20.0, conductivity=2.0)
    assert c.kind == "robin" and isinstance(c, fg.Robin)
    np.testing.assert_array_equal(c.value, np.full(5, 60.0))
    assert c.beta == 2.0


def test_time_dependent_ambient_stays_time_dependent():
    g = fg.Grid((5, 5))
    c = fg.Convection(2.0, lambda x, y, t: 10.0 + t, conductivity=1.0)
    assert c.time_dependent
    np.testing.assert_allclose(c.evaluate("value", g, "x+", t=3.0), 26.0)
    assert not fg.Convection(2.0, lambda x, y: x, conductivity=1.0).time_dependent


@pytest.mark.parametrize("kw", [dict(h=0.0, ambient=1.0, conductivity=1.0), dict(h=1.0, ambient=1.0, conductivity=-2.0)])
def test_non_positive_coefficients_are_refused(kw):
    with pytest.raises(BoundaryError, match="Convection"):
        fg.Convection(**kw)


def test_conductivity_must_be_given():
    with pytest.raises(TypeError):
        fg.Convection(1.0, 20.0)
