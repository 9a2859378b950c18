"""Argument checks shared by every part of fieldgrad, written once.

This module sits on the ground floor: it imports only NumPy and :mod:`fieldgrad.errors`, so
operators, solvers, heat, fields, gradient flow, the CUDA kernels and the distributed solvers
all use the same checks and give the same messages.  A grid is anything with ``shape`` and
``check_shape`` (a :class:`fieldgrad.Grid`).

Example
-------
>>> g = fg.Grid((3, 4))
>>> as_field(np.ones((3, 4), dtype=np.int64), g).dtype
dtype('float64')
>>> check_coefficient(2, g, "k")
2.0
>>> check_coefficient(2, g, "k", dtype=np.float32, broadcast=True).shape
(3, 4)
>>> check_coefficient(-1.0, g, "k")
Traceback (most recent call last):
...
fieldgrad.errors.ParameterError: k must be positive and finite; got -1.0
"""
from __future__ import annotations

import numbers
import os

import numpy as np

from .errors import NonFiniteError, ParameterError, ParameterTypeError, ShapeError, TooLargeError, describe

__all__ = ["as_field", "output_array", "check_coefficient", "check_conductivity", "check_source",
           "check_positive", "check_nonneg", "check_count", "require_real", "real_float", "available_memory",
           "require_memory", "gib"]

_FLOATS = (np.float32, np.float64)


def _is_device_array(u):
    return hasattr(u, "__cuda_array_interface__") and not isinstance(u, np.ndarray)


def _count_nonfinite(arr):
    return int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))


def as_field(u, grid, name="u", leading=(), check_finite=False, dtype=None):
    """Validate a field on ``grid``.

    Parameters
    ----------
    u : array_like
        The data; float32/float64 are kept, integers and bools become float64.
    grid : Grid
    name : str
        The argument's name in error messages.
    leading : tuple of int
        Axes before the grid's (e.g. ``(ndim,)`` for a vector field).
    check_finite : bool
        Refuse NaN and inf with :class:`~fieldgrad.errors.NonFiniteError`.
    dtype : numpy dtype, optional
        Convert to this dtype instead.

    Returns
    -------
    ndarray
        C-contiguous (the input itself when possible).

    Raises
    ------
    ParameterError
        A GPU array, or a dtype that is not real.
    ShapeError
        ``u.shape != leading + grid.shape``.
    NonFiniteError
        With ``check_finite``, NaN or inf in ``u``.

    Example
    -------
    >>> as_field(np.zeros((2, 2), dtype=np.float32), fg.Grid((2, 2))).dtype
    dtype('float32')
    """
    if _is_device_array(u):
        raise ParameterError(f"{name} is a GPU array; pass backend='cuda' or copy it to the host first")
    if not hasattr(grid, "check_shape"):  # a tuple where a Grid belongs
        raise ParameterTypeError(f"grid = {describe(grid)} is a {type(grid).__name__}; accepted: a fieldgrad.Grid")
    arr = np.asarray(u)
    if arr.dtype.kind not in "biuf":
        raise ParameterError(f"{name} has dtype {arr.dtype}; accepted: float32, float64 (integers are converted)")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.type not in _FLOATS:
        if arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        else:
            raise ParameterError(f"{name} has dtype {arr.dtype}; accepted: float32, float64 (integers are converted)")
    grid.check_shape(arr, name, leading)
    if check_finite and not np.all(np.isfinite(arr)):
        raise NonFiniteError(f"{name} holds {_count_nonfinite(arr)} non-finite value(s) (NaN or inf); "
                             "accepted: finite values")
    return np.ascontiguousarray(arr)


def output_array(out, shape, dtype, name="out", inputs=None):
    """Check a caller's ``out`` (shape, dtype, C order, no memory shared with an input) or allocate one.

    Parameters
    ----------
    out : ndarray or None
    shape : tuple of int
    dtype : numpy dtype
    name : str
    inputs : dict, optional
        Argument name -> array the kernel reads; ``out`` overlapping one is refused
        (:class:`ParameterError` naming both), since the stencil would read values it has
        already overwritten.

    Returns
    -------
    ndarray

    Example
    -------
    >>> output_array(None, (2, 3), np.float64).shape
    (2, 3)
    """
    if out is None:
        return np.empty(shape, dtype=dtype)
    if not isinstance(out, np.ndarray) or out.shape != tuple(shape) or out.dtype != dtype:
        raise ShapeError(f"{name} must be a {np.dtype(dtype)} array of shape {tuple(shape)}; got {describe(out)}")
    if not out.flags.c_contiguous:
        raise ShapeError(f"{name} must be C-contiguous")
    for arg, arr in (inputs or {}).items():
        if shares_memory(out, arr):
            raise ParameterError(
                f"{name} shares memory with the input {arg} (the stencil would read values it has already "
                f"overwritten); accepted: an array separate from {arg}, or {name}=None")
    return out


def shares_memory(a, b):
    """True when two arrays may overlap in memory (exact where NumPy can decide it cheaply).

    Example
    -------
    >>> a = np.zeros(4)
    >>> shares_memory(a[:2], a[1:]), shares_memory(a[:2], a[2:])
    (True, False)
    """
    if not isinstance(b, np.ndarray) or not np.may_share_memory(a, b):
        return False
    try:
        return bool(np.shares_memory(a, b, max_work=10 ** 6))
    except np.exceptions.TooHardError:
        return True


