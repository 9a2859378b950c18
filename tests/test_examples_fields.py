"""Every field example runs on a small grid and gets its physics right."""
import importlib.util
import os

import numpy as np
import pytest

HERE = os.path.join(os.path.dirname(__file__), os.pardir, "examples")


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_heat_sink_fin_matches_fin_formula_and_balances(tmp_path):
    r = _load("heat_sink_fin").main(n=41, outdir=str(tmp_path))
    assert r["base_heat"] == pytest.approx(r["cooled"], rel=1e-8)  # heat in = heat out
    assert r["base_heat"] == pytest.approx(r["formula"], rel=0.01)  # thin fin (Biot 2.5e-4)
    assert os.path.getsize(r["figure"]) > 5000


def test_capacitor_fringing_raises_capacitance_and_periodic_matches_formula(tmp_path):
    r = _load("capacitor").main(n=41, m=4, outdir=str(tmp_path))
    assert r["C_periodic"] == pytest.approx(r["C_ideal"], rel=0.01)
    assert r["C_ideal"] < r["C"] < 1.5 * r["C_ideal"]
    assert r["energy"] == pytest.approx(0.5 * r["C"], rel=1e-8)  # W = C V^2 / 2 with V = 1
    assert os.path.exists(r["figure"])


def test_dam_seepage_conserves_flow_and_is_antisymmetric(tmp_path):
    r = _load("dam_seepage").main(n=41, outdir=str(tmp_path))
    assert r["seepage_in"] > 0
    assert r["seepage_out"] == pytest.approx(r["seepage_in"], rel=1e-8)
    assert r["head_mid"] == pytest.approx(5.0, abs=1e-8)


def test_cooling_block_follows_lumped_model_and_writes_animation(tmp_path):
    r = _load("cooling_block").main(n=11, outdir=str(tmp_path), frames=4)
    assert np.all(np.diff(r["mean"]) < 0)
    assert np.allclose(r["mean"], r["lumped"], rtol=0.02)
    assert os.path.getsize(r["gif"]) > 1000 and os.path.exists(r["frames_png"])


def test_axisymmetric_cable_matches_thermal_resistances_and_balances(tmp_path):
    m = _load("axisymmetric_cable")
    r = m.main(n=31, hours=1.0, outdir=str(tmp_path))
    ref = r["reference"]
    assert r["steady_surface"] == pytest.approx(ref["surface"], abs=1e-8)  # all the heat leaves there
    for key in ("interface", "axis"):  # log profile in the insulation: second order, 31 nodes
        assert r[f"steady_{key}"] == pytest.approx(ref[key], abs=0.01)
    assert r["put_in"] == pytest.approx(r["stored"] + r["lost"], rel=1e-9)  # backward Euler conserves it
    errs = [abs(m.main(n=n, hours=0.01, plot=False)["steady_axis"] - ref["axis"]) for n in (16, 31, 61)]
    assert errs[0] / errs[1] > 3.5 and errs[1] / errs[2] > 3.5, errs
    assert os.path.getsize(r["figure"]) > 5000


def test_pcb_chip_balances_and_the_interface_resistance_heats_the_die(tmp_path):
    r = _load("pcb_chip_transient").main(n=(81, 15), t_end=300.0, outdir=str(tmp_path))
    assert r["put_in"] == pytest.approx(r["stored"] + r["lost"], rel=1e-9)
    jump = r["die"] - r["die_no_contact"]
    assert 0.6 * r["tim_jump_estimate"] < jump < 1.02 * r["tim_jump_estimate"]
    assert os.path.getsize(r["figure"]) > 5000


def test_heat_sink_plate_gives_off_the_chip_power(tmp_path):
    r = _load("heat_sink_plate").main(n_per_mm=1, outdir=str(tmp_path))
    assert r["convected"] + r["radiated"] == pytest.approx(r["power"], rel=1e-6)
    assert r["picard_iterations"] <= 15 and max(r["inner_iterations"]) <= 20
    assert 0.3 < r["radiated"] / r["power"] < 0.7  # black anodised at ~90 C: radiation about half
    assert os.path.getsize(r["figure"]) > 5000
