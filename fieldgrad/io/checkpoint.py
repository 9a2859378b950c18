"""Checkpoints: the full state of a Simulation, written atomically, read back bit for bit.

A checkpoint is an HDF5 file (root attribute ``fieldgrad_format = "fieldgrad-checkpoint"``) with
the grid, ``t``, ``step`` and ``params`` (JSON) as root attributes and the groups ``fields`` and
``extra`` holding arrays exactly as given (dtype and bits preserved, no compression).

Damage is found before anything is used, in two layers (format version 2,
:mod:`fieldgrad.io.digests`):

* The file starts with a 512-byte HDF5 *user block* (a standard HDF5 feature: h5py, h5dump and
  every HDF5 tool skip it) holding a small text header with the length and the SHA-256 of every
  byte after it.  :func:`read_checkpoint` checks this digest *before libhdf5 sees the file*:
  libhdf5 itself does not survive every damaged file (of 10,632 single-byte flips of a format-1
  checkpoint, 5 crashed the process and 9 looped forever), so a damaged checkpoint never
  reaches it.  SHA-256 runs at memory-copy speed (SHA-NI), far cheaper than reading the file in
  a subprocess (interpreter start and imports, then reading it twice).
* The ``state_sha256`` attribute is a digest of the decoded state: every root attribute (t,
  step, grid, params, versions) and every array's path, dtype, shape and attributes (the array
  bytes are covered by the file digest).  It is checked after decoding.

Checkpoints of format version 1 (no user block, one digest per array) are still read; as they
cannot be checked before libhdf5 opens them, they are first read in a subprocess with a time
limit, and only a file that this subprocess read completely is then read here.

Writing goes to a temporary file in the same directory (``.<name>.<pid>-<token>.fieldgrad-tmp``,
mode ``0o666 & ~umask``), which is fsync'ed and then renamed over the target (``os.replace``): a
crash leaves either the old checkpoint or the new one, and the temporary files of a killed
writer are removed by the next write of the same checkpoint.
"""
from __future__ import annotations

import hashlib
import json
import numbers
import os
import subprocess
import sys

import numpy as np

from ..errors import FileFormatError, ParameterError, describe
from . import digests, layout
from .files import (HDF5_SIGNATURE, as_path, clean_stale_temps, commit_temp, create_temp, discard_temp,
                    os_errors, refuse_link)

