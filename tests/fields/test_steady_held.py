"""The fields' steady solves route their (mask, value) regions to the multigrid held-region
solve: several regions combine (a later one wins where they overlap), insulated faces by default."""
import numpy as np
import pytest

from fieldgrad import Grid
from fieldgrad.errors import ParameterError, ShapeError
from fieldgrad.fields import TemperatureField, solve_steady


@pytest.mark.parametrize("method", ["auto", "cg", "direct"])
def test_overlapping_regions_later_wins_exact_piecewise_linear(method):
    g = Grid((17, 9, 5))
    X = g.mesh()[0]
    both = np.isclose(X, 0.25) | np.isclose(X, 0.75)
    right = np.isclose(X, 0.75)
    # every face insulated: 5 left of x = 1/4, linear down to 3 at x = 3/4, 3 beyond
    T = TemperatureField.steady(g, {}, conductivity=2.0, fixed=[(both, 5.0), (right, 3.0)], method=method)
    exact = np.clip(5.0 - 4.0 * (X - 0.25), 3.0, 5.0)
    assert np.abs(T.data - exact).max() < 1e-10
    assert np.all(T.data[right] == 3.0) and np.all(T.data[np.isclose(X, 0.25)] == 5.0)


def test_region_errors_name_the_pair():
    g = Grid((9, 9))
    ok = np.zeros(g.shape, bool)
    ok[4, 4] = True
    with pytest.raises(ShapeError, match=r"fixed\[1\] mask has shape \(3, 3\)"):
        solve_steady(g, {}, fixed=[(ok, 1.0), (np.zeros((3, 3), bool), 0.0)])
    with pytest.raises(ParameterError, match=r"fixed\[0\] value is not finite"):
        solve_steady(g, {}, fixed=[(ok, np.nan)])
