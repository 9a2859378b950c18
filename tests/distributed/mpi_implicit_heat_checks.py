"""Run under ``mpiexec -n 2``: backward Euler and Crank--Nicolson by
:func:`fieldgrad.distributed.solve_heat` (issue 15: every capability in the MPI path).

The cases (:func:`cases`) are built the same way here and in
tests/distributed/test_mpi_implicit_heat.py, which computes the serial references.  Rank 0
writes to the ``.npz`` named on the command line, per case: the gathered field, ``method``,
``steps``, ``t``, ``dt``, ``sweeps``, ``iterations``, the result type and whether its block is
the gathered field's.
"""
import sys

import numpy as np

import fieldgrad as fg
import fieldgrad.distributed as fd

TIGHT = 1e-12  # the linear solves' rtol of the cases compared with the serial solver
ORDER_SHAPE, ORDER_T, ORDER_STEPS = (33, 9), 0.2, (10, 20)


def _mix_bc():
    """Dirichlet (time-dependent), Robin and Neumann (one time-dependent) faces."""
    return {"x-": fg.Dirichlet(lambda x, y, t: np.sin(3.0 * t) * (1.0 + y)), "x+": fg.Robin(1.0, 0.5, 0.2),
            "y-": fg.Neumann(0.3), "y+": fg.Neumann(lambda x, y, t: -0.2 * x * t)}


def _two_materials(g):
    """Cell conductivities (a 1 : 4 jump across x = 0.4) and a rho_c node field (1 below y = 0.5, 3 above)."""
    xc = (np.arange(g.shape[0] - 1) + 0.5) / (g.shape[0] - 1)
    kc = np.where(xc < 0.4, 1.0, 4.0)[:, None] * np.ones((1, g.shape[1] - 1))
    y = g.mesh()[1]
    return fg.Cells(kc), np.where(y < 0.5, 1.0, 3.0)


def cases():
    """name -> (grid, bc, u0, keyword arguments of solve_heat), the same for both solvers."""
    g = fg.Grid((25, 17))
    x, y = g.mesh()
    u0 = np.sin(np.pi * x) * np.cos(y) + x * y
    src = lambda x, y, t: np.cos(t) * x * y  # noqa: E731
    out = {
        "alpha_mix_be": (g, _mix_bc(), u0, dict(alpha=0.5, dt=0.01, steps=6, method="backward_euler", source=src,
                                                rtol=TIGHT)),
        "alpha_field_mix_cn": (g, _mix_bc(), u0, dict(alpha=0.5 + 0.25 * x, dt=0.01, steps=6,
                                                      method="crank_nicolson", source=src, rtol=TIGHT)),
    }
    gc = fg.Grid((21, 17))
    k, rc = _two_materials(gc)
    xc, yc = gc.mesh()
    uc = np.cos(np.pi * xc) * (1.0 + yc)
    bc = {"x-": fg.Dirichlet(1.0), "x+": fg.Robin(2.0, 1.0, 0.0), "y": fg.Neumann(0.0)}
    out["cells_rho_c_cn"] = (gc, bc, uc, dict(k=k, rho_c=rc, dt=0.02, steps=5, method="crank_nicolson", source=2.0,
                                              rtol=TIGHT))
    out["cells_rho_c_be"] = (gc, bc, uc, dict(k=k, rho_c=rc, dt=0.02, steps=4, method="backward_euler",
                                              source=np.exp(-xc), rtol=TIGHT))
    # insulated walls, the default rtol (1e-8): the conservation shift keeps sum(w rho_c u) to rounding
    out["insulated_cn"] = (gc, fg.Neumann(0.0), 2.0 + uc,
                           dict(k=k, rho_c=rc, dt=0.02, steps=8, method="crank_nicolson"))
    g3 = fg.Grid((11, 9, 9))
    x3, y3, z3 = g3.mesh()
    out["alpha_3d_be"] = (g3, {"x-": fg.Dirichlet(lambda x, y, z, t: t * (1.0 + y * z)), "*": fg.Neumann(0.0)},
                          np.sin(np.pi * x3) * np.cos(np.pi * y3) + z3,
                          dict(alpha=1.0, dt=0.01, steps=3, method="backward_euler", rtol=TIGHT))
    # "auto" beyond 600 explicit limits: Crank--Nicolson, as in the serial solver
    ga = fg.Grid((17, 17))
    out["auto_large_dt"] = (ga, fg.Dirichlet(0.0), np.sin(np.pi * ga.mesh()[0]) * ga.mesh()[1],
                            dict(alpha=1.0, dt=5.0, steps=2, rtol=TIGHT))
    out.update(_geometry_cases())
    return out


