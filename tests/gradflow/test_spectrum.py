"""Closed-form eigenvalues of the discrete Laplacian against dense eigenvalues of the package
operator; per-mode decay of gradient descent against a DST projection; step-size limits."""
import numpy as np
import pytest
import scipy.fft as sfft

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin, laplacian
from fieldgrad.errors import ParameterError
from fieldgrad.gradflow import (gradient_descent, laplacian_diagonal, laplacian_eigenvalues, laplacian_matrix, mode_decay,
                                step_size_limits)
from _gradflow_helpers import dense_laplacian, free_box


def test_closed_form_eigenvalues_match_dense_eigvals(setup):
    # The Neumann/Robin ghost-node matrices are not symmetric: numpy.linalg.eigvals of the
    # probed operator; agreement to 1e-10 relative to mu_max.
    name, grid, _, hom = setup
    dense = dense_laplacian(grid, hom)
    ref = np.sort(np.linalg.eigvals(-dense).real)
    mu = np.sort(laplacian_eigenvalues(grid, hom).ravel())
    assert mu.shape == ref.shape
    np.testing.assert_allclose(mu, ref, rtol=0, atol=1e-10 * ref.max())


@pytest.mark.parametrize("kind", ["DD", "NN", "DN", "periodic"])
def test_one_dimensional_formulas(kind):
    n, h = 12, 0.1
    bc = {"DD": Dirichlet(0), "NN": Neumann(0), "DN": {"x-": Dirichlet(0), "x+": Neumann(0)},
          "periodic": Periodic()}[kind]
    grid = Grid(n, spacing=h, periodic=(kind == "periodic"))
    ref = np.sort(np.linalg.eigvals(-dense_laplacian(grid, bc)).real)
    np.testing.assert_allclose(np.sort(laplacian_eigenvalues(grid, bc)), ref, atol=1e-10 * ref.max())


def test_matrix_reproduces_the_operator_with_its_affine_part(setup):
    name, grid, bc, hom = setup
    fs = free_box(grid, bc)
    u = np.random.default_rng(3).standard_normal(grid.shape)
    from fieldgrad import apply_bc

    apply_bc(u, grid, bc)
    uD = apply_bc(np.zeros(grid.shape), grid, bc)
    lhs = laplacian(u, grid, bc)[fs]
    rhs = (laplacian_matrix(grid, bc) @ u[fs].ravel()).reshape(lhs.shape) + laplacian(uD, grid, bc)[fs]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-9)


def test_per_mode_amplitudes_follow_the_amplification_factor():
    # Dirichlet 2D: project GD iterates on DST-I modes; c_n = c_0 (1 - eta (mu + lambda))^n to 1e-12.
    grid = Grid((17, 13), extent=[(0, 1), (0, 0.75)])
    lam, steps = 4.0, 30
    lim = step_size_limits(grid, Dirichlet(0), lam)
    eta = 0.9 * lim["stable"]
    u0 = np.zeros(grid.shape)
    u0[1:-1, 1:-1] = np.random.default_rng(4).standard_normal((15, 11))
    r = gradient_descent(u0, grid, Dirichlet(0), lr=eta, steps=steps, weight_decay=lam, record_every=0)
    c0 = sfft.dstn(u0[1:-1, 1:-1], type=1)
    cn = sfft.dstn(r.u[1:-1, 1:-1], type=1)
    i = np.arange(1, 16)[:, None]
    j = np.arange(1, 12)[None, :]
    mu = 4 * 16 ** 2 * np.sin(np.pi * i / 32) ** 2 + 4 * 16 ** 2 * np.sin(np.pi * j / 24) ** 2
    expect = c0 * (1 - eta * (mu + lam)) ** steps
    np.testing.assert_allclose(cn, expect, rtol=0, atol=1e-12 * np.abs(c0).max())
    np.testing.assert_allclose(mode_decay(grid, Dirichlet(0), eta, steps, lam), (1 - eta * (mu + lam)) ** steps,
                               rtol=1e-12)


def test_step_size_limits_values():
    grid = Grid((21,), extent=(0, 2))
    h = 0.1
    lam = 7.0
    lim = step_size_limits(grid, Dirichlet(0), lam)
    mu = 4 / h ** 2 * np.sin(np.pi * np.arange(1, 20) / 40) ** 2
    assert lim["stable"] == pytest.approx(2 / (mu.max() + lam), rel=1e-13)
    assert lim["monotone"] == pytest.approx(1 / (2 / h ** 2 + lam), rel=1e-13)
    assert lim["optimal"] == pytest.approx(2 / (mu.max() + mu.min() + 2 * lam), rel=1e-13)
    kappa = (mu.max() + lam) / (mu.min() + lam)
    assert lim["contraction"] == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-13)
    # Neumann with lambda = 0: the constant mode is excluded from "optimal"
    limN = step_size_limits(Grid(11), Neumann(0))
    assert limN["zero_mode"] and limN["mu_min"] == 0.0 and np.isfinite(limN["contraction"])
    # Robin faces shrink the monotone step: diagonal 2/h^2 + 2 alpha/(beta h)
    limR = step_size_limits(Grid(11), Robin(3.0, 1.0, 0.0))
    assert limR["monotone"] == pytest.approx(1 / (200 + 60), rel=1e-13)


def test_optimal_step_contracts_by_the_predicted_factor():
    grid = Grid((15, 15))
    lam = 1.0
    lim = step_size_limits(grid, Dirichlet(0), lam)
    factors = np.abs(mode_decay(grid, Dirichlet(0), lim["optimal"], 1, lam))
    assert factors.max() == pytest.approx(lim["contraction"], rel=1e-12)


def test_nonseparable_robin_is_refused():
    grid = Grid((6, 6))
    bc = {"x-": Robin(np.linspace(1, 2, 6), 1.0), "*": Neumann(0)}
    with pytest.raises(ParameterError, match="varies along face"):
        laplacian_eigenvalues(grid, bc)


def test_diagonal_without_the_matrix(setup):
    name, grid, bc, _ = setup
    np.testing.assert_array_equal(laplacian_diagonal(grid, bc).ravel(), laplacian_matrix(grid, bc).diagonal())
