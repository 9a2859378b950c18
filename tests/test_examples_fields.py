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
