"""The output file opens with xarray (engine h5netcdf) with the right dims, coords and values."""
import numpy as np
import pytest

from iohelpers import grid2, grid3, write_run

xr = pytest.importorskip("xarray", reason="xarray not installed (pip install fieldgrad[xarray])")
pytest.importorskip("h5netcdf", reason="h5netcdf not installed (pip install fieldgrad[xarray])")


@pytest.mark.parametrize("make_grid", [grid3, grid2])
def test_open_dataset_h5netcdf(tmp_path, make_grid):
    g = make_grid()
    path = tmp_path / "run.h5"
    written = write_run(path, g, [0, 2, 4], units={"T": "K", "x": "cm"})
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        axes = g.axis_names
        assert ds["T"].dims == ("time",) + axes
        assert ds["q"].dims == ("time", "component") + axes
        assert ds.sizes["time"] == 3
        for axis, name in enumerate(axes):
            np.testing.assert_array_equal(ds[name].values, g.coords[axis])
        np.testing.assert_array_equal(ds["time"].values, [0.0, 1.0, 2.0])
        assert list(ds["component"].values) == list(axes)
        assert ds["T"].attrs["units"] == "K" and ds["x"].attrs["units"] == "cm"
        assert ds.attrs["Conventions"].startswith("CF-")
        np.testing.assert_array_equal(ds["T"].isel(time=1).values, written[2]["T"])
        np.testing.assert_array_equal(ds["q"].sel(component=axes[-1]).isel(time=2).values,
                                      written[4]["q"][-1])
