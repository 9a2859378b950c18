"""One writer per output file: an advisory lock file next to it.

A writer of ``run.h5`` holds ``.run.h5.fieldgrad-lock`` locked with ``fcntl.flock`` for as long
as it writes; the lock file records the writer's pid and host so that a second writer (another
process, or a second writer in the same process) is refused with an error naming the process
that holds it.  The kernel drops the lock when its process dies, even by SIGKILL, so the lock
file a killed run leaves behind never blocks: the next writer takes it.  The lock file is
removed when the writer closes.

HDF5's own file locking cannot do this: a writer in SWMR mode releases it, and a second
``h5py.File(path, "w")`` would then truncate the first run's frames.

Example
-------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "run.h5")
>>> with OutputLock(path):
...     try:
...         OutputLock(path).acquire()
...     except FileFormatError as exc:
...         "being written by process" in str(exc)
True
"""
from __future__ import annotations

import os
import socket
import warnings

from ..errors import FileFormatError
from .files import describe_os_error, pid_alive

LOCK_SUFFIX = ".fieldgrad-lock"


def lock_path(target):
    """The lock file of ``target``: ``.<name>.fieldgrad-lock`` in the same directory."""
    directory, base = os.path.split(os.path.abspath(os.fspath(target)))
    return os.path.join(directory, f".{base}{LOCK_SUFFIX}")


def _holder(path):
    """``(pid, host)`` recorded in a lock file, or ``(None, None)``."""
    try:
        with open(path, "r", encoding="ascii", errors="replace") as fh:
            pid, _, host = fh.read(256).strip().partition(" ")
        return int(pid), host
    except (OSError, ValueError):
        return None, None


class OutputLock:
    """Exclusive, non-blocking lock on an output file (see the module text).

    Parameters
    ----------
    target : str or PathLike
        The output file the lock protects (the lock file lies next to it).

    Raises
    ------
    FileFormatError
        From :meth:`acquire` when another writer holds the lock (naming its pid and host), or
        when the lock file cannot be created (naming the path and the reason).
    """

    def __init__(self, target):
        self.target = os.fspath(target)
        self.path = lock_path(self.target)
        self._fd = None

    @property
    def held(self):
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self):
        """Take the lock or raise at once (never waits); returns ``self``."""
        import fcntl

        if self._fd is not None:
            return self
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        for _ in range(20):  # a holder may remove the file between our open and our flock
            if os.path.islink(self.path):
                raise FileFormatError(f"lock file {self.path} is a symbolic link; remove it")
            try:
                fd = os.open(self.path, flags, 0o666)
            except OSError as exc:
                raise FileFormatError(f"cannot write {self.target}: its lock file {self.path} cannot be created: "
                                      f"{describe_os_error(exc)}") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._taken() from None
            except OSError as exc:  # file system without flock (some network mounts)
                warnings.warn(f"cannot lock {self.path} ({exc}); two writers of {self.target} would not be "
                              "detected", RuntimeWarning, stacklevel=3)
                self._fd = fd
                return self
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:  # locked a file its holder had just removed: try again with the new one
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
            self._fd = fd
            return self
        raise FileFormatError(f"could not take the lock {self.path} of {self.target}")  # pragma: no cover

    def _taken(self):
        pid, host = _holder(self.path)
        if pid is None:
            who = "another writer (its pid is not recorded yet)"
        elif host == socket.gethostname():
            who = f"process {pid}" + (" (this process)" if pid == os.getpid() else "")
            if not pid_alive(pid):
                who += " (recorded; the lock is held by a process that inherited it)"
        else:
            who = f"process {pid} on host {host}"
        return FileFormatError(
            f"{self.target} is still being written by {who} (lock file {self.path}); wait for that run to finish, "
            "stop it, or choose another output path"
        )

    def release(self):
        """Remove the lock file and drop the lock (safe to call twice)."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)  # while still holding it, so no one locks a file about to vanish
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def __del__(self):  # pragma: no cover - a writer dropped without close()
        try:
            self.release()
        except Exception:
            pass


def probe(target):
    """Raise the error :meth:`OutputLock.acquire` would raise, without keeping the lock."""
    lock = OutputLock(target)
    lock.acquire()
    lock.release()
