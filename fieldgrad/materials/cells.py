"""Values on the cells of a grid: the boxes between nodes, where materials live.

A non-periodic axis with ``n`` nodes has ``n - 1`` cells (cell ``i`` spans nodes ``i`` and
``i + 1``); a periodic axis has ``n`` (cell ``n - 1`` spans the last node and the first again).
:class:`Cells` marks an array as cell values, so it can never be mistaken for node values.

Example
-------
>>> g = fg.Grid((5, 3))
>>> cell_shape(g)
(4, 2)
>>> Cells(np.ones((4, 2))) == Cells(np.ones((4, 2)))
True
"""
from __future__ import annotations

import numbers

import numba
import numpy as np
from numba import njit, prange

from ..errors import NonFiniteError, ParameterError, ShapeError, describe

__all__ = ["Cells", "cell_shape", "cell_centres", "check_cell_values"]


def cell_shape(grid):
    """Number of cells per axis: ``n - 1`` on a non-periodic axis, ``n`` on a periodic one.

    Parameters
    ----------
    grid : Grid

    Returns
    -------
    tuple of ints

    Example
    -------
    >>> cell_shape(fg.Grid((5, 4), periodic=(False, True)))
    (4, 4)
    """
    return tuple(n if p else n - 1 for n, p in zip(grid.shape, grid.periodic))


def cell_centres(grid):
    """Coordinates of the cell centres, one 1D array per axis (use with ``np.meshgrid(...,
    indexing="ij")`` to evaluate a region expression on the cells).

    Parameters
    ----------
    grid : Grid

    Returns
    -------
    list of 1D float arrays of lengths :func:`cell_shape`

    Example
    -------
    >>> cell_centres(fg.Grid((3,), extent=[(0, 1)]))[0].tolist()
    [0.25, 0.75]
    """
    return [o + h * (np.arange(c) + 0.5) for o, h, c in zip(grid.origin, grid.spacing, cell_shape(grid))]


def check_cell_values(values, grid, name, *, positive=True, domain=None):
    """``values`` as a float64 array of the grid's cell shape, finite and positive (or ``>= 0``);
    with a ``domain`` (bool cell mask) only the cells inside are checked and those outside are
    set to 0.

    Parameters
    ----------
    values : array_like of :func:`cell_shape` ``(grid)``
    grid : Grid
    name : str -- the argument's name in error messages
    positive : bool

    Returns
    -------
    C-contiguous float64 ndarray

    Raises
    ------
    ShapeError, ParameterError, NonFiniteError

    Example
    -------
    >>> check_cell_values([[1.0], [2.0]], fg.Grid((3, 2)), "k").shape
    (2, 1)
    """
    arr = np.asarray(values)
    want = cell_shape(grid)
    if arr.shape != want:
        raise ShapeError(f"{name} (cell values) has shape {arr.shape}; this grid's cells need {want} "
                         f"(n - 1 per non-periodic axis, n per periodic axis; nodes are {grid.shape})")
    if arr.dtype.kind not in "biuf" or arr.dtype == bool:
        raise ParameterError(f"{name} (cell values) must be a real number array; got {describe(values)}")
    src = np.ascontiguousarray(arr, dtype=np.float64)
    dom = None if domain is None else np.ascontiguousarray(domain, dtype=bool)
    if src.size and (dom is None or dom.shape == src.shape):  # the common case in one pass; a bad value
        out = np.empty(src.shape)                              # takes the path below for its message
        nch = max(1, min(src.size, 4 * numba.get_num_threads()))
        lo, bad = np.empty(nch), np.empty(nch, dtype=np.bool_)
        _copy_inside(src.reshape(-1), np.zeros(1, bool) if dom is None else dom.reshape(-1), dom is not None,
                     out.reshape(-1), lo, bad)
        if not bad.any() and not ((lo.min() <= 0) if positive else (lo.min() < 0)):
            return out
    arr = np.array(arr, dtype=np.float64)
    outside = None
    if domain is not None:
        outside = ~domain
        arr[outside] = 1.0
    lo, hi = (float(np.min(arr)), float(np.max(arr))) if arr.size else (1.0, 1.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):  # (a NaN makes the minimum NaN)
        bad = ~np.isfinite(arr)
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise NonFiniteError(f"{name} (cell values) holds {int(bad.sum())} non-finite value(s) (NaN or inf), "
                             f"the first at cell {where}; accepted: finite values")
    if (lo <= 0) if positive else (lo < 0):
        low = (arr <= 0) if positive else (arr < 0)
        where = tuple(int(i) for i in np.argwhere(low)[0])
        want = "positive" if positive else "non-negative"
        raise ParameterError(f"{name} (cell values) must be {want} everywhere; cell {where} holds "
                             f"{float(arr[where])!r}")
    if outside is not None:
        arr[outside] = 0.0
    return arr


