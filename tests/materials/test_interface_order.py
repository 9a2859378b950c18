"""Two-material slab with the interface on a grid line: cell conductivity is second order (exact
for a piecewise-quadratic profile), node-sampled conductivity only first order."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.materials import cell_centres

K1, K2 = 1.0, 10.0


def _cells(g, k_left, k_right, x_if=0.5):
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    return np.where(xc < x_if, k_left, k_right)


def _nodes(g, k_left, k_right, x_if=0.5):
    x = np.meshgrid(*g.coords, indexing="ij")[0]
    return np.where(x < x_if - 1e-12, k_left, k_right)  # the interface node takes the right material


def _slab_exact(x):
    """div(k grad u) = -1 on [0, 1], u(0) = u(1) = 0, k = K1 for x < 1/2, K2 beyond: k u' = C - x."""
    # continuity at 1/2: (C/2 - 1/8)/K1 = (3/8 - C/2)/K2
    C = (3 / 8 / K2 + 1 / 8 / K1) / (1 / 2 / K1 + 1 / 2 / K2)
    return np.where(x <= 0.5, (C * x - x ** 2 / 2) / K1, (C * (x - 1) - (x ** 2 - 1) / 2) / K2)


@pytest.mark.parametrize("shape_tail", [(), (4,), (3, 4)])
def test_piecewise_quadratic_slab_exact_with_cells_first_order_with_nodes(shape_tail):
    bc = {"x": Dirichlet(0.0), "*": Neumann(0.0)} if shape_tail else Dirichlet(0.0)
    err_cells, err_nodes = [], []
    for n in (33, 65, 129):
        g = Grid((n,) + shape_tail, extent=[(0, 1)] + [(0, 0.3)] * len(shape_tail))
        x = np.meshgrid(*g.coords, indexing="ij")[0]
        exact = _slab_exact(x)
        f = -np.ones(g.shape)
        uc = fg.solve_poisson(f, g, bc, k=fg.Cells(_cells(g, K1, K2)), method="direct").u
        un = fg.solve_poisson(f, g, bc, k=_nodes(g, K1, K2), method="direct").u
        err_cells.append(np.abs(uc - exact).max())
        err_nodes.append(np.abs(un - exact).max())
    # finite volumes with face conductances from the cells reproduce a piecewise quadratic exactly:
    # what is left is round-off of a solve with condition number ~ n^2 (a second-order error
    # would be ~ h^2 ~ 6e-5 relative)
    assert max(err_cells) < 100 * 129 ** 2 * np.finfo(float).eps * np.abs(exact).max()
    orders = np.log2(np.array(err_nodes[:-1]) / np.array(err_nodes[1:]))
    assert np.all(np.abs(orders - 1.0) < 0.12), orders
    assert err_nodes[-1] > 1e-3 * np.abs(exact).max()


def _sinh_exact(x, y):
    """div(k grad u) = 0 with u = X(x) sin(pi y), X'' = pi^2 X per material, X(0) = 0, X(1) = 1,
    X and k X' continuous at x = 1/2."""
    p = np.pi
    # left: A sinh(p x); right: B sinh(p x) + D cosh(p x)
    M = np.array([[np.sinh(p / 2), -np.sinh(p / 2), -np.cosh(p / 2)],
                  [K1 * np.cosh(p / 2), -K2 * np.cosh(p / 2), -K2 * np.sinh(p / 2)],
                  [0.0, np.sinh(p), np.cosh(p)]])
    A, B, D = np.linalg.solve(M, [0.0, 0.0, 1.0])
    X = np.where(x <= 0.5, A * np.sinh(p * x), B * np.sinh(p * x) + D * np.cosh(p * x))
    return X * np.sin(p * y)


@pytest.mark.parametrize("method", ["cg", "direct"])
def test_smooth_two_material_plate_second_order_with_cells(method):
    err_cells, err_nodes = [], []
    for n in (17, 33, 65):
        g = Grid((n, n))
        x, y = np.meshgrid(*g.coords, indexing="ij")
        exact = _sinh_exact(x, y)
        edge = {"x-": Dirichlet(exact[0]), "x+": Dirichlet(exact[-1]), "y-": Dirichlet(exact[:, 0]),
                "y+": Dirichlet(exact[:, -1])}
        f = np.zeros(g.shape)
        uc = fg.solve_poisson(f, g, edge, k=fg.Cells(_cells(g, K1, K2)), method=method, rtol=1e-12).u
        un = fg.solve_poisson(f, g, edge, k=_nodes(g, K1, K2), method=method, rtol=1e-12).u
        err_cells.append(np.abs(uc - exact).max())
        err_nodes.append(np.abs(un - exact).max())
    oc = np.log2(np.array(err_cells[:-1]) / np.array(err_cells[1:]))
    on = np.log2(np.array(err_nodes[:-1]) / np.array(err_nodes[1:]))
    assert np.all(oc > 1.85), (oc, err_cells)
    assert np.all(on < 1.2), (on, err_nodes)
    assert err_cells[-1] < 0.05 * err_nodes[-1]
