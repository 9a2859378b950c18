"""A steady axisymmetric case file: a pipe wall (r from 0.05 to 0.1 m) held at 80 C inside and
cooled by convection outside.  Exact: the radial flow per metre Q = (T_i - T_amb) / R_total with
R_total = ln(b/a)/(2 pi k) + 1/(2 pi b h); the result file reads back as an (r, z) grid."""
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

CASE = """
[case]
name = "pipe"
physics = "heat"
[grid]
shape = [41, 5]
extent = [[0.05, 0.1], [0, 1]]
coords = "cylindrical"
[material]
conductivity = 0.5
[boundary]
"r-" = { type = "dirichlet", value = 80.0 }
"r+" = { type = "convection", h = 10.0, ambient = 20.0 }
"z" = { type = "insulated" }
[output]
file = "pipe.h5"
"""


def test_pipe_wall_case_matches_the_thermal_resistance_formula(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pipe.toml").write_text(CASE)
    assert main(["run", "pipe.toml"]) == 0
    capsys.readouterr()
    data = fio.load("pipe.h5")
    assert data.grid.cylindrical and data.grid.axis_names == ("r", "z")
    T = np.asarray(data.fields["temperature"])[-1]
    a, b, k, h = 0.05, 0.1, 0.5, 10.0
    Q = (80.0 - 20.0) / (np.log(b / a) / (2 * np.pi * k) + 1 / (2 * np.pi * b * h))
    r = data.grid.coords[0]
    exact = 80.0 - Q * np.log(r / a) / (2 * np.pi * k)
    assert np.abs(T[:, 2] - exact).max() < 2e-3 * 60  # second order, 41 nodes across the wall
    assert T[-1, 2] == pytest.approx(20.0 + Q / (2 * np.pi * b * h), rel=1e-4)


def test_cylindrical_case_needs_two_axes(tmp_path, capsys):
    text = CASE.replace("shape = [41, 5]", "shape = [41, 5, 5]").replace("[[0.05, 0.1], [0, 1]]",
                                                                      "[[0.05, 0.1], [0, 1], [0, 1]]")
    (tmp_path / "bad.toml").write_text(text)
    assert main(["run", str(tmp_path / "bad.toml")]) == 2
    err = capsys.readouterr().err
    assert "grid.shape" in err and "cylindrical" in err
