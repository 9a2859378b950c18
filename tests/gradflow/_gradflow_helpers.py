"""Helpers for the gradflow tests: boundary setups and an independent dense probe of the
package Laplacian."""
import numpy as np
from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin, laplacian


def setups():
    """(name, grid, inhomogeneous bc, homogeneous bc) covering every boundary kind."""
    g2 = Grid((9, 7), extent=[(0, 1), (0, 0.75)])
    gp = Grid((8, 6), extent=[(0, 1), (0, 0.5)], periodic=True)
    gm = Grid((9, 8), extent=[(0, 1), (0, 1)], periodic=(False, True))
    return [
        ("dirichlet", g2, {"x-": Dirichlet(1.0), "x+": Dirichlet(-0.5), "y": Dirichlet(0.25)}, Dirichlet(0.0)),
        ("neumann", g2, {"x": Neumann(0.3), "y-": Neumann(-1.0), "y+": Neumann(0.0)}, Neumann(0.0)),
        ("robin", g2, {"x-": Robin(2.0, 1.0, 0.5), "x+": Robin(1.0, 3.0, -1.0), "y": Neumann(0.2)},
         {"x-": Robin(2.0, 1.0, 0.0), "x+": Robin(1.0, 3.0, 0.0), "y": Neumann(0.0)}),
        ("periodic", gp, Periodic(), Periodic()),
        ("mixed", gm, {"x-": Dirichlet(0.5), "x+": Neumann(1.0)}, {"x-": Dirichlet(0.0), "x+": Neumann(0.0)}),
        ("dn", g2, {"x-": Dirichlet(0.0), "x+": Neumann(0.0), "y-": Neumann(0.0), "y+": Dirichlet(0.0)},
         {"x-": Dirichlet(0.0), "x+": Neumann(0.0), "y-": Neumann(0.0), "y+": Dirichlet(0.0)}),
    ]


SETUPS = setups()
IDS = [s[0] for s in SETUPS]


def free_box(grid, bc):
    """Per-axis free slices, worked out here from the bc dict (independent of the module)."""
    from fieldgrad import resolve_bc

    bcs = resolve_bc(bc, grid)
    out = []
    for a in range(grid.ndim):
        lo, hi = bcs.on_axis(a)
        out.append(slice(1 if isinstance(lo, Dirichlet) else 0,
                         grid.shape[a] - 1 if isinstance(hi, Dirichlet) else grid.shape[a]))
    return tuple(out)


def dense_laplacian(grid, hom_bc):
    """Dense matrix of fieldgrad.laplacian on the free nodes, column by column (unit vectors)."""
    fs = free_box(grid, hom_bc)
    shape = tuple(s.stop - s.start for s in fs)
    m = int(np.prod(shape))
    cols = []
    for j in range(m):
        e = np.zeros(shape)
        e.flat[j] = 1.0
        u = np.zeros(grid.shape)
        u[fs] = e
        cols.append(laplacian(u, grid, hom_bc)[fs].ravel())
    return np.array(cols).T
