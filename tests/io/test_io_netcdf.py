"""The output .h5 is a netCDF-4 file for netCDF-C: netCDF4-python opens it and sees CF dims in the
order (time, z, y, x[, component]), the coordinates, text units and the values written.

Before format version 2 (``libver="latest"``) netCDF-C refused it ("NetCDF: HDF error")."""
import numpy as np
import pytest

from iohelpers import grid2, grid3, write_run

netCDF4 = pytest.importorskip("netCDF4", reason="netCDF4 not installed (pip install 'fieldgrad[test]')")


@pytest.mark.parametrize("make_grid", [grid3, grid2])
def test_netcdf4_python_reads_the_output(tmp_path, make_grid):
    g = make_grid()
    path = tmp_path / "run.h5"
    written = write_run(path, g, [0, 2, 4], units={"T": "K", "y": "mm"})
    axes = g.axis_names
    with netCDF4.Dataset(path) as nc:
        assert nc.data_model == "NETCDF4"
        assert nc.dimensions["time"].isunlimited() and len(nc.dimensions["time"]) == 3
        assert nc["T"].dimensions == ("time",) + axes[::-1]
        assert nc["q"].dimensions == ("time",) + axes[::-1] + ("component",)
        assert nc["T"].units == "K" and nc["y"].units == "mm" and nc["time"].units == "s"
        np.testing.assert_array_equal(nc["time"][:], [0.0, 1.0, 2.0])
        for a, name in enumerate(axes):
            np.testing.assert_array_equal(nc[name][:], g.coords[a])
        node = (4, 1, 3)[: g.ndim]  # an asymmetric node, given in fieldgrad order (x, y[, z])
        assert nc["T"][2][node[::-1]] == written[4]["T"][node]
        assert nc["q"][1][node[::-1] + (1,)] == written[2]["q"][(1,) + node]
