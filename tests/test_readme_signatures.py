"""The README's signature table is the code's: every row matches ``inspect.signature`` of the
function it names, every public callable of ``fieldgrad`` has a row, and each function of the
core package can be called as its row shows (its required arguments, by the names shown)."""
import importlib
import inspect
import pathlib
import re

import numpy as np
import pytest

import fieldgrad as fg

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `(?P<name>[\w.]+)` \| `(?P<sig>\(.*\))` \| .* \|$")


def table():
    text = README.read_text(encoding="utf-8")
    start, end = text.index("<!-- signatures -->"), text.index("<!-- /signatures -->")
    rows = {}
    for line in text[start:end].splitlines():
        m = ROW.match(line.strip())
        if m:
            rows[m["name"]] = m["sig"]
    return rows


def resolve(name):
    parts = name.split(".")
    obj, path = importlib.import_module(parts[0]), parts[0]
    for part in parts[1:]:
        path += "." + part
        obj = getattr(obj, part) if hasattr(obj, part) else importlib.import_module(path)
    return obj


def shown(obj):
    """The signature as the table writes it (dataclasses' ``-> None`` left out)."""
    return str(inspect.signature(obj)).split(" -> ")[0]


ROWS = table()


def test_the_table_was_found_and_is_not_trivial():
    assert len(ROWS) >= 40
    assert "fieldgrad.solve_heat" in ROWS and "fieldgrad.Convection" in ROWS


@pytest.mark.parametrize("name", sorted(ROWS))
def test_row_matches_the_code(name):
    assert ROWS[name] == shown(resolve(name)), f"README row of {name} differs from the code"


def test_every_public_callable_has_a_row():
    public = [n for n in fg.__all__ if callable(getattr(fg, n)) and not inspect.ismodule(getattr(fg, n))]
    missing = [n for n in public if f"fieldgrad.{n}" not in ROWS]
    assert not missing, f"public callables without a README signature row: {missing}"


def test_the_keywords_the_issue_names_are_shown():
    assert "output_overwrite=False" in ROWS["fieldgrad.solve_heat"]
    assert "steps=None" in ROWS["fieldgrad.solve_heat"]
    assert "conductivity=1.0" in ROWS["fieldgrad.TemperatureField"]
    assert ROWS["fieldgrad.Convection"] == "(h, ambient, *, conductivity)"
    assert ROWS["fieldgrad.div_k_grad"].startswith("(u, grid, bc=None, *, k=None")


@pytest.mark.parametrize("name", ["solve_heat", "solve_poisson"])
def test_distributed_solvers_take_the_serial_arguments_and_defaults(name):
    serial = inspect.signature(resolve(f"fieldgrad.{name}")).parameters
    distributed = inspect.signature(resolve(f"fieldgrad.distributed.{name}")).parameters
    common = [p for p in serial.values() if p.kind is not p.VAR_KEYWORD]
    assert list(distributed.values())[:len(common)] == common


# ---------------------------------------------------------------- calling each core row
G = fg.Grid((9, 9))
X, Y = G.mesh()
ELECTRODE = (X < 0.2)
GROUND = (X > 0.8)
POOL = {  # a value for each required parameter name in the table
    "shape": (9, 9), "grid": G, "u": X * Y, "u0": np.zeros(G.shape), "f": np.ones(G.shape),
    "data": np.zeros(G.shape), "v": np.stack([X, Y]), "bc": fg.Dirichlet(0.0), "alpha": 1.0,
    "beta": 1.0, "h": 10.0, "ambient": 20.0, "conductivity": 2.0, "name": "cpu",
    "electrode": ELECTRODE, "ground": GROUND,
    "emissivity": 0.5, "k": 1.0, "source": ([0.0, 1.0], [1.0, 2.0]),
    "values": np.ones((8, 8)), "regions": (X > 0.5).astype(int), "resistance": 0.1, "kx": 2.0,
}
EXTRA = {  # keywords a call needs beyond the required ones (shown in the table too)
    "fieldgrad.solve_heat": {"alpha": 1.0, "steps": 2, "progress": False, "output_overwrite": False},
    "fieldgrad.Simulation": {"alpha": 1.0, "progress": False},
    "fieldgrad.TemperatureField.evolve": {"steps": 2, "progress": False},
    "fieldgrad.PoissonResult": {"u": X, "method": "direct", "iterations": 0, "residuals": [], "converged": True,
                                "wall_time": 0.0},
    "fieldgrad.solve_nonlinear_heat": {"t_end": 0.1, "dt": 0.05},
    "fieldgrad.NonlinearResult": {"u": X, "method": "newton", "outer_iterations": 0},
    "fieldgrad.NonlinearHeatResult": {"u": X, "t": 0.0, "steps": 0, "dt": 1.0},
    "fieldgrad.HeatResult": {"u": X, "t": 0.0, "steps": 0, "method": "ftcs", "dt": 1.0, "sweeps": 0,
                             "solver_iterations": 0, "stop_reason": "steps", "wall_time": 0.0},
}
CORE = sorted(n for n in ROWS if n.count(".") == 1 or n.split(".")[1][0].isupper())


def _call(name):
    obj = resolve(name)
    params = inspect.signature(obj).parameters
    args, kwargs = [], dict(EXTRA.get(name, {}))
    for p in params.values():
        if p.name == "self":
            obj = obj.__get__(fg.TemperatureField(G, np.zeros(G.shape), bc=fg.Dirichlet(1.0)))
            continue
        if p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in kwargs:
            continue
        value = POOL[p.name]
        if p.kind is p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return obj(*args, **kwargs)


@pytest.mark.parametrize("name", CORE)
def test_each_core_row_can_be_called_as_shown(name):
    out = _call(name)
    if name == "fieldgrad.use_backend":
        with out as backend:
            assert backend == "cpu"
    elif name == "fieldgrad.solve_heat":
        assert isinstance(out, fg.HeatResult) and out.steps == 2 and out.stop_reason == "steps"
    elif name == "fieldgrad.div_k_grad":
        np.testing.assert_allclose(out[2:-2, 2:-2], 0.0, atol=1e-10)  # div(grad(xy)) = 0 off the Dirichlet faces
    elif name == "fieldgrad.Convection":
        assert (out.alpha, out.beta, out.value) == (10.0, 2.0, 200.0)
