"""Run under ``mpiexec -n N``: conditions on the surface of holes (``bc["surface"]``) under MPI.

Rank 0 writes to the ``.npz`` named on the command line the gathered solutions and CG
iteration counts of :func:`fieldgrad.distributed.solve_poisson` for :func:`poisson_cases`
(a plate with a square hole straddling the rank cut: Robin, Neumann and Dirichlet surfaces, and
a 3D cube hole with a Robin surface) and the gathered fields of
:func:`fieldgrad.distributed.solve_heat` (``k`` / ``rho_c`` form) for :func:`heat_cases`.
The serial references are computed by tests/distributed/test_mpi_surface.py.
"""
import sys

import numpy as np

import fieldgrad as fg
from mpi_case_runner import run_cases
from fieldgrad.materials import cell_centres, cell_shape


def _plate(n):
    """Square hole [0.375, 0.625] x [0.25, 0.5] (grid-aligned at n = 8m + 1) cut by the x split of
    2 ranks; conductivity 1 | 3 across y = 0.7; Dirichlet in x, insulated in y; a source."""
    g = fg.Grid((n, n), extent=[(0, 1), (0, 1)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.375) & (xc < 0.625) & (yc > 0.25) & (yc < 0.5))
    k = fg.Cells(np.where(yc < 0.7, 1.0, 3.0), domain=dom)
    x, y = g.mesh()
    f = np.sin(3 * x) * np.cos(2 * y) - 1.0
    return g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0)}, f, k


def _robin(n):
    g, bc, f, k = _plate(n)
    x, y = g.mesh()
    return g, dict(bc, surface=fg.Robin(4.0, 1.0, 0.5 + x * y)), f, dict(k=k)


def _neumann(n):
    g, bc, f, k = _plate(n)
    return g, dict(bc, surface=fg.Neumann(lambda x, y: 1.0 + x - y)), f, dict(k=k)


def _dirichlet(n):
    g, bc, f, k = _plate(n)
    return g, dict(bc, surface=fg.Dirichlet(lambda x, y: 2.0 + x)), f, dict(k=k)


def _cube(n):
    """3D: a cube hole at the centre (cut by the x split), a convecting surface."""
    g = fg.Grid((n, n, n))
    xc, yc, zc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((np.abs(xc - 0.5) < 0.25) & (np.abs(yc - 0.5) < 0.25) & (np.abs(zc - 0.5) < 0.25))
    x, y, z = g.mesh()
    bc = {"x-": fg.Dirichlet(0.0), "*": fg.Neumann(0.0), "surface": fg.Convection(5.0, 1.0, conductivity=2.0)}
    return g, bc, np.cos(2 * y) * z, dict(k=fg.Cells(np.full(cell_shape(g), 2.0), domain=dom))


POISSON = {"robin": _robin, "neumann": _neumann, "dirichlet": _dirichlet, "cube": _cube}
SIZES = {"cube": (17, 33)}
SIZES_2D = (65, 129)


def poisson_cases():
    """``{name_n: (grid, bc, f, kwargs)}`` for every case and size."""
    return {f"{name}_{n}": make(n) for name, make in POISSON.items() for n in SIZES.get(name, SIZES_2D)}


def heat_cases():
    """``{name: (grid, bc, u0, kwargs)}`` of the k / rho_c form with a surface (kwargs of solve_heat)."""
    out = {}
    g, bc, f, k = _plate(33)
    x, y = g.mesh()
    rc = np.where(x < 0.5, 1.0, 3.0)
    u0 = np.sin(np.pi * x) * np.cos(np.pi * y) + x
    out["robin_ftcs"] = (g, dict(bc, surface=fg.Robin(4.0, 1.0, 0.5 + x * y)), u0,
                         dict(k=k, rho_c=rc, steps=40, method="ftcs", source=f))
    out["neumann_ftcs"] = (g, {"*": fg.Neumann(0.0), "surface": fg.Neumann(lambda x, y, t: (1.0 + x) * (1 + t))},
                           u0, dict(k=k, rho_c=rc, steps=40, method="ftcs"))
    out["dirichlet_ftcs"] = (g, {"*": fg.Neumann(0.0), "surface": fg.Dirichlet(lambda x, y, t: 1.0 + x * (1 + 5 * t))},
                             u0, dict(k=k, rho_c=rc, steps=40, method="ftcs", source=f))
    out["convection_rkl2"] = (g, {"*": fg.Neumann(0.0), "surface": fg.Convection(5.0, -1.0, conductivity=1.0)},
                              u0, dict(k=k, rho_c=2.0, steps=6, dt=2e-3, method="rkl2", source=2.0))
    return out


def main(path):
    run_cases(path, poisson_cases(), heat_cases())


if __name__ == "__main__":
    main(sys.argv[1])
