"""A transient two-material heat-capacity problem against references computed with SciPy.

The slab ``0 < x < 1`` has ``rho_c = 1`` left of ``x = 1/2`` and ``RATIO`` right of it, a smooth
conductivity ``k = 1 + x / 2``, ``u = 0`` at ``x = 0``, no flux at ``x = 1``, a heat source
``q = 1`` and ``u0 = sin(pi x / 2)``.  It runs on a 2D grid with insulated y faces (the solution
does not depend on y).  The interface lies on a grid node, whose ``rho_c`` is the mean over its
half cells (the node's control volume holds half of each material).

* Convergence in h: against a fine cell-centred finite-volume discretisation (interface on a cell
  face, exact face conductivities) integrated by ``scipy.integrate.solve_ivp`` -- written here,
  independently of fieldgrad's operator.
* Convergence in dt: against the exact-in-time solution of the same node-centred semi-discrete
  system (a tridiagonal matrix assembled here, integrated by ``solve_ivp`` to 1e-12), so the
  spatial error drops out and each method's temporal order shows.
"""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.integrate import solve_ivp

from fieldgrad import Dirichlet, Grid, Neumann, solve_heat

RATIO = 10.0
T_END = 0.05


def kfun(x):
    return 1.0 + 0.5 * x


def u0fun(x):
    return np.sin(0.5 * np.pi * x)


def _ivp(M, b, y0, rho):
    """``rho du/dt = M u + b`` integrated to ``T_END`` (BDF, sparse Jacobian, tight tolerances)."""
    Mr = sp.diags(1.0 / rho) @ M
    br = b / rho
    sol = solve_ivp(lambda t, y: Mr @ y + br, (0.0, T_END), y0, method="BDF", jac=Mr, rtol=1e-11, atol=1e-13)
    assert sol.success
    return sol.y[:, -1]


def fine_reference(ncell=1600):
    """Cell-centred FV: cell centres and the solution at T_END."""
    H = 1.0 / ncell
    xc = (np.arange(ncell) + 0.5) * H
    rho = np.where(xc < 0.5, 1.0, RATIO)
    kf = kfun(np.arange(ncell + 1) * H) / H ** 2  # face conductances
    main = -(kf[:-1] + kf[1:])
    main[0] = -(2.0 * kf[0] + kf[1])  # Dirichlet 0 at x = 0: half-cell distance
    main[-1] = -kf[-2]  # no flux at x = 1
    M = sp.diags([kf[1:-1], main, kf[1:-1]], [-1, 0, 1], format="csr")
    return xc, _ivp(M, np.ones(ncell), u0fun(xc), rho)


def node_rho(x, h):
    """Node values of rho_c: the mean over the node's control volume [x - h/2, x + h/2]."""
    return np.where(np.isclose(x, 0.5), 0.5 * (1.0 + RATIO), np.where(x < 0.5, 1.0, RATIO))


def grid_for(nx):
    h = 1.0 / (nx - 1)
    return Grid((nx, 3), extent=[(0.0, 1.0), (0.0, 2 * h)])


def run(nx, method, dt, **kw):
    g = grid_for(nx)
    X = g.mesh()[0]
    h = g.spacing[0]
    bc = {"x-": Dirichlet(0.0), "x+": Neumann(0.0), "y": Neumann(0.0)}
    r = solve_heat(u0fun(X), g, bc, k=kfun(X), rho_c=node_rho(X, h), source=1.0, t_end=T_END, dt=dt,
                   method=method, progress=False, **kw)
    assert np.ptp(r.u, axis=1).max() < 1e-12  # y-independent
    return g.coords[0], r.u[:, 1]


@pytest.fixture(scope="module")
def fine():
    return fine_reference()


def test_fine_reference_is_converged():
    # the reference itself: halving its cells changes it by far less than the errors measured below
    xa, ua = fine_reference(800)
    xb, ub = fine_reference(1600)
    assert np.max(np.abs(np.interp(xa, xb, ub) - ua)) < 2e-5


@pytest.mark.parametrize("method", ["ftcs", "crank_nicolson", "rkl2"])
def test_second_order_in_h_against_fine_finite_volumes(fine, method):
    xc, uc = fine
    errs = []
    for nx in (17, 33, 65):
        h = 1.0 / (nx - 1)
        # FTCS at its limit (first order in dt ~ h^2); CN and RKL2 with dt ~ h (second order)
        dt = None if method == "ftcs" else 0.2 * h
        kw = {"reduce_dt": True} if method == "ftcs" else {}
        x, u = run(nx, method, dt if dt is not None else 1.0, **kw)
        errs.append(np.max(np.abs(u[1:] - np.interp(x[1:], xc, uc))))  # x = 0 is held at 0
    obs = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert errs[-1] < 2e-4, errs
    assert np.all(obs > 1.8), (errs, obs)


def semi_discrete_reference(nx):
    """The node-centred system: harmonic-mean face conductances, reflected no-flux node, held
    Dirichlet node; returns the unknown nodes' (x >= h) solution at T_END."""
    h = 1.0 / (nx - 1)
    x = np.linspace(0.0, 1.0, nx)
    kn = kfun(x)
    kf = 2 * kn[:-1] * kn[1:] / (kn[:-1] + kn[1:]) / h ** 2  # face i+1/2
    n = nx - 1  # unknowns: nodes 1 .. nx-1
    lower = kf[1:n].copy()  # coupling of node i to i-1 (i = 2..nx-1)
    upper = kf[1:n].copy()  # coupling of node i to i+1 (i = 1..nx-2)
    main = -(kf[0:n] + np.append(kf[1:n], 0.0))
    main[-1] = -2.0 * kf[n - 1]  # reflected ghost at the no-flux end
    lower[-1] = 2.0 * kf[n - 1]
    M = sp.diags([lower, main, upper], [-1, 0, 1], format="csr")
    return _ivp(M, np.ones(n), u0fun(x[1:]), node_rho(x[1:], h))


@pytest.mark.parametrize("method, dts, order", [
    ("backward_euler", (4e-3, 2e-3, 1e-3), 1.0), ("crank_nicolson", (4e-3, 2e-3, 1e-3), 2.0),
    ("rkl2", (2.5e-3, 1.25e-3, 6.25e-4), 2.0)])
def test_temporal_order_against_the_semi_discrete_solution(method, dts, order):
    nx = 33
    ref = semi_discrete_reference(nx)
    errs = []
    for dt in dts:
        kw = {"stages": 12} if method == "rkl2" else {"rtol": 1e-11}
        if method == "crank_nicolson":
            kw["rannacher"] = 0  # smooth data: the plain scheme shows its order
        _, u = run(nx, method, dt, **kw)
        errs.append(np.max(np.abs(u[1:] - ref)))
    obs = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(obs - order) < 0.15), (errs, obs)


def test_ftcs_matches_the_semi_discrete_solution():
    # a tiny step: FTCS converges to the same semi-discrete solution (the operators agree)
    nx = 17
    ref = semi_discrete_reference(nx)
    _, u = run(nx, "ftcs", 1e-5)
    assert np.max(np.abs(u[1:] - ref)) < 1e-5 * np.max(np.abs(ref))
