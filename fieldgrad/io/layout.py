"""The on-disk layout of a fieldgrad output file, shared by the writer, the reader and recovery.

Layout (HDF5, format version 2; readable by h5py, by netCDF-4 clients -- netCDF4-python, xarray
with the ``h5netcdf`` or ``netcdf4`` engine, VTK/ParaView's NetCDF CF reader -- and, through the
``.xmf`` sidecar, by ParaView / VisIt):

* ``/x``, ``/y`` [, ``/z``]: node coordinates, HDF5 dimension scales.
* ``/time``: simulation time of every frame, unlimited, a dimension scale (``axis = "T"``).
* ``/step``: the step number of every frame (dims ``(time,)``).
* ``/component``: ``"x", "y"[, "z"]``, a dimension scale, present when a vector field is written.
* one dataset per field, unlimited along ``time``, chunked one frame per chunk or smaller,
  attributes ``units``, ``long_name`` and ``fieldgrad_kind``.  A frame is stored as the
  axis-reversed array (``a.T``): scalars ``(time, [z,] y, x)``, vectors
  ``(time, [z,] y, x, component)``.  x is then the fastest-varying axis on disk, which is the
  point order of VTK image data and the dimension order of CF/netCDF, so ParaView (through the
  ``.xmf``) and netCDF tools show fieldgrad's x on their X axis with no copy or mapping;
  :func:`fieldgrad.io.open` / :func:`~fieldgrad.io.load` hand arrays back in fieldgrad's
  ``(x, y, z)`` order.
* root attributes: ``Conventions`` (CF), ``fieldgrad_format``, ``fieldgrad_format_version``,
  ``fieldgrad_version``, ``grid``, ``boundary_conditions`` and ``parameters`` (JSON text),
  ``title``, ``history``, ``field_names`` (JSON list).

Format version 1 (fieldgrad before the orientation fix) stored frames unreversed,
``(time, x, y[, z])`` and ``(time, component, x, y[, z])``; :func:`fieldgrad.io.open` still reads
it (:func:`reversed_on_disk` tells the two apart) and appending to such a file first rewrites it
in version 2.

Files are created with :data:`LIBVER`: HDF5 1.10 object formats, the oldest that SWMR needs and
that every netCDF-C / VTK build of the last years reads (``libver="latest"`` makes objects that
netCDF-C built against an older HDF5 refuses with "NetCDF: HDF error").  Variable attributes are
fixed-length text (netCDF ``NC_CHAR``), which netCDF readers such as VTK's take as text.

A frame is committed when ``/time`` grows: the writer extends every field first and ``/time``
last, so after a crash the frame count is ``len(/time)`` and any longer field holds at most one
partial frame beyond it.
"""
from __future__ import annotations

import json
import math

import numpy as np

from ..errors import FileFormatError, ParameterError, describe

FORMAT_NAME = "fieldgrad-output"
FORMAT_VERSION = 2
#: The first format version whose frames are stored axis-reversed (x fastest).
REVERSED_SINCE = 2
#: HDF5 object-format range for every file fieldgrad writes (see the module docstring).
LIBVER = ("v110", "v110")
CONVENTIONS = "CF-1.10"
#: Largest chunk (bytes) before a frame is split along its leading spatial axis.
CHUNK_BYTES = 8 * 2**20
RESERVED = ("x", "y", "z", "time", "step", "component")
COMPRESSIONS = ("gzip", "lzf", None)

DEFAULT_LONG_NAMES = {
    "T": "temperature", "temperature": "temperature", "u": "solution", "phi": "electric potential",
    "p": "pressure", "q": "heat flux", "E": "electric field", "flux": "flux", "source": "source",
}


def version():
    """The installed fieldgrad version (``"unknown"`` if it cannot be found)."""
    try:
        from importlib.metadata import version as _v

        return _v("fieldgrad")
    except Exception:  # pragma: no cover - not installed as a distribution
        return "unknown"


