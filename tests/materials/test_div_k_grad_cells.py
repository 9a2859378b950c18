"""div_k_grad with conductivities on cells and per axis: the solvers' finite-volume rows.

Checked against closed forms: a two-material slab whose flux k du/dx is continuous has
div(k grad u) = 0 at every node, the interface node included (the node-sampled harmonic mean
does not give that); an orthotropic quadratic; and conservation of the rows around a hole.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BackendError, ShapeError


def _slab(n):
    g = fg.Grid((n, 5), extent=[(0, 1), (0, 1)])
    x = g.coords[0]
    k1, k2 = 1.0, 25.0
    # interface on the grid line x = 1/2: continuous temperature and flux (= 1)
    u1 = np.where(x <= 0.5, x / k1, 0.5 / k1 + (x - 0.5) / k2)
    u = np.repeat(u1[:, None], 5, axis=1)
    cx = fg.materials.cell_centres(g)[0]
    cells = np.repeat(np.where(cx < 0.5, k1, k2)[:, None], 4, axis=1)
    return g, u, cells, k1, k2


def test_piecewise_linear_slab_has_zero_divergence_with_cells():
    g, u, cells, k1, k2 = _slab(17)
    bc = {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(float(u[-1, 0])), "y": fg.Neumann(0.0)}
    v = fg.div_k_grad(u, g, bc, k=fg.Cells(cells))
    assert np.max(np.abs(v[1:-1])) < 1e-10 * k2 * 16 ** 2
    # a bare array of the cell shape is a shape error here (operators take node arrays unmarked)
    with pytest.raises(ShapeError, match="k has shape"):
        fg.div_k_grad(u, g, bc, k=cells)
    # node-sampled k (a node on the interface takes one side's value) is off at the interface
    node_k = np.where(g.mesh()[0] <= 0.5, k1, k2)
    w = fg.div_k_grad(u, g, bc, k=node_k)
    assert np.max(np.abs(w[1:-1])) > 1.0


def test_uniform_cells_match_the_stencil_kernel_inside():
    g = fg.Grid((9, 11), extent=[(0, 1), (0, 2)])
    rng = np.random.default_rng(3)
    u = rng.random(g.shape)
    bc = {"*": fg.Neumann(0.0)}
    a = fg.div_k_grad(u, g, bc, k=fg.Cells(np.full((8, 10), 3.0)))
    b = fg.div_k_grad(u, g, bc, k=3.0)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-10)  # Neumann rows included


def test_orthotropic_quadratic():
    g = fg.Grid((9, 9, 7))
    X, Y, Z = g.mesh()
    u = X ** 2 + 2 * Y ** 2 - Z ** 2
    v = fg.div_k_grad(u, g, None, k=fg.Orthotropic(2.0, 3.0, 5.0))
    # 2*kx + 4*ky - 2*kz
    np.testing.assert_allclose(v[1:-1, 1:-1, 1:-1], 2 * 2.0 + 4 * 3.0 - 2 * 5.0, rtol=1e-10)


def test_rows_around_a_hole_conserve_the_boundary_flux():
    n = 33
    g = fg.Grid((n, n))
    h = g.spacing[0]
    dom = np.ones((n - 1, n - 1), dtype=bool)
    dom[10:20, 12:22] = False
    X, Y = g.mesh()
    u = np.sin(2 * X) + X * Y
    k = fg.Cells(np.full((n - 1, n - 1), 2.0), domain=dom)
    v = fg.div_k_grad(u, g, {"*": fg.Neumann(0.0)}, k=k)
    # nodes with no cell inside the domain hold 0
    assert np.all(v[12:20, 14:22] == 0.0)
    # the rows times their inside volumes add up to the flow in through the walls: zero here,
    # since the insulated walls and hole see no flux (every link's flow enters one row and leaves another)
    phi = np.zeros(g.shape)
    for di in (0, 1):
        for dj in (0, 1):
            phi[di:n - 1 + di, dj:n - 1 + dj] += 0.25 * dom
    vol = phi * h * h  # the inside part of each node's cell (quarter cells; half and quarter boxes at walls)
    total = np.sum(v * vol)
    scale = np.sum(np.abs(v) * vol)
    assert abs(total) < 1e-12 * scale
    # away from the hole, the row is the plain 5-point value of the uniform material
    ref = fg.div_k_grad(u, g, {"*": fg.Neumann(0.0)}, k=2.0)
    np.testing.assert_allclose(v[2:6, 2:30], ref[2:6, 2:30], rtol=1e-10)


def test_cell_k_refusals():
    g = fg.Grid((9, 9))
    # cell k runs on CUDA too (tests/backends/test_cuda_rows.py); without CUDA the BackendError says why
    u = g.mesh()[0] ** 3
    k = fg.Cells(np.ones((8, 8)))
    if fg.backends.cuda_available():
        np.testing.assert_allclose(fg.div_k_grad(u, g, None, k=k, backend="cuda").copy_to_host(),
                                   fg.div_k_grad(u, g, None, k=k), rtol=1e-12)
    else:
        with pytest.raises(BackendError, match="backend 'cuda'"):
            fg.div_k_grad(u, g, None, k=k, backend="cuda")
    with pytest.raises(ShapeError):
        fg.div_k_grad(np.zeros(g.shape), g, None, k=fg.Cells(np.ones((7, 8))))
