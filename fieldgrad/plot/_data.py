"""What a plot draws: data, grid and metadata from a field object or an array; 2D sections of
3D data; a slice or a frame chosen by a physical value and snapped to the nearest node/frame."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ..grid import Grid

__all__ = ["Picture", "unpack", "axis_index", "section", "sections", "snap_slice", "snap_time", "parse_slice"]


@dataclass
class Picture:
    """A scalar to draw and where it lives: ``data``, ``grid``, ``label``, ``units``,
    ``length_unit``, the field object (or None) and its material coefficient (or None)."""

    data: np.ndarray
    grid: Grid
    label: str
    units: str
    length_unit: str
    field: object = None
    coefficient: object = None


def unpack(field, grid, label, units):
    """A :class:`Picture` from a field object (``.grid``/``.data``) or an array with its grid."""
    if hasattr(field, "grid") and hasattr(field, "data"):
        f = field
        lab = label or getattr(f, "long_name", getattr(f, "name", "field"))
        un = units if units is not None else getattr(f, "units", "")
        return Picture(np.asarray(f.data), f.grid, lab, un, getattr(f, "length_unit", "m"), f,
                       getattr(f, "coefficient", None))
    if not isinstance(grid, Grid):
        raise ParameterError("pass a field object, or an array together with its grid (grid=...)")
    data = np.asarray(field)
    grid.check_shape(data, "field")
    return Picture(data, grid, label or "field", units or "", "m")


def axis_index(grid, axis, name="slice_axis"):
    """An axis given as a number (negative counts from the end) or a name ("x", "y", "z")."""
    if isinstance(axis, str):
        if axis not in grid.axis_names:
            raise ParameterError(f"{name} = {axis!r} is not an axis of this {grid.ndim}D grid; "
                                 f"allowed: {list(grid.axis_names)}")
        return grid.axis_names.index(axis)
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) and -grid.ndim <= axis < grid.ndim:
        return int(axis) % grid.ndim
    raise ParameterError(f"{name} = {axis!r} is not an axis of this {grid.ndim}D grid; "
                         f"allowed: 0..{grid.ndim - 1} or {list(grid.axis_names)}")


def section(arr, grid, axis, index):
    """The 2D section of a 3D array at node ``index`` of ``axis`` (leading axes, e.g. vector
    components, are kept); 2D arrays come back unchanged.

    Returns
    -------
    (values, the two remaining axes)
    """
    if arr is None:
        return None, None
    arr = np.asarray(arr)
    if grid.ndim == 2:
        return arr, [0, 1]
    lead = arr.ndim - 3
    return np.take(arr, index, axis=lead + axis), [a for a in range(3) if a != axis]


def sections(frames, grid, slice_axis, slice_index):
    """The 2D sections of 3D ``frames`` normal to ``slice_axis`` at node ``slice_index`` (middle by
    default); 2D frames come back unchanged.

    Returns
    -------
    (list of 2D arrays, the axis normal to the section or None, its node or None, the two
    remaining axes)

    Example
    -------
    >>> cut, axis, index, rest = sections([np.zeros((3, 4, 5))], Grid((3, 4, 5)), "y", None)
    >>> cut[0].shape, axis, index, rest
    ((3, 5), 1, 2, [0, 2])
    """
    axis = index = None
    if grid.ndim == 3:
        axis = axis_index(grid, slice_axis)
        index, _ = snap_slice(grid, axis, index=slice_index)
    rest = section(np.zeros(grid.shape), grid, axis, index)[1]
    return [section(a, grid, axis, index)[0] for a in frames], axis, index, rest


def _nearest(values, v, scale, what):
    """Index of the entry of ``values`` nearest ``v`` and a note (None when ``v`` is an entry to
    within ``1e-9 * scale``): ``what(i)`` words the note for entry ``i``."""
    i = int(np.argmin(np.abs(values - v)))
    return i, (what(i) if abs(values[i] - v) > 1e-9 * scale else None)


def snap_slice(grid, axis, value=None, index=None, name="slice"):
    """Node index of a section: ``index`` as given (middle by default) or the node nearest the
    coordinate ``value``.

    Returns
    -------
    (index, note) -- ``note`` says where a ``value`` between nodes was moved to (None otherwise)

    Example
    -------
    >>> g = Grid((5, 5, 5))
    >>> snap_slice(g, 2, value=0.3)
    (1, 'z = 0.3 is not a node; using the nearest node z = 0.25 m (index 1 of 0..4)')
    """
    n, c, h = grid.shape[axis], grid.coords[axis], grid.spacing[axis]
    ax = grid.axis_names[axis]
    if value is not None:
        v = float(value)
        if not np.isfinite(v) or not c[0] - 0.5 * h <= v <= c[-1] + 0.5 * h:
            raise ParameterError(f"{name} {ax} = {value!r} is outside the grid; allowed: {ax} from {c[0]:g} to {c[-1]:g}")
        return _nearest(c, v, h, lambda i: f"{ax} = {v:g} is not a node; using the nearest node {ax} = {c[i]:.6g} m "
                                           f"(index {i} of 0..{n - 1})")
    i = n // 2 if index is None else index
    if not isinstance(i, (int, np.integer)) or isinstance(i, bool) or not -n <= i < n:
        raise ParameterError(f"{name} index {index!r} is out of range for axis {ax} with {n} nodes; "
                             f"allowed: -{n}..{n - 1}")
    return int(i) % n, None


def parse_slice(text, grid):
    """``"z=0.3"`` -> (axis number, node index, note); the note tells a snap to the nearest node.

    Example
    -------
    >>> parse_slice("y=0.5", Grid((5, 5, 5)))
    (1, 2, None)
    """
    if grid.ndim != 3:
        raise ParameterError(f"--slice {text!r} needs a 3D result; this one is {grid.ndim}D (drop --slice)")
    name, sep, value = str(text).partition("=")
    name = name.strip()
    if not sep or name not in grid.axis_names:
        raise ParameterError(f"--slice {text!r} is not AXIS=VALUE; allowed: e.g. z=0.3 with an axis of "
                             f"{list(grid.axis_names)}")
    try:
        v = float(value)
    except ValueError:
        raise ParameterError(f"--slice {text!r}: {value.strip()!r} is not a number; allowed: e.g. {name}=0.3") from None
    axis = grid.axis_names.index(name)
    index, note = snap_slice(grid, axis, value=v, name="--slice")
    return axis, index, None if note is None else f"--slice {note}"


def snap_time(times, t, name="--time"):
    """Frame nearest the time ``t`` (the last frame when ``t`` is None).

    Returns
    -------
    (index, note) -- ``note`` says which frame was taken when ``t`` is not a frame time

    Example
    -------
    >>> snap_time([0.0, 0.5, 1.0], 0.6)
    (1, '--time 0.6 is not a frame time; using the nearest frame t = 0.5 s (frame 1 of 0..2)')
    """
    tt = np.asarray(times, dtype=float)
    if len(tt) == 0:
        raise ParameterError("the result holds no frame")
    if t is None:
        return len(tt) - 1, None
    span = max(abs(tt[-1] - tt[0]), abs(tt[-1]), 1e-300)
    if not np.isfinite(t) or not tt.min() - 1e-12 * span <= t <= tt.max() + 1e-12 * span:
        raise ParameterError(f"{name} {t!r} is outside the file's times; allowed: {tt.min():g} to {tt.max():g}")
    return _nearest(tt, t, span, lambda i: f"{name} {t:g} is not a frame time; using the nearest frame t = {tt[i]:g} s "
                                           f"(frame {i} of 0..{len(tt) - 1})")
