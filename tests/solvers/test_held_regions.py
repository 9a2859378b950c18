"""Held-value regions (``solve_poisson(..., fixed=mask, fixed_value=...)``) solved by multigrid /
MG-CG: exact piecewise-linear solutions to round-off, a held annulus against the logarithmic
capacitor solution with its convergence order, grid-independent iteration counts with a 1e4
dielectric contrast, agreement with a SciPy elimination, and bad input."""
import numpy as np
import pytest
import scipy.sparse.linalg as spla

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.errors import NonFiniteError, ParameterError, ShapeError
from fieldgrad.solvers import PoissonSolver, poisson_matrix, poisson_rhs, solve_poisson
from fieldgrad.solvers.discretize import Problem

METHODS = ["multigrid", "cg", "direct"]


def _plane_case(periodic_y=False):
    """3D box, Neumann walls in y/z (or periodic y), two held planes x = 0.25 (value 1) and
    x = 0.75 (value 3): linear between them, constant outside (insulated ends x = 0, 1)."""
    g = Grid((17, 12 if periodic_y else 9, 9), periodic=(False, periodic_y, False))
    X = g.mesh()[0]
    mask = np.isclose(X, 0.25) | np.isclose(X, 0.75)
    value = np.where(X < 0.5, 1.0, 3.0)
    exact = np.clip(1.0 + 4.0 * (X - 0.25), 1.0, 3.0)
    bc = Neumann(0.0)
    if periodic_y:
        bc = {"x": Neumann(0.0), "z": Neumann(0.0)}
    return g, bc, mask, value, exact


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("periodic_y", [False, True])
def test_held_planes_in_an_insulated_box_give_the_exact_piecewise_linear_solution(method, periodic_y):
    # flux-only box: singular without the planes, determined with them (no mean shift)
    g, bc, mask, value, exact = _plane_case(periodic_y)
    res = solve_poisson(np.zeros(g.shape), g, bc, fixed=mask, fixed_value=value, method=method, rtol=1e-12)
    assert np.abs(res.u - exact).max() < 1e-10
    assert np.array_equal(res.u[mask], value[mask])  # held values to the last bit


@pytest.mark.parametrize("method", METHODS)
def test_held_region_on_a_dirichlet_face_wins_and_a_plane_splits_a_layered_box(method):
    """Dirichlet 0 on x-/x+, the whole x- face held at 2 (the region wins there), a plane at
    x = 1/2 held at 1, layers k = 1 | 10 along the field: linear 2 -> 1 -> 0 to round-off."""
    g = Grid((33, 5, 5))
    X, Y, _ = g.mesh()
    mask = np.isclose(X, 0.0) | np.isclose(X, 0.5)
    value = np.where(X < 0.25, 2.0, 1.0)
    k = np.where(Y < 0.5, 1.0, 10.0)
    bc = {"x": Dirichlet(0.0), "y": Neumann(0.0), "z": Robin(0.0, 1.0, 0.0)}
    res = solve_poisson(np.zeros(g.shape), g, bc, k=k, fixed=mask, fixed_value=value, method=method, rtol=1e-12)
    exact = 2.0 - 2.0 * X
    assert np.abs(res.u - exact).max() < 1e-10
    assert np.all(res.u[0] == 2.0)  # the held value wins over the face's 0


def test_one_setup_serves_any_held_values_and_fmg_x0_float32_keep_them():
    g, bc, mask, value, exact = _plane_case()
    s = PoissonSolver(g, bc, method="multigrid", fixed=mask)
    f = np.zeros(g.shape)
    for scale in (1.0, -2.5):
        r = s.solve(f, fixed_value=scale * value, rtol=1e-12)  # FMG start (no x0)
        assert np.abs(r.u - scale * exact).max() < 1e-10
    rng = np.random.default_rng(1)
    r = s.solve(f, fixed_value=value, x0=rng.standard_normal(g.shape), rtol=1e-12)
    assert np.abs(r.u - exact).max() < 1e-10 and np.array_equal(r.u[mask], value[mask])
    r32 = solve_poisson(f.astype(np.float32), g, bc, fixed=mask, fixed_value=value / 3.0, method="cg")
    assert r32.u.dtype == np.float32
    assert np.array_equal(r32.u[mask], (value / 3.0)[mask].astype(np.float32))
    assert np.abs(r32.u - exact / 3.0).max() < 1e-6


