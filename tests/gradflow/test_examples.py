"""Each gradflow example runs on a small grid into a temporary folder, saves its figure, and the
numbers it measured show what the example claims."""
import importlib.util
import os

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def _run(name, tmp_path):
    spec = importlib.util.spec_from_file_location(f"gradflow_example_{name}", os.path.join(EXAMPLES, f"{name}.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    stats = mod.main(["--small", "--out", str(tmp_path)])
    assert os.path.getsize(stats["figure"]) > 10_000 and str(tmp_path) in stats["figure"]
    return stats


def test_weight_decay_is_absorption(tmp_path):
    s = _run("weight_decay_is_absorption", tmp_path)
    for lam in ("0", "5", "20"):
        assert s[f"mass_vs_power_{lam}"] < 1e-12  # mass exactly (1 - eta lambda)^n
        assert s[f"mass_vs_exp_{lam}"] < 2e-3  # ~ exp(-lambda t) up to O(eta lambda^2 t)
        assert s[f"energy_decreasing_{lam}"]
    assert s["gd_minus_exact_max"] < 0.05 * s["field_max"]


def test_step_size_is_time_step(tmp_path):
    s = _run("step_size_is_time_step", tmp_path)
    assert s["monotone"] < s["stable"]
    mins = [v for k, v in s.items() if k.startswith("min_after_3_steps")]
    assert mins[0] >= -1e-15 and mins[1] < -1e-3  # monotone step keeps >= 0, the one above does not
    assert abs(s["slope"] - 1) < 0.1


def test_early_stopping_vs_ridge(tmp_path):
    s = _run("early_stopping_vs_ridge", tmp_path)
    # Ali, Kolter & Tibshirani: flow risk at t <= 1.6862 x ridge risk at 1/t, for every t
    assert 1.0 < s["max_risk_ratio"] <= 1.6862
    assert s["heat_error"] < 0.8 * s["noisy_error"] and s["tikhonov_error"] < 0.8 * s["noisy_error"]
    assert abs(s["heat_mass_minus_noisy_mass"]) < 1e-12  # insulated heat flow keeps the mass


def test_descent_on_the_poisson_bowl(tmp_path):
    s = _run("descent_on_the_poisson_bowl", tmp_path)
    sd = [s[f"steepest descent iterations n={n}"] for n in (17, 33)]
    cg = [s[f"conjugate gradients iterations n={n}"] for n in (17, 33)]
    assert all(isinstance(v, int) for v in sd + cg)
    assert 3.0 < sd[1] / sd[0] < 5.0  # ~ kappa ~ 1/h^2
    assert 1.5 < cg[1] / cg[0] < 2.6  # ~ sqrt(kappa)
    assert s["kappa n=33"] / s["kappa n=17"] == pytest.approx(4.0, rel=0.05)
    mg = [s[f"multigrid cycles n={n}"] for n in (17, 33)]
    assert all(isinstance(v, int) for v in mg), mg  # the package multigrid ran
    assert abs(mg[1] - mg[0]) <= 2 and max(mg) <= 12  # h-independent
