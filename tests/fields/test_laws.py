"""Physics checks of the fields: Fourier, capacitors, Gauss, conservation, Darcy."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin, div_k_grad
from fieldgrad.errors import GridError, ParameterError, ShapeError
from fieldgrad.fields import EPSILON_0, PotentialField, PressureField, TemperatureField


def test_fourier_slab_heat_flow_equals_k_A_dT_over_L_2d_and_3d():
    k, L, W, dT = 45.0, 0.2, 0.05, 80.0
    g = Grid((17, 7), extent=[(0, L), (0, W)])
    T = TemperatureField.steady(g, {"x-": Dirichlet(20.0 + dT), "x+": Dirichlet(20.0)}, conductivity=k)
    expect = k * W * dT / L
    assert T.heat_flow("x+") == pytest.approx(expect, rel=1e-10)
    assert T.heat_flow("x-") == pytest.approx(-expect, rel=1e-10)
    assert abs(T.heat_flow("y-")) < 1e-12 * expect
    g3 = Grid((9, 5, 4), extent=[(0, L), (0, W), (0, 2 * W)])
    T3 = TemperatureField.steady(g3, {"x-": Dirichlet(dT), "x+": Dirichlet(0.0)}, conductivity=k)
    assert T3.heat_flow("x+") == pytest.approx(k * W * 2 * W * dT / L, rel=1e-10)


def test_two_material_slab_is_series_resistance():
    # interface half-way between nodes: harmonic mean gives the exact series resistance
    L, n = 1.0, 21
    g = Grid((n, 4), extent=[(0, L), (0, 1)])
    X, _ = g.mesh()
    k1, k2 = 1.0, 20.0
    k = np.where(X < 0.5 * L - 1e-12, k1, k2)
    # the material interface lies half-way between the last k1 node and the first k2 node
    x_if = (g.coords[0][np.flatnonzero(k[:, 0] == k1)[-1]] + g.coords[0][np.flatnonzero(k[:, 0] == k2)[0]]) / 2
    T = TemperatureField.steady(g, {"x-": Dirichlet(1.0), "x+": Dirichlet(0.0)}, conductivity=k)
    expect = 1.0 / (x_if / k1 + (L - x_if) / k2)
    assert T.heat_flow("x+") == pytest.approx(expect, rel=1e-10)
    q = T.heat_flux()[0]
    away = np.abs(X - x_if) > 0.1  # node-centred flux away from the interface nodes
    assert np.allclose(q[away], expect, rtol=1e-8)


def test_heat_flow_through_a_dirichlet_face_is_second_order():
    # -k T'' = Q0 sin(pi x / L), T(0) = T(L) = 0: heat leaving at x = 0 is Q0 L / pi per unit area
    Q0, k, L = 3.0, 2.0, 1.0
    errs = []
    for n in (11, 21, 41):
        g = Grid((n, 3), extent=[(0, L), (0, 0.1)])
        X, _ = g.mesh()
        T = TemperatureField.steady(g, {"x": Dirichlet(0.0)}, conductivity=k, source=Q0 * np.sin(np.pi * X / L))
        errs.append(abs(T.heat_flow("x-") - Q0 * L / np.pi * 0.1))
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 1.9), orders


@pytest.mark.parametrize("shape", [(33, 25), (12, 10, 9)])
def test_steady_conduction_heat_in_equals_heat_out(shape):
    g = Grid(shape, extent=[(0, 1.0), (0, 0.8), (0, 0.5)][: len(shape)])
    mesh = g.mesh()
    X, Y = mesh[0], mesh[1]
    k = np.where((X - 0.5) ** 2 + (Y - 0.4) ** 2 < 0.04, 0.05, 15.0)  # insulating inclusion
    src = 200.0 * np.exp(-((X - 0.3) ** 2 + (Y - 0.3) ** 2) / 0.01)
    bc = {"x-": Dirichlet(lambda *c: 50.0 + 10 * c[1]), "x+": Robin(25.0, 1.0, 25.0 * 20.0),
          "y-": Neumann(-3.0), "*": Neumann(0.0)}
    if g.ndim == 3:
        bc["z+"] = Dirichlet(30.0)
    T = TemperatureField.steady(g, bc, conductivity=k, source=src)
    bal = T.balance()
    assert bal["in"] > 0 and bal["out"] > 0
    assert bal["relative"] < 1e-8
    assert abs(bal["out"] - bal["in"] - bal["source"]) < 1e-8 * bal["out"]
    # the Neumann face carries exactly its prescribed flux: outward -k dT/dn with dT/dn = -3
    w = g.quadrature_weights()[(slice(None), 0)] * 2 / g.spacing[1]
    assert T.heat_flow("y-") == pytest.approx(float((w * k[:, 0] * 3.0).sum()), rel=1e-12)


def test_heat_flow_box_equals_enclosed_source():
    g = Grid((41, 41))
    X, Y = g.mesh()
    src = np.exp(-((X - 0.5) ** 2 + (Y - 0.5) ** 2) / 0.01)
    T = TemperatureField.steady(g, Dirichlet(0.0), conductivity=2.0, source=src)
    lo, hi = (0.3, 0.3), (0.7, 0.7)
    sel = (slice(12, 29), slice(12, 29))
    assert T.heat_flow_box(lo, hi) == pytest.approx(src[sel].sum() * g.cell_volume, rel=1e-9)


def test_parallel_plate_capacitance_with_dielectric_slab_within_one_percent():
    # periodic sides remove fringing; slab of eps_r = 4 fills half the gap
    d, A = 1e-3, 2e-2
    g = Grid((42, 8), extent=[(0, d), (0, A)], periodic=[False, True])  # d/2 falls between nodes
    X, _ = g.mesh()
    h = g.spacing[0]
    eps = np.where(X < d / 2, 4.0 * EPSILON_0, EPSILON_0)
    phi, C = PotentialField.capacitor(g, X <= 0, X >= d - h / 2, permittivity=eps, voltage=5.0)
    expect = A / ((d / 2) / (4 * EPSILON_0) + (d / 2) / EPSILON_0)
    assert C == pytest.approx(expect, rel=0.01)
    # energy 1/2 C V^2 from the field, and opposite charges on the plates
    assert phi.energy() == pytest.approx(0.5 * C * 25.0, rel=1e-9)
    assert phi.electrode_charge(X >= d - h / 2) == pytest.approx(-C * 5.0, rel=1e-9)


def test_capacitor_3d_vacuum_gap():
    d = 0.01
    g = Grid((11, 5, 5), extent=[(-0.004, 0.016), (0, 0.04), (0, 0.04)], periodic=[False, True, True])
    X = g.mesh()[0]
    top = np.isclose(X, 0.01)
    bottom = np.isclose(X, 0.0)
    phi, C = PotentialField.capacitor(g, top, bottom, permittivity=EPSILON_0)
    assert C == pytest.approx(EPSILON_0 * 0.04 ** 2 / d, rel=0.01)
    E = phi.electric_field()
    between = (X > 0.001) & (X < 0.009)
    assert np.allclose(E[0][between], -1.0 / d, rtol=1e-8)  # E points from + to - plate (towards -x)


def test_gauss_flux_of_D_through_box_equals_enclosed_charge():
    s = 0.05
    g = Grid((65, 65), extent=[(-1, 1), (-1, 1)])
    X, Y = g.mesh()
    rho = 1e-9 * np.exp(-(X ** 2 + Y ** 2) / (2 * s ** 2))
    eps = np.where(X > 0.3, 3 * EPSILON_0, EPSILON_0)  # a dielectric does not change the free charge
    phi = PotentialField.steady(g, Dirichlet(0.0), permittivity=eps, charge_density=rho)
    total = 1e-9 * 2 * np.pi * s ** 2  # integral of the Gaussian (box much wider than s)
    flux = phi.flux_through_box((-0.5, -0.5), (0.5, 0.5))
    assert flux == pytest.approx(phi.charge_in_box(rho, (-0.5, -0.5), (0.5, 0.5)), rel=1e-9)
    assert flux == pytest.approx(total, rel=1e-3)
    # a box off the charge encloses none
    assert abs(phi.flux_through_box((0.4, 0.4), (0.8, 0.8))) < 1e-6 * total


def test_darcy_flow_rate_and_velocity():
    kappa, mu, L, H = 1e-11, 1e-3, 5.0, 2.0
    g = Grid((21, 9), extent=[(0, L), (0, H)])
    p = PressureField.steady(g, {"x-": Dirichlet(3e5), "x+": Dirichlet(1e5)}, permeability=kappa, viscosity=mu)
    q = kappa / mu * 2e5 / L
    assert p.flow_rate("x+") == pytest.approx(q * H, rel=1e-10)
    assert np.allclose(p.darcy_velocity()[0], q, rtol=1e-10)
    assert np.allclose(p.force_density()[0], 2e5 / L, rtol=1e-10)


def test_field_wraps_data_units_and_rejects_bad_input():
    g = Grid((5, 4))
    X, Y = g.mesh()
    T = TemperatureField(g, 2 * X + Y, conductivity=3.0, units="degC")
    assert isinstance(T.data, np.ndarray) and np.shares_memory(T.data, T.data + 0) is False
    assert T.label == "temperature [degC]"
    assert np.allclose(T.heat_flux()[0], -6.0) and np.allclose(T.heat_flux()[1], -3.0)
    assert np.allclose(np.asarray(T) * 2, T.data * 2)
    with pytest.raises(ParameterError, match="conductivity"):
        TemperatureField(g, conductivity=-1.0)
    with pytest.raises(ShapeError):
        TemperatureField(g, np.zeros((3, 3)))
    with pytest.raises(ShapeError, match="electrode"):
        PotentialField.capacitor(g, np.zeros((2, 2), bool), X > 0.5)
    with pytest.raises(ParameterError, match="overlap"):
        PotentialField.capacitor(g, X > 0.4, X > 0.6)
    with pytest.raises(GridError, match="boundary"):
        T.heat_flow_box((0.0, 0.25), (0.5, 0.5))
    with pytest.raises(ParameterError, match="balance"):
        TemperatureField.steady(g, Neumann(1.0))


def test_pure_flux_problem_with_balanced_source_is_solved_up_to_a_constant():
    g = Grid((17, 17))
    X, Y = g.mesh()
    src = np.cos(np.pi * X) * np.cos(np.pi * Y)  # integrates to zero, insulated walls
    T = TemperatureField.steady(g, Neumann(0.0), conductivity=1.0, source=src)
    r = div_k_grad(T.data, 1.0, g, Neumann(0.0)) + src
    assert np.abs(r).max() < 1e-9
    assert abs(g.integrate(T.data)) < 1e-12


def test_flux_uses_boundary_values_at_the_given_time():
    """A time-dependent Dirichlet value enters the gradient at the time asked for."""
    import fieldgrad as fg
    from fieldgrad.fields import TemperatureField

    g = fg.Grid((11, 5))
    X, _ = g.mesh()
    bc = {"x-": fg.Dirichlet(lambda x, y, t: t + 0 * y), "x+": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    field = TemperatureField(g, np.zeros(g.shape), conductivity=2.0, bc=bc)
    h = g.spacing[0]
    for t in (0.0, 3.0):
        q = field.heat_flux(t)
        # one-sided derivative at the x- face sees the boundary value t: (-3 t + 4*0 - 0) / (2h)
        np.testing.assert_allclose(q[0, 0], -2.0 * (-3.0 * t) / (2 * h))
        np.testing.assert_allclose(q[0, 1], -2.0 * (0.0 - t) / (2 * h))


def test_darcy_through_two_soils_given_on_cells_is_the_series_law():
    """PressureField takes permeability as Cells like the other fields take their coefficient
    (it refused them): two soils in series, the interface on a grid line, give the series flow
    exactly, and the node view of the permeability is the mean of the cells at each node."""
    import fieldgrad as fg
    from fieldgrad.materials import cell_centres

    g = Grid((31, 4), extent=[(0, 3.0), (0, 1.0)])
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    kappa = fg.Cells(np.where(xc < 1.0, 1e-11, 4e-12))
    mu = 1e-3
    p = PressureField.steady(g, {"x-": Dirichlet(3e5), "x+": Dirichlet(1e5)}, permeability=kappa, viscosity=mu)
    q = 2e5 / (1.0 * mu / 1e-11 + 2.0 * mu / 4e-12)          # Darcy velocity through both layers
    assert p.flow_rate("x+") == pytest.approx(q * 1.0, rel=1e-10)
    assert p.data[10, 1] == pytest.approx(3e5 - q * 1.0 * mu / 1e-11, rel=1e-12)
    assert p.permeability[10, 1] == pytest.approx((1e-11 + 4e-12) / 2)
    same = PressureField(g, p.data, permeability=kappa, viscosity=mu,
                         bc={"x-": Dirichlet(3e5), "x+": Dirichlet(1e5), "*": Neumann(0.0)})
    assert same.flow_rate("x+") == pytest.approx(q, rel=1e-10)
