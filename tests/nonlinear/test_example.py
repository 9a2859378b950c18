"""examples/radiating_fin.py runs on a small grid and agrees with the fin equation."""
import importlib.util
import os

import pytest

PATH = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "examples", "radiating_fin.py")


def test_radiating_fin_example(tmp_path):
    spec = importlib.util.spec_from_file_location("radiating_fin", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    r = mod.main(n=65, outdir=str(tmp_path))
    # second-order strip vs the solve_bvp fin equation: well under a kelvin at 65 nodes
    assert r["max_difference"] < 0.05 and r["tip"] == pytest.approx(r["tip_ode"], abs=0.05)
    # what the surface sheds is what the base conducts in (the ODE's base flux)
    assert r["shed"] == pytest.approx(r["base_heat_ode"], rel=2e-3)
    assert r["newton_iterations"] <= r["picard_iterations"] <= 15
    assert os.path.getsize(r["figure"]) > 5000
