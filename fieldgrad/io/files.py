"""Opening HDF5 files with clear errors: missing directories, existing files, non-HDF5 files,
truncated files and files left behind by a killed SWMR writer.
"""
from __future__ import annotations

import os

from ..errors import FileFormatError, ParameterError, describe


def as_path(path, what="path"):
    """``os.fspath(path)`` with a ParameterError for anything that is not a path."""
    try:
        return os.fspath(path)
    except TypeError:
        raise ParameterError(f"{what} must be a str or os.PathLike; got {describe(path)}") from None


def check_new_file(path, overwrite):
    """Raise unless ``path`` can be created: its directory exists, and it is absent unless
    ``overwrite`` is true (never overwrite a user's file silently).
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileFormatError(f"cannot write {path}: directory {directory} does not exist (create it first)")
    if os.path.isdir(path):
        raise FileFormatError(f"cannot write {path}: it is a directory")
    if os.path.exists(path) and not overwrite:
        raise FileFormatError(
            f"{path} already exists; pass overwrite=True to replace it (or append=True to add frames "
            "to a fieldgrad output file)"
        )
    if not os.access(directory, os.W_OK):
        raise FileFormatError(f"cannot write {path}: directory {directory} is not writable")


def _translate(exc, path):
    text = str(exc)
    if "truncated file" in text:
        return FileFormatError(f"{path} is truncated (the HDF5 end-of-file lies past the file's size): {text}")
    if "file signature not found" in text:
        return FileFormatError(f"{path} is not an HDF5 file (no HDF5 signature); expected a fieldgrad file")
    if "unable to lock file" in text:
        return FileFormatError(f"{path} is open for writing in another process (HDF5 file lock): {text}")
    return FileFormatError(f"cannot open {path} as HDF5: {text}")


def unclean(exc):
    """True when an h5py open error says the file was left open for (SWMR) writing."""
    return "already open for write" in str(exc)


def open_h5_read(path):
    """Open ``path`` read-only with h5py.

    A file whose writer was killed (its superblock still flagged as open for SWMR writing) is
    opened in SWMR-read mode, which HDF5 allows and which shows every flushed frame.

    Returns
    -------
    (h5py.File, bool)
        The file and whether it was left unclean by its writer.
    """
    import h5py

    path = as_path(path)
    if not os.path.exists(path):
        raise FileFormatError(f"{path} does not exist")
    if os.path.isdir(path):
        raise FileFormatError(f"{path} is a directory, not a file")
    try:
        return h5py.File(path, "r"), False
    except OSError as exc:
        if not unclean(exc):
            raise _translate(exc, path) from None
    try:
        return h5py.File(path, "r", swmr=True), True
    except OSError as exc:
        raise _translate(exc, path) from None


def open_h5_append(path):
    """Open an existing file read-write (``libver=layout.LIBVER``, enough for SWMR); errors as
    FileFormatError.

    Raises a FileFormatError naming :func:`fieldgrad.io.recover` when the file was left unclean.
    """
    import h5py

    from .layout import LIBVER

    try:
        return h5py.File(path, "r+", libver=LIBVER)
    except OSError as exc:
        if unclean(exc):
            raise FileFormatError(
                f"{path} was left open by a writer that did not close it (killed run); "
                "call fieldgrad.io.recover(path) first, or append with HDF5Writer(..., append=True) "
                "which recovers it when its writer process is gone"
            ) from None
        raise _translate(exc, path) from None


def fsync_dir(directory):
    """fsync a directory so a rename inside it is durable (no-op where unsupported)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
