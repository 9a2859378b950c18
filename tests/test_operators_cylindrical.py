"""div and curl on axisymmetric (r, z) grids (``Grid(..., coords="cylindrical")``) against closed forms.

* ``div F = (1/r) d(r F_r)/dr + dF_z/dz``: exact for fields whose pieces the central differences
  and the one-sided closures reproduce (``(r, z)`` -> 3, ``grad(r^2 z) = (2rz, r^2)`` -> ``4z``);
  observed order 2 for ``F_r = r^3`` (-> ``4 r^2``) and a smooth non-polynomial field, measured
  separately on the axis row (the regular limit ``2 dF_r/dr + dF_z/dz``), the rows off the axis
  and the boundary rows; on an annulus (``r`` from ``r0 > 0``) too, and with boundary conditions
  on the normal components.
* ``curl`` returns the azimuthal component ``dF_r/dz - dF_z/dr``: exact for ``(rz, r^2)`` (-> ``-r``)
  and for gradients (-> 0), order 2 for a smooth field, axis row included.
* refusals name the function (order 4, CUDA, a condition on the axis, a 1D curl).
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BackendError, BoundaryError, GridError

NS = (17, 33, 65, 129)


def cyl(n, r=(0.0, 1.0), z=(0.0, 1.0), nz=None):
    return fg.Grid((n, n if nz is None else nz), extent=[r, z], coords="cylindrical")


def orders(errs):
    e = np.asarray(errs, dtype=float)
    return np.log2(e[:-1] / e[1:])  # each size halves h


def smooth(R, Z):
    """A regular field (F_r odd in r, F_z even) and its divergence, the axis row by its limit."""
    F = np.stack([np.sin(R) * np.cos(Z), np.cos(R) * np.sin(2 * Z)])
    sinc = np.where(R > 0, np.sin(R) / np.where(R > 0, R, 1.0), 1.0)
    d = (np.cos(R) + sinc) * np.cos(Z) + 2 * np.cos(R) * np.cos(2 * Z)
    return F, d


def test_div_of_r_z_is_three_and_of_a_gradient_exact():
    g = cyl(9, nz=6)
    R, Z = g.mesh()
    np.testing.assert_allclose(fg.div(np.stack([R, Z]), g), 3.0, atol=1e-12)
    # grad(r^2 z) = (2 r z, r^2): (1/r) d(2 r^2 z)/dr = 4 z, the axis row too
    np.testing.assert_allclose(fg.div(np.stack([2 * R * Z, R ** 2]), g), 4 * Z, atol=1e-12)
    # on an annulus (no axis): the same closed forms, every row
    ga = cyl(9, r=(0.5, 2.0), nz=6)
    R, Z = ga.mesh()
    np.testing.assert_allclose(fg.div(np.stack([R, Z]), ga), 3.0, atol=1e-12)
    np.testing.assert_allclose(fg.div(np.stack([2 * R * Z, R ** 2]), ga), 4 * Z, atol=1e-12)


def test_div_of_r_cubed_second_order_on_and_off_the_axis():
    axis, off = [], []
    for n in NS:
        g = cyl(n, nz=5)
        R, Z = g.mesh()
        d = fg.div(np.stack([R ** 3, np.zeros(g.shape)]), g)
        axis.append(np.abs(d[0]).max())
        off.append(np.abs(d[1:] - 4 * R[1:] ** 2).max())
    print("div r^3 axis", axis, orders(axis), "off axis", off, orders(off))
    assert np.all(orders(axis) > 1.95) and np.all(orders(off) > 1.95), (axis, off)
    h = 1.0 / (NS[-1] - 1)
    assert axis[-1] == pytest.approx(4 * h ** 2, rel=1e-6)  # 2 * (4 F_1 - F_2) / (2h) = -4 h^2


@pytest.mark.parametrize("r", [(0.0, 1.0), (0.5, 1.5)], ids=["axis", "annulus"])
def test_div_of_a_smooth_field_second_order_everywhere(r):
    errs = {"r- row": [], "interior": [], "boundary": [], "all": []}
    for n in NS:
        g = cyl(n, r=r)
        R, Z = g.mesh()
        F, exact = smooth(R, Z)
        e = np.abs(fg.div(F, g) - exact)
        errs["r- row"].append(e[0].max())  # the axis (regular limit) or the inner wall
        errs["interior"].append(e[1:-1, 1:-1].max())
        errs["boundary"].append(max(e[-1].max(), e[:, 0].max(), e[:, -1].max()))
        errs["all"].append(e.max())
    for part, err in errs.items():
        print(f"div smooth {r} {part}", err, orders(err))
        assert np.all(orders(err) > 1.9), (part, err)


def test_div_with_conditions_on_the_normal_components():
    """Dirichlet on r+ (F_r given there), Neumann on the z faces (outward dF_z/dn): order 2, and the
    Dirichlet value replaces the data's F_r on r+."""
    errs = []
    for n in NS:
        g = cyl(n)
        R, Z = g.mesh()
        F, exact = smooth(R, Z)
        bc = {"r+": fg.Dirichlet(lambda r, z: np.sin(r) * np.cos(z)),
              "z-": fg.Neumann(lambda r, z: -2 * np.cos(r) * np.cos(2 * z)),
              "z+": fg.Neumann(lambda r, z: 2 * np.cos(r) * np.cos(2 * z))}
        Fw = F.copy()
        Fw[0, -1] = 99.0  # replaced by the Dirichlet value
        errs.append(np.abs(fg.div(Fw, g, bc) - exact).max())
    print("div with bc", errs, orders(errs))
    assert np.all(orders(errs) > 1.9), errs


