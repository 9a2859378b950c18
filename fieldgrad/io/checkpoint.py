"""Checkpoints: the full state of a Simulation, written atomically, read back bit for bit.

A checkpoint is an HDF5 file (root attribute ``fieldgrad_format = "fieldgrad-checkpoint"``) with
the grid, ``t``, ``step`` and ``params`` (JSON) as root attributes and the groups ``fields`` and
``extra`` holding arrays exactly as given (dtype and bits preserved, no compression).  Every
array carries a SHA-256 of its bytes, checked on reading, so a damaged checkpoint is reported
instead of silently continuing from wrong data.

Writing goes to a temporary file in the same directory, which is fsync'ed and then renamed
over the target (``os.replace``): a crash leaves either the old checkpoint or the new one.
"""
from __future__ import annotations

import hashlib
import json
import numbers
import os
import tempfile

import numpy as np

from ..errors import FileFormatError, ParameterError, describe
from . import layout
from .files import as_path, fsync_dir, open_h5_read

FORMAT_NAME = "fieldgrad-checkpoint"
FORMAT_VERSION = 1
STATE_KEYS = ("grid", "t", "step", "fields", "params", "extra")


def _digest(arr):
    return hashlib.sha256(np.ascontiguousarray(arr).view(np.uint8).reshape(-1)).hexdigest() if arr.size else \
        hashlib.sha256(b"").hexdigest()


def _check_state(state):
    if not isinstance(state, dict):
        raise ParameterError(f"state must be a dict with keys {list(STATE_KEYS)}; got {describe(state)}")
    missing = [k for k in ("grid", "t", "step", "fields") if k not in state]
    if missing:
        raise ParameterError(f"state lacks {missing}; a checkpoint state needs {list(STATE_KEYS)}")
    unknown = [k for k in state if k not in STATE_KEYS]
    if unknown:
        raise ParameterError(f"state has unknown keys {unknown}; accepted: {list(STATE_KEYS)}")
    step = state["step"]
    if not isinstance(step, numbers.Integral) or isinstance(step, bool) or step < 0:
        raise ParameterError(f"state['step'] must be a non-negative int; got {describe(step)}")
    for group in ("fields", "extra"):
        value = state.get(group) or {}
        if not isinstance(value, dict):
            raise ParameterError(f"state[{group!r}] must be a dict name -> array; got {describe(value)}")
        for name in value:
            if not isinstance(name, str) or not name or "/" in name:
                raise ParameterError(f"state[{group!r}] key must be a non-empty str without '/'; got {name!r}")


def write_checkpoint(path, state):
    """Write a Simulation state atomically.

    Parameters
    ----------
    path : str or PathLike
        Target file; its directory must exist.  An existing checkpoint is replaced (atomically);
        an existing file that is not a fieldgrad checkpoint is never overwritten.
    state : dict
        ``{"grid": dict, "t": float, "step": int, "fields": {name: array}, "params": dict,
        "extra": {name: array}}`` as returned by ``Simulation.state()``.

    Returns
    -------
    str
        The path written.

    Example
    -------
    >>> import numpy as np, tempfile, os
    >>> from fieldgrad import Grid
    >>> st = {"grid": Grid((3, 3)).to_dict(), "t": 0.1, "step": 7, "fields": {"T": np.ones((3, 3))},
    ...       "params": {"alpha": 1.0}, "extra": {}}
    >>> p = write_checkpoint(os.path.join(tempfile.mkdtemp(), "c.h5"), st)
    >>> read_checkpoint(p)["step"]
    7
    """
    import h5py

    path = as_path(path)
    _check_state(state)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileFormatError(f"cannot write checkpoint {path}: directory {directory} does not exist")
    if os.path.isdir(path):
        raise FileFormatError(f"cannot write checkpoint {path}: it is a directory")
    if os.path.exists(path) and not _is_checkpoint(path):
        raise FileFormatError(
            f"{path} exists and is not a fieldgrad checkpoint; refusing to overwrite it (choose another path)"
        )
    grid = state["grid"]
    grid_dict = grid.to_dict() if hasattr(grid, "to_dict") else dict(grid)
    fd, tmp = tempfile.mkstemp(prefix=".ckpt-", suffix=".h5.tmp", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as h5:
            h5.attrs["fieldgrad_format"] = FORMAT_NAME
            h5.attrs["fieldgrad_format_version"] = FORMAT_VERSION
            h5.attrs["fieldgrad_version"] = layout.version()
            h5.attrs["grid"] = layout.to_json(grid_dict, "state['grid']")
            h5.attrs["t"] = np.float64(state["t"])
            h5.attrs["t_repr"] = repr(state["t"])
            h5.attrs["step"] = np.int64(state["step"])
            h5.attrs["params"] = layout.to_json(state.get("params") or {}, "state['params']")
            for group in ("fields", "extra"):
                g = h5.create_group(group)
                for name, value in (state.get(group) or {}).items():
                    arr = np.asarray(value)
                    if arr.dtype == object:
                        raise ParameterError(f"state[{group!r}][{name!r}] must be a numeric array; got {describe(value)}")
                    d = g.create_dataset(name, data=arr)
                    d.attrs["sha256"] = _digest(arr)
                    d.attrs["was_scalar"] = int(np.ndim(value) == 0 and not isinstance(value, np.ndarray))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(directory)
    return path


def _is_checkpoint(path):
    try:
        h5, _ = open_h5_read(path)
    except FileFormatError:
        return False
    with h5:
        fmt = h5.attrs.get("fieldgrad_format")
        return (fmt.decode() if isinstance(fmt, bytes) else fmt) == FORMAT_NAME


def read_checkpoint(path):
    """Read a checkpoint written by :func:`write_checkpoint`.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    dict
        The state: ``grid`` (dict), ``t`` (float), ``step`` (int), ``fields`` and ``extra``
        (dicts of ndarrays, bitwise equal to what was written), ``params`` (dict).

    Raises
    ------
    FileFormatError
        Missing, truncated, non-HDF5 or non-checkpoint files, or an array whose checksum fails.
    """
    path = as_path(path)
    h5, _ = open_h5_read(path)
    with h5:
        fmt = h5.attrs.get("fieldgrad_format")
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
        if fmt != FORMAT_NAME:
            hint = " (it is an output file: read it with fieldgrad.io.open)" if fmt == layout.FORMAT_NAME else ""
            raise FileFormatError(f"{path} is not a fieldgrad checkpoint: fieldgrad_format is {fmt!r}{hint}")
        ver = int(h5.attrs.get("fieldgrad_format_version", -1))
        if ver > FORMAT_VERSION:
            raise FileFormatError(f"{path} has checkpoint format version {ver}; this fieldgrad reads up to {FORMAT_VERSION}")
        try:
            state = {
                "grid": json.loads(h5.attrs["grid"]),
                "t": float(h5.attrs["t"]),
                "step": int(h5.attrs["step"]),
                "params": json.loads(h5.attrs["params"]),
            }
            for group in ("fields", "extra"):
                out = {}
                for name, d in h5[group].items():
                    arr = d[()]
                    arr = np.asarray(arr)
                    if _digest(arr) != d.attrs["sha256"]:
                        raise FileFormatError(f"{path}: checksum of {group}/{name} does not match; the checkpoint is damaged")
                    out[name] = arr[()] if int(d.attrs.get("was_scalar", 0)) else arr
                state[group] = out
        except FileFormatError:
            raise
        except (KeyError, ValueError, OSError) as exc:
            raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: {exc}") from None
    return state
