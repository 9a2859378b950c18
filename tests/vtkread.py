"""Open fieldgrad output in real VTK (the ``vtk`` wheel) and check it against a formula.

Shared by tests/io and tests/distributed.  Two readers, as ParaView users open the results:
``vtkXdmfReader`` through the ``.xmf`` sidecar and ``vtkNetCDFCFReader`` on the ``.h5`` itself.
The expected values come from closed-form functions of the point coordinates that VTK reports
(tests/fieldformula.py), never from fieldgrad.
"""
import numpy as np
import pytest

from fieldformula import field_T, field_q, grid_fields  # noqa: F401  (re-exported for the tests)

vtk = pytest.importorskip("vtk", reason="the vtk wheel is not installed (pip install 'fieldgrad[test]')")


def _read(reader, time):
    reader.UpdateInformation()
    info = reader.GetOutputInformation(0)
    key = vtk.vtkStreamingDemandDrivenPipeline.TIME_STEPS()
    times = [info.Get(key, i) for i in range(info.Length(key))] if info.Has(key) else []
    reader.UpdateTimeStep(time)
    return reader.GetOutputDataObject(0), times


def open_xdmf(path, time):
    """``(vtkImageData, times)`` of an ``.xmf`` sidecar at ``time``, read by vtkXdmfReader."""
    r = vtk.vtkXdmfReader()
    r.SetFileName(str(path))
    return _read(r, time)


def open_netcdf(path, time, dimensions=None):
    """``(vtkImageData, times)`` of an ``.h5`` read by vtkNetCDFCFReader with its defaults (as
    ParaView opens it); ``dimensions`` picks the variables, e.g. ``"(z, y, x)"``, as ParaView's
    "Dimensions" property does when the file also holds vector fields."""
    r = vtk.vtkNetCDFCFReader()
    r.SetFileName(str(path))
    if dimensions is not None:
        r.UpdateMetaData()
        r.SetDimensions(dimensions)
    return _read(r, time)


def points(ds):
    """Every point's coordinates, shape (npoints, 3), in VTK's point order."""
    return np.array([ds.GetPoint(i) for i in range(ds.GetNumberOfPoints())])


def array(ds, name):
    """A point-data array as numpy, shape (npoints,) or (npoints, ncomponents)."""
    a = ds.GetPointData().GetArray(name)
    assert a is not None, f"VTK output has no point array {name!r}; it has " + str(
        [ds.GetPointData().GetArrayName(i) for i in range(ds.GetPointData().GetNumberOfArrays())])
    n = a.GetNumberOfComponents()
    out = np.array([a.GetTuple(i) for i in range(a.GetNumberOfTuples())])
    return out[:, 0] if n == 1 else out


def check_image(ds, lo, hi, spacing, shape):
    """VTK's image geometry: bounds ``lo..hi`` per VTK axis X, Y, Z, ``spacing`` and point
    counts ``shape`` (3 entries each; a 2D result has Z = 0 and one point along it)."""
    assert ds.IsA("vtkImageData"), f"expected image data, VTK made a {ds.GetClassName()}"
    b = np.array(ds.GetBounds()).reshape(3, 2)
    np.testing.assert_allclose(b[:, 0], lo, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b[:, 1], hi, rtol=0, atol=1e-12)
    assert tuple(ds.GetDimensions()) == tuple(shape)
    for axis in range(3):
        if shape[axis] > 1:
            assert abs(ds.GetSpacing()[axis] - spacing[axis]) < 1e-12


def value_at(ds, name, xyz):
    """The value of point array ``name`` at the point ``xyz`` (which must be a grid point)."""
    pid = ds.FindPoint(*xyz)
    np.testing.assert_allclose(ds.GetPoint(pid), xyz, rtol=0, atol=1e-12)
    a = ds.GetPointData().GetArray(name)
    tup = a.GetTuple(pid)
    return tup[0] if len(tup) == 1 else np.array(tup)
