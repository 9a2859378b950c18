"""Checks shared by every front door: real (not complex) numbers and arrays, and memory that
must be available before a large allocation.

Each check raises a :mod:`fieldgrad.errors` class whose message names the argument, the value
seen and what is accepted.

Example
-------
>>> require_real(2.0, "k")
>>> require_real(1 + 2j, "k")
Traceback (most recent call last):
...
fieldgrad.errors.ParameterError: k = (1+2j) is complex; accepted: real numbers (give the real part explicitly if that is what you mean)
"""
from __future__ import annotations

import numbers
import os

import numpy as np

from .errors import ParameterError, TooLargeError, describe

__all__ = ["require_real", "real_float", "available_memory", "require_memory", "gib"]


def require_real(value, name, error=ParameterError):
    """Raise ``error`` when ``value`` (a number or array-like) is complex or not numeric.

    Callables and ``None`` pass (they are checked where they are evaluated).  Booleans and
    integers pass: they are real numbers.

    Parameters
    ----------
    value : object
    name : str -- the argument, for the message
    error : exception class (a FieldgradError subclass)
    """
    if value is None or callable(value) or isinstance(value, str):
        return
    if isinstance(value, numbers.Number) or np.ndim(value) == 0 and hasattr(value, "dtype"):
        if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
            raise error(f"{name} = {describe(value)} is complex; accepted: real numbers (give the real part "
                        "explicitly if that is what you mean)")
        kind = getattr(getattr(value, "dtype", None), "kind", "f")
        if kind not in "biuf":
            raise error(f"{name} = {describe(value)} is not a real number; accepted: real numbers")
        if isinstance(value, numbers.Integral) and not _fits_float(value):
            raise error(f"{name} = {describe(value)} is not a finite float64; accepted: real numbers below "
                        "1.8e308 in magnitude")
        return
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        try:
            kind = np.asarray(value).dtype.kind
        except (ValueError, TypeError):
            kind = "O"
        if kind == "c":
            raise error(f"{name} is a complex array ({describe(np.asarray(value))}); accepted: real arrays")
        if kind not in "biuf":
            raise error(f"{name} has dtype {np.asarray(value).dtype} ({describe(value)}); accepted: real numbers")


def real_float(value, name, error=ParameterError):
    """``value`` (a real number or 0-d array) as a Python float; anything else raises ``error``.

    Example
    -------
    >>> real_float(3, "alpha")
    3.0
    """
    if value is None or isinstance(value, (str, bytes)) or callable(value):
        raise error(f"{name} = {describe(value)} is not a number; accepted: real numbers")
    require_real(value, name, error)
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise error(f"{name} = {describe(value)} is not a real number; accepted: real numbers") from None


def _fits_float(n):
    try:
        float(n)
    except OverflowError:
        return False
    return True


def available_memory():
    """Bytes of memory this process can still allocate (MemAvailable; or free pages), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def require_memory(nbytes, what, name="grid"):
    """Raise :class:`TooLargeError` unless ``nbytes`` fit in the memory available now.

    Parameters
    ----------
    nbytes : int -- the allocation about to be made
    what : str -- what it is for, for the message
    name : str -- the argument that decides the size
    """
    avail = available_memory()
    if avail is not None and nbytes > avail:
        raise TooLargeError(f"{name}: {what} needs {gib(nbytes)} GiB but only {gib(avail)} GiB of "
                            "memory is available; accepted: fewer nodes (or a distributed run across processes)")


def gib(nbytes):
    """``nbytes`` in GiB, three significant digits (any size of integer).

    Example
    -------
    >>> gib(3 * 2**30), gib(10**400)
    ('3', '9.31e+290')
    """
    return f"{float(min(nbytes, 10**300)) / 2**30:.3g}"
