"""The fieldgrad command line: run, demo, info, plot; errors exit 2 with one line."""
import os
import subprocess
import sys

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

STEADY = """
[case]
name = "slab"
physics = "heat"
[grid]
shape = [11, 5]
extent = [[0, 0.5], [0, 0.1]]
[material]
conductivity = 20.0
[boundary]
"x-" = { type = "dirichlet", value = 100.0 }
"x+" = { type = "dirichlet", value = 0.0 }
[output]
file = "slab.h5"
"""

TRANSIENT = """
[case]
name = "cool"
physics = "heat"
[grid]
shape = [17, 17]
extent = [[0, 1], [0, 1]]
[material]
conductivity = 1.0
heat_capacity = 1.0
[boundary]
"*" = { type = "insulated" }
[initial]
value = "where((x - 0.5)**2 + (y - 0.5)**2 < 0.05, 100.0, 0.0)"
[solver]
kind = "transient"
method = "implicit"
t_end = 0.02
dt = 0.002
[output]
file = "cool.h5"
frames = 4
"""


def _write(tmp_path, text, name="case.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_run_steady_writes_hdf5_and_reports_fourier_flow(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case = _write(tmp_path, STEADY)
    assert main(["run", case, "--plot"]) == 0
    out = capsys.readouterr().out
    assert "finished in" in out and "balance" in out and "slab.h5" in out
    # heat out through x+ is k A dT / L = 20 * 0.1 * 100 / 0.5 = 400 W per metre of depth
    assert "x+ 400" in out
    data = fio.load("slab.h5")
    T = np.asarray(data.fields["temperature"])[-1]
    assert np.allclose(T[:, 2], np.linspace(100, 0, 11))
    assert os.path.exists("slab.png") and os.path.exists("slab.xmf")
    # nothing is overwritten without --overwrite
    before = os.path.getmtime("slab.h5")
    assert main(["run", case]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err and len(err.strip().splitlines()) == 1
    assert os.path.getmtime("slab.h5") == before
    assert main(["run", case, "--overwrite", "-o", str(tmp_path / "other.h5")]) == 0


def test_transient_run_conserves_heat_with_insulated_walls(tmp_path, capsys):
    case = _write(tmp_path, TRANSIENT)
    out_h5 = str(tmp_path / "cool.h5")
    assert main(["run", case, "-o", out_h5, "--plot"]) == 0
    f = fio.load(out_h5)
    T = np.asarray(f.fields["temperature"])
    assert T.shape == (5, 17, 17)
    from fieldgrad import Grid
    g = Grid((17, 17))
    energy = [g.integrate(T[i]) for i in range(5)]
    assert np.allclose(energy, energy[0], rtol=1e-9)  # insulated: heat stays
    assert T[-1].max() < T[0].max() and T[-1].min() > T[0].min()  # and spreads
    assert os.path.exists(str(tmp_path / "cool_frames.png"))


def test_unstable_explicit_step_is_refused_before_any_output(tmp_path, capsys):
    text = TRANSIENT.replace('method = "implicit"', 'method = "explicit"').replace("dt = 0.002", "dt = 0.01")
    case = _write(tmp_path, text)
    assert main(["run", case, "-o", str(tmp_path / "x.h5")]) == 2
    err = capsys.readouterr().err.strip()
    assert "solver.dt = 0.01" in err and "stability limit" in err and "implicit" in err
    assert not os.path.exists(tmp_path / "x.h5")


@pytest.mark.parametrize("edit, words", [
    (("conductivity = 20.0", "conductivity = -20.0"), "material.conductivity"),
    (("[output]", "[output]\nformat = 'csv'"), "output.format"),
    (("conductivity = 20.0", "conductivity = 'hot'"), "unknown name 'hot'"),
    (("[output]", "[[fixed]]\nwhere = 'x > 3'\nvalue = 1.0\n[output]"), "selects no node"),
])
def test_case_errors_exit_2_with_one_line(tmp_path, capsys, edit, words):
    case = _write(tmp_path, STEADY.replace(*edit))
    assert main(["run", case, "-o", str(tmp_path / "r.h5")]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1


def test_no_traceback_unless_debug(tmp_path):
    case = _write(tmp_path, STEADY.replace("shape = [11, 5]", "shape = 11"))
    cmd = [sys.executable, "-m", "fieldgrad.cli", "run", case]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "grid.shape = 11" in r.stderr
    r = subprocess.run(cmd[:3] + ["--debug"] + cmd[3:], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_demo_info_and_plot(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "fieldgrad info demo.h5" in out and os.path.exists("demo.png")
    assert main(["demo"]) == 2  # refuses to overwrite
    capsys.readouterr()
    assert main(["info", "demo.h5"]) == 0
    info = capsys.readouterr().out
    assert "temperature" in info and "heat_flux" in info and "(81, 41)" in info
    assert main(["plot", "demo.h5", "--field", "temperature", "-o", "t.png"]) == 0
    assert os.path.getsize("t.png") > 10_000
    assert main(["plot", "demo.h5", "--field", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["info", "missing.h5"]) == 2
    assert main(["demo", "--print"]) == 0
    assert "[case]" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["run", "info"])
def test_closed_stdout_pipe_is_quiet(tmp_path, command):
    """`fieldgrad run ... | head`: the reader is gone before the summary is printed; the command
    stops with status 141 (SIGPIPE's), prints no BrokenPipeError line and no traceback, and the
    result is complete on disk."""
    case = _write(tmp_path, STEADY)
    out_h5 = str(tmp_path / "piped.h5")
    if command == "info":
        assert main(["run", case, "-o", out_h5]) == 0
        args = ["info", out_h5]
    else:
        args = ["run", case, "-o", out_h5]
    proc = subprocess.Popen([sys.executable, "-m", "fieldgrad.cli"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    proc.stdout.close()  # like `| head` having exited: every write to stdout fails with EPIPE
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert err == "", err
    T = np.asarray(fio.load(out_h5).fields["temperature"])[-1]
    assert np.allclose(T[:, 2], np.linspace(100, 0, 11))
