"""A pinned copy of what fieldgrad's writer produced in format version 1 (before frames were stored
axis-reversed), so the tests can make old files without the old code.

Version 1: ``libver="latest"``, variable-length text attributes, coordinates with ``axis``
attributes, scalars ``(time, x, y[, z])``, vectors ``(time, component, x, y[, z])``.  Keep this
file as it is: it stands for files that exist on users' disks.
"""
import json

import h5py
import numpy as np


def write_v1(path, grid, frames, steps, times, units=None):
    """Write ``frames`` (list of dicts name -> array in fieldgrad order) as a version-1 file."""
    units = units or {}
    first = frames[0]
    kinds = {n: ("scalar" if a.shape == grid.shape else "vector") for n, a in first.items()}
    with h5py.File(path, "w", libver="latest") as h5:
        a = h5.attrs
        a["Conventions"] = "CF-1.10"
        a["fieldgrad_format"] = "fieldgrad-output"
        a["fieldgrad_format_version"] = 1
        a["fieldgrad_version"] = "0.9"
        a["grid"] = json.dumps(grid.to_dict())
        a["field_names"] = json.dumps(list(first))
        a["boundary_conditions"] = json.dumps(None)
        a["parameters"] = json.dumps({"alpha": 1.0})
        a["title"] = "fieldgrad simulation output"
        a["history"] = "2026-01-01T00:00:00 created by fieldgrad.io.HDF5Writer"
        a["writer_host"] = "elsewhere"
        a["writer_pid"] = 1
        for axis, name in enumerate(grid.axis_names):
            d = h5.create_dataset(name, data=np.asarray(grid.coords[axis], dtype=np.float64))
            d.attrs["units"] = units.get(name, "m")
            d.attrs["long_name"] = f"{name} coordinate"
            d.attrs["axis"] = name.upper()
            d.attrs["periodic"] = int(grid.periodic[axis])
            d.make_scale(name)
        t = h5.create_dataset("time", data=np.asarray(times, dtype=np.float64), maxshape=(None,), chunks=(256,))
        t.attrs["units"] = "s"
        t.attrs["long_name"] = "simulation time"
        t.attrs["axis"] = "T"
        t.make_scale("time")
        s = h5.create_dataset("step", data=np.asarray(steps, dtype=np.int64), maxshape=(None,), chunks=(256,))
        s.attrs["long_name"] = "time step number"
        s.attrs["units"] = "1"
        s.dims[0].attach_scale(t)
        if "vector" in kinds.values():
            c = h5.create_dataset("component", data=np.array(grid.axis_names, dtype=object),
                                  dtype=h5py.string_dtype("utf-8"))
            c.attrs["long_name"] = "vector component"
            c.make_scale("component")
        for name, kind in kinds.items():
            data = np.stack([f[name] for f in frames])
            d = h5.create_dataset(name, data=data, maxshape=(None,) + data.shape[1:], chunks=(1,) + data.shape[1:])
            d.attrs["units"] = units.get(name, "1")
            d.attrs["long_name"] = name
            d.attrs["fieldgrad_kind"] = kind
            dims = ["time"] + (["component"] if kind == "vector" else []) + list(grid.axis_names)
            for i, dim in enumerate(dims):
                d.dims[i].attach_scale(h5[dim])
