"""HDF5Writer: the Simulation's output writer (SWMR, flushed every frame), and :func:`save`.

A writer is any object with ``open(sim)``, ``write(t, fields)`` and ``close()``; the Simulation
reads ``writer.every`` (steps between frames, ``None`` = every call) and calls ``write`` when due.
"""
from __future__ import annotations

import numbers
import os
import socket
import time as _time

import numpy as np

from ..closing import Closing
from ..errors import FileFormatError, ParameterError, describe
from . import layout
from .files import (as_path, check_new_file, clean_stale_temps, open_h5_append, os_errors, refuse_link,
                    remove_for_overwrite)
from .lock import OutputLock, probe
from .xdmf import write_xdmf, xdmf_path

#: The XDMF sidecar is written with the first frame, then at most every XDMF_INTERVAL seconds,
#: and always on close (and by :func:`fieldgrad.io.recover`).  ParaView cannot open a file that
#: is still open for SWMR writing anyway, so a per-frame rewrite would only cost time.
XDMF_INTERVAL = 10.0


class HDF5Writer(Closing):
    """Write a time series of fields to an HDF5 file (layout: :mod:`fieldgrad.io.layout`).

    The file is written in SWMR mode and flushed after every frame, so a run killed at any
    moment (even with SIGKILL) leaves a file holding every frame written before; open it with
    :func:`fieldgrad.io.open`, or :func:`fieldgrad.io.recover` it for other tools.

    Parameters
    ----------
    path : str or PathLike
        Output file; its directory must exist.
    fields : list of str or None
        Names of the fields to write (``None``: every field the Simulation passes).
    every : int or None
        Steps between frames; the Simulation reads this attribute and calls :meth:`write` when
        ``step % every == 0`` (``None``: on every call).
    compression : {"gzip", "lzf", None}
        HDF5 filter (with byte shuffle). ``"lzf"`` is h5py-only: ParaView/VisIt cannot read it.
    dtype : numpy dtype or None
        Store fields in this dtype (e.g. ``float32`` halves the file); ``None`` keeps the dtype.
    overwrite : bool
        Replace an existing file.  Without it (and without ``append``) an existing file is an
        error; a symbolic link (dangling or not) or a directory is never replaced.
    append : bool
        Add frames to an existing fieldgrad file with the same grid and fields (restart).  Frames
        with a step later than the restarted Simulation's step are dropped (they are recomputed),
        and a frame written again at an existing step replaces it: no duplicates, no gaps.  With
        ``every`` set, the restarted run's initial state is written only if its step is a
        multiple of ``every``, so the file ends up frame for frame as an uninterrupted run's.
    units, long_names : dict or None
        Name -> text for fields and for ``"x"``, ``"y"``, ``"z"``, ``"time"`` (defaults: ``"m"``,
        ``"s"``, fields ``"1"``).
    xdmf : bool
        Write the ``.xmf`` sidecar next to the file (ParaView / VisIt).

    Notes
    -----
    One writer per file: from :meth:`open` to :meth:`close` the writer holds a lock
    (:mod:`fieldgrad.io.lock`), and a second writer of the same path, in this or another
    process, gets a :class:`~fieldgrad.errors.FileFormatError` naming the process that writes
    it (already when it is constructed).  A killed writer's lock does not block.  Operating
    system failures (disk full, read-only) are FileFormatErrors naming the path.

    Example
    -------
    >>> import tempfile, os, types
    >>> g = fg.Grid((5, 4))
    >>> sim = types.SimpleNamespace(grid=g, bc=None, params={}, t=0.0, step=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.h5")
    >>> w = HDF5Writer(path)
    >>> w.open(sim); w.write(0.0, {"T": np.zeros(g.shape)}); w.close()
    >>> with fg.io.open(path) as f:
    ...     f["T"].shape
    (1, 5, 4)
    """

    def __init__(self, path, fields=None, every=None, compression=None, dtype=None, overwrite=False,
                 append=False, units=None, long_names=None, xdmf=True):
        self.path = as_path(path)
        if fields is not None:
            if isinstance(fields, str):
                fields = [fields]
            fields = list(fields)
            for name in fields:
                layout.check_field_name(name)
            if not fields:
                raise ParameterError("fields must name at least one field, or be None for all")
        self.fields = fields
        if every is not None and (not isinstance(every, numbers.Integral) or isinstance(every, bool) or every < 1):
            raise ParameterError(f"every must be a positive int (steps between frames) or None; got {describe(every)}")
        self.every = None if every is None else int(every)
        layout.check_compression(compression)
        self.compression = compression
        if dtype is not None:
            dtype = np.dtype(dtype)
            if dtype.kind not in "fc":
                raise ParameterError(f"dtype must be a floating dtype (float32, float64) or None; got {dtype}")
        self.dtype = dtype
        if overwrite and append:
            raise ParameterError("overwrite=True and append=True contradict each other; choose one")
        self.overwrite = bool(overwrite)
        self.append = bool(append)
        self.units = dict(units or {})
        self.long_names = dict(long_names or {})
        self.xdmf = bool(xdmf)
        if not (self.append and os.path.exists(self.path)):
            check_new_file(self.path, self.overwrite)
        if self.xdmf:
            refuse_link(xdmf_path(self.path), "XDMF sidecar")
        probe(self.path)  # another writer at work: say so now, not after the computation
        self._lock = OutputLock(self.path)
        self._h5 = None
        self._sim = None
        self._specs = None
        self._n = 0
        self._last_step = None
        self._xdmf_time = 0.0
        self._resume_check = False

    # ------------------------------------------------------------------ protocol
    def open(self, sim):
        """Bind to a Simulation (``sim.grid``, ``sim.bc``, ``sim.params``, ``sim.step``).

        In append mode an existing file is checked against the grid, recovered if its writer
        was killed, and cut back to the frames at or before ``sim.step``.
        """
        if self._h5 is not None:
            raise ParameterError(f"HDF5Writer for {self.path} is already open; close it first")
        self._lock.acquire()
        try:
            for target in (self.path, xdmf_path(self.path)):
                clean_stale_temps(target)  # left by a killed writer of this output
            if self.append and os.path.exists(self.path):
                self._open_existing(sim)
            else:
                check_new_file(self.path, self.overwrite)
        except BaseException:
            self._lock.release()
            raise
        self._sim = sim
        self._grid = sim.grid

    def write(self, t, fields):
        """Write one frame and flush it.

        Parameters
        ----------
        t : float
            Simulation time of the frame.
        fields : dict
            Name -> array of ``grid.shape`` (scalar) or ``(ndim, *grid.shape)`` (vector).
        """
        if self._sim is None:
            raise ParameterError("HDF5Writer.write called before open(sim)")
        if not isinstance(fields, dict):
            raise ParameterError(f"fields must be a dict name -> array; got {describe(fields)}")
        names = self.fields if self.fields is not None else list(fields)
        missing = [n for n in names if n not in fields]
        if missing:
            raise ParameterError(f"fields {missing} were asked for but not given; given: {sorted(fields)}")
        t = float(t)
        if not np.isfinite(t):
            raise ParameterError(f"time t must be finite; got {t!r}")
        arrays = {}
        for name in names:
            arr = np.asarray(fields[name])
            kind = layout.field_kind(name, arr, self._grid)
            arrays[name] = (kind, arr)
        if self._h5 is None:
            self._create(arrays)
        self._check_same_fields(arrays)
        step = int(getattr(self._sim, "step", self._n))
        if self._resume_check:
            self._resume_check = False
            if self.every is not None and step % self.every:
                # the restarted run's initial state falls between frames: an uninterrupted run has
                # no frame there, so leave it out and keep the file identical to one
                return
        index = self._n
        if self._last_step is not None and step <= self._last_step:
            if step == self._last_step:
                index = self._n - 1  # the same step again (e.g. the initial state on restart): replace
            else:
                raise ParameterError(
                    f"frame for step {step} comes after step {self._last_step} already in {self.path}; "
                    "frames must be written in step order"
                )
        h5 = self._h5
        with os_errors(self.path, "write a frame to"):
            for name, (_, arr) in arrays.items():
                d = h5[name]
                if index == d.shape[0]:
                    d.resize(index + 1, axis=0)
                layout.write_frame(d, index, layout.to_disk(arr))
            for key, value in (("step", step), ("time", t)):  # time last: it commits the frame
                d = h5[key]
                if index == d.shape[0]:
                    d.resize(index + 1, axis=0)
                d[index] = value
            h5.flush()
        self._n = index + 1
        self._last_step = step
        self._maybe_xdmf()

    def close(self):
        """Flush, write the final XDMF sidecar and close the file (safe to call twice)."""
        try:
            if self._h5 is not None:
                try:
                    with os_errors(self.path, "write"):
                        self._h5.flush()
                    self._maybe_xdmf(force=True)
                finally:
                    try:
                        self._h5.close()
                    except OSError:  # pragma: no cover - flush already reported it
                        pass
                    self._h5 = None
        finally:
            self._lock.release()
        self._sim = None

    def __repr__(self):
        return (f"HDF5Writer({self.path!r}, fields={self.fields!r}, every={self.every!r}, "
                f"compression={self.compression!r}, dtype={self.dtype!r})")

    @property
    def frames(self):
        """Number of frames in the file so far."""
        return self._n

    # ------------------------------------------------------------------ internals
    def _root_attrs(self):
        sim = self._sim
        bc = getattr(sim, "bc", None)
        bc_desc = bc.describe() if hasattr(bc, "describe") else None
        return {
            "boundary_conditions": layout.to_json(bc_desc, "sim.bc.describe()"),
            "parameters": layout.to_json(getattr(sim, "params", None) or {}, "sim.params"),
            "title": "fieldgrad simulation output",
            "history": f"{_time.strftime('%Y-%m-%dT%H:%M:%S')} created by fieldgrad.io.HDF5Writer",
            "writer_host": socket.gethostname(),
            "writer_pid": os.getpid(),
        }

    def _create(self, arrays):
        import h5py

        check_new_file(self.path, self.overwrite)
        remove_for_overwrite(self.path)  # then create exclusively: a link put there meanwhile fails
        specs = {name: (kind, self.dtype or (arr.dtype if arr.dtype.kind in "fc" else np.float64))
                 for name, (kind, arr) in arrays.items()}
        with os_errors(self.path, "create"):
            h5 = h5py.File(self.path, "x", libver=layout.LIBVER)
        _into_swmr(h5, lambda: layout.create_layout(h5, self._grid, specs, attrs=self._root_attrs(), units=self.units,
                                                    long_names=self.long_names, compression=self.compression))
        self._h5 = h5
        self._specs = specs
        self._n = 0
        self._last_step = None

    def _open_existing(self, sim):
        from .recover import recover_if_abandoned, upgrade_locked

        self._sim, self._grid = sim, sim.grid
        recover_if_abandoned(self.path, locked=True)
        upgrade_locked(self.path)  # a file of an older layout is rewritten so that one file has one layout
        h5 = open_h5_append(self.path)
        names, steps, keep = _into_swmr(h5, lambda: self._resume(h5))
        self._h5 = h5
        self._n = keep
        self._last_step = int(steps[keep - 1]) if keep else None
        self._resume_check = True
        if self.fields is None:
            self.fields = list(names)

    def _resume(self, h5):
        """Check that the open file ``h5`` holds this run's grid, cut its frames after the restart
        step and sign it; returns (field names, steps, frames kept)."""
        layout.check_fieldgrad_file(h5, self.path)
        from ..grid import Grid

        grid = Grid.from_dict(layout.read_json_attr(h5, "grid"))
        if grid != self._grid:
            raise FileFormatError(f"cannot append to {self.path}: it holds {grid}, the run uses {self._grid}")
        names = layout.read_json_attr(h5, "field_names")
        self._specs = layout.field_specs(h5, names)
        n = h5["time"].shape[0]
        steps = h5["step"][:n]
        step = int(getattr(self._sim, "step", 0))
        keep = int(np.searchsorted(steps, step, side="right"))  # frames at or before the restart step
        for name in list(names) + ["step", "time"]:
            h5[name].resize(keep, axis=0)
        h5.attrs["writer_pid"] = os.getpid()
        h5.attrs["writer_host"] = socket.gethostname()
        h5.attrs["history"] = (str(h5.attrs.get("history", "")) +
                               f"\n{_time.strftime('%Y-%m-%dT%H:%M:%S')} appended from step {step}")
        return names, steps, keep

    def _check_same_fields(self, arrays):
        if set(arrays) != set(self._specs):
            raise ParameterError(
                f"{self.path} holds fields {sorted(self._specs)}; this frame has {sorted(arrays)}. "
                "Every frame must carry the same fields (choose them with HDF5Writer(fields=[...]))"
            )
        for name, (kind, _) in arrays.items():
            if kind != self._specs[name][0]:
                raise ParameterError(f"field {name!r} is a {kind} here but a {self._specs[name][0]} in {self.path}")

    def _maybe_xdmf(self, force=False):
        if not self.xdmf or self._h5 is None:
            return
        now = _time.monotonic()
        if not force and self._n > 1 and now - self._xdmf_time < XDMF_INTERVAL:
            return
        times = self._h5["time"][: self._n]
        write_xdmf(xdmf_path(self.path), os.path.basename(self.path), self._grid,
                   {n: (k, np.dtype(d)) for n, (k, d) in self._specs.items()}, times)
        self._xdmf_time = now


