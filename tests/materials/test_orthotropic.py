"""Orthotropic plate vs the coordinate-stretched isotropic solution.

``4 u_xx + u_yy = 0`` on ``[0, 2] x [0, 1]`` becomes Laplace's equation in ``xi = x / 2``; with
``u = sin(pi xi) sinh(pi y) / sinh(pi)`` the plate's exact solution is
``sin(pi x / 2) sinh(pi y) / sinh(pi)``.  The discrete operator with ``kx = 4`` on spacing
``hx`` is the isotropic one on spacing ``hx / 2``, so the two discrete solutions agree to
round-off, and both converge to the exact one at second order.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid
from fieldgrad.materials import cell_shape


def _exact(x, y):
    return np.sin(np.pi * x / 2) * np.sinh(np.pi * y) / np.sinh(np.pi)


def _bc(g):
    x, y = np.meshgrid(*g.coords, indexing="ij")
    u = _exact(x, y)
    return {"x-": Dirichlet(u[0]), "x+": Dirichlet(u[-1]), "y-": Dirichlet(u[:, 0]), "y+": Dirichlet(u[:, -1])}, u


@pytest.mark.parametrize("kind", ["numbers", "nodes", "cells"])
def test_orthotropic_plate_equals_stretched_isotropic_and_converges(kind):
    errs = []
    for n in (17, 33, 65):
        g = Grid((n, n), extent=[(0, 2), (0, 1)])
        bc, exact = _bc(g)
        if kind == "numbers":
            k = fg.Orthotropic(4.0, 1.0)
        elif kind == "nodes":
            k = fg.Orthotropic(np.full(g.shape, 4.0), np.ones(g.shape))
        else:
            k = fg.Orthotropic(fg.Cells(np.full(cell_shape(g), 4.0)), fg.Cells(np.ones(cell_shape(g))))
        u = fg.solve_poisson(np.zeros(g.shape), g, bc, k=k, rtol=1e-12).u
        gs = Grid((n, n), extent=[(0, 1), (0, 1)])   # the stretched, isotropic problem
        xs, ys = np.meshgrid(*gs.coords, indexing="ij")
        us = np.sin(np.pi * xs) * np.sinh(np.pi * ys) / np.sinh(np.pi)
        bcs = {"x-": Dirichlet(us[0]), "x+": Dirichlet(us[-1]), "y-": Dirichlet(us[:, 0]), "y+": Dirichlet(us[:, -1])}
        iso = fg.solve_poisson(np.zeros(gs.shape), gs, bcs, method="direct").u
        assert np.abs(u - iso).max() < 1e-9
        errs.append(np.abs(u - exact).max())
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(np.abs(orders - 2.0) < 0.1), orders


def test_orthotropic_3d_links_per_axis_and_matrix():
    g = Grid((5, 4, 3), spacing=(0.5, 1.0, 2.0))
    A = fg.poisson_matrix(g, Dirichlet(0.0), k=fg.Orthotropic(3.0, 5.0, 7.0))
    i = np.ravel_multi_index((2, 1, 1), g.shape)
    assert A[i, np.ravel_multi_index((3, 1, 1), g.shape)] == pytest.approx(3.0 / 0.25, rel=1e-15)
    assert A[i, np.ravel_multi_index((2, 2, 1), g.shape)] == pytest.approx(5.0, rel=1e-15)
    assert A[i, np.ravel_multi_index((2, 1, 2), g.shape)] == pytest.approx(7.0 / 4.0, rel=1e-15)
    assert A[i, i] == pytest.approx(-2 * (12.0 + 5.0 + 1.75), rel=1e-15)


# MG-CG iterations to rtol 1e-8 with a uniform orthotropy of 1000 (the coarsening follows the
# coupling h_a / sqrt(k_a)): measured 4-7 on the grids below (7 at 33^3, where z stops at 3
# nodes); with full coarsening it took 93 at 257^2 and 65^3
ORTHO_ITERATIONS = 8


@pytest.mark.parametrize("shape,comps", [((65, 65), (1.0, 1000.0)), ((129, 129), (1.0, 1000.0)),
                                         ((257, 257), (1000.0, 1.0)), ((33, 33, 33), (1.0, 1.0, 1000.0)),
                                         ((65, 65, 65), (1.0, 1000.0, 1.0))])
def test_strong_uniform_orthotropy_iterations_bounded(shape, comps):
    from fieldgrad import Neumann

    g = Grid(shape)
    k = fg.Orthotropic(*[fg.Cells(np.full(cell_shape(g), c)) for c in comps])
    bc = {"x-": Dirichlet(0.0), "*": Neumann(0.0)}
    f = np.cos(np.pi * g.mesh()[1]) + 1.0
    res = fg.solve_poisson(f, g, bc, k=k, rtol=1e-8)
    assert res.method == "cg" and res.iterations <= ORTHO_ITERATIONS, res.iterations
    if g.size <= 40000:
        ref = fg.solve_poisson(f, g, bc, k=k, method="direct").u
        assert np.abs(res.u - ref).max() < 1e-6 * np.abs(ref).max()


@pytest.mark.parametrize("ndim", [2, 3])
def test_a_domain_given_to_one_component_takes_the_others_out_of_the_holes(ndim):
    """``Orthotropic(Cells(kx, domain=d), Cells(ky)[, ...])``: the domain given to one component
    holds for all ("give it to each Cells, or to one only"), so the hole conducts nothing along
    any axis.  A Cells component without the domain kept conducting through the hole, and MG-CG
    (which holds the outside nodes at 0) and the direct solve (which kept them as unknowns)
    returned different fields: 1.39 apart in a 17^3 box."""
    from fieldgrad.materials import cell_centres
    from fieldgrad.solvers.discretize import Problem

    n = 17
    g = Grid((n,) * ndim)
    cc = np.meshgrid(*cell_centres(g), indexing="ij")
    hole = (np.abs(cc[0] - 0.5) < 0.2) & (np.abs(cc[1] - 0.5) < 0.2)
    if ndim == 3:
        hole &= cc[2] < 0.4
    d = ~hole
    shape = cell_shape(g)
    comps = [fg.Cells(np.where(cc[-1] < 0.5, 1.0, 4.0), domain=d)] + [fg.Cells(np.full(shape, 2.0 + a))
                                                                        for a in range(1, ndim)]
    every = [comps[0]] + [fg.Cells(c.values, domain=d) for c in comps[1:]]
    one, each = fg.Orthotropic(*comps), fg.Orthotropic(*every)
    bc = {"x-": Dirichlet(1.0), "*": fg.Neumann(0.0)}
    f = np.ones(g.shape)
    outside = Problem(g, bc, one).outside3.reshape(g.shape)
    assert outside.any()
    ref = fg.solve_poisson(f, g, bc, k=each, method="direct").u
    for method in ("cg", "direct"):
        u = fg.solve_poisson(f, g, bc, k=one, method=method, rtol=1e-12).u
        assert np.abs(u - ref)[~outside].max() < 1e-9, method
    links_one = Problem(g, bc, one).links_diag()[:3]
    links_each = Problem(g, bc, each).links_diag()[:3]
    for a in range(ndim):
        assert np.array_equal(links_one[a], links_each[a])


def test_values_outside_a_shared_domain_may_be_nan_in_every_component():
    """The domain of one component holds for all, so the other Cells components' values outside
    it are ignored too (NaN there was refused as non-finite)."""
    from fieldgrad.materials import cell_centres

    g = Grid((17, 17))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    d = ~((np.abs(xc - 0.5) < 0.2) & (np.abs(yc - 0.5) < 0.2))
    ky = np.where(d, 3.0, np.nan)
    bc = {"x-": Dirichlet(1.0), "*": fg.Neumann(0.0)}
    f = np.ones(g.shape)
    a = fg.solve_poisson(f, g, bc, k=fg.Orthotropic(fg.Cells(np.full(d.shape, 2.0), domain=d), fg.Cells(ky)),
                         method="direct").u
    b = fg.solve_poisson(f, g, bc, k=fg.Orthotropic(fg.Cells(np.full(d.shape, 2.0), domain=d),
                                                    fg.Cells(np.full(d.shape, 3.0), domain=d)), method="direct").u
    assert np.array_equal(a, b)
    with pytest.raises(fg.errors.ShapeError, match="domain"):
        fg.solve_poisson(f, g, bc, k=fg.Orthotropic(fg.Cells(np.ones((3, 3)), domain=np.ones((3, 3), bool)), 1.0))
