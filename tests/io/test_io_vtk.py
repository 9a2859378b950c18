"""Output opened in real VTK, as ParaView opens it: vtkXdmfReader through the ``.xmf`` sidecar and
vtkNetCDFCFReader on the ``.h5``.  fieldgrad's x must be VTK's X, y Y, z Z (a 2D result in the
X-Y plane), with the grid's bounds and spacing, the frame times, and at every point the value
of the closed-form field written there (tests/vtkread.py).

Grids have a different node count, origin and spacing on every axis, so a swapped, mirrored or
shifted axis fails.  Before format version 2 the XDMF reader put fieldgrad's z on VTK's X and the
NetCDF reader refused the file ("NetCDF: HDF error").
"""
import numpy as np
import pytest

from fieldgrad import Grid
from fieldgrad.io import HDF5Writer
from iohelpers import fake_sim
from vtkread import (array, check_image, field_T, grid_fields, open_netcdf, open_xdmf, points,
                     value_at)

TIMES = [0.0, 0.25, 0.75]


def grid3():
    return Grid((7, 5, 4), extent=[(0.0, 1.2), (-1.0, 1.0), (2.0, 2.9)])


def grid2():
    return Grid((6, 4), extent=[(0.5, 3.0), (-1.0, 0.2)])


def vtk_geometry(g):
    """(lo, hi, spacing, shape) that VTK must show, from the grid's extents (2D: Z flat at 0)."""
    lo = [c[0] for c in g.coords] + [0.0] * (3 - g.ndim)
    hi = [c[-1] for c in g.coords] + [0.0] * (3 - g.ndim)
    h = [(b - a) / (n - 1) for a, b, n in zip(lo, hi, g.shape)] + [0.0] * (3 - g.ndim)
    return lo, hi, h, tuple(g.shape) + (1,) * (3 - g.ndim)


def write(path, g, times, fields=("T", "q"), steps=None, **kw):
    sim = fake_sim(g)
    w = HDF5Writer(path, fields=list(fields), **kw)
    w.open(sim)
    for s, t in zip(steps or range(len(times)), times):
        sim.step, sim.t = s, t
        w.write(t, {k: v for k, v in grid_fields(g, t).items() if k in fields})
    w.close()


def check_everywhere(ds, g, t, vector=True):
    """Bounds, spacing, and the formula's value at every VTK point (scalar and vector)."""
    check_image(ds, *vtk_geometry(g))
    P = points(ds)
    want = field_T(P[:, 0], P[:, 1], P[:, 2], t)
    np.testing.assert_allclose(array(ds, "T"), want, rtol=1e-13, atol=0)
    if vector:
        for c, a in enumerate(g.axis_names):
            np.testing.assert_allclose(array(ds, f"q_{a}"), (c + 1) * want, rtol=1e-13, atol=0)


def asymmetric_node(g):
    """The coordinates (VTK X, Y, Z) of node (4, 1, 2) (2D: (4, 1) at z = 0)."""
    idx = (4, 1, 2)[: g.ndim]
    return tuple(g.coords[a][i] for a, i in enumerate(idx)) + (0.0,) * (3 - g.ndim)


@pytest.mark.parametrize("make_grid", [grid3, grid2])
def test_xdmf_in_vtk_is_oriented(tmp_path, make_grid):
    g = make_grid()
    write(tmp_path / "run.h5", g, TIMES)
    for t in TIMES:
        ds, times = open_xdmf(tmp_path / "run.xmf", t)
        assert times == TIMES
        check_everywhere(ds, g, t)
        x, y, z = asymmetric_node(g)
        assert value_at(ds, "T", (x, y, z)) == field_T(x, y, z, t)
    if g.ndim == 3:  # the whole vector, for glyphs and stream lines
        np.testing.assert_allclose(array(ds, "q"), np.outer(array(ds, "T"), [1.0, 2.0, 3.0]), rtol=1e-13)


@pytest.mark.parametrize("make_grid", [grid3, grid2])
def test_netcdf_cf_reader_opens_the_h5(tmp_path, make_grid):
    g = make_grid()
    write(tmp_path / "scalar.h5", g, TIMES, fields=("T",))
    write(tmp_path / "both.h5", g, TIMES)
    dims = "(z, y, x)" if g.ndim == 3 else "(y, x)"
    for name, dimensions in (("scalar.h5", None), ("both.h5", dims)):
        for t in TIMES:
            ds, times = open_netcdf(tmp_path / name, t, dimensions)
            assert ds is not None, f"vtkNetCDFCFReader could not read {name}"
            np.testing.assert_array_equal(times, TIMES)
            check_everywhere(ds, g, t, vector=False)
            x, y, z = asymmetric_node(g)
            assert value_at(ds, "T", (x, y, z)) == field_T(x, y, z, t)


def test_appended_run_in_vtk(tmp_path):
    g = grid3()
    path = tmp_path / "run.h5"
    write(path, g, TIMES[:2], steps=[0, 1])
    # restart from step 1: its frame is written again (replaced), then step 2 is added
    sim = fake_sim(g, step=1, t=TIMES[1])
    w = HDF5Writer(path, append=True)
    w.open(sim)
    for s, t in ((1, TIMES[1]), (2, TIMES[2])):
        sim.step, sim.t = s, t
        w.write(t, grid_fields(g, t))
    w.close()
    for t in TIMES:
        ds, times = open_xdmf(tmp_path / "run.xmf", t)
        assert times == TIMES
        check_everywhere(ds, g, t)
        ds, times = open_netcdf(path, t, "(z, y, x)")
        np.testing.assert_array_equal(times, TIMES)
        check_everywhere(ds, g, t, vector=False)
