"""Transient case runs with ``[[material.region]]`` materials: conductivity on cells and a heat
capacity that differs between regions (``rho_c du/dt = div(k grad u) + q``).

Exact values used: an insulated block of two materials (k 1 | 10, rho_c 1 | 4, interface on the
grid line x = 1/2) starting from T = x holds the heat ``int rho_c x dV`` for ever (explicit steps
conserve it to round-off; the cell quadrature is exact for a field linear on each cell) and
settles at ``T = int rho_c x dV / int rho_c dV = 0.65``.
"""
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.cli import main

CASE = """
[case]
name = "two_materials"
physics = "heat"
[grid]
shape = [17, 9]
extent = [[0, 1], [0, 0.5]]
[material]
conductivity = 1.0
heat_capacity = 1.0
[[material.region]]
where = "x > 0.5"
conductivity = 10.0
heat_capacity = 4.0
[boundary]
"*" = { type = "insulated" }
[initial]
value = "x"
[solver]
kind = "transient"
METHOD
[output]
frames = 3
"""

HEAT = (1.0 * 0.125 + 4.0 * 0.375) * 0.5  # int rho_c x dV over [0, 1] x [0, 0.5]
EQUILIBRIUM = 0.65


def _run(tmp_path, method_lines):
    p = tmp_path / "two.toml"
    p.write_text(CASE.replace("METHOD", method_lines))
    out = str(tmp_path / "two.h5")
    assert main(["run", str(p), "-o", out]) == 0
    with fio.open(out) as f:
        return np.asarray(f["temperature"]), f.grid


def _cell_heat(T, grid):
    """int rho_c T dV by cells: rho_c of the cell times the mean of its corner values."""
    cx = grid.coords[0][:-1] + 0.5 * grid.spacing[0]
    rho_c = np.where(cx > 0.5, 4.0, 1.0)[:, None]
    mean = 0.25 * (T[:-1, :-1] + T[1:, :-1] + T[:-1, 1:] + T[1:, 1:])
    return float(np.sum(rho_c * mean) * grid.spacing[0] * grid.spacing[1])


def test_explicit_run_keeps_the_heat_of_two_materials(tmp_path):
    T, grid = _run(tmp_path, 't_end = 0.05\nmethod = "explicit"')
    assert _cell_heat(T[0], grid) == pytest.approx(HEAT, rel=1e-14)
    for i in range(1, len(T)):
        assert abs(_cell_heat(T[i], grid) - HEAT) < 1e-12 * HEAT, i
    assert not np.allclose(T[-1], T[0])  # it did evolve


def test_implicit_run_settles_at_the_capacity_weighted_mean(tmp_path):
    T, grid = _run(tmp_path, 't_end = 300.0\ndt = 10.0\nmethod = "implicit"')
    assert np.max(np.abs(T[-1] - EQUILIBRIUM)) < 1e-6
    # the node-sampled form (alpha = k / rho_c) would settle at the plain mean 0.5 instead
    assert abs(EQUILIBRIUM - 0.5) > 0.1
