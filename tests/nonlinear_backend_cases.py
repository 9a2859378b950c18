"""The nonlinear heat problems solved on every backend and compared with the serial CPU solvers
(issue 15 item 6): tests/backends/test_cuda_nonlinear.py (CUDA simulator, tiny grids) and
tests/distributed/test_mpi_nonlinear.py (2 ranks, through tests/distributed/mpi_nonlinear_checks.py).

Each case builder takes the grid size, so each backend picks sizes it can afford (the simulator
runs a Python thread per CUDA thread; an MPI block needs four nodes per axis).  A case is
``(solver name, first argument, grid, bc, keyword arguments)``, ``solver`` being
"solve_nonlinear" or "solve_nonlinear_heat" (looked up in ``fieldgrad`` or
``fieldgrad.distributed``).
"""
import numpy as np

import fieldgrad as fg

L, TH, K, TB, TA = 0.1, 0.002, 20.0, 600.0, 300.0  # the fin of tests/nonlinear/test_steady_fin.py


def h_of_T(T):
    return 5.0 + 0.05 * (T - TA)


def fin(cond, shape):
    """The radiating / h(T) fin of the serial solve_bvp test (tests/nonlinear/test_steady_fin.py),
    ``shape`` nodes (along, across): the plate fin to O(Biot)."""
    g = fg.Grid(shape, extent=[(0.0, L), (0.0, TH)])
    return g, {"x-": fg.Dirichlet(TB), "x+": cond, "y": cond}


def k_of_T(shape, slope=1.0):
    """``div((1 + slope*T) grad T) = sin(3x) y``, Dirichlet 0 / 1 in x, insulated in y."""
    g = fg.Grid(shape)
    x, y = g.mesh()
    bc = {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0)}
    return "solve_nonlinear", np.sin(3 * x) * y, g, bc, dict(k=fg.ConductivityOfT(lambda T: 1.0 + slope * T),
                                                            rtol=1e-12)


def steady_cases(kT_shape, fin_shape, kT_slope=1.0):
    """k(T) with Dirichlet faces (``k = 1 + kT_slope*T``), the radiating fin (Newton and Picard)
    and the h(T) fin."""
    rad = fg.Radiation(0.8, TA, h=10.0)
    gf, bcr = fin(rad, fin_shape)
    _, bcc = fin(fg.ConvectionOfT(h_of_T, TA), fin_shape)
    z = np.zeros(gf.shape)
    return {
        "k_of_T": k_of_T(kT_shape, kT_slope),
        "fin_newton": ("solve_nonlinear", z, gf, bcr, dict(k=K, rtol=1e-12)),
        "fin_picard": ("solve_nonlinear", z, gf, bcr, dict(k=K, rtol=1e-12, method="picard")),
        "fin_h_of_T": ("solve_nonlinear", z, gf, bcc, dict(k=K, rtol=1e-12)),
    }


def plate(shape, steps):
    """A plate with k(T), radiating on x+ and y+, held at 700 K on y-: ``steps`` steps of 10 s."""
    g = fg.Grid(shape, extent=[(0.0, 0.02), (0.0, 0.01)])
    x = g.mesh()[0]
    rad = fg.Radiation(0.9, 300.0, h=5.0)
    bc = {"x-": fg.Neumann(0.0), "x+": rad, "y-": fg.Dirichlet(700.0), "y+": rad}
    return "solve_nonlinear_heat", 600.0 + 50.0 * np.cos(40 * x), g, bc, \
        dict(k=fg.ConductivityOfT(lambda T: 20.0 + 0.02 * T), rho_c=4e6, t_end=10.0 * steps, dt=10.0)


def axisymmetric_cases(shape, steps):
    """A rod in (r, z) with k(T), a heated core, radiating on its mantle, held at 700 K at z = 0:
    the steady solve and ``steps`` steps of 10 s."""
    g = fg.Grid(shape, extent=[(0.0, 0.01), (0.0, 0.02)], coords="cylindrical")
    r = g.mesh()[0]
    k = fg.ConductivityOfT(lambda T: 20.0 + 0.02 * T)
    bc = {"r+": fg.Radiation(0.9, 300.0, h=5.0), "z-": fg.Dirichlet(700.0), "z+": fg.Neumann(0.0)}
    return {
        "rod_steady": ("solve_nonlinear", np.where(r < 0.004, -2e6, 0.0), g, bc, dict(k=k, rtol=1e-12)),
        "rod_heat": ("solve_nonlinear_heat", 600.0 + 50.0 * np.cos(300 * r), g, bc,
                     dict(k=k, rho_c=4e6, t_end=10.0 * steps, dt=10.0)),
    }


def failing_cases(fin_shape, square_shape):
    """Runs that must raise a ConvergenceError naming the outer iteration: maxiter reached, and a
    runaway iteration (``k(T) = 1/(1 + T^2)`` bounds the Kirchhoff potential by pi/2; the
    source -40 on the unit square needs about 2.9: no steady state)."""
    gf, bcr = fin(fg.Radiation(0.8, TA, h=10.0), fin_shape)
    g = fg.Grid(square_shape)
    runaway = fg.ConductivityOfT(lambda T: 1.0 / (1.0 + T ** 2))
    return {
        "maxiter": ("solve_nonlinear", np.zeros(gf.shape), gf, bcr, dict(k=K, method="picard", maxiter=2)),
        "diverging": ("solve_nonlinear", np.full(g.shape, -40.0), g, fg.Dirichlet(0.0), dict(k=runaway)),
    }


def bad_inputs(fin_shape):
    """Calls every backend must refuse with the serial solver's error."""
    gf, bcr = fin(fg.Radiation(0.8, TA, h=10.0), fin_shape)
    z, hot = np.zeros(gf.shape), np.full(gf.shape, 400.0)
    heat = dict(k=K, t_end=1.0, dt=0.5)
    return {
        "method": ("solve_nonlinear", z, gf, bcr, dict(k=K, method="secant")),
        "rtol": ("solve_nonlinear", z, gf, bcr, dict(k=K, rtol=0.0)),
        "relax": ("solve_nonlinear", z, gf, bcr, dict(k=K, relax=1.5)),
        "k_negative": ("solve_nonlinear", z, gf, bcr, dict(k=fg.ConductivityOfT(lambda T: 500.0 - T))),
        "u0_below_zero": ("solve_nonlinear", z, gf, bcr, dict(k=K, u0=np.full(gf.shape, -5.0))),
        "level": ("solve_nonlinear", z, gf, fg.Neumann(0.0), dict(k=K)),
        "heat_dt": ("solve_nonlinear_heat", hot, gf, bcr, dict(heat, dt=0.0)),
        "heat_rho_c": ("solve_nonlinear_heat", hot, gf, bcr, dict(heat, rho_c=-1.0)),
    }


def call(module, case, **extra):
    """Run ``case`` with the solver of that name in ``module`` (``fieldgrad`` or ``fieldgrad.distributed``)."""
    solver, a, g, bc, kw = case
    return getattr(module, solver)(a, g, bc, **kw, **extra)


def error_of(module, case, **extra):
    """The exception ``case`` raises (None when it does not)."""
    try:
        call(module, case, **extra)
    except Exception as e:  # noqa: BLE001 - the type and the message are what the tests compare
        return e
    return None


def rel_diff(a, b):
    """``max|a - b| / max|b|``."""
    return float(np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b)))


def outer_count(result):
    """Linear solves made: the outer iterations of a steady result, the steps of a transient one."""
    return result.outer_iterations if hasattr(result, "outer_iterations") else result.steps
