"""Bad input to the nonlinear heat pieces: each error names the argument (or the outer iteration,
or the temperature where a property went out of range) and what is accepted."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BoundaryError, ConvergenceError, ParameterError


def rod(n=9):
    return fg.Grid((n,), extent=(0.0, 0.1))


# ---------------------------------------------------------------- properties
def test_k_not_positive_names_the_temperature():
    k = fg.ConductivityOfT(lambda T: 1.0 - T / 500.0)
    bc = {"x-": fg.Dirichlet(400.0), "x+": fg.Dirichlet(600.0)}
    # the start is the mean of the Dirichlet values, 500, where k = 0
    with pytest.raises(ParameterError, match=r"k\(T\) must be positive.*got k = 0 at T = 500.*outer iteration 1"):
        fg.solve_nonlinear(np.zeros(9), rod(), bc, k=k)
    # from a start where k > 0 the iteration itself reaches T > 500
    with pytest.raises(ParameterError, match=r"got k = -0.2 at T = 600 .*outer iteration 2"):
        fg.solve_nonlinear(np.zeros(9), rod(), bc, k=k, u0=np.full(9, 400.0))


def test_k_non_finite_is_refused():
    with pytest.raises(ParameterError, match=r"at T = 0"), np.errstate(divide="ignore"):
        fg.ConductivityOfT(lambda T: 1.0 / T)(np.array([0.0, 1.0]))


@pytest.mark.parametrize("table, what", [
    (([1.0, 1.0], [2.0, 3.0]), "strictly increasing"),
    (([1.0, 2.0, 3.0], [2.0, 3.0]), "same length"),
    (([1.0, 2.0], [2.0, -3.0]), r"k = -3 at T = 2"),
])
def test_bad_tables(table, what):
    with pytest.raises(ParameterError, match=what):
        fg.ConductivityOfT(table)


def test_outside_the_table_clamps_or_raises():
    table = ([300.0, 400.0], [10.0, 20.0])
    np.testing.assert_array_equal(fg.ConductivityOfT(table)(np.array([200.0, 500.0])), [10.0, 20.0])
    with pytest.raises(ParameterError, match=r"T = 500, outside its table \[300, 400\]"):
        fg.ConductivityOfT(table, outside="error")(np.array([350.0, 500.0]))
    with pytest.raises(ParameterError, match="outside must be"):
        fg.ConductivityOfT(table, outside="extrapolate")


def test_h_of_T_negative_names_h_and_temperature():
    c = fg.ConvectionOfT(lambda T: T - 500.0, 300.0)  # the start is the mean of 600 and 300, 450
    with pytest.raises(ParameterError, match=r"h\(T\) must be non-negative.*got h = -50 at T = 450"):
        fg.solve_nonlinear(np.zeros(9), rod(), {"x-": fg.Dirichlet(600.0), "x+": c}, k=1.0)


def test_k_must_be_a_property_number_or_array():
    with pytest.raises(ParameterError, match="k must be"):
        fg.solve_nonlinear(np.zeros(9), rod(), fg.Dirichlet(1.0), k="copper")
    with pytest.raises(ParameterError, match="k must be positive"):
        fg.solve_nonlinear(np.zeros(9), rod(), fg.Dirichlet(1.0), k=-2.0)


# ---------------------------------------------------------------- conditions
@pytest.mark.parametrize("make, what", [
    (lambda: fg.Radiation(-0.1, 300.0), "emissivity"),
    (lambda: fg.Radiation(1.2, 300.0), "emissivity"),
    (lambda: fg.Radiation(np.array([0.5, -0.5]), 300.0), "emissivity"),
    (lambda: fg.Radiation(0.5, -1.0), "ambient.*kelvin"),
    (lambda: fg.Radiation(0.5, 300.0, h=-2.0), r"\bh\b"),
    (lambda: fg.ConvectionOfT(-1.0, 300.0), r"\bh\b"),
    (lambda: fg.Radiation(0.5, 300.0, conductivity=0.0), "conductivity"),
])
def test_condition_arguments(make, what):
    with pytest.raises(BoundaryError, match=what):
        make()


def test_emissivity_callable_checked_on_the_face():
    g = fg.Grid((5, 5))
    c = fg.Radiation(lambda x, y: 2.0 + 0 * x, 300.0)
    with pytest.raises(BoundaryError, match="emissivity on face x\\+ must lie in \\[0, 1\\]"):
        fg.solve_nonlinear(np.zeros(g.shape), g, {"x+": c, "*": fg.Dirichlet(400.0)}, k=1.0)


def test_linear_paths_refuse_nonlinear_faces():
    g = fg.Grid((9, 9))
    bc = {"x+": fg.Radiation(0.5, 300.0), "*": fg.Dirichlet(400.0)}
    with pytest.raises(BoundaryError, match="Radiation on face x\\+ is nonlinear.*solve_nonlinear"):
        fg.solve_poisson(np.zeros(g.shape), g, bc)
    with pytest.raises(BoundaryError, match="nonlinear"):
        fg.laplacian(np.zeros(g.shape), g, bc)
    with pytest.raises(BoundaryError, match="ConvectionOfT on face x- is nonlinear"):
        fg.solve_heat(np.zeros(g.shape), g, {"x-": fg.ConvectionOfT(lambda T: T, 3.0), "*": fg.Neumann(0.0)},
                      alpha=1.0, t_end=0.1, progress=False)
    # the resolved form does not slip through either
    resolved = fg.resolve_bc(bc, g, allow_nonlinear=True)
    with pytest.raises(BoundaryError, match="nonlinear"):
        fg.solve_poisson(np.zeros(g.shape), g, resolved)


def test_convection_with_numbers_is_unchanged():
    c = fg.Convection(10.0, 20.0, conductivity=2.0)
    assert (c.kind, c.alpha, c.beta, c.value, c.nonlinear) == ("robin", 10.0, 2.0, 200.0, False)


# ---------------------------------------------------------------- the outer iteration
def fin():
    g = fg.Grid((33, 2), extent=[(0.0, 0.1), (0.0, 0.002)])
    rad = fg.Radiation(0.8, 300.0, h=10.0)
    return g, {"x-": fg.Dirichlet(600.0), "x+": rad, "y": rad}


def test_maxiter_reached_names_the_outer_iteration_and_update_norm():
    g, bc = fin()
    with pytest.raises(ConvergenceError, match=r"outer iteration 2 \(maxiter\) ended with the update norm "
                                               r"\d\.\d+e-\d+ > rtol=1e-08") as info:
        fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=20.0, method="picard", maxiter=2)
    res = info.value.result
    assert res.outer_iterations == 2 and not res.converged and len(info.value.residuals) == 2
    r = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=20.0, method="picard", maxiter=2, raise_on_failure=False)
    assert not r.converged and r.outer_iterations == 2


def test_divergence_is_reported_with_the_outer_iteration():
    # k(T) = 1/(1 + T^2): the Kirchhoff potential atan(T) < pi/2 but phi'' = -q needs max phi = q/8,
    # so with q = 20 there is no steady state; the iterates run away
    g = fg.Grid((17,))
    k = fg.ConductivityOfT(lambda T: 1.0 / (1.0 + T ** 2))
    with pytest.raises(ConvergenceError, match=r"diverged: the update .* grew for 4 outer iterations, to "
                                               r"\S+ at outer iteration 5") as info:
        fg.solve_nonlinear(np.full(g.shape, -20.0), g, fg.Dirichlet(0.0), k=k)
    assert info.value.result.outer_iterations == 5
    # below the limit (q = 4 < 4 pi) the same iteration converges
    assert fg.solve_nonlinear(np.full(g.shape, -4.0), g, fg.Dirichlet(0.0), k=k).converged


@pytest.mark.parametrize("kw, what", [
    (dict(method="secant"), "method"), (dict(rtol=0.0), "rtol"), (dict(maxiter=0), "maxiter"),
    (dict(relax=1.5), "relax"),
])
def test_options(kw, what):
    g, bc = fin()
    with pytest.raises(ParameterError, match=what):
        fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=20.0, **kw)


def test_start_below_absolute_zero_on_a_radiating_face():
    g, bc = fin()
    with pytest.raises(ParameterError, match="u0 is -5 on the radiating face x\\+"):
        fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=20.0, u0=np.full(g.shape, -5.0))


def test_level_must_be_fixed():
    with pytest.raises(ParameterError, match="fixes the temperature level"):
        fg.solve_nonlinear(np.zeros(9), rod(), fg.Neumann(0.0), k=fg.ConductivityOfT(lambda T: 1 + T))


@pytest.mark.parametrize("kw, what", [
    (dict(dt=0.0), "dt"), (dict(t_end=0.0), "t_end"), (dict(rho_c=-1.0), "rho_c"),
    (dict(source="hot"), "source"),
])
def test_transient_arguments(kw, what):
    args = dict(k=1.0, t_end=1.0, dt=0.1)
    args.update(kw)
    with pytest.raises(ParameterError, match=what):
        fg.solve_nonlinear_heat(np.zeros(9), rod(), fg.Dirichlet(1.0), **args)


def test_a_start_where_no_face_exchanges_heat_is_refused_naming_u0():
    """A radiating rod with a source and a 0 K ambient, or a natural-convection face whose h(T)
    is 0 at the ambient temperature the default start takes: the first linearised problem has no
    face fixing the level (zero slopes), which surfaced as a multigrid failure. It is refused
    naming u0; from a start where the faces exchange heat the solve converges."""
    g = fg.Grid((17, 3), extent=[(0, 0.05), (0, 0.1)], coords="cylindrical")
    bc = {"r+": fg.Radiation(0.9, 0.0), "z": fg.Neumann(0.0)}
    f = -np.full(g.shape, 1e6)
    with pytest.raises(ParameterError, match=r"outer iteration 1.*u0"):
        fg.solve_nonlinear(f, g, bc, k=20.0)
    nat = {"r+": fg.ConvectionOfT(lambda T: 2.0 * np.abs(T - 300.0) ** (1 / 3), 300.0), "z": fg.Neumann(0.0)}
    with pytest.raises(ParameterError, match=r"outer iteration 1.*u0"):
        fg.solve_nonlinear(f, g, nat, k=20.0)
    sigma = 5.670374419e-8
    r = fg.solve_nonlinear(f, g, bc, k=20.0, u0=np.full(g.shape, 1000.0))
    Ts = (1e6 * 0.05 / 2 / (0.9 * sigma)) ** 0.25           # q R / 2 = eps sigma Ts^4
    assert r.u[-1, 1] == pytest.approx(Ts, rel=1e-3)
