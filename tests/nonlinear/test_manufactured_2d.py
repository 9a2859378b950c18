"""A genuinely 2D steady case with k(T), a radiating face of varying emissivity and a flux face,
against a manufactured exact solution.

``T = 400 + 200 exp(-x/L0) (1 + 0.3 sin(pi y / a))`` on the square ``[0, a]^2`` with
``k(T) = k0 (1 + b (T - 300))``.  The source is ``f = div(k grad T) = k'(T) |grad T|^2 + k(T) lap T``;
the face x+ radiates to 300 K with the emissivity that makes ``-k dT/dn = eps sigma (T^4 - Ta^4)``
hold at each of its nodes (a face array, between 0.4 and 0.6); y- carries the exact outward
derivative (Neumann), x- and y+ the exact values.  Second order in h.
"""
import numpy as np

import fieldgrad as fg

SIGMA = 5.670374419e-8
A, L0, K0, B, TA = 0.1, 1.0, 15.0, 1e-3, 300.0


def T_exact(x, y):
    return 400.0 + 200.0 * np.exp(-x / L0) * (1 + 0.3 * np.sin(np.pi * y / A))


def derivatives(x, y):
    e = 200.0 * np.exp(-x / L0)
    s, c, w = np.sin(np.pi * y / A), np.cos(np.pi * y / A), np.pi / A
    tx, txx = -e / L0 * (1 + 0.3 * s), e / L0 ** 2 * (1 + 0.3 * s)
    ty, tyy = e * 0.3 * w * c, -e * 0.3 * w ** 2 * s
    return tx, ty, txx + tyy


def k_of_T(T):
    return K0 * (1 + B * (T - 300.0))


def solve(n):
    g = fg.Grid((n, n), extent=[(0.0, A), (0.0, A)])
    X, Y = g.mesh()
    tx, ty, lap = derivatives(X, Y)
    f = K0 * B * (tx ** 2 + ty ** 2) + k_of_T(T_exact(X, Y)) * lap
    y = g.coords[1]
    tb = T_exact(A, y)
    eps = k_of_T(tb) * -derivatives(A, y)[0] / (SIGMA * (tb ** 4 - TA ** 4))
    assert np.all((eps > 0.4) & (eps < 0.6))
    bc = {"x-": fg.Dirichlet(lambda x, y: T_exact(x, y)), "y+": fg.Dirichlet(lambda x, y: T_exact(x, y)),
          "y-": fg.Neumann(lambda x, y: -derivatives(x, y)[1]), "x+": fg.Radiation(eps, TA)}
    r = fg.solve_nonlinear(f, g, bc, k=fg.ConductivityOfT(k_of_T))
    return np.max(np.abs(r.u - T_exact(X, Y))), r


def test_manufactured_k_of_T_radiation_2d_is_second_order():
    out = [solve(n) for n in (17, 33, 65, 129)]
    errs = np.array([e for e, _ in out])
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all((orders > 1.9) & (orders < 2.1)), (errs, orders)
    assert errs[-1] < 0.01  # kelvin, on temperatures of 400-660 K
    for _, r in out:
        assert r.converged and r.outer_iterations <= 7, r.update_norms  # measured 7 at every size
