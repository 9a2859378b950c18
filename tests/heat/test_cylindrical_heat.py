"""Transient heat on an axisymmetric (r, z) grid against the Bessel-series solution.

A solid cylinder of radius 1 held at 0 on its surface, insulated ends, starting from
``J0(j1 r)`` (``j1`` the first zero of ``J0``): ``u = exp(-alpha j1^2 t) J0(j1 r)`` exactly.
A top-hat start ``u0 = 1`` has the series ``sum 2 / (j_n J1(j_n)) J0(j_n r) exp(-j_n^2 t)``.
Every method converges to it; the heat ``int rho_c u dV`` (2 pi r included) is conserved with
insulated faces; a source raises it at exactly ``Q`` per unit time."""
import numpy as np
import pytest
from scipy.special import j0, j1, jn_zeros

from fieldgrad import Dirichlet, Grid, Neumann, solve_heat

ZEROS = jn_zeros(0, 60)
BC = {"r+": Dirichlet(0.0), "z": Neumann(0.0)}


def grid(n):
    return Grid((n, 4), extent=[(0, 1), (0, 0.2)], coords="cylindrical")


@pytest.mark.parametrize("method", ["ftcs", "rkl2", "crank_nicolson"])
def test_first_mode_decays_at_the_bessel_rate_second_order(method):
    T, errs, ns = 0.05, [], (11, 21, 41)
    for n in ns:
        g = grid(n)
        r = g.mesh()[0]
        dt = 0.05 * g.spacing[0] ** 2 if method == "ftcs" else 0.25 * g.spacing[0]
        res = solve_heat(j0(ZEROS[0] * r), g, BC, alpha=2.0, t_end=T, dt=dt, method=method, progress=False)
        exact = np.exp(-2.0 * ZEROS[0] ** 2 * T) * j0(ZEROS[0] * r)
        errs.append(np.abs(res.u - exact).max())
    p = np.log2(np.asarray(errs[:-1]) / np.asarray(errs[1:]))
    assert np.all(p > 1.8), errs


def test_top_hat_against_the_series_backward_euler_first_order_in_time():
    g = grid(41)
    r = g.mesh()[0]
    T = 0.02
    series = sum(2 / (z * j1(z)) * j0(z * r) * np.exp(-z ** 2 * T) for z in ZEROS)
    errs = []
    for dt in (T / 10, T / 20, T / 40):
        u = solve_heat(np.where(r < 1, 1.0, 0.0), g, BC, alpha=1.0, t_end=T, dt=dt, method="backward_euler",
                       progress=False).u
        errs.append(np.abs(u - series)[:-1].max())
    assert errs[-1] < 0.02
    # halving dt reduces the (time-dominated) error by about 2
    assert 1.6 < errs[0] / errs[1] < 2.4, errs


@pytest.mark.parametrize("method", ["ftcs", "backward_euler", "crank_nicolson"])
def test_heat_of_the_revolution_is_conserved_and_sourced(method):
    g = grid(21)
    r = g.mesh()[0]
    rho_c = np.where(r < 0.5, 4.0, 1.0)
    u0 = np.cos(np.pi * r)
    ins = {"r+": Neumann(0.0), "z": Neumann(0.0)}
    dt = 0.05 * g.spacing[0] ** 2
    w = g.quadrature_weights()
    res = solve_heat(u0, g, ins, k=1.5, rho_c=rho_c, steps=40, dt=dt, method=method, progress=False)
    assert np.sum(w * rho_c * res.u) == pytest.approx(np.sum(w * rho_c * u0), rel=1e-12)
    q = 3.0  # W/m^3 everywhere: the heat grows by q * volume per unit time
    res = solve_heat(u0, g, ins, k=1.5, rho_c=rho_c, steps=40, dt=dt, method=method, source=q, progress=False)
    gained = np.sum(w * rho_c * res.u) - np.sum(w * rho_c * u0)
    assert gained == pytest.approx(q * np.pi * 1.0 ** 2 * 0.2 * 40 * dt, rel=1e-10)
