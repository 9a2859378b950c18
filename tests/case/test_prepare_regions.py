"""prepare(): boundary conditions of a case with [[material.region]] materials on cells."""
import numpy as np
import pytest

CONVECTION_CASE = '''
[case]
name = "conv"
physics = "heat"
[grid]
shape = [41, 21]
extent = [[0, 1], [0, 1]]
[material]
conductivity = 1.0
[[material.region]]
where = "x > 0.5"
conductivity = 100.0
[boundary]
"y-" = { type = "dirichlet", value = 100.0 }
"y+" = { type = "convection", h = 50.0, ambient = 20.0 }
"*"  = { type = "insulated" }
[output]
file = "conv.h5"
'''


def test_convection_face_met_by_a_region_gives_off_h_times_the_excess(tmp_path):
    """-k dT/dn = h (T - Ta) on y+, where the region's interface x = 0.5 meets it: the heat that
    leaves through y+ is sum(w h (T - Ta)) whatever k is, so it equals the heat entering
    through y-.  The face conductivity the condition divides by must be the one the cell rows
    multiply by (the mean of the cells touching the node); the node-sampled k (1 on the
    interface node, where the cells give 50.5) made that node lose 50 times h (T - Ta)."""
    from fieldgrad.case import loads_case
    from fieldgrad.case.prepare import prepare
    from fieldgrad.case.steady import run_steady

    case = loads_case(CONVECTION_CASE)
    res = run_steady(case, prepare(case, str(tmp_path / "conv.h5")))
    T = res["field"].data
    w = np.full(case.grid.shape[0], case.grid.spacing[0])
    w[[0, -1]] /= 2
    lost = float(np.sum(w * 50.0 * (T[:, -1] - 20.0)))
    assert res["balance"]["in"] == pytest.approx(lost, rel=1e-9)
    assert res["balance"]["faces"]["y+"] == pytest.approx(lost, rel=1e-9)