@njit(parallel=True, cache=True)
def _copy_inside(v, inside, has_domain, out, lo, bad):
    """``out = v`` (0 off ``inside`` when ``has_domain``), and per chunk of the flat arrays the
    smallest inside value (``lo``) and whether a non-finite one is inside (``bad``)."""
    n = v.size
    nch = lo.size
    for c in prange(nch):
        low = np.inf
        b = False
        for p in range((c * n) // nch, ((c + 1) * n) // nch):
            if has_domain and not inside[p]:
                out[p] = 0.0
                continue
            x = v[p]
            out[p] = x
            if not np.isfinite(x):
                b = True
            elif x < low:
                low = x
        lo[c] = low
        bad[c] = b


class Cells:
    """Marks an array as values on the cells (the boxes between nodes) of a grid.

    Give a conductivity (or another material coefficient) as ``Cells(values)`` to have face
    conductances computed from the cells around each face: an interface between materials on
    a grid line is then resolved to second order.  ``values`` has :func:`cell_shape` ``(grid)``;
    it is checked against the grid where it is used.

    Parameters
    ----------
    values : array_like of numbers
    domain : bool array_like of the same shape, optional
        The cells that belong to the domain.  Cells outside it are holes: they conduct nothing
        (their ``values`` are ignored and may be NaN), so the hole's surface is insulated
        (zero flux); nodes whose cells are all outside are not unknowns (they hold 0).  The
        surface is a staircase of cell faces: first-order accurate for a curved hole.

    Attributes
    ----------
    values : read-only float64 ndarray (a copy)
    domain : read-only bool ndarray or None

    Example
    -------
    >>> c = Cells(np.array([[1.0, 2.0]]))
    >>> c.values.shape, c.values.flags.writeable
    ((1, 2), False)
    """

    def __init__(self, values, domain=None):
        if isinstance(values, Cells):
            domain = values.domain if domain is None else domain
            values = values.values
        if isinstance(values, numbers.Number) or np.ndim(values) == 0:
            raise ParameterError(f"Cells needs an array of cell values; got {describe(values)} "
                                 "(a number needs no Cells: give it as it is)")
        arr = np.array(values, copy=True)
        if arr.dtype.kind not in "biuf" or arr.dtype == bool:
            raise ParameterError(f"Cells needs a real number array; got {describe(values)}")
        arr = arr.astype(np.float64, copy=False)  # (a copy already)
        arr.flags.writeable = False
        self.values = arr
        self.domain = None
        if domain is not None:
            dom = np.array(domain, copy=True)
            if dom.dtype != bool:
                raise ParameterError(f"Cells domain must be a boolean array (True: the cell is inside); got "
                                     f"{describe(domain)}")
            if dom.shape != arr.shape:
                raise ShapeError(f"Cells domain has shape {dom.shape}; it must match the values' shape {arr.shape}")
            dom.flags.writeable = False
            self.domain = dom

    @classmethod
    def _owned(cls, arr):
        """Cells (no domain) holding ``arr`` itself, a fresh float64 array nothing else holds: what
        ``Cells(arr)`` gives, without its copy (the array is made read only)."""
        self = cls.__new__(cls)
        arr.flags.writeable = False
        self.values, self.domain = arr, None
        return self

    @property
    def shape(self):
        return self.values.shape

    def __eq__(self, other):
        if not (isinstance(other, Cells) and other.shape == self.shape
                and bool(np.array_equal(other.values, self.values, equal_nan=True))):
            return False
        if self.domain is None or other.domain is None:
            return self.domain is None and other.domain is None
        return bool(np.array_equal(other.domain, self.domain))

    __hash__ = None

    def __repr__(self):
        v = self.values
        return f"Cells(shape={v.shape}, min={float(np.nanmin(v)):.4g}, max={float(np.nanmax(v)):.4g})"
