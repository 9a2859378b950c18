"""The Simulation run loop: schedules, writers, progress bar, stops, state round trip."""
import numpy as np
import pytest

import fieldgrad as fg

from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.errors import ParameterError
from fieldgrad.heat import explicit_limit
from fieldgrad.simulation import Simulation


def _sim(**kw):
    g = Grid((9, 9))
    X, Y = g.mesh()
    kw.setdefault("progress", False)
    return Simulation(np.sin(np.pi * X) * np.sin(np.pi * Y), g, Dirichlet(0.0), alpha=1.0, **kw)


class Recorder:
    def __init__(self, every=None):
        self.every, self.calls = every, []

    def open(self, sim):
        self.calls.append(("open", sim.step))

    def write(self, t, fields):
        assert set(fields) == {"u"}
        self.calls.append(("write", t, float(fields["u"].max())))

    def close(self):
        self.calls.append(("close",))


def test_step_and_time_schedules_fire_at_the_right_steps():
    sim = _sim(method="ftcs", dt=0.001)
    steps, times = [], []
    sim.add_callback(lambda s: steps.append(s.step), every=3)
    sim.add_callback(lambda s: times.append(round(s.t, 12)), interval=0.0025)
    sim.run(steps=10)
    assert steps == [3, 6, 9]
    assert times == [0.003, 0.005, 0.008, 0.01]  # first step at or past each multiple of 0.0025


def test_wall_schedule_uses_its_clock():
    clock = iter(np.arange(0.0, 100.0, 0.4))
    from fieldgrad.schedules import WallTime

    sched = WallTime(1.0, clock=lambda: next(clock))
    fired = [sched(None) for _ in range(6)]
    assert fired == [False, False, True, False, False, True]


def test_writers_get_initial_state_and_every_n_steps():
    sim = _sim(method="ftcs", dt=0.001)
    every2, frames = Recorder(every=2), Recorder()
    sim.add_writer(every2)
    sim.add_writer(frames)
    sim.run(steps=5)
    sim.close()
    w = [c for c in every2.calls if c[0] == "write"]
    assert [round(c[1], 12) for c in w] == [0.0, 0.002, 0.004]
    assert frames.calls[0] == ("open", 0) and frames.calls[-1] == ("close",)
    assert [round(c[1], 12) for c in frames.calls if c[0] == "write"] == [0.0, 0.005]
    # the written maxima decay like the eigenmode
    assert w[0][2] > w[1][2] > w[2][2]


def test_run_lands_on_t_end_with_a_shorter_last_step():
    sim = _sim(method="ftcs", dt=0.003)
    sim.run(t_end=0.01)
    assert sim.t == 0.01 and sim.step == 4 and sim.stop_reason == "t_end"


def test_progress_bar_silenced_and_shown(capsys, monkeypatch):
    _sim(method="ftcs", progress=False).run(steps=5)
    assert capsys.readouterr().err == ""
    _sim(method="ftcs", progress=True).run(steps=5)
    assert "ftcs" in capsys.readouterr().err
    monkeypatch.setenv("CI", "1")
    assert _sim(method="ftcs", progress=None).progress is False


def test_steady_state_stop_and_wall_time_limit():
    g = Grid((9, 9))
    sim = Simulation(np.zeros(g.shape), g, {"x-": Dirichlet(1.0), "*": Neumann(0.0)}, alpha=1.0, method="backward_euler",
                     dt=0.1, steady_tol=1e-8, progress=False)
    sim.run(t_end=1e3)
    assert sim.stop_reason == "steady_state"
    assert np.abs(sim.u - 1.0).max() < 1e-8 and sim.t < 1e3
    sim2 = _sim(method="ftcs", max_wall_time=0.0)
    sim2.run(steps=100)
    assert sim2.stop_reason == "wall_time" and sim2.step == 1


@pytest.mark.parametrize("method", ["ftcs", "rkl2", "crank_nicolson"])
def test_state_round_trip_continues_bitwise(method):
    g = Grid((11, 10))
    u0 = np.random.default_rng(0).random(g.shape)
    kw = dict(alpha=0.8, method=method, dt=(0.9 if method == "ftcs" else 12) * explicit_limit(g, 0.8),
              source=0.5, progress=False)
    full = Simulation(u0, g, {"x": Dirichlet(0.2), "y": Neumann(0.1)}, **kw).run(steps=6)
    half = Simulation(u0, g, {"x": Dirichlet(0.2), "y": Neumann(0.1)}, **kw).run(steps=1)  # inside Rannacher start
    again = Simulation.from_state(half.state()).run(steps=5)
    assert again.step == 6 and again.t == full.t
    assert np.array_equal(again.u, full.u)


def test_bad_arguments():
    with pytest.raises(ParameterError):
        _sim(method="ftcs").run()
    with pytest.raises(ParameterError):
        _sim(method="ftcs", dt=-1.0)
    with pytest.raises(ParameterError):
        _sim(method="ftcs").add_writer(object())


@pytest.mark.parametrize("method", ["ftcs", "rkl2", "backward_euler", "crank_nicolson"])
def test_an_unknown_keyword_is_a_parameter_error_naming_it(method):
    """``fixed=`` (held regions belong to the Poisson solvers) reached the implicit steppers'
    constructor as a TypeError and was called an implicit-only option by the explicit ones."""
    g = fg.Grid((9, 9))
    with pytest.raises(ParameterError, match=r"fixed.*accepted.*rannacher"):
        fg.solve_heat(np.ones(g.shape), g, fg.Dirichlet(0.0), alpha=1.0, t_end=0.01, method=method,
                      fixed=np.eye(9, dtype=bool), progress=False)
    with pytest.raises(ParameterError, match="bogus"):
        fg.Simulation(np.ones(g.shape), g, fg.Dirichlet(0.0), k=1.0, rho_c=2.0, method=method, bogus=1,
                      progress=False)
