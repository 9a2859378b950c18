import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.boundary import resolve_bc
from fieldgrad.errors import BoundaryError, NonFiniteError


def test_face_axis_and_star_precedence():
    g = fg.Grid((5, 5, 5))
    b = resolve_bc({"*": fg.Neumann(0), "x": fg.Dirichlet(1), "x+": fg.Robin(1, 2, 3)}, g)
    assert b.kinds() == {"x-": "dirichlet", "x+": "robin", "y-": "neumann", "y+": "neumann",
                         "z-": "neumann", "z+": "neumann"}
    assert b.complete


def test_single_condition_and_none():
    g = fg.Grid((5, 5))
    assert set(resolve_bc(fg.Dirichlet(0), g).kinds().values()) == {"dirichlet"}
    b = resolve_bc(None, g)
    assert not b.complete
    with pytest.raises(BoundaryError, match="missing"):
        b.require_complete()


def test_periodic_axes_come_from_the_grid():
    g = fg.Grid((6, 5), periodic=(True, False))
    b = resolve_bc({"*": fg.Dirichlet(0)}, g)
    assert b.kinds() == {"x-": "periodic", "x+": "periodic", "y-": "dirichlet", "y+": "dirichlet"}


def test_values_number_array_callable_and_time():
    g = fg.Grid((4, 3), extent=[(0, 3), (0, 2)])
    arr = np.array([1.0, 2.0, 3.0])
    assert np.all(fg.Dirichlet(2.0).evaluate("value", g, "x-") == 2.0)
    np.testing.assert_array_equal(fg.Dirichlet(arr).evaluate("value", g, "x+"), arr)
    np.testing.assert_array_equal(fg.Neumann(lambda x, y: x + y).evaluate("flux", g, "y+"), [2, 3, 4, 5])
    d = fg.Dirichlet(lambda x, y, t: y * t)
    assert d.time_dependent
    np.testing.assert_array_equal(d.evaluate("value", g, "x-", t=2.0), [0, 2, 4])
    np.testing.assert_array_equal(d.evaluate("value", g, "x-", t=3.0), [0, 3, 6])


def test_apply_bc_writes_faces():
    g = fg.Grid((4, 4))
    u = fg.apply_bc(np.zeros(g.shape), g, {"y+": fg.Dirichlet(lambda x, y: x)})
    np.testing.assert_allclose(u[:, -1], g.coords[0])
    assert np.all(u[:, :-1] == 0)


@pytest.mark.parametrize("spec, fragment", [
    ({"w-": fg.Dirichlet(0)}, "'w-' is not a face"),
    ({"z-": fg.Dirichlet(0)}, "'z-' is not a face of this 2D grid"),
    ({"x-": 3.0}, "must be Dirichlet, Neumann, Robin, Periodic or None"),
    ({"x": fg.Periodic()}, "not periodic"),
    ("dirichlet", "bc must be None, a condition"),
])
def test_bad_specs(spec, fragment):
    with pytest.raises(BoundaryError) as info:
        resolve_bc(spec, fg.Grid((5, 5)))
    assert fragment in str(info.value)


def test_dirichlet_on_a_periodic_axis_is_refused():
    with pytest.raises(BoundaryError, match="periodic axis x"):
        resolve_bc({"x-": fg.Dirichlet(1.0)}, fg.Grid((6, 5), periodic=(True, False)))


def test_bad_values():
    g = fg.Grid((4, 3))
    with pytest.raises(BoundaryError, match="face x- has shape"):
        fg.Dirichlet(np.zeros(4)).evaluate("value", g, "x-")
    with pytest.raises(BoundaryError, match="must be a number"):
        fg.Dirichlet("hot")
    with pytest.raises(BoundaryError, match="finite"):
        fg.Neumann(float("nan"))
    with pytest.raises(BoundaryError, match="beta must be non-zero"):
        fg.Robin(1.0, 0.0, 1.0)
    with pytest.raises(NonFiniteError):
        fg.Dirichlet(lambda x, y: np.full_like(x, np.nan)).evaluate("value", g, "x-")


def test_describe_is_json_ready():
    import json
    b = resolve_bc({"x": fg.Dirichlet(1.0), "y": fg.Robin(1, 2, lambda x, y: x)}, fg.Grid((4, 4)))
    text = json.dumps(b.describe())
    assert '"kind": "robin"' in text and "callable" in text


# ---------------------------------------------------------------- issue 13.8: refused, not garbage
@pytest.mark.parametrize("make, fragment", [
    (lambda: fg.Dirichlet(np.array(np.nan)), "Dirichlet value must be finite"),   # gave an all-NaN solution
    (lambda: fg.Neumann([0.0, np.inf]), "must be finite"),
    (lambda: fg.Robin(1.0, np.array([1.0, 0.0, 1.0]), 0.0), "beta must be non-zero everywhere; got 1 zero"),
    (lambda: fg.Dirichlet(1 + 2j), "is complex"),
    (lambda: fg.Robin(np.ones(3) * (1 + 0j), 1.0, 0.0), "Robin alpha is a complex array"),
    (lambda: fg.Neumann(np.array(["a", "b"])), "accepted: real numbers"),
])
def test_bad_values_refused_at_construction(make, fragment):
    with pytest.raises(BoundaryError) as info:
        make()
    assert fragment in str(info.value)


def test_callables_checked_against_the_grid_when_resolved():
    g = fg.Grid((5, 5))
    for func in (lambda x: x, lambda x, y, z: x, np.sin):
        with pytest.raises(BoundaryError, match=r"face coordinates of a 2D grid; accepted: a callable value\(x, y\)"):
            resolve_bc({"x-": fg.Dirichlet(func), "*": fg.Neumann(0.0)}, g)
    ok = resolve_bc({"x-": fg.Dirichlet(lambda x, y, t=0.0: x + t), "*": fg.Neumann(lambda *c: 0.0 * c[0])}, g)
    assert ok.kinds()["x-"] == "dirichlet"
    with pytest.raises(BoundaryError, match="on face x- .*complex"):
        fg.Dirichlet(lambda x, y: 1j * x).evaluate("value", g, "x-")
    with pytest.raises(BoundaryError, match="beta on face y- must be non-zero"):
        fg.Robin(1.0, lambda x, y: 0.0 * x, 0.0).evaluate("beta", g, "y-")


def test_apply_bc_refuses_integer_arrays_instead_of_truncating():
    from fieldgrad.errors import ParameterError

    g = fg.Grid((5, 5))
    u = np.zeros(g.shape, dtype=np.int64)
    with pytest.raises(ParameterError, match="int64.*accepted: a float32 or float64 array"):
        fg.apply_bc(u, g, fg.Dirichlet(0.5))
    assert fg.apply_bc(np.zeros(g.shape, np.float32), g, fg.Dirichlet(0.5))[0, 2] == np.float32(0.5)
