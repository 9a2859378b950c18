"""box_flow and edge_energy on axisymmetric (r, z) grids: flows through surfaces of revolution.

* discrete identities (round-off): ``box_flow = -sum(w div_k_grad(u))`` over the box nodes and
  ``edge_energy = -1/2 sum(w u div_k_grad(u))`` with insulated faces, for random ``u`` and ``k``,
  on a grid with the axis and on an annulus;
* divergence theorem against exact volume integrals: ``u = r^2 + z^2`` (laplacian 6) to round-off,
  ``u = r^4 + z^4`` (laplacian ``16 r^2 + 12 z^2``) to second order, boxes on the axis (solid
  cylinders) and off it (rings); steady fields: heat leaving a box equals the source inside, the
  flux of D out of a box the charge inside;
* ``edge_energy`` against the exact ``1/2 int k |grad u|^2 2 pi r dr dz``: linear fields to round-off,
  ``u = r^2 z`` to second order; a coaxial capacitor: ``C`` -> ``2 pi eps L / ln(b/a)`` at order 2
  and ``W = C V^2 / 2`` to round-off.
"""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, div_k_grad
from fieldgrad.errors import GridError
from fieldgrad.fields import EPSILON_0, PotentialField, TemperatureField, box_flow, edge_energy
from fieldgrad.fields.fluxes import box_indices

NS = (17, 33, 65, 129)
AXIS, ANNULUS = (0.0, 1.0), (0.5, 1.5)


def cyl(n, r=AXIS, z=(0.0, 1.0)):
    return Grid((n, n), extent=[r, z], coords="cylindrical")


def orders(errs):
    e = np.asarray(errs, dtype=float)
    return np.log2(e[:-1] / e[1:])  # each size halves h


def box_for(r):
    """A box on the axis (a solid cylinder) or a ring inside the annulus, in node coordinates."""
    return ((0.0, 0.25), (0.5, 0.75)) if r == AXIS else ((0.75, 0.25), (1.25, 0.75))


def dual_box(g, lo, hi):
    """The box's surface: half a spacing outside its outer nodes (not below the axis)."""
    (i0, i1), (j0, j1) = box_indices(g, lo, hi)
    (hr, hz), (r, z) = g.spacing, g.coords
    return max(r[i0] - hr / 2, 0.0), r[i1] + hr / 2, z[j0] - hz / 2, z[j1] + hz / 2


@pytest.mark.parametrize("r", [AXIS, ANNULUS], ids=["axis", "annulus"])
def test_box_flow_and_energy_are_the_rows_balances(r):
    rng = np.random.default_rng(3)
    g = Grid((13, 9), extent=[r, (0.0, 1.0)], coords="cylindrical")
    u = rng.standard_normal(g.shape)
    k = 1.0 + rng.random(g.shape)
    w = g.quadrature_weights()
    rows = div_k_grad(u, g, None, k=k)  # every face insulated
    lo, hi = box_for(r)
    sel = tuple(slice(i0, i1 + 1) for i0, i1 in box_indices(g, lo, hi))
    assert box_flow(u, k, g, lo, hi) == pytest.approx(-(w * rows)[sel].sum(), rel=1e-12, abs=1e-12)
    assert edge_energy(u, k, g) == pytest.approx(-0.5 * (w * u * rows).sum(), rel=1e-12)


@pytest.mark.parametrize("r", [AXIS, ANNULUS], ids=["axis", "annulus"])
def test_box_flow_of_a_quadratic_is_exact(r):
    g = cyl(17, r)
    R, Z = g.mesh()
    lo, hi = box_for(r)
    r0, r1, z0, z1 = dual_box(g, lo, hi)
    # div(-grad u) = -6 everywhere: the flow out is -6 times the volume inside the surface
    assert box_flow(R ** 2 + Z ** 2, 1.0, g, lo, hi) == pytest.approx(-6 * np.pi * (r1 ** 2 - r0 ** 2) * (z1 - z0),
                                                                     rel=1e-12)
    # k = 2.5: the flow scales with k
    assert box_flow(R ** 2 + Z ** 2, 2.5, g, lo, hi) == pytest.approx(-15 * np.pi * (r1 ** 2 - r0 ** 2) * (z1 - z0),
                                                                     rel=1e-12)


