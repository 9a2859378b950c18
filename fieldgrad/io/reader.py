"""Reading fieldgrad output files: :func:`open` (lazy, h5py-backed) and :func:`load` (in memory)."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from ..closing import Closing
from ..errors import FileFormatError, ParameterError, describe
from . import layout
from .files import open_h5_read
from .reverse import reverse_axes


class FieldView:
    """A field of an output file, read lazily from its h5py dataset, in fieldgrad's axis order.

    Indexing is in fieldgrad order, ``(time, x, y[, z])`` for scalars and
    ``(time, component, x, y[, z])`` for vectors, whatever the file's format version (version 2
    stores frames axis-reversed, see :mod:`fieldgrad.io.layout`): ``f["T"][-1]`` is one frame of
    ``grid.shape``, ``f["T"][::10, 0]`` the x = x0 planes of every tenth frame.  Integers and
    slices are read as HDF5 selections; index arrays and negative steps are applied after
    reading the selected block.  The time axis is limited to the committed frames (after a
    killed run a dataset may hold one partial frame more).  ``np.asarray(view)`` reads everything.

    Attributes
    ----------
    dataset : h5py.Dataset
        The stored dataset (its axes in the file's order).
    name, kind, dims, units, long_name
        ``dims`` are the names of the axes in fieldgrad order.
    """

    def __init__(self, dataset, n_frames, dims, reverse=False):
        self.dataset = dataset
        self.n_frames = int(n_frames)
        self.name = dataset.name.lstrip("/")
        self.kind = _text(dataset.attrs.get("fieldgrad_kind", "scalar"))
        self.dims = tuple(dims)
        self.units = _text(dataset.attrs.get("units", ""))
        self.long_name = _text(dataset.attrs.get("long_name", ""))
        self.reverse = bool(reverse)

    @property
    def shape(self):
        frame = tuple(self.dataset.shape[1:])
        return (self.n_frames,) + (frame[::-1] if self.reverse else frame)

    @property
    def dtype(self):
        return self.dataset.dtype

    @property
    def ndim(self):
        return self.dataset.ndim

    @property
    def attrs(self):
        return self.dataset.attrs

    def __len__(self):
        return self.n_frames

    def _time_key(self, k):
        n = self.n_frames
        if isinstance(k, numbers.Integral) and not isinstance(k, bool):
            if not -n <= k < n:
                raise IndexError(f"frame {k} is out of range for {self.name!r} with {n} frames")
            return int(k) % n
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            if step > 0:
                return slice(start, max(start, stop), step)
            idx = np.arange(start, stop, step)  # h5py needs increasing indices: read then flip
            return idx
        if k is Ellipsis:
            return slice(0, n)
        idx = np.asarray(k)
        if idx.dtype == bool:
            raise ParameterError(f"boolean indexing of field {self.name!r} is not supported; use frame numbers")
        idx = np.where(idx < 0, idx + n, idx)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError(f"frames {describe(k)} out of range for {self.name!r} with {n} frames")
        return idx

    def _full_key(self, key):
        """``key`` as one entry per axis (Ellipsis expanded, missing axes whole)."""
        key = key if isinstance(key, tuple) else (key,)
        if any(k is None for k in key):
            raise ParameterError(f"np.newaxis in an index of field {self.name!r} is not supported; "
                                 "index first, then add axes to the array")
        if sum(k is Ellipsis for k in key) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        nd = len(self.shape)
        if any(k is Ellipsis for k in key):
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            key = key[:at] + (slice(None),) * (nd - len(key) + 1) + key[at + 1:]
        if len(key) > nd:
            raise IndexError(f"too many indices for field {self.name!r}: {len(key)} given, it has {nd} axes "
                             f"{('time',) + self.dims[1:]}")
        return key + (slice(None),) * (nd - len(key))

    def __getitem__(self, key):
        key = self._full_key(key)
        first = self._time_key(key[0])
        # every axis after time: an HDF5 selection that keeps the axis (ints as length-1 slices),
        # and what numpy then applies to the block in fieldgrad order
        sel, post = [], []
        for k, n in zip(key[1:], self.shape[1:]):
            if isinstance(k, numbers.Integral) and not isinstance(k, bool):
                if not -n <= k < n:
                    raise IndexError(f"index {k} is out of range for an axis of length {n} of {self.name!r}")
                sel.append(slice(int(k) % n, int(k) % n + 1))
                post.append(0)
            elif isinstance(k, slice) and (k.step is None or k.step > 0):
                sel.append(k)
                post.append(slice(None))
            else:  # index arrays, negative steps: read the axis whole, numpy selects
                sel.append(slice(None))
                post.append(k)
        disk_sel = tuple(sel[::-1]) if self.reverse else tuple(sel)
        if isinstance(first, np.ndarray):  # h5py wants increasing unique indices: read those, then reorder
            uniq, inverse = np.unique(first, return_inverse=True)
            if uniq.size == 0:
                block = np.empty((0,) + self.dataset.shape[1:], self.dtype)[(slice(None),) + disk_sel]
            else:
                block = self.dataset[(uniq,) + disk_sel]
            tkey = inverse.reshape(first.shape)
        else:
            block = self.dataset[(first,) + disk_sel]
            block = block[None] if isinstance(first, int) else block
            tkey = 0 if isinstance(first, int) else slice(None)
        if self.reverse:  # time stays first, the other axes reverse (C-contiguous, as h5py gives)
            flipped = np.empty(block.shape[:1] + block.shape[:0:-1], dtype=block.dtype)
            for i in range(block.shape[0]):
                reverse_axes(block[i], out=flipped[i])
            block = flipped
        return block[(tkey,) + tuple(post)]

    def __array__(self, dtype=None, copy=None):
        data = self[:]
        return data if dtype is None else data.astype(dtype)

    def __repr__(self):
        return f"<FieldView {self.name!r} {self.kind} dims={self.dims} shape={self.shape} dtype={self.dtype}>"


def _text(v):
    return v.decode() if isinstance(v, (bytes, np.bytes_)) else str(v)


class OutputFile(Closing):
    """An open fieldgrad output file (use as a context manager, or call :meth:`close`).

    Attributes
    ----------
    path : str
    grid : Grid
    times : ndarray
        Time of every committed frame.
    steps : ndarray of int
        Step number of every frame.
    fields : dict
        Name -> :class:`FieldView` (lazy).
    params : dict
        The run's parameters (from the ``parameters`` attribute).
    bc : dict or None
        The boundary-condition description recorded by the run.
    version : str
        fieldgrad version that wrote the file.
    format_version : int
        The file's layout version (``fieldgrad_format_version``; see :mod:`fieldgrad.io.layout`).
    unclean : bool
        True when the writer was killed before closing the file (opened in SWMR-read mode).
    h5 : h5py.File
    """

    def __init__(self, path):
        from ..grid import Grid

        self.path = path
        self.h5, self.unclean = open_h5_read(path)
        try:
            layout.check_fieldgrad_file(self.h5, path)
            self.grid = Grid.from_dict(layout.read_json_attr(self.h5, "grid"))
            n = self.h5["time"].shape[0]
            names = layout.read_json_attr(self.h5, "field_names")
            lens = [self.h5[nm].shape[0] for nm in names if nm in self.h5] + [self.h5["step"].shape[0]]
            missing = [nm for nm in names if nm not in self.h5]
            if missing:
                raise FileFormatError(f"{path} lists fields {missing} that have no dataset; the file is damaged")
            if lens and min(lens) < n:
                raise FileFormatError(f"{path}: /time has {n} frames but a field has only {min(lens)}; damaged")
            self.times = self.h5["time"][:n]
            self.steps = self.h5["step"][:n]
            axes = list(self.grid.axis_names)
            self.format_version = layout.format_version(self.h5)
            reverse = layout.reversed_on_disk(self.h5)
            self.fields = {}
            for nm in names:
                kind = _text(self.h5[nm].attrs.get("fieldgrad_kind", "scalar"))
                dims = ["time"] + (["component"] if kind == "vector" else []) + axes
                self.fields[nm] = FieldView(self.h5[nm], n, dims, reverse=reverse)
            self.params = layout.read_json_attr(self.h5, "parameters", {})
            self.bc = layout.read_json_attr(self.h5, "boundary_conditions", None)
            self.version = _text(self.h5.attrs.get("fieldgrad_version", "unknown"))
        except FileFormatError:
            self.h5.close()
            raise
        except (KeyError, ValueError, OSError) as exc:
            self.h5.close()
            raise FileFormatError(f"{path} is damaged or not a fieldgrad output file: {exc}") from None

    def __getitem__(self, name):
        try:
            return self.fields[name]
        except KeyError:
            raise KeyError(f"no field {name!r} in {self.path}; fields are {list(self.fields)}") from None

    def __contains__(self, name):
        return name in self.fields

    def __len__(self):
        return len(self.times)

    def refresh(self):
        """Pick up frames written since opening (a file followed while its run writes it).

        Returns
        -------
        int
            The number of committed frames now.
        """
        if self.h5.swmr_mode:
            for d in [self.h5["time"], self.h5["step"]] + [v.dataset for v in self.fields.values()]:
                d.refresh()  # refresh the very objects that are read (an h5py id caches metadata)
        n = self.h5["time"].shape[0]
        self.times = self.h5["time"][:n]
        self.steps = self.h5["step"][:n]
        for view in self.fields.values():
            view.n_frames = n
        return n

    def frame(self, index=-1):
        """All fields at one frame, read into memory: dict name -> ndarray."""
        return {nm: v[index] for nm, v in self.fields.items()}

    def close(self):
        """Close the HDF5 file (views become unreadable)."""
        self.h5.close()

    def __repr__(self):
        return f"<OutputFile {self.path!r} {self.grid} frames={len(self)} fields={list(self.fields)}>"


def open(path):  # noqa: A001 - mirrors builtins.open / xarray.open_dataset naming
    """Open a fieldgrad output file lazily.

    Works on files still being written and on files whose writer was killed (SWMR read).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    OutputFile
        ``.grid``, ``.times``, ``.steps``, ``.fields`` (lazy :class:`FieldView` objects),
        ``.params``, ``.bc``.

    Raises
    ------
    FileFormatError
        Missing, non-HDF5, truncated, or non-fieldgrad files.

    Example
    -------
    >>> import tempfile, os
    >>> p = fg.io.save(os.path.join(tempfile.mkdtemp(), "s.h5"), fg.Grid((3, 3)), T=np.ones((3, 3)))
    >>> with fg.io.open(p) as f:
    ...     (f.grid.shape, f.times.tolist(), float(f["T"][0].sum()))
    ((3, 3), [0.0], 9.0)
    """
    from .files import as_path

    return OutputFile(as_path(path))


@dataclass
class Output:
    """What :func:`load` returns: everything in memory."""

    grid: object
    times: np.ndarray
    steps: np.ndarray
    fields: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    bc: object = None


def load(path, frame=None, fields=None):
    """Read a fieldgrad output file into memory.

    Parameters
    ----------
    path : str or PathLike
    frame : int or None
        One frame (fields then have the grid's shape) or ``None`` for all frames (a leading
        time axis).  ``times``/``steps`` always hold every frame.
    fields : list of str or None
        Which fields to read (default all).

    Returns
    -------
    Output
        ``grid``, ``times``, ``steps``, ``fields`` (dict of ndarrays), ``params``, ``bc``.

    Example
    -------
    >>> import tempfile, os
    >>> p = fg.io.save(os.path.join(tempfile.mkdtemp(), "s.h5"), fg.Grid((3, 3)), T=np.ones((3, 3)))
    >>> fg.io.load(p).fields["T"].shape
    (1, 3, 3)
    """
    with open(path) as f:
        names = list(f.fields) if fields is None else list(fields)
        for nm in names:
            f[nm]
        sel = slice(None) if frame is None else frame
        data = {nm: np.asarray(f[nm][sel]) for nm in names}
        return Output(grid=f.grid, times=np.array(f.times), steps=np.array(f.steps), fields=data,
                      params=f.params, bc=f.bc)

