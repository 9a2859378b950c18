"""Fields' steady() and case files with cell materials."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid
from fieldgrad.fields import TemperatureField
from fieldgrad.materials import cell_centres, cell_shape


def test_temperature_steady_with_cells_is_the_series_wall():
    g = Grid((41, 5), extent=[(0, 0.2), (0, 0.05)])
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    kc = np.where(xc < 0.05, 200.0, 0.5)         # metal then insulation, interface on x = 0.05
    T = TemperatureField.steady(g, {"x-": Dirichlet(80.0), "x+": Dirichlet(20.0)}, conductivity=fg.Cells(kc))
    q = 60.0 / (0.05 / 200.0 + 0.15 / 0.5)        # W/m^2 through the wall
    x = g.coords[0]
    exact = np.where(x < 0.05, 80.0 - q * x / 200.0, 20.0 + q * (0.2 - x) / 0.5)
    assert np.abs(T.data - exact[:, None]).max() < 1e-9
    assert T.heat_flow("x-") == pytest.approx(-q * 0.05, rel=1e-9)   # heat enters through x-
    assert isinstance(T.material, fg.Cells)
    # the node-sampled view: the interface node carries the mean of the cells touching it
    assert T.conductivity[10, 2] == pytest.approx(100.25)


WALL_CASE = '''
[case]
name = "wall"
physics = "heat"
[grid]
shape = [41, 5]
extent = [[0, 0.2], [0, 0.05]]
[material]
conductivity = 0.5
[[material.region]]
where = "x < 0.05"
conductivity = 200.0
[boundary]
"x-" = { type = "dirichlet", value = 80 }
"x+" = { type = "dirichlet", value = 20 }
"*" = { type = "insulated" }
[output]
file = "wall.h5"
'''


def test_case_regions_on_cells_give_the_exact_series_wall(tmp_path):
    from fieldgrad.case import loads_case
    from fieldgrad.case.prepare import prepare
    from fieldgrad.case.steady import run_steady

    case = loads_case(WALL_CASE)
    mat = case.material(cells=True)
    k = mat["conductivity"]
    assert isinstance(k, fg.Cells) and k.shape == (40, 4)
    assert np.all(k.values[:10] == 200.0) and np.all(k.values[10:] == 0.5)   # cell centres x < 0.05
    node = case.material()["conductivity"]                                  # node-sampled form
    assert node.shape == (41, 5) and np.all(node[10] == 0.5)                 # the node on x = 0.05
    res = run_steady(case, prepare(case, str(tmp_path / "wall.h5")))
    q = 60.0 / (0.05 / 200.0 + 0.15 / 0.5)
    x = case.grid.coords[0]
    exact = np.where(x < 0.05, 80.0 - q * x / 200.0, 20.0 + q * (0.2 - x) / 0.5)
    T = res["field"].data
    assert np.abs(T - exact[:, None]).max() < 1e-9
    assert res["balance"]["relative"] < 1e-9


def test_fields_refuse_what_they_cannot_post_process():
    from fieldgrad.errors import ParameterError

    g = Grid((5, 5))
    with pytest.raises(ParameterError, match="the fields take an isotropic coefficient"):
        TemperatureField(g, conductivity=fg.Orthotropic(1.0, 2.0))
    with pytest.raises(ParameterError, match="has a domain"):
        TemperatureField(g, conductivity=fg.Cells(np.ones((4, 4)), domain=np.ones((4, 4), dtype=bool)))


def test_balance_with_a_thin_layer_on_a_dirichlet_face_closes():
    """A 1-cell skin of low conductivity on the x- face: the face flow must use the cell face
    conductance (node sampling would put a harmonic mean of skin and bulk on that link)."""
    g = Grid((21, 4), extent=[(0, 1), (0, 0.3)])
    kc = np.ones(cell_shape(g)) * 5.0
    kc[0] = 0.2
    src = np.ones(g.shape) * 3.0
    T = TemperatureField.steady(g, {"x-": Dirichlet(10.0), "x+": Dirichlet(0.0)}, conductivity=fg.Cells(kc),
                                source=src)
    bal = T.balance()
    assert bal["relative"] < 1e-10
    # exact 1D: piecewise quadratic, reproduced by the cell scheme; q(x) = q0 + 3 x
    h = g.spacing[0]
    # T(1) = T(0) - int_0^1 q/k dx = 10 - [q0 h/0.2 + 3 h^2/2/0.2 + q0 (1-h)/5 + 3 (1-h^2)/2/5] = 0
    q0 = (10 - 3 * h ** 2 / 2 / 0.2 - 3 * (1 - h ** 2) / 2 / 5) / (h / 0.2 + (1 - h) / 5)
    assert T.heat_flow("x-") == pytest.approx(-q0 * 0.3, rel=1e-9)
    assert T.heat_flow("x+") == pytest.approx((q0 + 3.0) * 0.3, rel=1e-9)


def test_capacitor_with_two_dielectrics_in_series():
    from fieldgrad.fields import EPSILON_0, PotentialField

    g = Grid((31, 3), extent=[(0, 3e-3), (0, 1e-3)])
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    eps = fg.Cells(np.where(xc < 1e-3, 2.0, 8.0) * EPSILON_0)      # interface on the node x = 1 mm
    phi = PotentialField.steady(g, {"x-": Dirichlet(100.0), "x+": Dirichlet(0.0)}, permittivity=eps)
    # D is uniform: D = V / (d1/eps1 + d2/eps2); the field drops 100 * (d1/eps1) / (...) in layer 1
    r1, r2 = 1e-3 / 2.0, 2e-3 / 8.0
    assert phi.data[10, 1] == pytest.approx(100.0 - 100.0 * r1 / (r1 + r2), rel=1e-10)
    D = 100.0 / (r1 + r2) * EPSILON_0
    assert phi.face_flow("x+") == pytest.approx(D * 1e-3, rel=1e-9)


def test_nodal_heat_flux_of_a_cell_material_is_the_mean_of_its_face_fluxes(tmp_path):
    """With Cells the nodal flux -k grad T at an interior node is the mean of the two face fluxes
    of the solved rows, so the series wall's uniform q holds at the interface node too.  The
    node-sampled product (mean of the cells times the central difference) put about 100 q there
    (k 200 | 0.5), which the case run wrote as its heat_flux field."""
    g = Grid((41, 5), extent=[(0, 0.2), (0, 0.05)])
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    kc = fg.Cells(np.where(xc < 0.05, 200.0, 0.5))
    bc = {"x-": Dirichlet(80.0), "x+": Dirichlet(20.0), "*": fg.Neumann(0.0)}
    T = TemperatureField.steady(g, bc, conductivity=kc)
    q = 60.0 / (0.05 / 200.0 + 0.15 / 0.5)
    qx = T.heat_flux()
    assert np.abs(qx[0] - q).max() < 1e-8 * q and np.abs(qx[1]).max() < 1e-8 * q
    # the case run writes the same field, steady and transient
    from fieldgrad.case import loads_case
    from fieldgrad.case.prepare import prepare
    from fieldgrad.case.steady import run_steady
    import fieldgrad.io as fio

    case = loads_case(WALL_CASE)
    run_steady(case, prepare(case, str(tmp_path / "wall.h5")))
    with fio.open(str(tmp_path / "wall.h5")) as f:
        written = f["heat_flux"][-1]
    assert np.abs(written[0] - q).max() < 1e-8 * q