def check_compression(compression):
    """Validate a ``compression`` argument; returns h5py keyword arguments."""
    if compression not in COMPRESSIONS:
        raise ParameterError(f"compression must be 'gzip', 'lzf' or None; got {describe(compression)}")
    if compression is None:
        return {}
    if compression == "gzip":
        return {"compression": "gzip", "compression_opts": 4, "shuffle": True}
    return {"compression": "lzf", "shuffle": True}


def field_kind(name, arr, grid):
    """``"scalar"`` or ``"vector"`` for an array on ``grid``; raises :class:`ShapeError` otherwise."""
    from ..errors import ShapeError

    shape = np.shape(arr)
    if shape == grid.shape:
        return "scalar"
    if shape == (grid.ndim,) + grid.shape:
        return "vector"
    raise ShapeError(
        f"field {name!r} has shape {shape}; this grid accepts {grid.shape} (scalar) or "
        f"{(grid.ndim,) + grid.shape} (vector)"
    )


def check_field_name(name):
    """Field names become dataset names: no '/', not a reserved coordinate name."""
    if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
        raise ParameterError(f"field name must be a non-empty string without '/'; got {describe(name)}")
    if name in RESERVED:
        raise ParameterError(f"field name {name!r} is reserved for a coordinate; reserved names are {list(RESERVED)}")


def frame_chunks(frame_shape, itemsize):
    """Chunk shape for one frame: the whole frame, split along leading axes until it fits
    :data:`CHUNK_BYTES`.

    Example
    -------
    >>> frame_chunks((3, 128, 128, 128), 8)  # 48 MiB -> 8 MiB chunks
    (1, 1, 64, 128, 128)
    """
    chunk = list(frame_shape)
    for axis in range(len(chunk)):
        while math.prod(chunk) * itemsize > CHUNK_BYTES and chunk[axis] > 1:
            chunk[axis] = (chunk[axis] + 1) // 2
    return (1,) + tuple(chunk)


def create_layout(h5, grid, specs, *, attrs, units=None, long_names=None, compression=None):
    """Create coordinates, ``time``/``step`` and empty field datasets in an open, empty h5py file.

    Parameters
    ----------
    h5 : h5py.File
        Open for writing, empty.
    grid : Grid
    specs : dict
        Field name -> ``(kind, dtype)`` with kind ``"scalar"`` or ``"vector"``.
    attrs : dict
        Extra root attributes (JSON text already encoded for dicts).
    units, long_names : dict or None
        Name -> text, for fields and for ``"x"``, ``"y"``, ``"z"``, ``"time"``.
    compression : {"gzip", "lzf", None}

    Returns
    -------
    None
    """
    units = dict(units or {})
    long_names = dict(long_names or {})
    filt = check_compression(compression)
    root = h5.attrs
    root["Conventions"] = CONVENTIONS
    root["fieldgrad_format"] = FORMAT_NAME
    root["fieldgrad_format_version"] = FORMAT_VERSION
    root["fieldgrad_version"] = version()
    root["grid"] = json.dumps(grid.to_dict())
    root["field_names"] = json.dumps(list(specs))
    for key, value in attrs.items():
        root[key] = value

    for axis, name in enumerate(grid.axis_names):
        d = h5.create_dataset(name, data=np.asarray(grid.coords[axis], dtype=np.float64))
        # no CF ``axis`` attribute here: VTK's NetCDF CF reader takes axis X/Y as longitude/latitude
        # and would wrap the box onto a sphere; plain length units keep it Cartesian
        d.attrs["units"] = text_attr(units.get(name, "m"))
        d.attrs["long_name"] = text_attr(long_names.get(name, f"{name} coordinate"))
        d.attrs["periodic"] = int(grid.periodic[axis])
        d.make_scale(name)
    t = h5.create_dataset("time", shape=(0,), maxshape=(None,), dtype=np.float64, chunks=(256,))
    t.attrs["units"] = text_attr(units.get("time", "s"))
    t.attrs["long_name"] = text_attr(long_names.get("time", "simulation time"))
    t.attrs["axis"] = text_attr("T")
    t.make_scale("time")
    s = h5.create_dataset("step", shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(256,))
    s.attrs["long_name"] = text_attr("time step number")
    s.attrs["units"] = text_attr("1")
    s.dims[0].attach_scale(t)
    if any(kind == "vector" for kind, _ in specs.values()):
        component_scale(h5, grid)

    for name, (kind, dtype) in specs.items():
        check_field_name(name)
        frame = disk_frame_shape(kind, grid)
        dtype = np.dtype(dtype)
        d = h5.create_dataset(name, shape=(0,) + frame, maxshape=(None,) + frame, dtype=dtype,
                              chunks=frame_chunks(frame, dtype.itemsize), **filt)
        describe_field(h5, d, name, kind, grid, units, long_names)


