"""The run loop refuses non-finite times and endless plans, checks the field before every frame
and callback, reports NaN from implicit solves as the NaN guard's error, and stops runaway
growth with a StabilityError naming the step (issue 13, items 1-3).

Calls that used to hang run in a daemon thread with a time limit, so a regression fails the
test instead of hanging the suite (pytest-timeout is not a dependency)."""
import math
import threading

import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.errors import NonFiniteError, ParameterError, StabilityError
from fieldgrad.heat import solve_heat
from fieldgrad.heat.guard import GROWTH_FACTOR
from fieldgrad.simulation import MAX_STEPS, Simulation


def _within(seconds, func):
    """Run ``func()`` in a daemon thread; return the exception it raised (None if it returned)."""
    box = {}

    def target():
        try:
            func()
        except BaseException as exc:  # noqa: BLE001 -- handed to the test
            box["exc"] = exc

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(seconds)
    assert not th.is_alive(), f"the call did not return within {seconds} s"
    return box.get("exc")


G = Grid((9, 9))
U0 = np.ones(G.shape)


@pytest.mark.parametrize("kw,name", [
    ({"t_end": math.nan}, "t_end"), ({"t_end": math.inf}, "t_end"), ({"t_end": -math.inf}, "t_end"),
    ({"t_end": 0.1, "t0": math.nan}, "t0"), ({"t_end": 0.1, "t0": math.inf}, "t0"),
    ({"t_end": 0.1, "dt": math.nan}, "dt"), ({"t_end": 0.1, "dt": math.inf}, "dt"),
])
@pytest.mark.parametrize("method", ["ftcs", "rkl2", "backward_euler"])
def test_solve_heat_refuses_non_finite_times(kw, name, method):
    exc = _within(120, lambda: solve_heat(U0, G, Dirichlet(0.0), alpha=1.0, method=method, progress=False, **kw))
    assert isinstance(exc, ParameterError), repr(exc)
    assert name in str(exc) and ("nan" in str(exc) or "inf" in str(exc))


@pytest.mark.parametrize("t_end", [math.nan, math.inf, "1.0"])
def test_run_refuses_non_finite_t_end(t_end):
    sim = Simulation(U0, G, Dirichlet(0.0), alpha=1.0, method="ftcs", progress=False)
    exc = _within(120, lambda: sim.run(t_end=t_end))
    assert isinstance(exc, ParameterError) and "t_end" in str(exc), repr(exc)
    assert sim.step == 0


def test_endless_plan_refused_unless_max_steps_raised():
    exc = _within(120, lambda: solve_heat(U0, G, Dirichlet(0.0), alpha=1.0, t_end=1.0, dt=1e-300, progress=False))
    assert isinstance(exc, ParameterError), repr(exc)
    assert "max_steps" in str(exc) and "1e+300" in str(exc)
    assert MAX_STEPS == 10 ** 8
    sim = Simulation(U0, G, Dirichlet(0.0), alpha=1.0, method="ftcs", dt=1e-4, progress=False, max_steps=50)
    with pytest.raises(ParameterError, match="max_steps = 50"):
        sim.run(t_end=0.01)  # 100 steps planned
    assert sim.run(t_end=0.005).step == 50  # 50 fit
    assert Simulation(U0, G, Dirichlet(0.0), alpha=1.0, method="ftcs", dt=1e-4, progress=False,
                      max_steps=None).run(t_end=0.01).step == 100


class Recorder:
    def __init__(self, every):
        self.every, self.frames = every, []

    def open(self, sim):
        pass

    def write(self, t, fields):
        self.frames.append(np.array(fields["u"]))

    def close(self):
        pass


