"""Heat balance of a plate with a convecting hole (``bc["surface"] = Convection``).

A source ``q`` inside a plate [0, 1]^2 with an off-centre rectangular hole; x faces and y- held
at 0, y+ convecting to 1.  Every term is recomputed here from the solution with loops over the
cells, independently of the package's arrays: the source over each node's control volume inside
the domain, the heat into the Dirichlet nodes through each dual-face half ``k (h/2) du/h`` of an
inside cell, the convection ``h_c (u - T) A`` on the y+ face and on the hole surface (each
surface edge's length split between its two end nodes).  They balance to 1e-8 (relative);
measured at 65^2 (rtol 1e-13): 6.6e-14 direct, 8.3e-15 MG-CG (9 iterations), 0 multigrid (8
V-cycles).  The hole (ambient 3) heats the plate: source 1.93, out through the Dirichlet faces
12.93, through y+ -0.65, through the hole -10.35.

MG-CG iterations with the Robin surface (rtol 1e-10): 7, 7, 7 at 65^2, 129^2, 257^2.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Dirichlet, Grid
from fieldgrad.materials import cell_centres, cell_shape

K, HS, TS, HY, TY = 2.5, 4.0, 3.0, 1.5, 1.0


def setup(n):
    g = Grid((n, n), extent=[(0, 1), (0, 1)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.25) & (xc < 0.5) & (yc > 0.375) & (yc < 0.75))
    X, Y = g.mesh()
    q = 1.0 + X + 2 * Y ** 2
    bc = {"x": Dirichlet(0.0), "y-": Dirichlet(0.0), "y+": Convection(HY, TY, conductivity=K),
          "surface": Convection(HS, TS, conductivity=K)}
    return g, dom, q, bc


def balance_terms(g, dom, q, u):
    """(source, out through Dirichlet faces, out through y+, out through the hole surface)."""
    n = g.shape[0]
    h = g.spacing[0]
    fixed = np.zeros(g.shape, bool)
    fixed[0, :] = fixed[-1, :] = fixed[:, 0] = True
    src = 0.0
    for i in range(n - 1):
        for j in range(n - 1):
            if dom[i, j]:
                for a in (i, i + 1):
                    for b in (j, j + 1):
                        if not fixed[a, b]:
                            src += q[a, b] * (h / 2) ** 2
    out_d = 0.0  # each inside cell carries, across each of its 4 edges, two half dual faces
    out_y = 0.0
    out_s = 0.0
    for i in range(n - 1):
        for j in range(n - 1):
            if not dom[i, j]:
                continue
            for (a0, b0), (a1, b1) in (((i, j), (i + 1, j)), ((i, j + 1), (i + 1, j + 1)),
                                       ((i, j), (i, j + 1)), ((i + 1, j), (i + 1, j + 1))):
                if fixed[a0, b0] != fixed[a1, b1]:  # a link from a free node to a held one
                    free, held = ((a0, b0), (a1, b1)) if fixed[a1, b1] else ((a1, b1), (a0, b0))
                    out_d += K * (h / 2) * (u[free] - u[held]) / h
            if j == n - 2:  # the cell's top edge lies on y+
                for a in (i, i + 1):
                    if not fixed[a, n - 1]:
                        out_y += HY * (u[a, n - 1] - TY) * h / 2
    for i in range(n - 1):
        for j in range(n - 1):
            for (di, dj), ends in (((1, 0), ((i + 1, j), (i + 1, j + 1))), ((0, 1), ((i, j + 1), (i + 1, j + 1)))):
                if i + di < n - 1 and j + dj < n - 1 and dom[i, j] != dom[i + di, j + dj]:
                    for e in ends:
                        out_s += HS * (u[e] - TS) * h / 2
    return src, out_d, out_y, out_s


@pytest.mark.parametrize("method", ["direct", "cg", "multigrid"])
def test_source_equals_heat_out_through_faces_and_hole(method):
    g, dom, q, bc = setup(65)
    res = fg.solve_poisson(-q, g, bc, k=fg.Cells(np.full(cell_shape(g), K), domain=dom), method=method,
                           rtol=1e-13, maxiter=200)
    src, out_d, out_y, out_s = balance_terms(g, dom, q, res.u)
    assert abs(out_s) > 0.05 * src and abs(out_y) > 0.05 * src  # each exchange matters
    assert abs(src - (out_d + out_y + out_s)) < 1e-8 * src


def test_mg_cg_iterations_stay_bounded_with_a_robin_surface():
    its = []
    for n in (65, 129, 257):
        g, dom, q, bc = setup(n)
        res = fg.solve_poisson(-q, g, bc, k=fg.Cells(np.full(cell_shape(g), K), domain=dom), method="cg",
                               rtol=1e-10)
        its.append(res.iterations)
    assert max(its) <= 10, its

