"""solve_heat(steps=N) runs N steps (alone, or with t_end: whichever comes first)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterError

G = fg.Grid((17, 17))
X, Y = G.mesh()
U0 = np.sin(np.pi * X) * np.sin(np.pi * Y)
BC = fg.Dirichlet(0.0)


def test_steps_alone_runs_that_many_steps_of_the_simulation():
    r = fg.solve_heat(U0, G, BC, alpha=1.0, steps=7, method="ftcs", progress=False)
    sim = fg.Simulation(U0, G, BC, alpha=1.0, method="ftcs", progress=False).run(steps=7)
    assert (r.steps, r.stop_reason) == (7, "steps")
    assert r.t == pytest.approx(7 * r.dt)
    np.testing.assert_array_equal(r.u, sim.host_u())


def test_steps_and_t_end_stop_at_whichever_comes_first():
    few = fg.solve_heat(U0, G, BC, alpha=1.0, steps=3, t_end=1.0, method="ftcs", progress=False)
    assert (few.steps, few.stop_reason) == (3, "steps")
    short = fg.solve_heat(U0, G, BC, alpha=1.0, steps=10**6, t_end=1e-3, method="ftcs", progress=False)
    assert short.stop_reason == "t_end" and short.t == pytest.approx(1e-3)


def test_neither_steps_nor_t_end_is_an_error():
    with pytest.raises(ParameterError, match="t_end"):
        fg.solve_heat(U0, G, BC, alpha=1.0, progress=False)
