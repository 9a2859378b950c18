"""Recovering the output file of a killed run.

A writer killed with SIGKILL leaves its file flagged "open for SWMR writing".  HDF5 then refuses
plain opens (h5py's default, xarray, ParaView) until the flag is cleared, while SWMR-read opens
(:func:`fieldgrad.io.open`) work and show every flushed frame.  :func:`recover` rewrites such a
file into a clean one (the committed frames only, in the current layout) and replaces it
atomically; :func:`upgrade` does the same for a clean file of an older format version.
"""
from __future__ import annotations

import os
import socket

import numpy as np

from ..errors import FileFormatError
from . import layout
from .files import as_path, clean_stale_temps, commit_temp, create_temp, discard_temp, open_h5_read, os_errors, \
    pid_alive
from .lock import OutputLock
from .xdmf import write_xdmf, xdmf_path


def writer_alive(h5):
    """True when the process recorded as the file's writer still runs on this host."""
    pid = h5.attrs.get("writer_pid")
    host = h5.attrs.get("writer_host")
    if isinstance(host, bytes):
        host = host.decode()
    if pid is None or host != socket.gethostname():
        return False
    return pid_alive(pid)


def recover(path, force=False):
    """Make the file of a killed run readable by every HDF5 tool.

    Parameters
    ----------
    path : str or PathLike
    force : bool
        Recover even when the recorded writer process still seems to run (e.g. a reused pid).

    Returns
    -------
    int
        Number of frames in the recovered file (0 when the file was already clean: it is then
        left untouched).

    Raises
    ------
    FileFormatError
        Not a fieldgrad file, or its writer is still running (unless ``force``), or another
        writer holds the file's lock (:mod:`fieldgrad.io.lock`: it is held during the recovery,
        so no writer starts on the file meanwhile).

    Example
    -------
    >>> import tempfile, os
    >>> p = fg.io.save(os.path.join(tempfile.mkdtemp(), "s.h5"), fg.Grid((3, 3)), T=np.ones((3, 3)))
    >>> recover(p)  # a cleanly closed file needs nothing
    0
    """
    path = as_path(path)
    with OutputLock(path):
        return _recover(path, force)


def _recover(path, force):
    src, unclean = open_h5_read(path)
    try:
        layout.check_fieldgrad_file(src, path)
        if not unclean:
            return 0
        if not force and writer_alive(src):
            raise FileFormatError(
                f"{path} is still being written by process {int(src.attrs['writer_pid'])} on this host; "
                "recover it after that run ends (or pass force=True if that process is not its writer)"
            )
        n = src["time"].shape[0]
        tmp, grid, specs, times = _rewrite(src, path, f"recovered {n} frames by fieldgrad.io.recover")
    finally:
        src.close()
    _replace(tmp, path, grid, specs, times)
    return n


def upgrade(path):
    """Rewrite a cleanly closed output file of an older format version in the current layout
    (frames axis-reversed, see :mod:`fieldgrad.io.layout`); a no-op for current files.

    :class:`~fieldgrad.io.HDF5Writer` calls it before appending, so a file never mixes layouts.

    Returns
    -------
    int
        The format version the file had.

    Example
    -------
    >>> import tempfile, os
    >>> p = fg.io.save(os.path.join(tempfile.mkdtemp(), "s.h5"), fg.Grid((3, 3)), T=np.ones((3, 3)))
    >>> upgrade(p) == layout.FORMAT_VERSION
    True
    """
    path = as_path(path)
    with OutputLock(path):
        return upgrade_locked(path)


def upgrade_locked(path):
    """:func:`upgrade` for a caller that holds the file's lock (a writer about to append)."""
    src, _ = open_h5_read(path)
    try:
        layout.check_fieldgrad_file(src, path)
        old = layout.format_version(src)
        if old >= layout.FORMAT_VERSION:
            return old
        tmp, grid, specs, times = _rewrite(
            src, path, f"rewritten from format version {old} to {layout.FORMAT_VERSION} by fieldgrad.io.upgrade")
    finally:
        src.close()
    _replace(tmp, path, grid, specs, times)
    return old


def _rewrite(src, path, note):
    """Copy the committed frames of the open file ``src`` into a new temporary file beside
    ``path`` in the current layout; returns ``(tmp, grid, specs, times)``."""
    import h5py

    from ..grid import Grid

    grid = Grid.from_dict(layout.read_json_attr(src, "grid"))
    names = layout.read_json_attr(src, "field_names")
    n = src["time"].shape[0]
    specs = layout.field_specs(src, names)
    comp = src[names[0]].compression if names else None
    keys = list(grid.axis_names) + ["time"] + names
    units = {k: layout.attr_text(src[k].attrs, "units") for k in keys if "units" in src[k].attrs}
    longs = {k: layout.attr_text(src[k].attrs, "long_name") for k in keys if "long_name" in src[k].attrs}
    skip = {"Conventions", "fieldgrad_format", "fieldgrad_format_version", "fieldgrad_version", "grid",
            "field_names"}
    attrs = {k: v for k, v in src.attrs.items() if k not in skip}
    attrs["history"] = str(attrs.get("history", "")) + f"\n{note}"
    # frames of the current layout are copied as stored; version-1 frames (fieldgrad order) reversed
    stored = (lambda frame: frame) if layout.reversed_on_disk(src) else layout.to_disk
    clean_stale_temps(path)
    tmp = create_temp(path)
    try:
        with os_errors(path, "rewrite"), h5py.File(tmp, "w", libver=layout.LIBVER) as dst:
            layout.create_layout(dst, grid, specs, attrs=attrs, units=units, long_names=longs,
                                 compression=comp)
            for nm in names:
                dst[nm].resize(n, axis=0)
                for i in range(n):  # one frame at a time: bounded memory
                    dst[nm][i] = stored(src[nm][i])
            for key in ("step", "time"):
                dst[key].resize(n, axis=0)
                dst[key][:] = src[key][:n]
            dst.flush()
        times = np.array(src["time"][:n])
    except BaseException:
        discard_temp(tmp)
        raise
    return tmp, grid, specs, times


def _replace(tmp, path, grid, specs, times):
    try:
        commit_temp(tmp, path)  # fsync, rename, fsync the directory
    except BaseException:
        discard_temp(tmp)
        raise
    write_xdmf(xdmf_path(path), os.path.basename(path), grid, specs, times)


def recover_if_abandoned(path, locked=False):
    """Recover ``path`` when its writer was killed and is gone; a no-op for clean files.
    ``locked``: the caller (a writer appending to it) already holds the file's lock."""
    return _recover(as_path(path), False) if locked else recover(path)