def text_attr(value):
    """An attribute value as fixed-length UTF-8 text (netCDF ``NC_CHAR``): VTK's netCDF readers
    read ``units`` and ``axis`` only in that form (h5py's default variable-length strings become
    ``NC_STRING``, which they skip).  Bytes are kept as they are."""
    if isinstance(value, (bytes, np.bytes_)):
        return np.bytes_(value)
    return np.bytes_(str(value).encode("utf-8"))


def disk_dims(kind, axis_names):
    """Dimension names of a field dataset in format version 2: ``time``, the grid axes reversed,
    then ``component`` for a vector.

    Example
    -------
    >>> disk_dims("vector", ("x", "y", "z"))
    ('time', 'z', 'y', 'x', 'component')
    """
    return ("time",) + tuple(reversed(axis_names)) + (("component",) if kind == "vector" else ())


def disk_frame_shape(kind, grid):
    """Shape of one stored frame: ``grid.shape`` reversed, plus ``ndim`` components last."""
    return tuple(reversed(grid.shape)) + ((grid.ndim,) if kind == "vector" else ())


def to_disk(frame):
    """A frame in fieldgrad order (``(x, y, z)``, vectors ``(ndim, x, y, z)``) as stored: its
    axis-reversed transpose, C-contiguous (ready for a direct chunk write).

    Example
    -------
    >>> a = np.arange(6.0).reshape(3, 2)
    >>> to_disk(a).shape, bool((to_disk(a).T == a).all())
    ((2, 3), True)
    """
    from .reverse import reverse_axes

    return reverse_axes(frame)


def attr_text(attrs, key, default=""):
    """A text attribute as ``str`` whichever way it was stored (fixed-length bytes or not)."""
    value = attrs.get(key, default)
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8")
    return str(value)


def field_specs(h5, names):
    """Name -> ``(kind, dtype)`` of the fields of an open output file."""
    return {n: (attr_text(h5[n].attrs, "fieldgrad_kind", "scalar"), h5[n].dtype) for n in names}


def format_version(h5):
    """The ``fieldgrad_format_version`` of an open file (1 when absent: the oldest files)."""
    return int(h5.attrs.get("fieldgrad_format_version", 1))


def reversed_on_disk(h5):
    """True when the file's frames are stored axis-reversed (format version 2 and later)."""
    return format_version(h5) >= REVERSED_SINCE


def component_scale(h5, grid):
    """The ``component`` dimension scale of vector fields ("x", "y"[, "z"]), created once."""
    if "component" in h5:
        return h5["component"]
    c = h5.create_dataset("component", data=np.array(grid.axis_names, dtype=object), dtype=_str_dtype())
    c.attrs["long_name"] = text_attr("vector component")
    c.make_scale("component")
    return c


def describe_field(h5, d, name, kind, grid, units=None, long_names=None):
    """Give a field dataset (plain or virtual) its attributes and dimension scales: dims
    :func:`disk_dims`, ``units``, ``long_name`` and ``fieldgrad_kind``."""
    d.attrs["units"] = text_attr((units or {}).get(name, "1"))
    d.attrs["long_name"] = text_attr((long_names or {}).get(name, DEFAULT_LONG_NAMES.get(name, name)))
    d.attrs["fieldgrad_kind"] = text_attr(kind)
    for i, dim in enumerate(disk_dims(kind, grid.axis_names)):
        d.dims[i].attach_scale(h5[dim])


