"""Transient case files: the explicit limit counts convection faces (the plastic plate of issue 13
wrote 5.7e74 degC and exited 0), and non-finite or endless time plans are refused before a step."""
import threading

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

PLATE = """
[case]
name = "plate"
physics = "heat"
[grid]
shape = [41, 41]
extent = [[0, 0.04], [0, 0.04]]
[material]
conductivity = 0.2
heat_capacity = 1.8e6
[boundary]
"*" = { type = "convection", h = 5000, ambient = 20 }
[initial]
value = 80
[solver]
kind = "transient"
t_end = T_END
METHOD
[output]
frames = 3
"""


def _main_within(seconds, argv):
    """``main(argv)`` in a daemon thread: a plan that would run for ever fails the test instead of
    hanging the suite (pytest-timeout is not a dependency)."""
    box = {}
    th = threading.Thread(target=lambda: box.setdefault("rc", main(argv)), daemon=True)
    th.start()
    th.join(seconds)
    assert not th.is_alive(), f"fieldgrad {' '.join(argv)} did not return within {seconds} s"
    return box.get("rc")


def _case(tmp_path, method="", t_end="60.0"):
    p = tmp_path / "plate.toml"
    p.write_text(PLATE.replace("METHOD", method).replace("T_END", t_end))
    return str(p)


@pytest.mark.parametrize("method", ["", 'method = "explicit"', 'method = "rkl2"'])
def test_plastic_plate_case_stays_between_water_and_start_temperature(tmp_path, capsys, method):
    out = str(tmp_path / "plate.h5")
    assert main(["run", _case(tmp_path, method), "-o", out]) == 0
    with fio.open(out) as f:
        assert len(f.times) == 4
        T = np.asarray(f["temperature"])
    assert 20.0 - 1e-6 <= T.min() and T.max() <= 80.0 + 1e-6
    assert T[-1, 0, 20] < 30.0 and T[-1, 20, 20] > 70.0  # the surface cooled, the core not yet


def test_explicit_step_above_the_convection_limit_is_refused(tmp_path, capsys):
    # h^2 / (2 d alpha) = 2.25 s ignores the water: the true limit is ~0.18 s
    out = str(tmp_path / "plate.h5")
    assert main(["run", _case(tmp_path, 'method = "explicit"\ndt = 2.0'), "-o", out]) == 2
    err = capsys.readouterr().err
    assert "solver.dt = 2.0" in err and "stability limit" in err


@pytest.mark.parametrize("t_end", ["inf", "nan"])
def test_non_finite_t_end_refused(tmp_path, capsys, t_end):
    assert _main_within(120, ["run", _case(tmp_path, t_end=t_end), "-o", str(tmp_path / "p.h5")]) == 2
    err = capsys.readouterr().err
    assert "solver.t_end" in err and "Traceback" not in err


def test_endless_plan_refused(tmp_path, capsys):
    assert _main_within(120, ["run", _case(tmp_path, 'method = "implicit"\ndt = 1e-300'),
                              "-o", str(tmp_path / "p.h5")]) == 2
    err = capsys.readouterr().err
    assert "solver.dt = 1e-300" in err and "time steps" in err