FORMAT_NAME = "fieldgrad-checkpoint"
FORMAT_VERSION = 2
STATE_KEYS = ("grid", "t", "step", "fields", "params", "extra")
#: Seconds a format-1 checkpoint may take to be read in the checking subprocess (plus 1 s per 50 MB).
LEGACY_TIMEOUT = 60.0

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
        Target file; its directory must exist and it must not be a symbolic link.  An existing
        checkpoint is replaced (atomically); an existing file that is not a fieldgrad checkpoint
        is never overwritten.
    state : dict
        ``{"grid": dict, "t": float, "step": int, "fields": {name: array}, "params": dict,
        "extra": {name: array}}`` as returned by ``Simulation.state()``.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    FileFormatError
        The target cannot be written (missing directory, a link, a file of another kind, disk
        full, read-only file system: the message names the path and the reason).

    Example
    -------
    >>> import tempfile, os
    >>> st = {"grid": fg.Grid((3, 3)).to_dict(), "t": 0.1, "step": 7, "fields": {"T": np.ones((3, 3))},
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
    refuse_link(path, "checkpoint")
    if os.path.isdir(path):
        raise FileFormatError(f"cannot write checkpoint {path}: it is a directory")
    if os.path.exists(path) and not _is_checkpoint(path):
        raise FileFormatError(
            f"{path} exists and is not a fieldgrad checkpoint; refusing to overwrite it (choose another path)"
        )
    grid = state["grid"]
    grid_dict = grid.to_dict() if hasattr(grid, "to_dict") else dict(grid)
    clean_stale_temps(path)
    tmp = create_temp(path)
    try:
        with os_errors(path, "write checkpoint"):
            with h5py.File(tmp, "w", userblock_size=digests.USERBLOCK) as h5:
                h5.attrs["fieldgrad_format"] = FORMAT_NAME
                h5.attrs["fieldgrad_format_version"] = FORMAT_VERSION
                h5.attrs["fieldgrad_version"] = layout.version()
                h5.attrs["grid"] = layout.to_json(grid_dict, "state['grid']")
                h5.attrs["t"] = np.float64(state["t"])
                h5.attrs["t_repr"] = repr(state["t"])
                h5.attrs["step"] = np.int64(state["step"])
                h5.attrs["params"] = layout.to_json(state.get("params") or {}, "state['params']")
                arrays = {}
                for group in ("fields", "extra"):
                    g = h5.create_group(group)
                    for name, value in (state.get(group) or {}).items():
                        arr = np.asarray(value)
                        if arr.dtype == object:
                            raise ParameterError(
                                f"state[{group!r}][{name!r}] must be a numeric array; got {describe(value)}")
                        d = g.create_dataset(name, data=arr)
                        d.attrs["was_scalar"] = int(np.ndim(value) == 0 and not isinstance(value, np.ndarray))
                        arrays[f"{group}/{name}"] = (dict(d.attrs), arr)
                h5.attrs["state_sha256"] = digests.state_digest(dict(h5.attrs), arrays)
            with open(tmp, "r+b") as fh:
                size = os.fstat(fh.fileno()).st_size - digests.USERBLOCK
                digest = digests.hash_file(fh, digests.USERBLOCK, size)
                fh.seek(0)
                fh.write(digests.header(size, digest, FORMAT_VERSION))
        commit_temp(tmp, path, "checkpoint")
    except BaseException:
        discard_temp(tmp)
        raise
    return path


def _kind(path):
    """``"v2"`` (user block header), ``"v1"`` (plain HDF5: a format-1 checkpoint or another
    HDF5 file) or a FileFormatError for anything else."""
    if not os.path.exists(path):
        raise FileFormatError(f"{path} does not exist")
    if os.path.isdir(path):
        raise FileFormatError(f"{path} is a directory, not a file")
    with os_errors(path, "read checkpoint"), open(path, "rb") as fh:
        head = fh.read(len(digests.MAGIC))
    if head == digests.MAGIC:
        return "v2"
    if head.startswith(HDF5_SIGNATURE):
        return "v1"
    raise FileFormatError(f"{path} is not a fieldgrad checkpoint (no checkpoint header, not HDF5)")


def _is_checkpoint(path):
    try:
        if _kind(path) == "v2":
            return True
        _check_legacy(path, full=False)
        return True
    except FileFormatError:
        return False


#: Run by :func:`_check_legacy` in a fresh interpreter (h5py only, no fieldgrad import: it starts
#: in a fraction of the time): open the file, read every attribute and, with "full", every
#: dataset, exactly what :func:`_read_h5` will then do in this process; a file of another
#: format (exit status 4) is not read further.
_LEGACY_CHILD = """
import sys, h5py
path, full = sys.argv[1], sys.argv[2] == "full"
def visit(name, obj):
    dict(obj.attrs)
    if full and isinstance(obj, h5py.Dataset):
        obj[()]
try:
    with h5py.File(path, "r") as h5:
        fmt = h5.attrs.get("fieldgrad_format")
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
        if fmt != sys.argv[3]:
            sys.stdout.write(repr(fmt) if isinstance(fmt, (str, type(None))) else "unreadable")
            sys.exit(4)
        h5.visititems(visit)
except Exception as exc:
    sys.stdout.write(f"{path} is not a readable fieldgrad checkpoint: {exc}")
    sys.exit(3)
"""


def _check_legacy(path, full=True):
    """Read a format-1 (or any plain HDF5) file in a subprocess with a time limit: every
    attribute and (``full``) every dataset.

    Raises FileFormatError when it is not a readable checkpoint, crashes or does not finish.
    """
    limit = LEGACY_TIMEOUT + os.path.getsize(path) / 50e6
    try:
        proc = subprocess.run([sys.executable, "-c", _LEGACY_CHILD, path, "full" if full else "attrs", FORMAT_NAME],
                              capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: reading it did not finish in "
                              f"{limit:.0f} s") from None
    if proc.returncode == 4:
        output = proc.stdout == repr(layout.FORMAT_NAME)
        hint = " (it is an output file: read it with fieldgrad.io.open)" if output else ""
        raise FileFormatError(f"{path} is not a fieldgrad checkpoint: fieldgrad_format is {proc.stdout}{hint}")
    if proc.returncode == 3:
        raise FileFormatError(proc.stdout.strip() or f"{path} is not a readable fieldgrad checkpoint")
    if proc.returncode != 0:
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: reading it crashed the HDF5 library "
                              f"(exit status {proc.returncode})")


