"""Fields' steady() and case files with cell materials."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid
from fieldgrad.fields import TemperatureField
from fieldgrad.materials import cell_centres


def test_temperature_steady_with_cells_is_the_series_wall():
    g = Grid((41, 5), extent=[(0, 0.2), (0, 0.05)])
    xc = np.meshgrid(*cell_centres(g), indexing="ij")[0]
    kc = np.where(xc < 0.05, 200.0, 0.5)         # metal then insulation, interface on x = 0.05
    T = TemperatureField.steady(g, {"x-": Dirichlet(80.0), "x+": Dirichlet(20.0)}, conductivity=fg.Cells(kc))
    q = 60.0 / (0.05 / 200.0 + 0.15 / 0.5)        # W/m^2 through the wall
    x = g.coords[0]
    exact = np.where(x < 0.05, 80.0 - q * x / 200.0, 20.0 + q * (0.2 - x) / 0.5)
    assert np.abs(T.data - exact[:, None]).max() < 1e-9
    assert T.heat_flow("x-") == pytest.approx(-q * 0.05, rel=1e-9)   # heat enters through x-
    assert isinstance(T.material, fg.Cells)
    # the node-sampled view: the interface node carries the mean of the cells touching it
    assert T.conductivity[10, 2] == pytest.approx(100.25)
