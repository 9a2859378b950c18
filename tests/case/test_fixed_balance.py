"""A steady case with ``[[fixed]]`` regions reports its heat balance, the held regions' flow
included (it used to skip the balance)."""
import re

import pytest

from fieldgrad.cli import main

CASE = """
[case]
name = "held"
physics = "heat"
[grid]
shape = [33, 25]
extent = [[0, 1], [0, 0.75]]
[material]
conductivity = "2 + x"
[boundary]
"x+" = { type = "convection", h = 5.0, ambient = 20.0 }
"*" = { type = "insulated" }
[[fixed]]
where = "(x - 0.3)**2 + (y - 0.4)**2 < 0.01"
value = 90.0
[solver]
rtol = 1e-13
"""


def test_steady_case_with_a_held_region_balances(tmp_path, capsys):
    case = tmp_path / "held.toml"
    case.write_text(CASE)
    assert main(["run", str(case), "-o", str(tmp_path / "held.h5")]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "balance:" in x)
    held = float(re.search(r"held regions ([-0-9.e+]+)", line).group(1))
    out_flow = float(re.search(r"= out ([-0-9.e+]+)", line).group(1))
    rel = float(re.search(r"relative ([-0-9.e+]+)", line).group(1))
    # all the heat comes from the held region and leaves by convection on x+
    assert held > 0 and out_flow == pytest.approx(held, rel=1e-8)
    assert rel < 1e-8
