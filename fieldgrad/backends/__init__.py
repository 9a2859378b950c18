"""Compute backends: ``"cpu"`` (Numba CPU sweeps, the default) and ``"cuda"`` (Numba's CUDA target).

The choice is a process-wide default that a context manager can override for a block::

    set_backend("cuda")          # every operator that takes backend=None now uses the GPU
    with use_backend("cpu"):     # ... except inside this block
        ...

Nothing here imports ``numba.cuda``; :mod:`fieldgrad.backends.cuda` is the only module that
does, and only when the CUDA backend is first used.  Selecting ``"cuda"`` checks at once that
Numba's CUDA target is installed and a device (or the simulator, ``NUMBA_ENABLE_CUDASIM=1``) is
there, and raises :class:`~fieldgrad.errors.BackendError` saying what is missing otherwise.

Example
-------
>>> get_backend()
'cpu'
>>> with use_backend("cpu"):
...     get_backend()
'cpu'
"""
from __future__ import annotations

import contextlib
import contextvars

from ..errors import BackendError, ParameterError

__all__ = ["BACKENDS", "set_backend", "get_backend", "use_backend", "resolve_backend", "cuda_available"]

BACKENDS = ("cpu", "cuda")

_default = "cpu"
_override = contextvars.ContextVar("fieldgrad_backend", default=None)


def _check_name(name):
    if not isinstance(name, str) or name.lower() not in BACKENDS:
        raise ParameterError(f"backend must be one of {BACKENDS}; got {name!r}")
    return name.lower()


def _require(name):
    if name == "cuda":
        from . import cuda as _cuda

        _cuda.load()  # raises BackendError with what to install / that no device was found
    return name


def set_backend(name):
    """Set the process-wide default backend.

    Parameters
    ----------
    name : {"cpu", "cuda"}

    Returns
    -------
    str
        The previous default.

    Raises
    ------
    ParameterError
        Unknown name.
    BackendError
        ``"cuda"`` without Numba's CUDA target or without a device.

    Example
    -------
    >>> previous = set_backend("cpu")
    """
    global _default
    name = _require(_check_name(name))
    previous, _default = _default, name
    return previous


def get_backend():
    """The backend in force here: the innermost :func:`use_backend` block, else the default.

    Returns
    -------
    str
    """
    return _override.get() or _default


@contextlib.contextmanager
def use_backend(name):
    """Context manager that selects a backend for the enclosed block (thread- and task-local).

    Parameters
    ----------
    name : {"cpu", "cuda"}

    Example
    -------
    >>> with use_backend("cpu"):
    ...     pass
    """
    token = _override.set(_require(_check_name(name)))
    try:
        yield name
    finally:
        _override.reset(token)


def resolve_backend(backend=None):
    """Turn a ``backend=`` argument into a backend name (``None`` means :func:`get_backend`).

    Parameters
    ----------
    backend : None or {"cpu", "cuda"}

    Returns
    -------
    str

    Raises
    ------
    ParameterError, BackendError
        As for :func:`set_backend`.
    """
    if backend is None:
        return get_backend()
    return _require(_check_name(backend))


def cuda_available():
    """True when the CUDA backend can run here (a GPU, or the CUDA simulator).

    Returns
    -------
    bool
    """
    try:
        _require("cuda")
    except BackendError:
        return False
    return True