def check_coefficient(value, grid, name, *, positive=True, dtype=np.float64, broadcast=False):
    """A material coefficient (conductivity, permittivity, screening ...): a number or an array of
    the grid's shape, finite, positive (or with ``positive=False`` non-negative).

    Parameters
    ----------
    value : None, real number or array of ``grid.shape``
    grid : Grid
    name : str
        The argument's name in error messages.
    positive : bool
        ``> 0`` everywhere when True, ``>= 0`` when False.
    dtype : numpy dtype
        The dtype of a returned array.
    broadcast : bool
        Return a number as a full array of ``grid.shape`` too.

    Returns
    -------
    None, float or ndarray
        None for None; a float for a number (unless ``broadcast``); else a C-contiguous array.

    Raises
    ------
    ParameterError
        Not a real number or array, or a value outside the accepted sign.
    ShapeError
        An array of another shape.
    NonFiniteError
        NaN or inf in an array.

    Example
    -------
    >>> check_coefficient(0.0, fg.Grid((3,)), "screening", positive=False)
    0.0
    """
    if value is None:
        return None
    if _is_device_array(value):
        raise ParameterError(f"{name} is a GPU array; pass backend='cuda' or copy it to the host first")
    arr = np.asarray(value) if not isinstance(value, numbers.Number) else None
    if arr is not None and arr.ndim != 0 and arr.dtype.kind not in "biuf":
        raise ParameterError(f"{name} must be a real number or array; got {describe(value)}")
    if arr is None or arr.ndim == 0:
        if isinstance(value, bool) or not isinstance(value if arr is None else arr.item(), numbers.Real):
            raise ParameterError(f"{name} must be a real number or an array of the grid's shape; got {describe(value)}")
        v = real_float(value, name)
        if not np.isfinite(v) or (v <= 0 if positive else v < 0):
            want = "positive and finite" if positive else "finite and >= 0"
            raise ParameterError(f"{name} must be {want}; got {v!r}")
        return np.full(grid.shape, v, dtype=dtype) if broadcast else v
    grid.check_shape(arr, name)
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if not np.all(np.isfinite(arr)):
        raise NonFiniteError(f"{name} holds {_count_nonfinite(arr)} non-finite value(s) (NaN or inf); "
                             "accepted: finite values")
    bad = (arr <= 0) if positive else (arr < 0)
    if np.any(bad):
        want = "positive" if positive else "non-negative"
        where = np.unravel_index(int(np.argmin(arr)), arr.shape)
        raise ParameterError(f"{name} must be {want} everywhere; its minimum is {float(arr.min())!r} at index "
                             f"{tuple(int(i) for i in where)}")
    return arr


def check_conductivity(k, grid, dtype, name="k"):
    """A positive, finite conductivity as an array of ``grid.shape`` (numbers are broadcast):
    :func:`check_coefficient` with ``broadcast=True``.

    Parameters
    ----------
    k : positive number or array of ``grid.shape``
    grid : Grid
    dtype : numpy dtype
    name : str

    Returns
    -------
    ndarray of ``grid.shape``

    Example
    -------
    >>> check_conductivity(2.0, fg.Grid((2,)), np.float64)
    array([2., 2.])
    """
    return check_coefficient(k, grid, name, positive=True, dtype=dtype, broadcast=True)


def check_source(source, grid, dtype, name="source"):
    """``None``, or a finite source as an array of ``grid.shape`` (a number is broadcast).

    Parameters
    ----------
    source : None, real number or array of ``grid.shape``
    grid : Grid
    dtype : numpy dtype
    name : str

    Returns
    -------
    None or ndarray

    Example
    -------
    >>> check_source(1, fg.Grid((2,)), np.float64)
    array([1., 1.])
    """
    if source is None:
        return None
    if isinstance(source, numbers.Number):
        if isinstance(source, bool) or not isinstance(source, numbers.Real) or not _finite_real(source):
            raise ParameterError(f"{name} must be a finite real number or array; got {source!r}")
        return np.full(grid.shape, source, dtype=dtype)
    arr = np.asarray(source)
    if arr.dtype.kind not in "biuf":
        raise ParameterError(f"{name} must be a real number or array; got {describe(source)}")
    grid.check_shape(arr, name)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} holds non-finite values; a source must be finite")
    return np.ascontiguousarray(arr, dtype=dtype)


def check_positive(value, name):
    """A finite real number > 0, as a float.

    Example
    -------
    >>> check_positive(3, "dt")
    3.0
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not _finite_real(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0; got {describe(value)}")
    return float(value)


def check_nonneg(value, name):
    """A finite real number >= 0, as a float.

    Example
    -------
    >>> check_nonneg(0, "weight_decay")
    0.0
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not _finite_real(value) or value < 0:
        raise ParameterError(f"{name} must be a finite number >= 0; got {describe(value)}")
    return float(value)


def check_count(value, name, minimum=0):
    """An integer >= ``minimum``, as an int.

    Example
    -------
    >>> check_count(5, "steps")
    5
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    return int(value)


# ---------------------------------------------------------------- real numbers, memory
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


def _finite_real(value):
    """True for a real number that is a finite float64 (a 400-digit integer is not)."""
    return _fits_float(value) and bool(np.isfinite(float(value)))


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
