"""A published engineering benchmark: NAFEMS T4 (two-dimensional steady conduction with
convection), the temperature at point E against the published target."""
import numpy as np

import fieldgrad as fg

# NAFEMS T4: a 0.6 m x 1.0 m plate, k = 52 W/(m K); the edge y = 0 held at 100 C, the edge x = 0
# insulated, the edges x = 0.6 and y = 1.0 cooled by convection (h = 750 W/(m^2 K)) to 0 C.
# Published target: T(E) = 18.25 C at E = (0.6, 0.2).
T4_TARGET = 18.25


def _t4_point_e(nx):
    ny = round((nx - 1) / 0.6) + 1
    g = fg.Grid((nx, ny), spacing=(0.6 / (nx - 1), 1.0 / (ny - 1)))
    conv = fg.Robin(750.0, 52.0, 0.0)  # h u + k du/dn = h T_ambient
    bc = {"y-": fg.Dirichlet(100.0), "x-": fg.Neumann(0.0), "x+": conv, "y+": conv}
    res = fg.solve_poisson(np.zeros(g.shape), g, bc, k=52.0, rtol=1e-12)
    return float(res.u[-1, round(0.2 / g.spacing[1])])


def test_nafems_t4_point_e_second_order_to_the_published_value():
    t = np.array([_t4_point_e(n) for n in (31, 61, 121)])  # h = 20, 10, 5 mm
    order = np.log2((t[0] - t[1]) / (t[1] - t[2]))
    assert 1.8 < order < 2.2, order
    extrapolated = t[2] + (t[2] - t[1]) / (2 ** order - 1)
    assert abs(extrapolated - T4_TARGET) < 0.01  # the target is published to 0.01 C
    assert abs(t[1] - T4_TARGET) < 0.01  # a 10 mm grid is within the target's digits