def _annulus(n):
    g = Grid((n, n), extent=[(-1.0, 1.0)] * 2)
    X, Y = g.mesh()
    R = np.hypot(X, Y)
    a, b = 0.25, 0.8
    exact = np.log(b / np.maximum(R, 1e-3)) / np.log(b / a)
    return g, R, a, b, exact


def test_held_annulus_at_the_exact_values_converges_at_second_order():
    """Nodes with r <= 1/4 or r >= 0.8 held at ln(0.8/r)/ln(3.2) (insulated box outside): the
    free annulus sees only the interior 5-point error.  Max errors measured 3.0e-4, 7.4e-5,
    1.8e-5 at 65, 129, 257 nodes: order 2.0."""
    errs = []
    for n in (65, 129, 257):
        g, R, a, b, exact = _annulus(n)
        mask = (R <= a) | (R >= b)
        u = solve_poisson(np.zeros(g.shape), g, Neumann(0.0), fixed=mask, fixed_value=exact, rtol=1e-12).u
        errs.append(np.abs(u - exact)[~mask].max())
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 1.9), (errs, orders)


def test_cylinder_capacitor_with_staircase_electrodes_converges():
    """The same capacitor with true electrodes (inner disk held at 1, outside r >= 0.8 at 0): the
    staircase moves the electrode surfaces by O(h); max errors measured 5.3e-2, 3.3e-2, 1.9e-2
    at 65, 129, 257 nodes (orders 0.70, 0.81, tending to first order)."""
    errs = []
    for n in (65, 129, 257):
        g, R, a, b, exact = _annulus(n)
        mask = (R <= a) | (R >= b)
        u = solve_poisson(np.zeros(g.shape), g, Neumann(0.0), fixed=mask, fixed_value=(R <= a) * 1.0,
                          rtol=1e-12).u
        errs.append(np.abs(u - exact)[~mask].max())
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert errs[-1] < 0.02 and np.all(orders > 0.65) and orders[-1] > orders[0], (errs, orders)


def _electrode_case(n):
    g = Grid((n, n, n), extent=[(-1.0, 1.0)] * 3)
    X, Y, Z = g.mesh()
    R = np.sqrt(X ** 2 + Y ** 2 + Z ** 2)
    mask = (R < 0.3) | ((np.abs(X - 0.5) < 0.1) & (np.abs(Y) < 0.6) & (np.abs(Z) < 0.6))
    k = np.where(Y > 0.2, 1e4, 1.0)  # a 1e4 dielectric contrast cutting through both electrodes
    return g, mask, np.where(X > 0.3, 1.0, -1.0), k


def test_iteration_counts_do_not_grow_with_the_grid_for_electrodes_in_a_1e4_contrast():
    """A held sphere (-1) and plate (+1), insulated box, k jumping 1 -> 1e4, rtol 1e-10.
    Measured MG-CG iterations 7, 11, 10 and V-cycles 9, 15, 14 at 33^3, 65^3, 129^3; asserted on
    17^3, 33^3, 65^3: at most 12 MG-CG iterations and 17 V-cycles."""
    counts = {"cg": [], "multigrid": []}
    for n in (17, 33, 65):
        g, mask, value, k = _electrode_case(n)
        for method in counts:
            res = solve_poisson(np.zeros(g.shape), g, Neumann(0.0), k=k, fixed=mask, fixed_value=value,
                                method=method, fmg=False, rtol=1e-10)
            counts[method].append(res.iterations)
    assert max(counts["cg"]) <= 12 and max(counts["multigrid"]) <= 17, counts