def _geometry_cases():
    """Holes with conditions on their surface, a cylindrical grid, a contact resistance."""
    from fieldgrad.materials import cell_centres

    g = fg.Grid((33, 33))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.375) & (xc < 0.625) & (yc > 0.25) & (yc < 0.5))  # a square hole cut by the x split
    k = fg.Cells(np.where(yc < 0.7, 1.0, 3.0), domain=dom)
    x, y = g.mesh()
    rc = np.where(x < 0.5, 1.0, 3.0)
    u0 = np.sin(np.pi * x) * np.cos(np.pi * y) + x
    out = {"hole_robin_cn": (g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0),
                                 "surface": fg.Robin(4.0, 1.0, 0.5 + x * y)}, u0,
                             dict(k=k, rho_c=rc, dt=0.01, steps=4, method="crank_nicolson", source=1.0, rtol=TIGHT)),
           "hole_dirichlet_be": (g, {"*": fg.Neumann(0.0),
                                     "surface": fg.Dirichlet(lambda x, y, t: 1.0 + x * (1 + 5 * t))},
                                 u0, dict(k=k, rho_c=rc, dt=0.01, steps=3, method="backward_euler", rtol=TIGHT))}
    gc = fg.Grid((17, 17), extent=[(0, 1), (0, 2)], coords="cylindrical")
    r, z = gc.mesh()
    out["cylindrical_cn"] = (gc, {"r+": fg.Robin(3.0, 1.0, 0.5), "z": fg.Dirichlet(0.0)},
                             np.cos(np.pi * r / 2) * np.sin(np.pi * z / 2) + 0.5,
                             dict(alpha=1.5, dt=0.01, steps=4, method="crank_nicolson", rtol=TIGHT))
    gw = fg.Grid((17, 9, 8), extent=[(0, 1), (0, 0.3), (0, 0.25)])
    xw = gw.mesh()[0]
    kc = fg.Cells(np.where((np.arange(16) + 0.5) / 16 < 0.45, 2.0, 0.5)[:, None, None] * np.ones((1, 8, 7)))
    out["contact_3d_be"] = (gw, {"x-": fg.Dirichlet(1.0), "x+": fg.Robin(3.0, 1.0, 0.0), "*": fg.Neumann(0.0)},
                            np.zeros(gw.shape), dict(k=kc, contact=fg.Contact((xw > 0.45).astype(int), 0.05), dt=0.02,
                                                     steps=3, method="backward_euler", rtol=TIGHT))
    return out


def order_case(steps):
    """The decaying sine mode ``sin(pi x)`` (Dirichlet x faces, insulated y faces), Crank--Nicolson."""
    g = fg.Grid(ORDER_SHAPE)
    u0 = np.sin(np.pi * g.mesh()[0])
    return g, {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}, u0, dict(
        alpha=1.0, t_end=ORDER_T, dt=ORDER_T / steps, method="crank_nicolson", rtol=TIGHT)


def main(path):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    out = {}
    runs = dict(cases())
    runs.update({f"order_{n}": order_case(n) for n in ORDER_STEPS})
    for name, (g, bc, u0, kw) in runs.items():
        part = fd.solve_heat(u0, g, bc, comm=comm, **kw)
        full = fd.gather(part, comm)
        if comm.rank == 0:
            out[name] = full
            out[name + "_meta"] = np.array([part.method, part.steps, part.t, part.dt, part.sweeps,
                                            part.solver_iterations, type(part).__name__, str(part.info["dims"])],
                                           dtype=object).astype(str)
            out[name + "_block_ok"] = np.array(np.array_equal(part.u, full[part.index]) and part.u.shape != full.shape)
            out[name + "_wall"] = np.array(part.wall_time)
    if comm.rank == 0:
        np.savez(path, **out)


if __name__ == "__main__":
    main(sys.argv[1])
