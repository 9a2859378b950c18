"""Opening HDF5 files with clear errors: missing directories, existing files, non-HDF5 files,
truncated files and files left behind by a killed SWMR writer.

Files fieldgrad writes are created here (:func:`create_temp`, :func:`check_new_file`): never
through a symbolic link, with the mode ``0o666 & ~umask`` like any other program's files, and
with temporary names (``.<target>.<pid>-<token>.fieldgrad-tmp``) that the next writer of the
same target recognises and removes when the process that made them is gone
(:func:`clean_stale_temps`).  Failures of the operating system (disk full, read-only file
system, no permission) are raised as :class:`fieldgrad.errors.FileFormatError` naming the path
(:func:`os_errors`).
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets

from ..errors import FileFormatError, ParameterError, describe

#: Suffix of every temporary file fieldgrad creates next to an output or checkpoint.
TEMP_SUFFIX = ".fieldgrad-tmp"
#: The 8-byte HDF5 format signature (at offset 0, or 512, 1024, ... after a user block).
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def as_path(path, what="path"):
    """``os.fspath(path)`` with a ParameterError for anything that is not a path."""
    try:
        return os.fspath(path)
    except TypeError:
        raise ParameterError(f"{what} must be a str or os.PathLike; got {describe(path)}") from None


def refuse_link(path, what="output file"):
    """Raise a FileFormatError when ``path`` itself is a symbolic link (dangling or not).

    fieldgrad never writes through a link: a link named like an output could send the data
    anywhere on the machine.  Links among the parent directories are allowed.
    """
    if os.path.islink(path):
        raise FileFormatError(
            f"{what} {path} is a symbolic link (to {os.readlink(path)!r}); fieldgrad does not write "
            "through links: remove the link or choose another path"
        )


def is_hdf5(path):
    """True when ``path`` is a regular file with the HDF5 signature at offset 0 or after a user
    block (512, 1024, 2048, ... bytes), as the HDF5 format specifies.  Reads at most a few
    bytes per candidate offset; never opens the file with libhdf5.
    """
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            offset = 0
            while offset + 8 <= size:
                fh.seek(offset)
                if fh.read(8) == HDF5_SIGNATURE:
                    return True
                offset = 512 if offset == 0 else 2 * offset
    except OSError:
        return False
    return False


def check_new_file(path, overwrite):
    """Raise unless ``path`` can be created: its directory exists, and it is absent unless
    ``overwrite`` is true (never overwrite a user's file silently).  ``path`` must not be a
    symbolic link, nor anything but a regular file.  (``fieldgrad run --overwrite`` is stricter:
    it replaces only files of the kind it writes, see :func:`fieldgrad.case.prepare.check_free`.)
    """
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileFormatError(f"cannot write {path}: directory {directory} does not exist (create it first)")
    refuse_link(path)
    if os.path.isdir(path):
        raise FileFormatError(f"cannot write {path}: it is a directory")
    if os.path.exists(path):
        if not overwrite:
            raise FileFormatError(
                f"{path} already exists; pass overwrite=True to replace it (or append=True to add frames "
                "to a fieldgrad output file)"
            )
        if not os.path.isfile(path):
            raise FileFormatError(f"{path} exists and is not a regular file; refusing to replace it")
    if not os.access(directory, os.W_OK):
        raise FileFormatError(f"cannot write {path}: directory {directory} is not writable")


def remove_for_overwrite(path):
    """Unlink an existing output before it is created again (after :func:`check_new_file`).

    The new file is then created exclusively (``O_EXCL``), which fails on any link put in its
    place meanwhile; readers that still hold the old file keep its frames.
    """
    refuse_link(path)
    with os_errors(path, "replace"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


@contextlib.contextmanager
def os_errors(path, action="write"):
    """Turn an OSError from the block (disk full, read-only file system, permission denied)
    into a FileFormatError naming ``path`` and what was being done.

    Example
    -------
    >>> with os_errors("/sys/x.h5", "write"):                     # doctest: +ELLIPSIS
    ...     raise OSError(errno.ENOSPC, "No space left on device")
    Traceback (most recent call last):
    fieldgrad.errors.FileFormatError: cannot write /sys/x.h5: No space left on device (ENOSPC)...
    """
    try:
        yield
    except FileFormatError:
        raise
    except OSError as exc:
        raise FileFormatError(f"cannot {action} {path}: {describe_os_error(exc)}") from exc


def describe_os_error(exc):
    """``"No space left on device (ENOSPC); free space or choose another directory"`` and the like."""
    code = getattr(exc, "errno", None)
    text = exc.strerror or str(exc)
    if code is None:  # h5py raises OSError(text) with the errno only inside the text
        for c in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EFBIG, errno.EDQUOT):
            if f"errno = {c}," in text:
                code = c
    name = errno.errorcode.get(code, "")
    hint = {errno.ENOSPC: "the disk is full: free space or choose another directory",
            errno.EDQUOT: "the disk quota is exhausted: free space or choose another directory",
            errno.EFBIG: "the file grew past the size allowed: free space or choose another directory",
            errno.EROFS: "the file system is read-only: choose a writable directory",
            errno.EACCES: "permission denied: choose a writable directory",
            errno.EPERM: "not permitted: choose a writable directory"}.get(code)
    return text + (f" ({name})" if name else "") + (f"; {hint}" if hint else "")


def temp_name(target, keep_ext=False):
    """A fresh temporary name next to ``target``: ``.<name>.<pid>-<token>.fieldgrad-tmp``, with
    ``target``'s extension added when ``keep_ext`` (for writers that choose a format by it)."""
    directory, base = os.path.split(os.path.abspath(target))
    ext = os.path.splitext(base)[1] if keep_ext else ""
    return os.path.join(directory, f".{base}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}{ext}")


def create_temp(target, keep_ext=False):
    """Create an empty temporary file next to ``target`` and return its path.

    Created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` and mode ``0o666`` filtered by the umask, so
    the final file (renamed over ``target``) has the permissions any new file would have
    (``tempfile.mkstemp`` would make it 0600, unreadable by colleagues).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    with os_errors(target, "write"):
        for _ in range(100):
            tmp = temp_name(target, keep_ext)
            try:
                os.close(os.open(tmp, flags, 0o666))
                return tmp
            except FileExistsError:  # pragma: no cover - 32 random bits collided
                continue
    raise FileFormatError(f"cannot create a temporary file next to {target}")  # pragma: no cover


def commit_temp(tmp, target, what="output file"):
    """fsync ``tmp`` and rename it over ``target`` (which must not be a link), then fsync the
    directory: afterwards ``target`` is either the old file or the complete new one."""
    refuse_link(target, what)
    with os_errors(target, "write"):
        fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    fsync_dir(os.path.dirname(os.path.abspath(target)))


def replace_with_text(tmp, target, text, what="output file"):
    """Write ``text`` into the temporary file ``tmp`` (from :func:`create_temp`) and rename it
    over ``target``; the temporary is removed on any failure."""
    try:
        with os_errors(target, "write"), open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        commit_temp(tmp, target, what)
    except BaseException:
        discard_temp(tmp)
        raise


def discard_temp(tmp):
    """Remove a temporary file if it is still there (on the error path)."""
    try:
        os.unlink(tmp)
    except OSError:
        pass


def pid_alive(pid):
    """True when a process with this id runs on this machine (or cannot be signalled by us)."""
    pid = int(pid)
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    except OverflowError:
        return False
    return True


def clean_stale_temps(target):
    """Remove the temporary files of ``target`` left by killed processes.

    Only names made by :func:`temp_name` for this very target are considered, and only those
    whose creating process is gone.

    Returns
    -------
    list of str
        The paths removed.
    """
    directory, base = os.path.split(os.path.abspath(target))
    prefix = f".{base}."
    ext = os.path.splitext(base)[1]
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        for suffix in (TEMP_SUFFIX, TEMP_SUFFIX + ext):
            if name.endswith(suffix):
                break
        else:
            continue
        middle = name[len(prefix): -len(suffix)]
        pid, _, token = middle.partition("-")
        if not (pid.isdigit() and token) or pid_alive(pid):
            continue
        try:
            os.unlink(os.path.join(directory, name))
            removed.append(os.path.join(directory, name))
        except OSError:
            pass
    return removed


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
