"""A published engineering benchmark for transients: NAFEMS T3 (one-dimensional transient
conduction with a time-dependent end temperature) against the published target."""
import numpy as np

import fieldgrad as fg

# NAFEMS T3: a 0.1 m bar, k = 35 W/(m K), rho = 7200 kg/m^3, c = 440.5 J/(kg K), initially 0 C; the
# end x = 0 held at 0 C, the end x = 0.1 at 100 sin(pi t / 40) C.  Published target:
# T = 36.60 C at x = 0.08 m, t = 32 s.  (Run as a 2D strip, insulated along y.)
T3_TARGET = 36.60


def _t3(n, dt):
    g = fg.Grid((n, 3), spacing=(0.1 / (n - 1), 0.01))
    bc = {"x-": fg.Dirichlet(0.0), "y": fg.Neumann(0.0),
          "x+": fg.Dirichlet(lambda x, y, t=0.0: np.full_like(y, 100.0 * np.sin(np.pi * t / 40.0)))}
    u = fg.solve_heat(np.zeros(g.shape), g, bc, k=35.0, rho_c=7200.0 * 440.5, t_end=32.0, dt=dt,
                      method="crank_nicolson").u
    assert np.ptp(u, axis=1).max() < 1e-9  # one-dimensional
    return float(u[round(0.08 / g.spacing[0]), 1])


def test_nafems_t3_crank_nicolson_second_order_to_the_published_value():
    t = np.array([_t3(21, 0.2), _t3(41, 0.1), _t3(81, 0.05)])  # h and dt halved together
    order = np.log2((t[0] - t[1]) / (t[1] - t[2]))
    assert 1.8 < order < 2.2, order
    extrapolated = t[2] + (t[2] - t[1]) / (2 ** order - 1)
    assert abs(extrapolated - T3_TARGET) < 0.01  # the target is published to 0.01 C
