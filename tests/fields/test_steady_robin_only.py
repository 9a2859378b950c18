"""A steady state fixed only by a convection face (no Dirichlet value anywhere) is determined:
the fields' steady() once refused it as an unbalanced pure-flux problem."""
import numpy as np
import pytest

from fieldgrad import Convection, Grid, Neumann
from fieldgrad.fields import TemperatureField


def test_convection_alone_fixes_the_level():
    g = Grid((11, 5))
    T = TemperatureField.steady(g, {"x+": Convection(10.0, 20.0, conductivity=2.0), "*": Neumann(0.0)},
                                conductivity=2.0, source=1.0)
    x = g.mesh()[0]
    # q = 1 W/m^3 over x in [0, 1] leaves at x = 1: T(1) = 20 + 1/10, T = T(1) + (1 - x^2)/(2 k)
    np.testing.assert_allclose(T.data, 20.1 + (1 - x ** 2) / 4.0, atol=1e-10)
    assert T.balance()["relative"] < 1e-10
