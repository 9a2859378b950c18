"""``fieldgrad.gradient``: a drop-in for ``numpy.gradient`` backed by parallel Numba kernels.

Same signature, same results (the same floating-point operations in the same order, so
float64 and float32 results agree with NumPy bit for bit on the fast path), same return
type (one array for one axis, otherwise the sequence type NumPy returns).  C- or
Fortran-contiguous float32/float64 arrays (integers are converted to float64 first, as NumPy
does) of 1 to 3 dimensions go to the kernels of :mod:`fieldgrad.kernels.gradient_numpy`; the
3D kernel computes all requested axes in one sweep over the input.  Everything else (other
ndim, float16, longdouble, complex, object, datetime/timedelta, array subclasses,
non-native byte order, zero or non-finite spacings, unusual spacing types, and arrays of
fewer than ``_MIN_KERNEL_SIZE`` elements, where a parallel launch costs more than it saves)
is handed to ``numpy.gradient`` after the same argument checks.

Bad arguments raise :mod:`fieldgrad.errors` classes that also derive from the built-in NumPy
would raise (ValueError, TypeError, or ``numpy.exceptions.AxisError``), so existing
``except`` clauses keep working.  One deliberate difference: ``edge_order`` must be 1 or 2
(NumPy only rejects values above 2 and quietly treats 0 or negative values as 2).
"""
from __future__ import annotations

import numbers
import operator

import numpy as np

from .errors import AxisParameterError, FieldgradError, ParameterError, ParameterTypeError, ShapeError, describe
from .kernels import gradient_numpy as _k

# numpy.gradient returns a tuple from NumPy 2.0 on, a list before.
_SEQUENCE = tuple if int(np.__version__.split(".")[0]) >= 2 else list
_FAST_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_numpy_gradient = np.gradient  # the fallback (a module name so tests can watch it)
# Below this many elements numpy.gradient is quicker than planning plus a parallel launch
# (tens of microseconds on an idle machine, far more on an oversubscribed one); the results
# are identical either way.
_MIN_KERNEL_SIZE = 20_000


def _normalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    seq = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = []
    for a in seq:
        try:
            a = operator.index(a)
        except TypeError:
            raise ParameterTypeError(
                f"axis: {describe(a)} is not an integer; accepted: None, an int or a tuple of "
                f"ints in [-{ndim}, {ndim - 1}]") from None
        if not -ndim <= a < ndim:
            raise AxisParameterError(
                f"axis {a} is out of bounds for an array of dimension {ndim}; accepted: "
                f"integers in [-{ndim}, {ndim - 1}]")
        axes.append(a % ndim)
    if len(set(axes)) != len(axes):
        raise ParameterError(f"axis: repeated axis in {describe(axis)}; accepted: distinct axes")
    return tuple(axes)


def _parse_spacings(varargs, shape, axes):
    """Per-axis spacing exactly as numpy.gradient reads it: a scalar object, or a diff array."""
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if n != len(axes):
        raise ParameterTypeError(
            f"varargs: invalid number of arguments: got {n} spacing arguments for {len(axes)} axes; "
            f"accepted: none, one scalar for every axis, or one scalar or 1D coordinate array per axis")
    out = []
    for ax, spacing in zip(axes, varargs):
        dist = np.asanyarray(spacing)
        if dist.ndim == 0:
            out.append(spacing)
            continue
        if dist.ndim != 1:
            raise ShapeError(
                f"varargs: spacing for axis {ax} is {describe(dist)}: distances must be either "
                f"scalars or 1d; accepted: a scalar or a 1D coordinate array")
        if len(dist) != shape[ax]:
            raise ShapeError(
                f"varargs: coordinate array for axis {ax} has {len(dist)} entries but the "
                f"array has {shape[ax]} along that axis (when 1d, distances must match the length "
                f"of the corresponding dimension); accepted: exactly {shape[ax]}")
        if np.issubdtype(dist.dtype, np.integer):
            dist = dist.astype(np.float64)
        if len(dist) < 2:
            out.append(dist)  # too short: the shape check reports it
            continue
        diff = np.diff(dist)
        out.append(diff[0] if (diff == diff[0]).all() else diff)
    return out


def _check_edge_order(edge_order):
    if isinstance(edge_order, (int, float, np.integer, np.floating)) and edge_order in (1, 2):
        return int(edge_order)
    above = " ('edge_order' greater than 2 not supported)" if isinstance(edge_order, numbers.Real) \
        and edge_order > 2 else ""
    raise ParameterError(f"edge_order: got {describe(edge_order)}{above}; accepted: 1 or 2")


