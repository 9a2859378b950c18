"""Variable-k operator as links + diagonal: residual against the assembled matrix, Galerkin
coarse operator against the generic stencil kernel, one-pass smoother against two-pass."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.solvers import poisson_matrix
from fieldgrad.solvers import mg_kernels as K
from fieldgrad.solvers.discretize import Problem
from fieldgrad.solvers.multigrid import Hierarchy, Level

MIXED3 = {"x-": Dirichlet(1.0), "x+": Neumann(0.3), "y": Robin(2.0, 1.5, 0.7), "z-": Dirichlet(0.0),
          "z+": Neumann(0.0)}


@pytest.mark.parametrize("shape,periodic", [((9, 8, 11), (False,) * 3), ((10, 7, 9), (True, False, False)),
                                            ((12, 9), (False, True))])
def test_links_level_matches_matrix_and_generic_galerkin(shape, periodic):
    g = Grid(shape, periodic=periodic)
    if len(shape) == 3:
        bc = {k: v for k, v in MIXED3.items() if not (periodic[0] and k.startswith("x"))}
    else:
        bc = {"x-": Dirichlet(0.5), "x+": Robin(1.0, 2.0, 0.1)}
    rng = np.random.default_rng(len(shape) + sum(periodic))
    k = np.exp(rng.standard_normal(shape))
    s = 0.3 * rng.random(shape)
    prob = Problem(g, bc, k, s)
    hier = Hierarchy(prob, coarse_size=10)
    lev = hier.levels[0]
    assert lev.kind == "links" and len(lev.links) == 4
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    A = poisson_matrix(g, bc, k=k, screening=s)
    r_ref = f - (A @ u.ravel()).reshape(u.shape)
    r_ref[prob.fixed_mask()] = 0.0
    r = lev.residual(u, f, np.empty_like(u))
    assert np.abs(r - r_ref).max() <= 1e-12 * np.abs(r_ref).max()
    # the Galerkin operator from the links equals the generic one from the explicit 7-point stencil
    c = hier.levels[1]
    ref_lev = Level(lev.shape, lev.h, lev.periodic, lev.fixed1)
    ref_lev.set_stencil(*prob.stencil7())
    coef_l, offs_l = Hierarchy._rap(lev, c, hier.transfers[0])
    coef_s, offs_s = Hierarchy._rap(ref_lev, c, hier.transfers[0])
    assert np.array_equal(offs_l, offs_s)
    assert np.abs(coef_l - coef_s).max() <= 1e-12 * np.abs(coef_s).max()
    # one-pass red-black sweep == the generic two-pass sweep on the explicit stencil
    u1, u2 = u.copy(), u.copy()
    lev.smooth(u1, f, 1, reverse=True)
    for col in (1, 0):
        K.smooth_stencil(u2, f, ref_lev.coef, ref_lev.offs, ref_lev.nbr, *lev.fixed1, col, 2)
    assert np.abs(u1 - u2).max() <= 1e-13 * np.abs(u2).max()


def test_unrolled_27_point_smoother_equals_generic():
    g = Grid((11, 9, 10), periodic=(False, False, True))
    rng = np.random.default_rng(7)
    k = np.exp(rng.standard_normal(g.shape))
    bc = {"x-": Dirichlet(0.0), "x+": Neumann(0.1), "y": Robin(1.0, 1.0, 0.0)}
    hier = Hierarchy(Problem(g, bc, k, 0.0), coarse_size=10)
    c = hier.levels[1]
    assert c.kind == "stencil" and c.is27
    u, f = rng.standard_normal(c.shape), rng.standard_normal(c.shape)
    u1, u2 = u.copy(), u.copy()
    c.smooth(u1, f, 1)
    for col in range(8):
        K.smooth_stencil(u2, f, c.coef, c.offs, c.nbr, *c.fixed1, col, 8)
    assert np.abs(u1 - u2).max() <= 1e-13 * np.abs(u2).max()


@pytest.mark.parametrize("periodic", [(False, False, False), (False, True, False)])
def test_links_fused_residual_restriction_equals_residual_then_restriction(periodic):
    g = Grid((11, 10, 9), periodic=periodic)
    bc = {k: v for k, v in MIXED3.items() if not (periodic[1] and k == "y")}
    rng = np.random.default_rng(11)
    k = np.exp(rng.standard_normal(g.shape))
    hier = Hierarchy(Problem(g, bc, k, 0.2), coarse_size=10)
    lev, c = hier.levels[0], hier.levels[1]
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    out = np.empty(c.shape)
    hier.residual_restrict(0, u, f, out)
    (rix, rwx, _, _), (riy, rwy, _, _), (riz, rwz, _, _) = hier.transfers[0]
    ref = np.empty(c.shape)
    K.restrict(lev.residual(u, f, np.empty_like(u)), ref, rix, rwx, riy, rwy, riz, rwz)
    assert np.abs(out - ref).max() <= 1e-12 * np.abs(ref).max()


def test_links_residual_norm_not_stored_equals_stored():
    g = Grid((9, 8, 7))
    rng = np.random.default_rng(5)
    lev = Hierarchy(Problem(g, MIXED3, np.exp(rng.standard_normal(g.shape)), 0.0), coarse_size=10).levels[0]
    u, f = rng.standard_normal(lev.shape), rng.standard_normal(lev.shape)
    ref = np.linalg.norm(lev.residual(u, f, np.empty_like(u)))
    assert abs(lev.residual_norm(u, f) - ref) <= 1e-12 * ref
    assert "r" not in lev._arrays  # no stored fine residual