def test_the_axis_holds_no_radial_component():
    """F_r on the axis is taken as 0 (no flow through the axis): the given value is not read."""
    g = cyl(17)
    R, Z = g.mesh()
    F, _ = smooth(R, Z)
    G = F.copy()
    G[0, 0] = 5.0
    np.testing.assert_array_equal(fg.div(F, g), fg.div(G, g))
    # leaving the r- face out and giving it the regularity condition Neumann(0) are the same
    np.testing.assert_array_equal(fg.div(F, g), fg.div(F, g, {"r-": fg.Neumann(0.0)}))


def test_div_keeps_float32_and_writes_out():
    g = cyl(9)
    R, Z = g.mesh()
    v = np.stack([R, Z]).astype(np.float32)
    out = np.empty(g.shape, np.float32)
    res = fg.div(v, g, out=out)
    assert res is out and res.dtype == np.float32
    np.testing.assert_allclose(res, 3.0, atol=1e-5)


def test_div_on_a_1d_radial_grid():
    g = fg.Grid((9,), extent=[(0.0, 1.0)], coords="cylindrical")
    r = g.coords[0]
    np.testing.assert_allclose(fg.div((r ** 2)[None], g)[1:-1], 3 * r[1:-1], atol=1e-12)
    np.testing.assert_allclose(fg.div(r[None], g), 2.0, atol=1e-12)


def test_curl_is_the_azimuthal_component():
    g = cyl(9, nz=7)
    R, Z = g.mesh()
    # d(rz)/dz - d(r^2)/dr = r - 2r
    np.testing.assert_allclose(fg.curl(np.stack([R * Z, R ** 2]), g), -R, atol=1e-12)
    # a gradient has no curl: grad(r^2 z) = (2 r z, r^2)
    np.testing.assert_allclose(fg.curl(np.stack([2 * R * Z, R ** 2]), g), 0.0, atol=1e-12)
    # the same node data on a Cartesian grid give the z component of (x, y, z): the opposite sign
    # (off the axis row, where the cylindrical grid takes dF_z/dr = 0 and the Cartesian one differences)
    gx = fg.Grid(g.shape, extent=[(0, 1), (0, 1)])
    F = np.stack([np.sin(3 * R) * Z ** 2, np.cos(R) * Z])
    np.testing.assert_allclose(fg.curl(F, g)[1:], -fg.curl(F, gx)[1:], atol=1e-12)


def test_curl_second_order_with_the_axis_row():
    errs, axis = [], []
    for n in NS:
        g = cyl(n)
        R, Z = g.mesh()
        F = np.stack([np.sin(R) * np.sin(Z), np.cos(R) * np.cos(Z)])
        e = np.abs(fg.curl(F, g) - 2 * np.sin(R) * np.cos(Z))
        errs.append(e.max())
        axis.append(e[0].max())
    print("curl smooth", errs, orders(errs), "axis row", axis)
    assert np.all(orders(errs) > 1.9), errs
    assert max(axis) < 1e-12  # regular field: F_r = 0 and dF_z/dr = 0 on the axis


def test_what_stays_refused_names_the_function():
    g = cyl(9)
    v = np.zeros((2,) + g.shape)
    with pytest.raises(GridError, match=r"div\(order=4\).*cylindrical"):
        fg.div(v, g, order=4)
    with pytest.raises(GridError, match=r"curl\(order=4\).*cylindrical"):
        fg.curl(v, g, order=4)
    with pytest.raises(GridError, match=r"laplacian\(order=4\).*cylindrical"):
        fg.laplacian(v[0], g, order=4)
    # the cylindrical div runs on CUDA too (tests/backends/test_cuda_rows.py); without CUDA the
    # BackendError says why CUDA cannot run
    if fg.backends.cuda_available():
        np.testing.assert_allclose(fg.div(v + 1.0, g, backend="cuda").copy_to_host(), fg.div(v + 1.0, g),
                                   rtol=1e-12)
    else:
        with pytest.raises(BackendError, match="backend 'cuda'"):
            fg.div(v, g, backend="cuda")
    with pytest.raises(BoundaryError, match="symmetry axis"):
        fg.div(v, g, {"r-": fg.Dirichlet(0.0)})
    g1 = fg.Grid((9,), coords="cylindrical")
    with pytest.raises(GridError, match="curl needs a 2D or 3D grid"):
        fg.curl(np.zeros((1, 9)), g1)
    with pytest.raises(fg.errors.ParameterError, match="order must be 2 or 4"):
        fg.div(v, g, order=3)
