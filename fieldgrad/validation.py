"""Argument checks shared by every part of fieldgrad, written once.

This module sits on the ground floor: it imports only NumPy and :mod:`fieldgrad.errors`, so
operators, solvers, heat, fields, gradient flow, the CUDA kernels and the distributed solvers
all use the same checks and give the same messages.  A grid is anything with ``shape`` and
``check_shape`` (a :class:`fieldgrad.Grid`).

Example
-------
>>> import numpy as np
>>> from fieldgrad import Grid
>>> g = Grid((3, 4))
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

import numpy as np

from .errors import NonFiniteError, ParameterError, ShapeError, describe

__all__ = ["as_field", "output_array", "check_coefficient", "check_conductivity", "check_source",
           "check_positive", "check_nonneg", "check_count"]

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
    >>> import numpy as np
    >>> from fieldgrad import Grid
    >>> as_field(np.zeros((2, 2), dtype=np.float32), Grid((2, 2))).dtype
    dtype('float32')
    """
    if _is_device_array(u):
        raise ParameterError(f"{name} is a GPU array; pass backend='cuda' or copy it to the host first")
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


def output_array(out, shape, dtype, name="out"):
    """Check a caller's ``out`` (shape, dtype, C order) or allocate one.

    Parameters
    ----------
    out : ndarray or None
    shape : tuple of int
    dtype : numpy dtype
    name : str

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
    return out


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
    >>> from fieldgrad import Grid
    >>> check_coefficient(0.0, Grid((3,)), "screening", positive=False)
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
        v = float(value)
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
    >>> from fieldgrad import Grid
    >>> check_conductivity(2.0, Grid((2,)), np.float64)
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
    >>> from fieldgrad import Grid
    >>> check_source(1, Grid((2,)), np.float64)
    array([1., 1.])
    """
    if source is None:
        return None
    if isinstance(source, numbers.Number):
        if isinstance(source, bool) or not isinstance(source, numbers.Real) or not np.isfinite(source):
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
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0; got {describe(value)}")
    return float(value)


def check_nonneg(value, name):
    """A finite real number >= 0, as a float.

    Example
    -------
    >>> check_nonneg(0, "weight_decay")
    0.0
    """
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
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