def _eliminated_reference(g, bc, k, f, mask, value):
    """The reference: SciPy direct solve of the assembled matrix with every held and Dirichlet
    node eliminated (the symmetrised system, as solve_steady did before multigrid)."""
    prob = Problem(g, bc, k)
    full = poisson_matrix(g, bc, k).tocsr()
    b = poisson_rhs(f, g, bc, k).ravel()
    dirichlet = prob.fixed_mask().reshape(g.shape).ravel()
    held = mask.ravel()
    known = dirichlet | held
    u = np.where(dirichlet, b, 0.0)
    u[held] = value.ravel()[held]
    free = np.flatnonzero(~known)
    w = prob.weights().ravel()[free]
    Aff = full[free][:, free]
    rhs = b[free] - full[free][:, np.flatnonzero(known)] @ u[known]
    u[free] = spla.spsolve((Aff.T.multiply(w).T).tocsc(), w * rhs)
    return u.reshape(g.shape)


def test_multigrid_cg_and_direct_agree_with_a_scipy_elimination():
    g = Grid((21, 19, 11), periodic=(False, False, True))
    X, Y, Z = g.mesh()
    mask = ((X - 0.4) ** 2 + (Y - 0.5) ** 2 < 0.04) | (Y == 0.0) & (X < 0.3)
    value = 1.0 + X * Y
    k = np.where(X + Y > 1.0, 1e3, 1.0)
    f = np.sin(3 * X) * np.cos(2 * np.pi * Z)
    bc = {"x-": Dirichlet(0.5), "x+": Robin(2.0, 1.0, 1.0), "y": Neumann(0.25)}
    ref = _eliminated_reference(g, bc, k, f, mask, value)
    for method in METHODS:
        u = solve_poisson(f, g, bc, k=k, fixed=mask, fixed_value=value, method=method, rtol=1e-12).u
        assert np.abs(u - ref).max() < 1e-8 * np.abs(ref).max(), method


def test_bad_held_input_is_named():
    g = Grid((9, 9))
    f = np.zeros(g.shape)
    mask = np.zeros(g.shape, bool)
    mask[4, 4] = True
    with pytest.raises(ShapeError, match="fixed has shape"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=np.zeros((9, 8), bool), fixed_value=1.0)
    with pytest.raises(ParameterError, match="fixed must be a boolean mask"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=mask.astype(int), fixed_value=1.0)
    with pytest.raises(ParameterError, match="fixed holds every node"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=np.ones(g.shape, bool), fixed_value=1.0)
    nan = np.zeros(g.shape)
    nan[4, 4] = np.nan
    with pytest.raises(NonFiniteError, match="fixed_value holds 1 non-finite"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=mask, fixed_value=nan)
    nan_off_mask = np.zeros(g.shape)
    nan_off_mask[0, 0] = np.nan  # read on the mask only
    assert solve_poisson(f, g, Dirichlet(0.0), fixed=mask, fixed_value=nan_off_mask).u[4, 4] == 0.0
    with pytest.raises(ShapeError, match="fixed_value has shape"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=mask, fixed_value=np.ones(3))
    with pytest.raises(ParameterError, match="fixed_value is missing"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=mask)
    with pytest.raises(ParameterError, match="fixed_value was given but no held region"):
        solve_poisson(f, g, Dirichlet(0.0), fixed_value=1.0)
    with pytest.raises(ParameterError, match="spectral"):
        solve_poisson(f, g, Dirichlet(0.0), fixed=mask, fixed_value=1.0, method="spectral")


@pytest.mark.parametrize("method", METHODS)
def test_free_nodes_satisfy_the_operator_equation_with_screening_field(method):
    """At every free node ``div_k_grad(u) - s u = f`` (the operator module's stencil, not the
    solver's), and ``u`` is the value on the held disk; a flux-only box made determined by it."""
    from fieldgrad import div_k_grad

    g = Grid((17, 15))
    X, Y = g.mesh()
    s = np.where(X > 0.5, 3.0, 0.0)
    mask = (X - 0.3) ** 2 + (Y - 0.5) ** 2 < 0.03
    f = np.sin(X)
    u = solve_poisson(f, g, Neumann(0.0), screening=s, fixed=mask, fixed_value=1.0, method=method, rtol=1e-12).u
    r = div_k_grad(u, g, Neumann(0.0)) - s * u - f
    assert np.abs(r[~mask]).max() < 1e-8 and np.all(u[mask] == 1.0)