def read_checkpoint(path):
    """Read a checkpoint written by :func:`write_checkpoint`.

    Every byte is checked against the digest in the file's header before the HDF5 library opens
    it, and the decoded state against its own digest afterwards.

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
        Missing, truncated, altered, non-HDF5 or non-checkpoint files: never a crash or a hang.
    """
    path = as_path(path)
    if _kind(path) == "v2":
        with os_errors(path, "read checkpoint"), open(path, "rb") as fh:
            digests.verify_header(path, fh, FORMAT_VERSION)
        return _read_h5(path, FORMAT_VERSION)
    _check_legacy(path)
    return _read_h5(path, 1)


def _read_h5(path, expect):
    """Decode a checkpoint whose bytes were checked (or that a subprocess read safely)."""
    import h5py

    try:
        h5 = h5py.File(path, "r")
    except OSError as exc:
        raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: {exc}") from None
    with h5:
        fmt = h5.attrs.get("fieldgrad_format")
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
        if fmt != FORMAT_NAME:
            hint = " (it is an output file: read it with fieldgrad.io.open)" if fmt == layout.FORMAT_NAME else ""
            raise FileFormatError(f"{path} is not a fieldgrad checkpoint: fieldgrad_format is {fmt!r}{hint}")
        try:
            ver = int(h5.attrs.get("fieldgrad_format_version", -1))
            if ver != expect:
                raise FileFormatError(f"{path} says checkpoint format version {ver}, its header {expect}; "
                                      "the checkpoint is damaged" if expect > 1 else
                                      f"{path} has checkpoint format version {ver} without a checkpoint header")
            state = {
                "grid": json.loads(h5.attrs["grid"]),
                "t": float(h5.attrs["t"]),
                "step": int(h5.attrs["step"]),
                "params": json.loads(h5.attrs["params"]),
            }
            arrays = {}
            for group in ("fields", "extra"):
                out = {}
                for name, d in h5[group].items():
                    arr = np.asarray(d[()])
                    attrs = dict(d.attrs)
                    if ver == 1 and _digest(arr) != attrs["sha256"]:
                        raise FileFormatError(f"{path}: checksum of {group}/{name} does not match; the checkpoint "
                                              "is damaged")
                    arrays[f"{group}/{name}"] = (attrs, arr)
                    out[name] = arr[()] if int(attrs.get("was_scalar", 0)) else arr
                state[group] = out
            if ver >= 2 and digests.state_digest(dict(h5.attrs), arrays) != h5.attrs["state_sha256"]:
                raise FileFormatError(f"{path}: the checksum of the state (t, step, grid, parameters, arrays) does "
                                      "not match; the checkpoint is damaged")
        except FileFormatError:
            raise
        except (KeyError, ValueError, TypeError, OSError) as exc:
            raise FileFormatError(f"{path} is a damaged fieldgrad checkpoint: {exc}") from None
    return state
