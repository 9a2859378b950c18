"""MPI-joined output (PartsWriter: per-rank files joined by HDF5 virtual datasets) opened in real
VTK and in netCDF4-python: the same orientation, bounds, spacing, times and values as a serial
file.  Ranks write blocks of the closed-form fields of tests/fieldformula.py under
``mpiexec -n 2`` and ``-n 3`` (uneven blocks); skipped, with the reason, only when mpi4py,
mpiexec or the vtk wheel is missing."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")
from vtkread import array, check_image, field_T, grid_fields, open_netcdf, open_xdmf, points, value_at  # noqa: E402

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from mpi_parts_vtk import GRIDS, TIMES  # noqa: E402
from test_mpi import _mpiexec  # noqa: E402


@pytest.fixture(scope="module", params=[2, 3])
def joined(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"parts{request.param}")
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(_mpiexec() + ["-n", str(request.param), sys.executable, str(HERE / "mpi_parts_vtk.py"),
                                        str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return out


def geometry(g):
    flat = 3 - g.ndim
    lo = [c[0] for c in g.coords] + [0.0] * flat
    hi = [c[-1] for c in g.coords] + [0.0] * flat
    h = [(b - a) / (n - 1) for a, b, n in zip(lo, hi, g.shape)] + [0.0] * flat
    return lo, hi, h, tuple(g.shape) + (1,) * flat


@pytest.mark.parametrize("name", ["run3", "run2"])
def test_joined_file_in_vtk(joined, name):
    g = GRIDS[name]
    x, y, z = (tuple(c[i] for c, i in zip(g.coords, (9, 2, 5))) + (0.0,))[:3]  # an asymmetric node
    dims = "(z, y, x)" if g.ndim == 3 else "(y, x)"
    for t in TIMES:
        for ds, times in (open_xdmf(joined / f"{name}.xmf", t), open_netcdf(joined / f"{name}.h5", t, dims)):
            assert ds is not None
            np.testing.assert_array_equal(times, TIMES)
            check_image(ds, *geometry(g))
            P = points(ds)
            np.testing.assert_allclose(array(ds, "T"), field_T(P[:, 0], P[:, 1], P[:, 2], t), rtol=1e-13, atol=0)
            assert value_at(ds, "T", (x, y, z)) == field_T(x, y, z, t)
        ds, _ = open_xdmf(joined / f"{name}.xmf", t)
        want = field_T(P[:, 0], P[:, 1], P[:, 2], t)
        for c, a in enumerate(g.axis_names):
            np.testing.assert_allclose(array(ds, f"q_{a}"), (c + 1) * want, rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", ["run3", "run2"])
def test_joined_file_in_fieldgrad_and_netcdf4(joined, name):
    import fieldgrad.io as fio

    g = GRIDS[name]
    with fio.open(joined / f"{name}.h5") as f:
        assert f.format_version == 2 and f.times.tolist() == TIMES
        for i, t in enumerate(TIMES):
            want = grid_fields(g, t)
            np.testing.assert_array_equal(f["T"][i], want["T"])
            np.testing.assert_array_equal(f["q"][i], want["q"])
    netCDF4 = pytest.importorskip("netCDF4", reason="netCDF4 not installed (pip install 'fieldgrad[test]')")
    with netCDF4.Dataset(joined / f"{name}.h5") as nc:
        assert nc["T"].dimensions == ("time",) + g.axis_names[::-1]
        np.testing.assert_array_equal(nc["T"][2], grid_fields(g, TIMES[2])["T"].T)
