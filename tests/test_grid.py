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


# ---------------------------------------------------------------- issue 13.8: refused, not garbage
@pytest.mark.parametrize("kwargs, fragment", [
    (dict(shape=(5, 5), spacing=1e-200), "out of range"),         # 1/h^2 overflows to inf
    (dict(shape=(5, 5), spacing=(1.0, 1e200)), "spacing[1]"),     # h^2 overflows
    (dict(shape=(5,), extent=(0, 1e300)), "out of range"),
    (dict(shape=(5, 5), periodic="no"), "accepted: True/False"),  # a non-empty string is not 'true'
    (dict(shape=(5, 5), periodic=(1, 0)), "accepted: True/False"),
    (dict(shape=(5, 5), spacing=1 + 1j), "real numbers"),
    (dict(shape=(5,), extent=(0, 10**400)), "not a finite float64"),
])
def test_grids_that_would_compute_garbage_are_refused(kwargs, fragment):
    with pytest.raises(GridError) as info:
        fg.Grid(**kwargs)
    assert fragment in str(info.value)


def test_periodic_accepts_numpy_bools_and_size_is_exact():
    assert fg.Grid((5, 5), periodic=np.array([True, False])).periodic == (True, False)
    assert fg.Grid((5, 5), periodic=np.True_).periodic == (True, True)
    assert fg.Grid((10**7,) * 3).size == 10**21  # int64 would wrap to 3875820019684212736


def test_grid_that_cannot_fit_is_refused_before_allocating(monkeypatch):
    from fieldgrad import validation
    from fieldgrad.errors import FieldgradError, TooLargeError

    g = fg.Grid((2049, 2049, 2049))  # 64 GiB per float64 field
    monkeypatch.setattr(validation, "available_memory", lambda: 8 * 2**30)
    for call, need in ((g.zeros, "64.1"), (g.mesh, "192"), (g.quadrature_weights, "128")):
        with pytest.raises(TooLargeError, match=rf"grid: .* needs {need} GiB but only 8 GiB") as info:
            call()
        assert isinstance(info.value, FieldgradError) and isinstance(info.value, MemoryError)
    with pytest.raises(TooLargeError, match="shape"):
        fg.Grid((10**12,))  # its coordinate array alone is 8 TB


def test_a_tuple_is_not_a_grid():
    from fieldgrad.errors import ParameterTypeError

    u = np.ones((5, 5))
    for call in (lambda: fg.solve_poisson(u, (5, 5), fg.Dirichlet(0.0)),
                 lambda: fg.laplacian(u, (5, 5)),
                 lambda: fg.resolve_bc(fg.Dirichlet(0.0), (5, 5)),
                 lambda: fg.solve_heat(u, (5, 5), fg.Dirichlet(0.0), alpha=1.0, t_end=0.1)):
        with pytest.raises(ParameterTypeError, match=r"grid = \(5, 5\) is a tuple; accepted: a fieldgrad.Grid"):
            call()