def save(path, grid, *, t=0.0, overwrite=False, bc=None, params=None, units=None, long_names=None,
         compression=None, dtype=None, xdmf=True, **fields):
    """Save one snapshot of fields on ``grid`` (same layout as a run with one frame).

    Parameters
    ----------
    path : str or PathLike
    grid : Grid
    t : float
        Time stamp of the snapshot.
    overwrite : bool
        Replace an existing file (otherwise an existing file is an error).
    bc : boundary specification or None
        Recorded in the ``boundary_conditions`` attribute.
    params : dict or None
        JSON-ready parameters recorded in the ``parameters`` attribute.
    units, long_names, compression, dtype, xdmf
        As for :class:`HDF5Writer`.
    **fields : ndarray
        Scalar (``grid.shape``) or vector (``(ndim, *grid.shape)``) fields.

    Returns
    -------
    str
        The path written.

    Example
    -------
    >>> import tempfile, os
    >>> g = fg.Grid((4, 4))
    >>> p = fg.io.save(os.path.join(tempfile.mkdtemp(), "s.h5"), g, T=np.ones(g.shape))
    >>> float(fg.io.load(p, frame=-1).fields["T"].sum())
    16.0
    """
    from types import SimpleNamespace

    from ..boundary import resolve_bc

    if not fields:
        raise ParameterError("save needs at least one field, e.g. save(path, grid, T=array)")
    bcs = resolve_bc(bc, grid, allow_surface=True) if bc is not None else None  # described, not discretised
    sim = SimpleNamespace(grid=grid, bc=bcs, params=params or {}, t=float(t), step=0)
    w = HDF5Writer(path, compression=compression, dtype=dtype, overwrite=overwrite, units=units,
                   long_names=long_names, xdmf=xdmf)
    w.open(sim)
    try:
        w.write(t, fields)
    finally:
        w.close()
    return w.path


def _into_swmr(h5, prepare):
    """``prepare()``'s result, with the open file ``h5`` switched to SWMR writing after it; ``h5`` is
    closed (and the error raised) when either fails."""
    try:
        result = prepare()
        h5.swmr_mode = True
    except BaseException:
        h5.close()
        raise
    return result
