"""3D case files end to end through ``fieldgrad run`` (+ ``info``, ``plot``): a steady slab
obeys Fourier's law and balances heat; a transient cube reproduces an exact solution.
"""
import os

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

SLAB = """
[case]
name = "slab3d"
physics = "heat"
[grid]
shape = [9, 5, 6]
extent = [[0, 0.4], [0, 0.2], [0, 0.1]]
[material]
conductivity = 15.0
[boundary]
"x-" = { type = "dirichlet", value = 80.0 }
"x+" = { type = "dirichlet", value = 20.0 }
"*" = { type = "insulated" }
[output]
file = "slab3d.h5"
"""

CUBE = """
[case]
name = "cube"
physics = "heat"
[grid]
shape = [7, 6, 5]
extent = [[0, 1], [0, 1], [0, 1]]
[material]
conductivity = 1.0
heat_capacity = 1.0
[boundary]
"*" = { type = "dirichlet", value = "t * (x**2 + y**2 + z**2) / 6" }
[source]
value = "(x**2 + y**2 + z**2) / 6 - t"
[initial]
value = "t * (x**2 + y**2 + z**2) / 6"
[solver]
kind = "transient"
method = "explicit"
t0 = 1.0
t_end = 1.02
[output]
frames = 2
"""


def test_steady_3d_slab_fourier_flow_and_balance(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "slab.toml").write_text(SLAB)
    assert main(["run", "slab.toml", "--plot"]) == 0
    out = capsys.readouterr().out
    # k A dT / L = 15 * (0.2 * 0.1) * 60 / 0.4 = 45 W through x+
    assert "x+ 45" in out and "relative" in out
    with fio.open("slab3d.h5") as f:
        T = f["temperature"][0]
        q = f["heat_flux"][0]
        assert T.shape == (9, 5, 6) and q.shape == (3, 9, 5, 6)
    x = np.linspace(0, 0.4, 9)
    assert np.max(np.abs(T - (80 - 150 * x)[:, None, None])) < 1e-9
    assert np.max(np.abs(q[0] - 15 * 150)) < 1e-7 and np.max(np.abs(q[1:])) < 1e-7
    assert os.path.getsize("slab3d.png") > 10_000
    assert main(["info", "slab3d.h5"]) == 0
    assert "(9, 5, 6)" in capsys.readouterr().out
    assert main(["plot", "slab3d.h5", "-o", "slice.png"]) == 0
    assert os.path.getsize("slice.png") > 10_000


def test_transient_3d_cube_exact(tmp_path):
    (tmp_path / "cube.toml").write_text(CUBE)
    out = str(tmp_path / "cube.h5")
    assert main(["run", str(tmp_path / "cube.toml"), "-o", out]) == 0
    with fio.open(out) as f:
        X, Y, Z = f.grid.mesh()
        r2 = X ** 2 + Y ** 2 + Z ** 2
        assert f.times.tolist() == pytest.approx([1.0, 1.01, 1.02], abs=1e-15)
        for i, t in enumerate(f.times):
            assert np.max(np.abs(f["temperature"][i] - t * r2 / 6)) < 1e-12
