"""Transient case runs through ``fieldgrad run``: absolute time (t0 from the case), a
time-dependent boundary value and source reproduced to round-off by every method, frames on
the schedule, checkpoints, output.fields, and the schema keys that go with them.

Exact solution: ``u = t x^2 / 2`` with ``rho c = 2``, ``k = 2`` (alpha = 1) solves
``rho c u_t = k lap u + S`` for ``S = k (x^2/2 - t) = x^2 - 2 t``, with ``u(x=0) = 0`` and
``u(x=1) = t / 2``.  It is linear in time and quadratic in space, so the second-order stencil
is exact and every integrator (FTCS, RKL2, backward Euler, Crank--Nicolson) reproduces it to
round-off -- but only if boundary values and source see the true time ``t``.
"""
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

CASE = """
[case]
name = "exact"
physics = "heat"
[grid]
shape = [13, 7]
extent = [[0, 1], [0, 0.5]]
[material]
conductivity = 2.0
heat_capacity = 2.0
[boundary]
"x-" = { type = "dirichlet", value = 0 }
"x+" = { type = "dirichlet", value = "t / 2" }
"y" = { type = "insulated" }
[source]
value = "x**2 - 2 * t"
[initial]
value = "t * x**2 / 2"
[solver]
kind = "transient"
t0 = 0.5
t_end = 0.6
METHOD
[output]
frames = 4
"""


def _case(tmp_path, method_lines, extra=""):
    p = tmp_path / "exact.toml"
    p.write_text(CASE.replace("METHOD", method_lines) + extra)
    return str(p)


@pytest.mark.parametrize("method", ['method = "explicit"', 'method = "rkl2"\ndt = 0.01',
                                    'method = "implicit"\ndt = 0.01', 'method = "crank_nicolson"\ndt = 0.02'])
def test_time_dependent_boundary_and_source_exact(tmp_path, capsys, method):
    out = str(tmp_path / "exact.h5")
    assert main(["run", _case(tmp_path, method), "-o", out]) == 0
    text = capsys.readouterr().out
    assert "5 frames from t = 0.5 to 0.6 s" in text
    with fio.open(out) as f:
        assert np.allclose(f.times, [0.5, 0.525, 0.55, 0.575, 0.6], rtol=0, atol=1e-15)
        x = f.grid.mesh()[0]
        T = np.asarray(f["temperature"])
        q = np.asarray(f["heat_flux"])
    for i, t in enumerate(f.times):
        assert np.max(np.abs(T[i] - t * x ** 2 / 2)) < 1e-12, (i, t)
        # Fourier's law on the exact field: q_x = -k t x, q_y = 0
        assert np.max(np.abs(q[i, 0] + 2.0 * t * x)) < 1e-10
        assert np.max(np.abs(q[i, 1])) < 1e-10


def test_frames_land_on_schedule_and_steps_divide_each_interval(tmp_path):
    out = str(tmp_path / "e.h5")
    assert main(["run", _case(tmp_path, 'method = "explicit"\ndt = 0.0015'), "-o", out]) == 0
    with fio.open(out) as f:
        # 0.025 per frame with dt <= 0.0015: 17 equal steps per frame
        assert f.steps.tolist() == [0, 17, 34, 51, 68]
        assert f.params["dt"] == pytest.approx(0.025 / 17) and f.params["t0"] == 0.5
        assert f.params["case"] == "exact" and f.params["method"] == "ftcs"


def test_checkpoints_and_output_fields(tmp_path):
    from fieldgrad.io import read_checkpoint

    out = str(tmp_path / "c.h5")
    extra = 'checkpoint_every = 10\nfields = ["temperature"]\n'
    assert main(["run", _case(tmp_path, 'method = "explicit"\ndt = 0.0015', extra), "-o", out]) == 0
    with fio.open(out) as f:
        assert list(f.fields) == ["temperature"]
    state = read_checkpoint(str(tmp_path / "c.checkpoint.h5"))
    assert state["step"] == 60  # the last multiple of 10 of 68 steps
    x = np.linspace(0, 1, 13)[:, None]
    assert np.max(np.abs(state["fields"]["u"] - state["t"] * x ** 2 / 2)) < 1e-12
    # a second run refuses to replace the checkpoint without --overwrite
    assert main(["run", _case(tmp_path, 'method = "explicit"', extra), "-o", str(tmp_path / "d.h5")]) == 0
    assert main(["run", _case(tmp_path, 'method = "explicit"', extra), "-o", str(tmp_path / "d.h5")]) == 2


@pytest.mark.parametrize("edit, words", [
    (("t0 = 0.5", "t0 = 0.7"), "solver.t_end = 0.6"),
    (("t0 = 0.5", "t0 = 'soon'"), "solver.t0"),
    (("frames = 4", "frames = 4\ncheckpoint_every = 0"), "output.checkpoint_every"),
    (("frames = 4", "frames = 4\nfields = ['temperature', 'conductivity']"), "output.fields names 'conductivity'"),
])
def test_schema_errors_name_the_key(tmp_path, capsys, edit, words):
    p = tmp_path / "bad.toml"
    p.write_text(CASE.replace("METHOD", 'method = "explicit"').replace(*edit))
    assert main(["run", str(p), "-o", str(tmp_path / "bad.h5")]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1
