"""A circular hole (a staircase of cells) with a convecting surface in the plate [-1, 1]^2,
against the radial solution ``u = A + B ln r`` (outer faces Dirichlet with its values).

The hole of radius R = 0.35 is the cells whose centre lies inside it.  Convection
``-k du/dn = h (u - T)`` with ``n`` into the hole (``-r``) fixes ``T = u(R) - k B / (h R)``.

* Plain staircase: the staircase's length is ``|n_x| + |n_y|`` times the circle's (4/pi on
  average), so the exchange is over-counted and the error does not shrink: max error over the
  domain's nodes 0.129, 0.106, 0.105, 0.110 at 33^2 / 65^2 / 129^2 / 257^2 (order 0).
* With ``h`` divided by ``|n_x| + |n_y|`` at each surface node (``n = (x, y) / r``, the known
  normal): 0.0439, 0.0161, 0.0147, 0.0086 (about first order on average, irregular: the
  staircase pattern changes with the grid; 5.1x from 33^2 to 257^2); away from the hole
  (r > 2R) 0.0114, 0.0031, 0.0032, 0.0008.
* Dirichlet ``u`` on the staircase's nodes (the nodes touching the surface hold the exact
  values): 3.37e-4, 8.10e-5, 2.05e-5 at 33^2 / 65^2 / 129^2, second order.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Dirichlet, Grid
from fieldgrad.materials import cell_centres, cell_shape

A, B, R, KK, HC = 1.0, 0.5, 0.35, 1.5, 2.0
T = A + B * np.log(R) - KK * B / (HC * R)
SIZES = (33, 65, 129, 257)


def exact(x, y):
    return A + B * np.log(np.hypot(x, y))


def corrected_h(x, y):
    return HC * np.hypot(x, y) / np.maximum(np.abs(x) + np.abs(y), 1e-300)


def errors(n, surface):
    g = Grid((n, n), extent=[(-1, 1), (-1, 1)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = np.hypot(xc, yc) > R
    k = fg.Cells(np.full(cell_shape(g), KK), domain=dom)
    res = fg.solve_poisson(np.zeros(g.shape), g, {"*": Dirichlet(exact), "surface": surface}, k=k, method="cg",
                           rtol=1e-12)
    X, Y = g.mesh()
    r = np.hypot(X, Y)
    touching = np.zeros(g.shape, bool)  # nodes with a cell inside the domain
    for di in (0, 1):
        for dj in (0, 1):
            touching[di:n - 1 + di, dj:n - 1 + dj] |= dom
    with np.errstate(divide="ignore"):
        err = np.abs(res.u - exact(X, Y))
    return float(err[touching].max()), float(err[r > 2 * R].max())


@pytest.fixture(scope="module")
def plain():
    return [errors(n, Convection(HC, T, conductivity=KK)) for n in SIZES]


@pytest.fixture(scope="module")
def corrected():
    return [errors(n, Convection(corrected_h, T, conductivity=KK)) for n in SIZES]


def test_plain_staircase_overcounts_the_exchange(plain):
    near = [e[0] for e in plain]
    assert min(near) > 0.09  # the 4/pi area: no convergence to the circle's solution


def test_area_corrected_data_converge_about_first_order(corrected, plain):
    near = [e[0] for e in corrected]
    far = [e[1] for e in corrected]
    assert near[-1] < 0.01 and near[0] / near[-1] > 4.5   # 3 halvings of h: 8x at first order
    assert far[0] / far[-1] > 10
    assert all(c[0] < 0.5 * p[0] for c, p in zip(corrected, plain))


def test_dirichlet_surface_on_the_staircase_nodes():
    errs = [errors(n, Dirichlet(exact))[0] for n in SIZES[:3]]
    assert errs[0] < 3.5e-4 and all(np.log2(a / b) > 1.9 for a, b in zip(errs, errs[1:])), errs
