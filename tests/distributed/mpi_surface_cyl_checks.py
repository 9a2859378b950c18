"""Run under ``mpiexec -n N``: cylindrical (r, z) grids under MPI (the links paths).

Rank 0 writes to the ``.npz`` named on the command line the gathered solutions and CG
iteration counts of :func:`fieldgrad.distributed.solve_poisson` for :func:`poisson_cases` and
the gathered fields of :func:`fieldgrad.distributed.solve_heat` for :func:`heat_cases`, and of
the distributed operators for :func:`operator_cases`.  The
serial references are computed by tests/distributed/test_mpi_surface_cylindrical.py.
"""
import sys

import numpy as np

import fieldgrad as fg
import fieldgrad.distributed as fd
from mpi_case_runner import run_cases
from fieldgrad.materials import cell_centres


def _core(n):
    """A solid cylinder (r from the axis) with a heated core, Robin on the mantle, Dirichlet ends;
    a scalar k (the old node path never sees a cylindrical grid)."""
    g = fg.Grid((n, n), extent=[(0, 1), (0, 2)], coords="cylindrical")
    r, z = g.mesh()
    f = -np.where(r < 0.4, 5.0, 0.0) * (1 + z)
    return g, {"r+": fg.Robin(3.0, 1.0, 0.5), "z": fg.Dirichlet(0.0)}, f, dict(k=2.0)


def _pipe(n):
    """A pipe wall r in [0.5, 1.5] of two materials across z = 1, Dirichlet inside, convection
    outside, insulated ends."""
    g = fg.Grid((n, n), extent=[(0.5, 1.5), (0, 2)], coords="cylindrical")
    rc, zc = np.meshgrid(*cell_centres(g), indexing="ij")
    r, z = g.mesh()
    return g, {"r-": fg.Dirichlet(1.0 + 0.1 * g.coords[1]), "r+": fg.Convection(4.0, 0.0, conductivity=1.0),
               "z": fg.Neumann(0.0)}, np.cos(z) * r, dict(k=fg.Cells(np.where(zc < 1.0, 1.0, 6.0)))


def _neumann(n):
    """Pure flux (singular): the zero-mean solution, data made compatible."""
    g, _, f, _ = _core(n)
    return g, fg.Neumann(0.0), f + 1.0, dict(k=fg.Cells(np.full((n - 1, n - 1), 1.5)))


POISSON = {"core": _core, "pipe": _pipe, "neumann": _neumann}
SIZES = (65, 129)


def poisson_cases():
    """``{name_n: (grid, bc, f, kwargs)}`` for every case and size."""
    return {f"{name}_{n}": make(n) for name, make in POISSON.items() for n in SIZES}


def heat_cases():
    """``{name: (grid, bc, u0, kwargs)}`` (kwargs of solve_heat) on cylindrical grids."""
    g, bc, f, _ = _core(33)
    r, z = g.mesh()
    u0 = np.cos(np.pi * r / 2) * np.sin(np.pi * z / 2) + 0.5
    gp, bcp, _, kwp = _pipe(33)
    rp, zp = gp.mesh()
    return {"alpha_ftcs": (g, bc, u0, dict(alpha=1.5, steps=40, method="ftcs", source=f)),
            "pipe_ftcs": (gp, bcp, np.cos(zp) * rp, dict(k=kwp["k"], rho_c=np.where(zp < 1, 1.0, 2.0), steps=40,
                                                         method="ftcs")),
            "insulated_rkl2": (g, fg.Neumann(0.0), u0, dict(k=2.0, rho_c=3.0, steps=6, dt=2e-3, method="rkl2"))}


def operator_cases():
    """``{name: (function name, u, grid, bc, kwargs)}`` of the distributed operators that take the
    serial row path: cylindrical grids, and k on cells or per axis on a Cartesian plate with a hole."""
    rng = np.random.default_rng(7)
    g = fg.Grid((17, 13), extent=[(0, 1), (0, 2)], coords="cylindrical")
    u = rng.standard_normal(g.shape)
    bc = {"r+": fg.Dirichlet(lambda r, z, t: r + t), "z-": fg.Robin(1.0, 2.0, 0.5), "z+": fg.Neumann(0.3)}
    g2 = fg.Grid((17, 17))
    xc, yc = np.meshgrid(*cell_centres(g2), indexing="ij")
    dom = ~((xc > 0.25) & (xc < 0.5) & (yc > 0.375) & (yc < 0.75))
    u2 = rng.standard_normal(g2.shape)
    bc2 = {"x": fg.Neumann(1.0), "y": fg.Dirichlet(lambda x, y, t: x + t)}
    return {
        "lap_cyl": ("laplacian", u, g, bc, dict(t=0.3)),
        "dkg_cyl": ("div_k_grad", u, g, bc, dict(k=rng.uniform(1, 2, g.shape))),
        "grad_cyl": ("grad", u, g, bc, {}),
        "dkg_cells": ("div_k_grad", u2, g2, bc2, dict(k=fg.Cells(np.where(yc < 0.6, 2.0, 5.0), domain=dom), t=0.5)),
        "dkg_ortho": ("div_k_grad", u2, g2, bc2, dict(k=fg.Orthotropic(1.0, 3.0), t=0.5)),
    }


def _operators(comm):
    out = {}
    for name, (fn, u, g, bc, kw) in operator_cases().items():
        full = fd.gather(getattr(fd, fn)(u, g, bc, comm=comm, **kw), comm)
        if comm.rank == 0:
            out["op_" + name] = full
    return out


def main(path):
    run_cases(path, poisson_cases(), heat_cases(), extra=_operators)


if __name__ == "__main__":
    main(sys.argv[1])
