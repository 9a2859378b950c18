"""The run progress bar: simulated time to the step's precision, steps, rates, ETA; it stays on
screen at the end; off under CI, off when stderr is not a terminal, off with progress=False."""
import io
import re

import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.progress import RunProgress, progress_enabled, time_decimals
from fieldgrad.simulation import Simulation

RATES = re.compile(r"\[\d\d:\d\d<\d\d:\d\d, [0-9.e+-]+ sim s/s, [0-9.e+-]+ steps/s\]")


def _final(text):
    """The bar as left on screen: the last carriage-return segment that is not blank."""
    parts = [p for p in re.split(r"[\r\n]", text) if p.strip()]
    return parts[-1] if parts else ""


@pytest.mark.parametrize("dt, decimals", [(0.002, 3), (0.0025, 4), (0.25, 2), (3.51e-4, 5), (1.0 / 3, 2),
                                          (10.0, 0), (1e-7, 7)])
def test_time_shown_to_the_precision_of_the_step(dt, decimals):
    assert time_decimals(dt) == decimals


def test_bar_shows_time_steps_rates_and_eta():
    out = io.StringIO()
    bar = RunProgress(t0=1.0, dt=0.0025, t_end=1.02, desc="rkl2", file=out)
    for n in range(1, 9):
        bar.update(1.0 + 0.0025 * n, n)
    bar.close()
    line = _final(out.getvalue())
    assert line.startswith("rkl2: 100%|")
    assert "t = 1.0200/1.0200 s, step 8 " in line
    assert RATES.search(line), line


def test_steps_only_bar_counts_steps():
    out = io.StringIO()
    bar = RunProgress(t0=0.0, dt=0.1, steps=4, desc="ftcs", file=out)
    bar.update(0.2, 2)
    bar.close()
    line = _final(out.getvalue())
    assert "ftcs:  50%|" in line and "step 2/4, t = 0.2 s " in line and RATES.search(line)


def test_simulation_bar_stays_visible_at_the_end(capsys):
    g = Grid((9, 9))
    sim = Simulation(np.ones(g.shape), g, Dirichlet(0.0), alpha=1.0, method="ftcs", dt=0.003, progress=True)
    sim.run(t_end=0.01)  # 3 steps of 0.003 and a shortened last one
    err = capsys.readouterr().err
    assert err.endswith("\n")  # tqdm ends a bar it leaves on screen with a newline
    line = _final(err)
    assert line.startswith("ftcs: 100%|") and "t = 0.010/0.010 s, step 4 " in line and RATES.search(line)


def test_stop_reason_is_shown_on_the_bar(capsys):
    g = Grid((9, 9))
    sim = Simulation(np.zeros(g.shape), g, {"x-": Dirichlet(1.0), "*": Neumann(0.0)}, alpha=1.0,
                     method="backward_euler", dt=0.1, steady_tol=1e-8, progress=True)
    sim.run(t_end=1e3)
    line = _final(capsys.readouterr().err)
    assert line.startswith("backward_euler (steady state): ") and f"step {sim.step} " in line


def test_progress_off_under_ci_and_without_a_terminal(monkeypatch, capsys):
    import sys

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert progress_enabled(None) is True
    monkeypatch.setenv("CI", "true")
    assert progress_enabled(None) is False and progress_enabled(True) is True
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert progress_enabled(None) is False
    g = Grid((9, 9))
    Simulation(np.ones(g.shape), g, Dirichlet(0.0), alpha=1.0, method="ftcs", progress=None).run(steps=3)
    assert capsys.readouterr().err == ""


def test_case_run_bar_covers_the_whole_schedule(tmp_path, capsys):
    from fieldgrad.case import loads_case, run_case

    text = """
[case]
name = "cool"
physics = "heat"
[grid]
shape = [9, 9]
extent = [[0, 1], [0, 1]]
[material]
conductivity = 1.0
heat_capacity = 1.0
[boundary]
"*" = { type = "insulated" }
[initial]
value = "x"
[solver]
kind = "transient"
method = "implicit"
t_end = 0.02
dt = 0.002
[output]
file = "cool.h5"
frames = 5
"""
    run_case(loads_case(text, "cool.toml"), str(tmp_path / "cool.h5"), progress=True, echo=lambda line: None)
    line = _final(capsys.readouterr().err)
    assert line.startswith("cool: 100%|") and "t = 0.020/0.020 s, step 10 " in line and RATES.search(line)


def test_time_rounding_past_the_end_never_shows_a_negative_eta():
    # 0.1 + 0.2 > 0.3 in binary: a run's last time can pass t_end by a rounding
    import io

    from fieldgrad.progress import RunProgress

    out = io.StringIO()
    bar = RunProgress(t0=0.0, dt=0.1, t_end=0.3, desc="ftcs", file=out)
    bar.update(0.1, 1)
    bar.update(0.1 + 0.2, 2)
    assert bar.bar.n <= bar.bar.total
    bar.bar.refresh()
    bar.close()
    assert "<-" not in out.getvalue()
