"""Run under ``mpiexec -n 2``: :func:`fieldgrad.distributed.solve_nonlinear` and
:func:`fieldgrad.distributed.solve_nonlinear_heat` on the cases of :func:`steady_cases` /
:func:`heat_cases`, the failure paths of :func:`failing_cases` and the refusals of :func:`bad_inputs`.

Rank 0 writes to the ``.npz`` named on the command line the gathered fields, the outer iteration
counts, the inner methods, and for each failing or refused call the exception's type name and
message (and, for a ConvergenceError, what its ``result`` held).  The serial references are
computed by tests/distributed/test_mpi_nonlinear.py.
"""
import sys

import numpy as np

import fieldgrad as fg
import fieldgrad.distributed as fd

L, TH, K, TB, TA = 0.1, 0.002, 20.0, 600.0, 300.0  # the fin of tests/nonlinear/test_steady_fin.py


def h_of_T(T):
    return 5.0 + 0.05 * (T - TA)


def fin(cond):
    """The radiating / h(T) fin of the serial solve_bvp test, four nodes across (a block needs
    four nodes per axis) -- still the plate fin to O(Biot), compared here with the serial solver."""
    g = fg.Grid((33, 4), extent=[(0.0, L), (0.0, TH)])
    return g, {"x-": fg.Dirichlet(TB), "x+": cond, "y": cond}


def steady_cases():
    """name -> (f, grid, bc, keyword arguments)."""
    g = fg.Grid((17, 17))
    x, y = g.mesh()
    kT = dict(k=fg.ConductivityOfT(lambda T: 1.0 + T), rtol=1e-12)
    rad = fg.Radiation(0.8, TA, h=10.0)
    gf, bcr = fin(rad)
    _, bcc = fin(fg.ConvectionOfT(h_of_T, TA))
    return {
        "k_of_T": (np.sin(3 * x) * y, g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0)}, kT),
        "fin_newton": (np.zeros(gf.shape), gf, bcr, dict(k=K, rtol=1e-12)),
        "fin_picard": (np.zeros(gf.shape), gf, bcr, dict(k=K, rtol=1e-12, method="picard")),
        "fin_h_of_T": (np.zeros(gf.shape), gf, bcc, dict(k=K, rtol=1e-12)),
    }


def heat_cases():
    """name -> (u0, grid, bc, keyword arguments): a radiating plate with k(T), 6 steps."""
    g = fg.Grid((17, 9), extent=[(0.0, 0.02), (0.0, 0.01)])
    x, y = g.mesh()
    rad = fg.Radiation(0.9, 300.0, h=5.0)
    bc = {"x-": fg.Neumann(0.0), "x+": rad, "y-": fg.Dirichlet(700.0), "y+": rad}
    return {"plate": (600.0 + 50.0 * np.cos(40 * x), g, bc,
                      dict(k=fg.ConductivityOfT(lambda T: 20.0 + 0.02 * T), rho_c=4e6, t_end=60.0, dt=10.0))}


def failing_cases():
    """name -> (solver name, first argument, grid, bc, keyword arguments): runs that must raise
    a ConvergenceError naming the outer iteration."""
    gf, bcr = fin(fg.Radiation(0.8, TA, h=10.0))
    g = fg.Grid((17, 17))
    # k(T) = 1/(1 + T^2) bounds the Kirchhoff potential by pi/2; -40 needs more: no steady state
    runaway = fg.ConductivityOfT(lambda T: 1.0 / (1.0 + T ** 2))
    return {
        "maxiter": ("solve_nonlinear", np.zeros(gf.shape), gf, bcr, dict(k=K, method="picard", maxiter=2)),
        "diverging": ("solve_nonlinear", np.full(g.shape, -40.0), g, fg.Dirichlet(0.0), dict(k=runaway)),
    }


def bad_inputs():
    """name -> (solver name, first argument, grid, bc, keyword arguments) refused with the serial error."""
    gf, bcr = fin(fg.Radiation(0.8, TA, h=10.0))
    z = np.zeros(gf.shape)
    heat = dict(k=K, t_end=1.0, dt=0.5)
    return {
        "method": ("solve_nonlinear", z, gf, bcr, dict(k=K, method="secant")),
        "rtol": ("solve_nonlinear", z, gf, bcr, dict(k=K, rtol=0.0)),
        "relax": ("solve_nonlinear", z, gf, bcr, dict(k=K, relax=1.5)),
        "k_negative": ("solve_nonlinear", z, gf, bcr, dict(k=fg.ConductivityOfT(lambda T: 500.0 - T))),
        "u0_below_zero": ("solve_nonlinear", z, gf, bcr, dict(k=K, u0=np.full(gf.shape, -5.0))),
        "level": ("solve_nonlinear", z, gf, fg.Neumann(0.0), dict(k=K)),
        "heat_dt": ("solve_nonlinear_heat", np.full(gf.shape, 400.0), gf, bcr, dict(heat, dt=0.0)),
        "heat_rho_c": ("solve_nonlinear_heat", np.full(gf.shape, 400.0), gf, bcr, dict(heat, rho_c=-1.0)),
    }


def _error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the type and message are what is compared
        return e
    return None


def main(path):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    out = {}
    for name, (f, g, bc, kw) in steady_cases().items():
        part = fd.solve_nonlinear(f, g, bc, comm=comm, **kw)
        out[name] = fd.gather(part, comm)
        out[name + "_outer"] = np.array(part.outer_iterations)
        out[name + "_inner"] = np.array(part.inner_iterations)
        out[name + "_method"] = np.array(part.inner_method)
        out[name + "_type"] = np.array(type(part).__name__)
        out[name + "_block_ok"] = np.array(np.array_equal(part.u, out[name][part.index]) if comm.rank == 0 else True)
    for name, (u0, g, bc, kw) in heat_cases().items():
        part = fd.solve_nonlinear_heat(u0, g, bc, comm=comm, **kw)
        out["heat_" + name] = fd.gather(part, comm)
        out["heat_" + name + "_steps"] = np.array([part.steps, len(part.inner_iterations)])
        out["heat_" + name + "_method"] = np.array(part.inner_method)
    for name, (solver, a, g, bc, kw) in {**failing_cases(), **bad_inputs()}.items():
        e = _error(lambda: getattr(fd, solver)(a, g, bc, comm=comm, **kw))
        out["error_" + name] = np.array([type(e).__name__, str(e)])
        res = getattr(e, "result", None)
        if res is not None:
            out["error_" + name + "_result"] = np.array([type(res).__name__, str(res.outer_iterations),
                                                         str(res.u.shape), str(res.global_shape)])
    e = _error(lambda: fd.solve_nonlinear(*steady_cases()["k_of_T"][:3], k=1.0, backend="cuda", comm=comm))
    out["error_backend"] = np.array([type(e).__name__, str(e)])
    if comm.rank == 0:
        np.savez(path, **out)


if __name__ == "__main__":
    main(sys.argv[1])