def test_no_frame_with_nan_reaches_a_writer():
    sim = Simulation(U0, G, Dirichlet(1.0), alpha=1.0, method="ftcs", progress=False, nan_check_every=1000)
    rec = sim.add_writer(Recorder(every=7))

    def plant(s):
        s.u[4, 4] = np.nan

    sim.add_callback(plant, every=5)
    with pytest.raises(NonFiniteError, match=r"NaN at step 7, t = "):
        sim.run(steps=30)
    assert len(rec.frames) == 1  # the initial state only
    assert all(np.isfinite(f).all() for f in rec.frames)


def test_callbacks_never_see_a_nan_field():
    sim = Simulation(U0, G, Dirichlet(1.0), alpha=1.0, method="ftcs", progress=False, nan_check_every=1000)
    seen = []
    sim.add_callback(lambda s: seen.append(bool(np.isfinite(s.u).all())), every=3)
    sim.add_callback(lambda s: s.u.__setitem__((4, 4), np.nan), every=4)
    with pytest.raises(NonFiniteError, match=r"NaN at step 6"):
        sim.run(steps=30)
    assert seen == [True]  # step 3 only; step 6 is refused before the callback


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
@pytest.mark.parametrize("bc", [Dirichlet(0.0), Neumann(0.0)])
def test_implicit_methods_report_nan_as_the_guard(method, bc):
    g = Grid((17, 17))
    sim = Simulation(np.ones(g.shape), g, bc, alpha=1.0, dt=0.01, method=method, progress=False,
                     nan_check_every=1000)
    sim.add_callback(lambda s: s.u.__setitem__((4, 4), np.nan), every=3)
    with pytest.raises(NonFiniteError, match=r"NaN at step 3, t = 0\.03"):
        sim.run(steps=20)


def _interior_only(grid, alpha, bc=None, **kw):
    """Today's limit before issue 13: no boundary terms (used to simulate a wrong limit)."""
    return 1.0 / (2.0 * float(np.max(alpha)) * sum(1.0 / h ** 2 for h in grid.spacing))


def test_growth_guard_stops_an_unstable_run_before_garbage_is_written(monkeypatch):
    # the plastic plate of issue 13 with the old, boundary-blind limit: FTCS is unstable there
    import fieldgrad.heat.problem as hp

    monkeypatch.setattr(hp, "explicit_limit", _interior_only)
    g = Grid((41, 41), extent=[[0, 0.04], [0, 0.04]])
    k, h, alpha = 0.2, 5000.0, 0.2 / 1.8e6
    sim = Simulation(np.full(g.shape, 80.0), g, Robin(h, k, h * 20.0), alpha=alpha, method="ftcs", progress=False)
    rec = sim.add_writer(Recorder(every=1))
    with pytest.raises(StabilityError, match=r"unstable at step (\d+), t = ") as info:
        sim.run(t_end=600.0)
    step = sim.step
    assert f"step {step}," in str(info.value) and step < 200
    assert len(rec.frames) == step  # initial state + steps 1 .. step-1; the runaway step is not written
    assert max(float(np.abs(f).max()) for f in rec.frames) <= GROWTH_FACTOR * 80.0


def test_guard_silent_on_linear_growth_from_a_source_and_a_flux():
    # insulated box heated by a source: u = 1 + s t exactly; a flux keeps its gradient -- neither is runaway
    g = Grid((9, 9))
    r = solve_heat(np.ones(g.shape), g, Neumann(0.0), alpha=1.0, t_end=50.0, dt=0.5, method="crank_nicolson",
                   source=3.0, progress=False, nan_check_every=1)
    assert np.allclose(r.u, 1.0 + 3.0 * 50.0, rtol=1e-9)
    r = solve_heat(np.zeros(g.shape), g, {"x": Neumann(2.0), "y": Neumann(0.0)}, alpha=1.0,
                   t_end=20.0, dt=0.5, method="backward_euler", progress=False, nan_check_every=1)
    # heat poured in through both x faces (outward derivative 2): the mean rises by 4 per unit time
    assert abs(g.integrate(r.u) - 80.0) < 1e-9