def _axis_tables(n, spacing, edge_order, fdtype):
    """Tables of one axis (see the kernel module) and the set of compute dtypes they imply.

    The coefficients are computed with exactly NumPy's expressions and operand types.
    Returns None when the axis needs the NumPy fallback.
    """
    table = np.zeros((n, 4), dtype=np.int64)
    coef_objs = []  # (rows, column, value) to fill once the compute dtype is known
    rows = np.arange(1, n - 1)
    table[1:-1, 1] = rows - 1
    table[1:-1, 2] = rows
    table[1:-1, 3] = rows + 1
    uniform = np.ndim(spacing) == 0
    if uniform:
        table[1:-1, 0] = 0
        coef_objs.append((slice(1, n - 1), 0, 2. * spacing))
    else:
        if not np.issubdtype(spacing.dtype, np.floating):
            return None
        dx1, dx2 = spacing[0:-1], spacing[1:]
        table[1:-1, 0] = 1
        coef_objs.append((slice(1, n - 1), 0, -(dx2) / (dx1 * (dx1 + dx2))))
        coef_objs.append((slice(1, n - 1), 1, (dx2 - dx1) / (dx1 * dx2)))
        coef_objs.append((slice(1, n - 1), 2, dx1 / (dx2 * (dx1 + dx2))))
    if edge_order == 1:
        table[0] = (0, 0, 0, 1)
        table[n - 1] = (0, n - 2, n - 2, n - 1)
        coef_objs.append((0, 0, spacing if uniform else spacing[0]))
        coef_objs.append((n - 1, 0, spacing if uniform else spacing[-1]))
    else:
        table[0] = (1, 0, 1, 2)
        table[n - 1] = (1, n - 3, n - 2, n - 1)
        if uniform:
            lo = (-1.5 / spacing, 2. / spacing, -0.5 / spacing)
            hi = (0.5 / spacing, -2. / spacing, 1.5 / spacing)
        else:
            dx1, dx2 = spacing[0], spacing[1]
            lo = (-(2. * dx1 + dx2) / (dx1 * (dx1 + dx2)), (dx1 + dx2) / (dx1 * dx2),
                  - dx1 / (dx2 * (dx1 + dx2)))
            dx1, dx2 = spacing[-2], spacing[-1]
            hi = ((dx2) / (dx1 * (dx1 + dx2)), - (dx2 + dx1) / (dx1 * dx2),
                  (2. * dx2 + dx1) / (dx2 * (dx1 + dx2)))
        for col in range(3):
            coef_objs.append((0, col, lo[col]))
            coef_objs.append((n - 1, col, hi[col]))
    dtypes = {np.result_type(fdtype, value) for _, _, value in coef_objs}
    return table, coef_objs, uniform, dtypes


def _fill_coef(n, coef_objs, ctype):
    coef = np.zeros((n, 3), dtype=ctype)
    for rows, col, value in coef_objs:
        coef[rows, col] = np.asarray(value).astype(ctype)
    return coef


def _plan(f, axes, spacings, edge_order):
    """Inputs of the fast kernels, or None when ``numpy.gradient`` must do the work."""
    if type(f) is not np.ndarray or not 1 <= f.ndim <= 3 or not f.dtype.isnative \
            or f.size < _MIN_KERNEL_SIZE:
        return None
    if f.dtype.kind in "iu":  # not timedelta64, a NumPy 'integer' that NumPy keeps as it is
        f = f.astype(np.float64)
    if f.dtype not in _FAST_DTYPES or not axes:
        return None
    per_axis = {}
    ctypes = set()
    try:
        for ax, spacing in zip(axes, spacings):
            if np.ndim(spacing) == 0 and not isinstance(spacing, (int, float, np.integer, np.floating, np.ndarray)):
                return None
            if isinstance(spacing, (bool, np.bool_)):
                return None
            tables = _axis_tables(f.shape[ax], spacing, edge_order, f.dtype)
            if tables is None:
                return None
            per_axis[ax] = tables
            ctypes |= tables[3]
    except (TypeError, ValueError, OverflowError):
        return None
    if len(ctypes) != 1:
        return None
    ctype = ctypes.pop()
    if ctype not in _FAST_DTYPES or ctype.itemsize < f.dtype.itemsize:
        return None
    out = {}
    for ax, (table, coef_objs, uniform, _) in per_axis.items():
        coef = _fill_coef(f.shape[ax], coef_objs, ctype)
        if not np.isfinite(coef).all() or not (coef[table[:, 0] == 0, 0] != 0).all():
            return None  # zero or repeated spacings: let NumPy produce its inf/nan and warnings
        out[ax] = (table, coef, uniform)
    return f, ctype, out


