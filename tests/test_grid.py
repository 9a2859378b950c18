import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import GridError, ShapeError


def test_node_centred_spacing_and_coords():
    g = fg.Grid((5, 3), extent=[(0, 1), (-1, 1)])
    assert g.spacing == (0.25, 1.0)
    np.testing.assert_array_equal(g.coords[1], [-1, 0, 1])
    assert g.ndim == 2 and g.shape == (5, 3) and g.origin == (0.0, -1.0)
    assert g.extent == ((0.0, 1.0), (-1.0, 1.0))


def test_periodic_axis_has_n_distinct_nodes():
    g = fg.Grid((4, 5), extent=[(0, 1), (0, 1)], periodic=(True, False))
    assert g.spacing == (0.25, 0.25)
    np.testing.assert_allclose(g.coords[0], [0, 0.25, 0.5, 0.75])
    assert g.extent[0] == (0.0, 1.0)


def test_spacing_and_origin_instead_of_extent():
    g = fg.Grid((3, 4, 5), spacing=(0.1, 0.2, 0.3), origin=(1, 2, 3))
    np.testing.assert_allclose(g.extent, [(1, 1.2), (2, 2.6), (3, 4.2)])


def test_mesh_is_ij_and_integrate_is_trapezoid():
    g = fg.Grid((11, 21), extent=[(0, 2), (0, 1)])
    X, Y = g.mesh()
    assert X.shape == (11, 21) and X[1, 0] == 0.2 and Y[0, 1] == 0.05
    assert g.integrate(X * Y) == pytest.approx(1.0, rel=1e-12)  # bilinear: trapezoid is exact
    gp = fg.Grid(8, extent=(0, 1), periodic=True)
    assert gp.integrate(np.sin(2 * np.pi * gp.coords[0]) + 1) == pytest.approx(1.0, rel=1e-12)


def test_round_trip_dict_and_repr():
    g = fg.Grid((5, 6, 7), extent=[(0, 1), (0, 2), (0, 3)], periodic=(False, True, False))
    assert fg.Grid.from_dict(g.to_dict()) == g
    assert "Grid(shape=(5, 6, 7)" in repr(g)


def test_face_helpers():
    g = fg.Grid((5, 6, 7))
    assert g.faces == ("x-", "x+", "y-", "y+", "z-", "z+")
    assert g.face_shape("y+") == (5, 7)
    X, Y, Z = g.face_mesh("y+")
    assert np.all(Y == 1.0) and X.shape == (5, 7)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(shape=(1, 5)), "shape[0] = 1"),
    (dict(shape=(2, 5), periodic=True), "periodic axis needs at least 3"),
    (dict(shape=(5, 5), extent=[(0, 1)]), "one entry per axis"),
    (dict(shape=(5, 5), extent=[(1, 0), (0, 1)]), "lo < hi"),
    (dict(shape=(5, 5), spacing=(0.1, -0.1)), "spacing[1]"),
    (dict(shape=(5, 5), spacing=0.0), "spacing[0]"),
    (dict(shape=(5, 5, 5, 5)), "1, 2 or 3 axes"),
    (dict(shape=(5.5, 5)), "integers"),
    (dict(shape=(5, 5), extent=[(0, 1), (0, 1)], spacing=0.1), "not both"),
])
def test_bad_grids(kwargs, fragment):
    with pytest.raises(GridError, match=None) as info:
        fg.Grid(**kwargs)
    assert fragment in str(info.value)


def test_shape_check_message():
    g = fg.Grid((4, 4))
    with pytest.raises(ShapeError, match=r"u has shape \(3, 4\); this grid needs \(4, 4\)"):
        g.check_shape(np.zeros((3, 4)))
