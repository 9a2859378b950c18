"""Case-file checks: every mistake is one line naming the key, the value and what is allowed."""
import numpy as np
import pytest

from fieldgrad.case import loads_case
from fieldgrad.errors import CaseFileError

BASE = """
[case]
name = "t"
physics = "heat"
[parameters]
L = 2.0
[grid]
shape = [9, 5]
extent = [[0, "L"], [0, 1]]
[material]
conductivity = 3.0
[[material.region]]
where = "x > 1"
conductivity = "1 + y"
[boundary]
"x-" = { type = "dirichlet", value = "10 * y" }
"x+" = { type = "convection", h = 10.0, ambient = 0.0 }
"*" = { type = "insulated" }
[source]
value = "x * y"
"""


def test_a_good_case_builds_grid_materials_and_conditions():
    case = loads_case(BASE)
    assert case.grid.extent == ((0.0, 2.0), (0.0, 1.0))
    k = case.material()["conductivity"]
    X, Y = case.grid.mesh()
    assert np.allclose(k, np.where(X > 1, 1 + Y, 3.0))
    bc = case.boundary(k)
    assert np.allclose(bc["x-"].value, 10 * case.grid.coords[1])
    assert bc["x+"].kind == "robin" and np.allclose(bc["x+"].beta, k[-1])
    assert np.allclose(case.source(), X * Y)


@pytest.mark.parametrize("old, new, words", [
    ('physics = "heat"', 'physics = "heat"\ncolour = "red"', ["case.colour", "allowed keys in [case]"]),
    ("shape = [9, 5]", 'shape = "9x5"', ["grid.shape", "'9x5'", "list of 2 or 3 integers"]),
    ("shape = [9, 5]", "shape = [9, 5]\nshpe = 3", ["grid.shpe", "allowed keys in [grid]"]),
    ("conductivity = 3.0", "conductivity = -3.0", ["material.conductivity", "-3.0", "positive"]),
    ('conductivity = "1 + y"', 'conductivity = "y - 1"', ["material.conductivity", "positive"]),
    ('where = "x > 1"', 'where = "x > 5"', ["material.region[0].where", "'x > 5'", "selects no node"]),
    ('type = "insulated"', 'type = "insulating"', ["boundary.*.type", "'insulating'", '"insulated"']),
    ('"x-" = {', '"w-" = {', ["boundary.w-", "allowed keys in [boundary]"]),
    ('value = "x * y"', 'value = "__import__(\'os\').system(\'ls\')"', ["source.value", "not allowed"]),
    ('value = "x * y"', 'value = "x * q"', ["source.value", "unknown name 'q'"]),
    ('physics = "heat"', 'physics = "magnetism"', ["case.physics", "'magnetism'", '"heat"']),
    ("h = 10.0", "h = -1.0", ["boundary.x+.h", "-1.0", "positive"]),
    ('[source]', '[solver]\nkind = "transient"\n[source]', ["solver.t_end", "missing"]),
])
def test_case_mistakes_name_key_value_and_what_is_allowed(old, new, words):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    with pytest.raises(CaseFileError) as info:
        case = loads_case(text)
        case.boundary(case.material()["conductivity"])
        case.source()
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (w, msg)


def test_output_file_cannot_leave_the_output_directory():
    for bad in ["../evil.h5", "/tmp/evil.h5", "sub/dir.h5", "notes.txt", ".hidden.h5"]:
        with pytest.raises(CaseFileError, match="output.file"):
            loads_case(BASE + f'[output]\nfile = "{bad}"\n')
    assert loads_case(BASE + '[output]\nfile = "fine.h5"\n').output["file"] == "fine.h5"


def test_invalid_toml_is_reported_with_its_origin():
    with pytest.raises(CaseFileError, match="my.toml is not valid TOML"):
        loads_case("[case\nname=", "my.toml")
