"""The output file opens with xarray (engines h5netcdf and netcdf4) with the right dims, coords and
values: named dims in the stored CF order (time, z, y, x), the values those names say."""
import numpy as np
import pytest

from iohelpers import grid2, grid3, write_run

xr = pytest.importorskip("xarray", reason="xarray not installed (pip install fieldgrad[xarray])")
pytest.importorskip("h5netcdf", reason="h5netcdf not installed (pip install fieldgrad[xarray])")


@pytest.mark.parametrize("engine", ["h5netcdf", "netcdf4"])
@pytest.mark.parametrize("make_grid", [grid3, grid2])
def test_open_dataset(tmp_path, make_grid, engine):
    if engine == "netcdf4":
        pytest.importorskip("netCDF4", reason="netCDF4 not installed (pip install fieldgrad[test])")
    g = make_grid()
    path = tmp_path / "run.h5"
    written = write_run(path, g, [0, 2, 4], units={"T": "K", "x": "cm"})
    with xr.open_dataset(path, engine=engine) as ds:
        axes = g.axis_names
        assert ds["T"].dims == ("time",) + axes[::-1]
        assert ds["q"].dims == ("time",) + axes[::-1] + ("component",)
        assert ds.sizes["time"] == 3
        for axis, name in enumerate(axes):
            np.testing.assert_array_equal(ds[name].values, g.coords[axis])
        np.testing.assert_array_equal(ds["time"].values, [0.0, 1.0, 2.0])
        assert list(ds["component"].values) == list(axes)
        assert ds["T"].attrs["units"] == "K" and ds["x"].attrs["units"] == "cm"
        assert ds.attrs["Conventions"].startswith("CF-")
        # named dims: transposed to fieldgrad's (x, y, z) the values are the arrays written
        np.testing.assert_array_equal(ds["T"].isel(time=1).transpose(*axes).values, written[2]["T"])
        np.testing.assert_array_equal(ds["q"].sel(component=axes[-1]).isel(time=2).transpose(*axes).values,
                                      written[4]["q"][-1])
        # an asymmetric node picked by coordinate labels
        i, j = 2, 1
        at = {a: g.coords[k][[i, j, 3][k]] for k, a in enumerate(axes)}
        np.testing.assert_array_equal(ds["T"].isel(time=2).sel(at).values, written[4]["T"][(i, j, 3)[:g.ndim]])