def _run_kernels(f, axes, tables):
    """Run the kernel of ``f.ndim`` (``f`` C-contiguous) and return outputs in ``axes`` order."""
    outs = {ax: np.empty(f.shape, dtype=f.dtype) for ax in axes}
    dummy_t = np.zeros((1, 4), dtype=np.int64)
    dummy_c = np.zeros((1, 3), dtype=next(iter(tables.values()))[1].dtype)
    first = outs[axes[0]]
    o = [outs.get(ax, first) for ax in range(f.ndim)]
    want = [ax in outs for ax in range(f.ndim)]
    t = [tables[ax][0] if ax in tables else dummy_t for ax in range(f.ndim)]
    c = [tables[ax][1] if ax in tables else dummy_c for ax in range(f.ndim)]
    last = f.ndim - 1
    uniform_last = bool(tables[last][2]) if last in tables else True
    if f.ndim == 1:
        _k.gradient_1d(f, o[0], t[0], c[0], uniform_last)
    elif f.ndim == 2:
        _k.gradient_2d(f, o[0], o[1], want[0], want[1], t[0], c[0], t[1], c[1], uniform_last)
    else:
        _k.gradient_3d(f, o[0], o[1], o[2], want[0], want[1], want[2],
                       t[0], c[0], t[1], c[1], t[2], c[2], uniform_last)
    return [outs[ax] for ax in axes]


def gradient(f, *varargs, axis=None, edge_order=1):
    """Gradient of an N-dimensional array; a drop-in for ``numpy.gradient``.

    Second-order central differences in the interior (NumPy's non-uniform formula for
    coordinate arrays) and first- or second-order one-sided differences at the edges.

    Parameters
    ----------
    f : array_like
        Values of a sampled function.
    *varargs : scalars or 1D arrays, optional
        Spacing: none (1 on every axis), one scalar for every axis, or one scalar or one
        coordinate array (length of that axis) per axis in ``axis``.
    axis : None, int or tuple of ints, optional
        Axes along which to differentiate (negative values count from the end); all by default.
    edge_order : {1, 2}, optional
        Accuracy order of the one-sided differences at the edges.

    Returns
    -------
    ndarray or tuple of ndarray
        One array (of ``f``'s shape) per axis; a single array when one axis is asked for.
        float32 stays float32, integers give float64 (NumPy's dtype rules).

    Raises
    ------
    ParameterTypeError
        Wrong number of spacing arguments, or a non-integer axis (also a ``TypeError``).
    AxisParameterError
        An axis out of range (also ``numpy.exceptions.AxisError``).
    ShapeError
        A coordinate array of wrong length or dimension, or an axis shorter than
        ``edge_order + 1`` (also a ``ValueError``).
    ParameterError
        ``edge_order`` not 1 or 2, repeated axes (also a ``ValueError``).

    Example
    -------
    >>> gradient(np.array([1., 2., 4., 7., 11.]))
    array([1. , 1.5, 2.5, 3.5, 4. ])
    >>> gx, gy = gradient(np.array([[1., 2., 6.], [3., 4., 5.]]), 2.0, [0., 1., 3.])
    >>> gx
    array([[ 1. ,  1. , -0.5],
           [ 1. ,  1. , -0.5]])
    """
    try:
        return _gradient(f, varargs, axis, edge_order)
    except FieldgradError:
        raise
    except TypeError as exc:  # from NumPy on odd data (booleans, strings, mixed objects): its words
        raise ParameterTypeError(f"f: {describe(f)} cannot be differentiated: {exc}; accepted: numbers, "
                                 "datetime64/timedelta64 or objects with - and /") from exc
    except (ValueError, ArithmeticError) as exc:  # ragged lists, integers too large for float ...
        raise ParameterError(f"f or varargs: {exc}; accepted: arrays of numbers and scalar or 1D "
                             "spacings") from exc


def _gradient(f, varargs, axis, edge_order):
    f = np.asanyarray(f)
    axes = _normalize_axes(axis, f.ndim)
    spacings = _parse_spacings(varargs, f.shape, axes)
    edge_order = _check_edge_order(edge_order)
    for ax in axes:
        if f.shape[ax] < edge_order + 1:
            raise ShapeError(
                f"f: axis {ax} has {f.shape[ax]} points: shape of array too small to calculate a "
                f"numerical gradient with edge_order={edge_order}; accepted: at least "
                f"{edge_order + 1} elements")
    plan = _plan(f, axes, spacings, edge_order)
    if plan is None:
        return _numpy_gradient(f, *varargs, axis=axis, edge_order=edge_order)
    g, _, tables = plan
    if g.ndim > 1 and g.flags.f_contiguous and not g.flags.c_contiguous:
        last = g.ndim - 1
        outs = _run_kernels(g.T, tuple(last - ax for ax in axes), {last - ax: t for ax, t in tables.items()})
        outs = [o.T for o in outs]
    else:
        outs = _run_kernels(np.ascontiguousarray(g), axes, tables)
    if len(axes) == 1:
        return outs[0]
    return _SEQUENCE(outs)
