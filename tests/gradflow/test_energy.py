"""The energy and its gradient: the gradient of E_lambda in the grid inner product is
-lap_h u + lambda u - f (the package Laplacian), for every boundary kind."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin
from fieldgrad.errors import BoundaryError, ParameterError
from fieldgrad.gradflow import energy, energy_gradient, grid_inner
from _gradflow_helpers import free_box


@pytest.mark.parametrize("lam", [0.0, 2.5])
def test_gradient_is_the_derivative_of_the_energy(setup, lam):
    # E is quadratic, so a central difference is exact up to round-off: assert to 1e-9 relative.
    name, grid, bc, _ = setup
    rng = np.random.default_rng(1)
    u, v, f = rng.standard_normal((3,) + grid.shape)
    fs = free_box(grid, bc)
    mask = np.zeros(grid.shape, bool)
    mask[fs] = True
    v = v * mask  # directions move free nodes only
    eps = 1e-3
    dE = (energy(u + eps * v, grid, bc, lam, f) - energy(u - eps * v, grid, bc, lam, f)) / (2 * eps)
    g = energy_gradient(u, grid, bc, lam, f)
    assert np.all(g[~mask] == 0)
    assert dE == pytest.approx(grid_inner(g, v, grid), rel=1e-9, abs=1e-9)
    gE = energy_gradient(u, grid, bc, lam, f, inner="euclidean")
    assert dE == pytest.approx(float(np.sum(gE * v)), rel=1e-9, abs=1e-9)


def test_euclidean_gradient_carries_the_factor_h_to_the_d():
    grid = Grid((8, 8, 8), periodic=True)
    u = np.random.default_rng(2).standard_normal(grid.shape)
    g = energy_gradient(u, grid, Periodic(), 1.0)
    gE = energy_gradient(u, grid, Periodic(), 1.0, inner="euclidean")
    np.testing.assert_allclose(gE, grid.spacing[0] ** 3 * g, rtol=1e-14)


def test_energy_of_a_linear_field_is_half_the_dirichlet_integral():
    grid = Grid((9, 5), extent=[(0, 2), (0, 1)])
    X, Y = grid.mesh()
    u = 3 * X - Y
    bc = {"x-": Dirichlet(u[0]), "x+": Dirichlet(u[-1]), "y-": Dirichlet(u[:, 0]), "y+": Dirichlet(u[:, -1])}
    # 1/2 * int |(3, -1)|^2 = 1/2 * 10 * area 2
    assert energy(u, grid, bc) == pytest.approx(10.0, rel=1e-13)


def test_weight_decay_and_source_terms_are_grid_integrals():
    grid = Grid((11,), periodic=True)
    u = np.full(grid.shape, 2.0)
    # gradient part 0; lambda/2 * int u^2 = 0.5 * 3 * 4; <f, u> = 1.5 * 2
    assert energy(u, grid, Periodic(), weight_decay=3.0, source=1.5) == pytest.approx(6.0 - 3.0, rel=1e-13)


def test_errors_name_the_problem():
    grid = Grid((5, 5))
    with pytest.raises(BoundaryError, match="every face"):
        energy(np.zeros(grid.shape), grid, {"x": Neumann(0)})
    with pytest.raises(ParameterError, match="weight_decay"):
        energy(np.zeros(grid.shape), grid, Neumann(0), weight_decay=-1)
    with pytest.raises(ParameterError, match="inner"):
        energy_gradient(np.zeros(grid.shape), grid, Neumann(0), inner="l2")
    with pytest.raises(BoundaryError, match="time-independent"):
        energy(np.zeros(grid.shape), grid, Robin(1.0, 1.0, lambda x, y, t: t))