@pytest.mark.parametrize("r", [AXIS, ANNULUS], ids=["axis", "annulus"])
def test_divergence_theorem_second_order(r):
    """Flow of -grad u with u = r^4 + z^4 through the surface of revolution vs the exact volume
    integral of the source -lap u = -(16 r^2 + 12 z^2) inside it."""
    errs = []
    lo, hi = box_for(r)
    for n in NS:
        g = cyl(n, r)
        R, Z = g.mesh()
        r0, r1, z0, z1 = dual_box(g, lo, hi)
        exact = -2 * np.pi * (4 * (r1 ** 4 - r0 ** 4) * (z1 - z0) + 2 * (r1 ** 2 - r0 ** 2) * (z1 ** 3 - z0 ** 3))
        errs.append(abs(box_flow(R ** 4 + Z ** 4, 1.0, g, lo, hi) - exact) / abs(exact))
    print(f"box_flow r^4 + z^4 {r}", errs, orders(errs))
    assert np.all(orders(errs) > 1.9), errs


def test_steady_fields_close_their_box_balances():
    g = cyl(33)
    R, Z = g.mesh()
    w = g.quadrature_weights()
    q = np.exp(-((R ** 2 + (Z - 0.5) ** 2) / 0.02))
    T = TemperatureField.steady(g, {"r+": Dirichlet(0.0), "z": Neumann(0.0)}, conductivity=2.0, source=q)
    lo, hi = (0.0, 0.25), (0.5, 0.75)
    sel = tuple(slice(i0, i1 + 1) for i0, i1 in box_indices(g, lo, hi))
    assert T.heat_flow_box(lo, hi) == pytest.approx((w * q)[sel].sum(), rel=1e-8)
    rho = 1e-9 * q
    phi = PotentialField.steady(g, {"r+": Dirichlet(0.0), "z": Dirichlet(0.0)}, charge_density=rho)
    assert phi.flux_through_box(lo, hi) == pytest.approx(phi.charge_in_box(rho, lo, hi), rel=1e-8)
    assert phi.charge_in_box(rho, lo, hi) == pytest.approx((w * rho)[sel].sum(), rel=1e-13)


@pytest.mark.parametrize("r", [AXIS, ANNULUS], ids=["axis", "annulus"])
def test_edge_energy_of_linear_fields_is_exact(r):
    g = cyl(9, r)
    R, Z = g.mesh()
    volume = np.pi * (r[1] ** 2 - r[0] ** 2)
    assert edge_energy(3 * R - 2 * Z, 2.0, g) == pytest.approx(0.5 * 2.0 * 13 * volume, rel=1e-12)


@pytest.mark.parametrize("r", [AXIS, ANNULUS], ids=["axis", "annulus"])
def test_edge_energy_second_order(r):
    """u = r^2 z: |grad u|^2 = 4 r^2 z^2 + r^4; 1/2 int k |grad u|^2 2 pi r dr dz over [r0, r1] x [0, 1]."""
    k = 1.5
    r0, r1 = r
    exact = 0.5 * k * 2 * np.pi * ((r1 ** 4 - r0 ** 4) / 3 + (r1 ** 6 - r0 ** 6) / 6)
    errs = []
    for n in NS:
        g = cyl(n, r)
        R, Z = g.mesh()
        errs.append(abs(edge_energy(R ** 2 * Z, k, g) - exact) / exact)
    print(f"edge_energy r^2 z {r}", errs, orders(errs))
    assert np.all(orders(errs) > 1.9), errs


def test_coaxial_capacitor_energy_and_capacitance():
    a, b, L, V = 0.5, 2.0, 1.0, 3.0
    exact = 2 * np.pi * EPSILON_0 * L / np.log(b / a)
    errs = []
    for n in (16, 32, 64):
        g = Grid((n + 1, 5), extent=[(a, b), (0, L)], coords="cylindrical")
        R = g.mesh()[0]
        phi, C = PotentialField.capacitor(g, np.isclose(R, a), np.isclose(R, b), voltage=V, bc={"z": Neumann(0.0)})
        assert phi.energy() == pytest.approx(0.5 * C * V ** 2, rel=1e-10)
        errs.append(abs(C / exact - 1))
    print("coax C", errs, orders(errs))
    assert np.all(orders(errs) > 1.9), errs


def test_boxes_that_reach_a_face_are_refused():
    g = cyl(9)
    u = np.zeros(g.shape)
    with pytest.raises(GridError, match="box r range .* reaches the boundary"):
        box_flow(u, 1.0, g, (0.0, 0.25), (1.0, 0.75))
    with pytest.raises(GridError, match="box z range .* reaches the boundary"):
        box_flow(u, 1.0, g, (0.0, 0.0), (0.5, 0.75))
    ga = cyl(9, ANNULUS)  # no axis: the inner wall is a face like any other
    with pytest.raises(GridError, match="box r range .* reaches the boundary"):
        box_flow(u, 1.0, ga, (0.5, 0.25), (1.0, 0.75))
    gx = Grid((9, 9))  # Cartesian x = 0 is a face, not an axis
    with pytest.raises(GridError, match="box x range .* reaches the boundary"):
        box_flow(u, 1.0, gx, (0.0, 0.25), (0.5, 0.75))
