"""Transient k(T) + radiation against a method-of-lines reference integrated by scipy's solve_ivp.

The reference is written here independently: the same nodes, the finite-volume balance of each
node (half cells at the ends), harmonic-mean face conductivities of k(T), an insulated end x- and
an end x+ losing eps*sigma*(T^4 - Ta^4) + h*(T - Ta), a heat capacity rho_c varying along the
rod, integrated by Radau to 1e-11.  Both sides share the space discretisation, so the difference
is the time error of the semi-implicit step alone: first order in dt.
"""
import numpy as np
from scipy.integrate import solve_ivp

import fieldgrad as fg

SIGMA = 5.670374419e-8
L, N, TA, EPS, H, T_END = 0.05, 33, 300.0, 0.9, 20.0, 500.0


def k_of_T(T):
    return 10.0 * (1.0 + 1e-3 * (T - 300.0))


def rho_c_nodes(x):
    return 4e6 * (1.0 + 0.5 * x / L)


def initial(x):
    return 800.0 - 100.0 * (x / L) ** 2


def reference(x):
    h = x[1] - x[0]
    rc = rho_c_nodes(x)
    vol = np.full(N, h)
    vol[0] = vol[-1] = h / 2

    def rhs(t, T):
        k = k_of_T(T)
        kf = 2 * k[:-1] * k[1:] / (k[:-1] + k[1:])
        flux = -kf * np.diff(T) / h  # heat flow in +x through each interior face
        net = np.zeros(N)
        net[:-1] -= flux
        net[1:] += flux
        net[-1] -= EPS * SIGMA * (T[-1] ** 4 - TA ** 4) + H * (T[-1] - TA)
        return net / (rc * vol)

    sol = solve_ivp(rhs, (0.0, T_END), initial(x), method="Radau", rtol=1e-11, atol=1e-9)
    assert sol.success
    return sol.y[:, -1]


def test_semi_implicit_step_is_first_order_in_time():
    g = fg.Grid((N,), extent=(0.0, L))
    x = g.coords[0]
    ref = reference(x)
    bc = {"x-": fg.Neumann(0.0), "x+": fg.Radiation(EPS, TA, h=H)}
    errs = []
    for steps in (10, 20, 40, 80):
        # a 1D rod of 33 nodes: the sparse direct inner solve (the multigrid paths are timed elsewhere)
        r = fg.solve_nonlinear_heat(initial(x), g, bc, k=fg.ConductivityOfT(k_of_T), rho_c=rho_c_nodes(x),
                                    t_end=T_END, dt=T_END / steps, inner_method="direct")
        assert r.steps == steps and r.t == T_END
        errs.append(np.max(np.abs(r.u - ref)))
    errs = np.array(errs)
    orders = np.log2(errs[:-1] / errs[1:])
    assert np.all((orders > 0.9) & (orders < 1.1)), (errs, orders)
    # the rod has cooled by tens of kelvin; the coarsest step is still within a kelvin
    assert initial(x).mean() - ref.mean() > 20.0 and errs[0] < 1.0


def test_source_and_time_dependent_dirichlet_follow_the_step_end():
    # T = 1 + a t + b x with a constant k(T): div(k grad T) = 0, so the source rho_c a keeps it
    # exact, and backward Euler reproduces a solution linear in t exactly -- only if the step uses
    # the Dirichlet values and the source at its end time
    a, b, rc = 0.3, 0.5, 2.0
    g = fg.Grid((17,))
    x = g.coords[0]
    bc = {"x-": fg.Dirichlet(lambda x, t: 1.0 + a * t + 0 * x), "x+": fg.Dirichlet(lambda x, t: 1.0 + a * t + b)}
    r = fg.solve_nonlinear_heat(1.0 + b * x, g, bc, k=fg.ConductivityOfT(lambda T: 3.0 + 0 * T), rho_c=rc,
                                t_end=2.0, dt=0.25, source=lambda t: rc * a)
    np.testing.assert_allclose(r.u, 1.0 + a * 2.0 + b * x, rtol=1e-12)


def test_small_block_follows_the_lumped_radiation_law_at_first_order():
    # Biot ~ 0.03: the block cools almost uniformly, dT/dt = -(perimeter/area) sigma (T^4 - Ta^4)
    # / rho_c (solved to 1e-10 by solve_ivp); the mean temperature approaches it as dt halves
    lumped = solve_ivp(lambda t, T: -(4 / 0.02) * SIGMA * (T ** 4 - 300.0 ** 4) / 3e6, (0, 4000.0), [900.0],
                       rtol=1e-10).y[0, -1]
    g = fg.Grid((9, 9), extent=[(0.0, 0.02), (0.0, 0.02)])
    errs = []
    for dt in (200.0, 100.0, 50.0):
        seen = []
        r = fg.solve_nonlinear_heat(np.full(g.shape, 900.0), g, fg.Radiation(1.0, 300.0), k=50.0, rho_c=3e6,
                                    t_end=4000.0, dt=dt, callback=lambda n, t, u: seen.append(float(u.mean())))
        assert np.all(np.diff(seen) < 0) and len(r.inner_iterations) == len(seen) == r.steps
        errs.append(seen[-1] / lumped - 1)
    errs = np.array(errs)
    ratios = errs[:-1] / errs[1:]
    assert np.all((ratios > 1.8) & (ratios < 2.5)) and 0 < errs[-1] < 7e-3, (errs, ratios)


def test_float32_start_gives_a_float32_field():
    g = fg.Grid((9, 3), extent=[(0, 1), (0, 0.1)])
    bc = {"x-": fg.Dirichlet(600.0), "x+": fg.Radiation(0.8, 300.0), "*": fg.Neumann(0.0)}
    u0 = np.full(g.shape, 300.0)
    r64 = fg.solve_nonlinear_heat(u0, g, bc, k=50.0, rho_c=1e3, t_end=2.0, dt=0.5)
    r32 = fg.solve_nonlinear_heat(u0.astype(np.float32), g, bc, k=50.0, rho_c=1e3, t_end=2.0, dt=0.5)
    assert r32.u.dtype == np.float32 and r64.u.dtype == np.float64
    assert np.array_equal(r32.u, r64.u.astype(np.float32))
    assert r64.u[0, 1] == 600.0 and 300.0 < r64.u[-1, 1] < 600.0
