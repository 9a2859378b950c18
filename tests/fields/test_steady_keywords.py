"""The fields' ``steady()`` refuses keywords the field does not take, before solving, with a
ParameterError naming them (``contact=`` was a TypeError from the constructor after the solve)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterError


@pytest.mark.parametrize("cls, extra", [(fg.TemperatureField, "heat_capacity"), (fg.PotentialField, "units"),
                                        (fg.PressureField, "units")])
def test_unknown_steady_keywords_are_named(cls, extra):
    g = fg.Grid((9, 9))
    with pytest.raises(ParameterError, match=r"unknown keyword argument\(s\) \['contact'\].*solve_poisson"):
        cls.steady(g, fg.Dirichlet(0.0), contact=fg.Contact(np.zeros(g.shape, int), 1.0))
    with pytest.raises(ParameterError, match=r"\['colour'\]") as err:
        cls.steady(g, fg.Dirichlet(0.0), colour="red")
    assert extra in str(err.value)
    f = cls.steady(g, {"x-": fg.Dirichlet(1.0), "*": fg.Neumann(0.0)}, name="field")  # accepted keywords pass
    assert f.name == "field" and np.allclose(f.data, 1.0)


def test_pressure_steady_does_not_take_mobility():
    g = fg.Grid((9, 9))
    with pytest.raises(ParameterError, match=r"\['mobility'\]"):
        fg.PressureField.steady(g, fg.Dirichlet(0.0), mobility=2.0)
