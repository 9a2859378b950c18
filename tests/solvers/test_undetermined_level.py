"""A steady problem with only flux conditions and zero data is solved by every constant: the
0 returned is arbitrary, and solve_poisson and the fields' steady() say so with an
UndeterminedLevelWarning (issue 13 item 11); a determined problem gives no such warning."""
import warnings

import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Periodic, Robin, solve_poisson
from fieldgrad.errors import FieldgradWarning, UndeterminedLevelWarning
from fieldgrad.fields import PotentialField, PressureField, TemperatureField
from fieldgrad.solvers import CompatibilityWarning


@pytest.mark.parametrize("method", ["auto", "multigrid", "cg", "direct"])
@pytest.mark.parametrize("periodic", [False, True])
def test_insulated_without_source_warns(method, periodic):
    g = Grid((17, 17), periodic=periodic)
    bc = Periodic() if periodic else Neumann(0.0)
    with pytest.warns(UndeterminedLevelWarning, match="level is undetermined"):
        res = solve_poisson(np.zeros(g.shape), g, bc, method=method)
    assert np.all(res.u == 0.0)
    assert issubclass(UndeterminedLevelWarning, FieldgradWarning)


def test_constant_source_projected_away_warns_too():
    g = Grid((17, 17))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        u = solve_poisson(np.full(g.shape, 2.0), g, Neumann(0.0), method="multigrid").u
    kinds = {type(x.message) for x in w}
    assert kinds == {CompatibilityWarning, UndeterminedLevelWarning}
    assert np.abs(u).max() < 1e-12


@pytest.mark.parametrize("case", ["dirichlet", "robin", "screened", "data"])
def test_determined_problems_do_not_warn(case):
    g = Grid((17, 17))
    X, Y = g.mesh()
    f, bc, kw = np.zeros(g.shape), Neumann(0.0), {}
    if case == "dirichlet":
        bc = {"x-": Dirichlet(0.0), "*": Neumann(0.0)}
    elif case == "robin":
        bc = Robin(1.0, 1.0, 0.0)
    elif case == "screened":
        kw = {"screening": 1.0}
    else:  # compatible data: the level is the zero-mean convention, the solution itself is not arbitrary
        f = np.cos(np.pi * X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndeterminedLevelWarning)
        solve_poisson(f, g, bc, method="multigrid", **kw)


@pytest.mark.parametrize("make", [
    lambda g: TemperatureField.steady(g, Neumann(0.0), conductivity=2.0),
    lambda g: PressureField.steady(g, {}, permeability=1e-12),
    lambda g: PotentialField.steady(g, Neumann(0.0)),
])
def test_fields_steady_insulated_without_source_warns(make):
    g = Grid((9, 9))
    with pytest.warns(UndeterminedLevelWarning):
        field = make(g)
    assert np.all(field.data == 0.0)


def test_fields_steady_with_a_held_value_does_not_warn():
    g = Grid((9, 9))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndeterminedLevelWarning)
        T = TemperatureField.steady(g, {"x-": Dirichlet(5.0)}, conductivity=2.0)
    assert np.allclose(T.data, 5.0)