def _str_dtype():
    import h5py

    return h5py.string_dtype("utf-8")


def check_fieldgrad_file(h5, path):
    """Raise :class:`FileFormatError` unless ``h5`` (open h5py file) is a fieldgrad output file."""
    fmt = h5.attrs.get("fieldgrad_format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != FORMAT_NAME:
        what = "a fieldgrad checkpoint" if fmt == "fieldgrad-checkpoint" else "not a fieldgrad output file"
        raise FileFormatError(
            f"{path} is {what}: root attribute fieldgrad_format is {fmt!r}, expected {FORMAT_NAME!r} "
            "(files written by fieldgrad.io.HDF5Writer or fieldgrad.io.save)"
        )
    ver = int(h5.attrs.get("fieldgrad_format_version", -1))
    if ver > FORMAT_VERSION:
        raise FileFormatError(f"{path} has fieldgrad_format_version {ver}; this fieldgrad reads up to {FORMAT_VERSION}")
    for key in ("grid", "field_names"):
        if key not in h5.attrs:
            raise FileFormatError(f"{path} lacks the root attribute {key!r}; the file is damaged")
    for key in ("time", "step"):
        if key not in h5:
            raise FileFormatError(f"{path} lacks the dataset /{key}; the file is damaged")


def read_json_attr(h5, key, default=None):
    """A JSON text root attribute decoded (``default`` when absent)."""
    raw = h5.attrs.get(key)
    if raw is None:
        return default
    if isinstance(raw, bytes):
        raw = raw.decode()
    return json.loads(raw)


def to_json(value, what):
    """JSON text of ``value``; numpy scalars/arrays become plain numbers/lists."""
    def fallback(obj):
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        return repr(obj)

    try:
        return json.dumps(value, default=fallback)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{what} must be JSON-ready data; got {describe(value)} ({exc})") from None


def _slab_axis(chunk, shape):
    """Axis ``a`` when every chunk of a frame is one contiguous block of a C-ordered array: chunk
    extent 1 before ``a`` and the full extent after it.  ``None`` otherwise."""
    split = [j for j, (c, n) in enumerate(zip(chunk, shape)) if c < n]
    a = split[-1] if split else 0
    if all(chunk[j] == 1 for j in range(a)) and all(chunk[j] == shape[j] for j in range(a + 1, len(shape))):
        return a
    return None


def write_frame(d, index, arr):
    """Write one frame ``arr`` into ``d[index]`` (the dataset already long enough).

    Uncompressed datasets take HDF5's direct chunk write for every full chunk, which skips the
    selection machinery (about 1.5x faster on 16 MiB frames); partial edge chunks, compressed
    datasets and dtype conversions take the ordinary path.
    """
    arr = np.asarray(arr)
    if arr.dtype != d.dtype:
        arr = arr.astype(d.dtype)
    frame_chunk = d.chunks[1:]
    a = _slab_axis(frame_chunk, arr.shape) if (d.compression is None and not d.shuffle and not d.fletcher32
                                               and d.scaleoffset is None and arr.dtype.isnative) else None
    if a is None or not arr.flags.c_contiguous or arr.ndim == 0:
        d[index] = arr
        return
    step = frame_chunk[a]
    full = arr.shape[a] // step * step
    for lead in np.ndindex(*arr.shape[:a]):
        for start in range(0, full, step):
            offset = (index,) + lead + (start,) + (0,) * (arr.ndim - a - 1)
            d.id.write_direct_chunk(offset, arr[lead + (slice(start, start + step),)])
        if full < arr.shape[a]:
            d[(index,) + lead + (slice(full, None),)] = arr[lead + (slice(full, None),)]
