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


# ---------------------------------------------------------------- issue 14.5 and 14.7 (CLI part)
def test_version_prints_the_package_version(capsys):
    import tomllib

    with open(os.path.join(os.path.dirname(__file__), "..", "pyproject.toml"), "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"fieldgrad {version}"


def test_every_argument_of_every_subcommand_has_help():
    import argparse

    from fieldgrad.cli import _parser

    parser = _parser()
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(subparsers) == 1
    commands = subparsers[0].choices
    assert set(commands) == {"run", "demo", "info", "plot"}
    missing = []
    for name, p in [("fieldgrad", parser)] + sorted(commands.items()):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if not (action.help or "").strip() or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
    # and the help of each subcommand is printed (argparse formats every help string)
    for name, p in commands.items():
        assert "--debug" in p.format_help()


@pytest.mark.parametrize("target", ["out/dir", "res.h5"])
def test_demo_writes_where_dash_o_says(tmp_path, capsys, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "-o", target, "--no-plot"]) == 0
    h5 = os.path.join(target, "demo.h5") if target.endswith("dir") else target
    out = capsys.readouterr().out
    assert os.path.exists(h5) and f"fieldgrad info {h5}" in out
    assert not os.path.exists("demo.h5")
    T = np.asarray(fio.load(h5).fields["temperature"])[-1]
    assert T.max() == pytest.approx(120.0)  # the hot edge of the demo
    from fieldgrad.plot import plot_result

    assert plot_result(h5)[0].axes[0].get_title() == "temperature, steady state"
    # the refusal to overwrite names -o, and -o is then accepted
    assert main(["demo", "-o", target, "--no-plot"]) == 2
    assert "-o" in capsys.readouterr().err
    assert main(["demo", "-o", target + ("2" if target.endswith("dir") else "2.h5"), "--no-plot"]) == 0


def _frames(tmp_path):
    import types

    from fieldgrad import Grid

    g = Grid((6, 5))
    p = str(tmp_path / "frames.h5")
    w = fio.HDF5Writer(p)
    sim = types.SimpleNamespace(grid=g, bc=None, params={"dt": 0.5}, t=0.0, step=0)
    w.open(sim)
    for i in range(4):
        sim.step, sim.t = i, 0.5 * i
        w.write(0.5 * i, {"T": np.full(g.shape, float(i))})
    w.close()
    return p


def test_plot_says_when_time_snaps_to_another_frame(tmp_path, capsys):
    p = _frames(tmp_path)
    assert main(["plot", p, "--time", "0.7", "-o", str(tmp_path / "a.png")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "note: --time 0.7 is not a frame time; using the nearest frame t = 0.5 s (frame 1 of 0..3)"
    assert out[1].startswith("wrote ") and os.path.getsize(tmp_path / "a.png") > 5000
    assert main(["plot", p, "--time", "1.0", "-o", str(tmp_path / "b.png")]) == 0
    assert "note" not in capsys.readouterr().out
    assert main(["plot", p, "--time", "9", "-o", str(tmp_path / "c.png")]) == 2
    assert "allowed: 0 to 1.5" in capsys.readouterr().err


def test_plot_slice_vector_and_errors(tmp_path, capsys):
    from fieldgrad import Grid

    g = Grid((5, 9, 17))
    X, Y, Z = g.mesh()
    p = fio.save(str(tmp_path / "phi.h5"), g, potential=1.0 - X, displacement=np.stack([X, Y, Z]))
    assert main(["plot", p, "--slice", "z=0.3", "--vector", "E", "-o", str(tmp_path / "e.png")]) == 0
    out = capsys.readouterr().out
    assert "note: --slice z = 0.3 is not a node; using the nearest node z = 0.3125 m (index 5 of 0..16)" in out
    assert main(["plot", p, "--vector", "wind", "-o", str(tmp_path / "w.png")]) == 2
    err = capsys.readouterr().err
    assert "--vector 'wind'" in err and "displacement" in err and "'E'" in err
    assert main(["plot", p, "--slice", "q=1", "-o", str(tmp_path / "w.png")]) == 2
    assert "AXIS=VALUE" in capsys.readouterr().err
    assert main(["plot", p, "--vector", "none", "--style", "arrows", "--center", "0", "-o",
                 str(tmp_path / "n.png")]) == 0
