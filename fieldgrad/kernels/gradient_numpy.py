"""Numba kernels behind :func:`fieldgrad.gradient`, the drop-in for ``numpy.gradient``.

Every output node of axis ``a`` is one of two point formulas of three input values taken along
that axis, exactly as ``numpy.gradient`` writes them (same operations, same order, so the
results agree bit for bit when the coefficients are the same):

* ``difference_quotient(f_lo, f_hi, den) = (f_hi - f_lo) / den`` -- uniform interior
  (``den = 2 h``) and first-order edges (``den = h``);
* ``three_point(ca, cb, cc, f0, f1, f2) = ca*f0 + cb*f1 + cc*f2`` -- non-uniform interior and
  second-order edges.

Which formula a node uses, which three indices it reads and its coefficients depend only on the
node's index along the axis, so each axis is described by two small tables built in Python
(:mod:`fieldgrad.gradient`):

* ``table`` (int64, shape ``(n, 4)``): ``[form, i0, i1, i2]`` with ``form`` 0 for
  ``difference_quotient(f[i0], f[i2], coef[0])`` and 1 for
  ``three_point(coef[0], coef[1], coef[2], f[i0], f[i1], f[i2])``;
* ``coef`` (compute dtype, shape ``(n, 3)``).

The 3D kernel computes every requested axis in ONE parallel sweep over the input: ``prange``
over the outermost axis, and for each ``(i, j)`` row three short loops over the contiguous last
axis, all reading rows that are already in cache.  The coefficient dtype decides the arithmetic
precision (float32 input with float64 coefficients computes in float64 and rounds on store,
as NumPy does).

The sweeps ``gradient_1d``, ``gradient_2d`` and ``gradient_3d`` write their outputs in place and
return None; :func:`fieldgrad.gradient` is their example.

Example
-------
>>> difference_quotient(1.0, 4.0, 2.0)
1.5
>>> three_point(-1.5, 2.0, -0.5, 0.0, 1.0, 4.0)
0.0
"""
from __future__ import annotations

from numba import njit, prange

_PAR = dict(parallel=True, cache=True, error_model="numpy")


def difference_quotient(f_lo, f_hi, den):
    """``(f_hi - f_lo) / den``: NumPy's uniform central difference (``den = 2h``) and first-order edge.

    Parameters
    ----------
    f_lo, f_hi : float
        Values at the lower and upper neighbour.
    den : float
        Denominator (``2h`` in the interior, ``h`` at a first-order edge).

    Returns
    -------
    float

    Example
    -------
    >>> difference_quotient(1.0, 3.0, 4.0)
    0.5
    """
    return (f_hi - f_lo) / den


def three_point(ca, cb, cc, f0, f1, f2):
    """``ca*f0 + cb*f1 + cc*f2``, summed left to right as ``numpy.gradient`` does.

    Parameters
    ----------
    ca, cb, cc : float
        Coefficients (non-uniform interior weights or second-order edge weights).
    f0, f1, f2 : float
        The three values they multiply.

    Returns
    -------
    float

    Example
    -------
    >>> three_point(0.5, -2.0, 1.5, 0.0, 1.0, 4.0)
    4.0
    """
    return ca * f0 + cb * f1 + cc * f2


_dq = njit(inline="always", cache=True)(difference_quotient)
_tp = njit(inline="always", cache=True)(three_point)


@njit(inline="always", cache=True)
def _outer_row(out, x0, x1, x2, form, coef_row):
    """One output row for an outer axis: its formula and coefficients are constant along the row."""
    n = out.shape[0]
    if form == 0:
        den = coef_row[0]
        for k in range(n):
            out[k] = _dq(x0[k], x2[k], den)
    else:
        ca = coef_row[0]
        cb = coef_row[1]
        cc = coef_row[2]
        for k in range(n):
            out[k] = _tp(ca, cb, cc, x0[k], x1[k], x2[k])


@njit(inline="always", cache=True)
def _edge_point(x, table, coef, k):
    """Value at node ``k`` of the contiguous axis, read from its table row (used at the two edges)."""
    if table[k, 0] == 0:
        return _dq(x[table[k, 1]], x[table[k, 3]], coef[k, 0])
    return _tp(coef[k, 0], coef[k, 1], coef[k, 2], x[table[k, 1]], x[table[k, 2]], x[table[k, 3]])


@njit(inline="always", cache=True)
def _interior(out, x, coef, uniform, k0, k1):
    """Interior nodes ``k0 <= k < k1`` of the contiguous axis (a loop that vectorises)."""
    n = x.shape[0]
    if uniform:
        den = coef[1, 0] if n > 2 else coef[0, 0]
        for k in range(k0, k1):
            out[k] = _dq(x[k - 1], x[k + 1], den)
    else:
        for k in range(k0, k1):
            out[k] = _tp(coef[k, 0], coef[k, 1], coef[k, 2], x[k - 1], x[k], x[k + 1])


@njit(inline="always", cache=True)
def _inner_row(out, x, table, coef, uniform):
    """One output row for the contiguous axis (interior vectorised, edges from the table)."""
    n = x.shape[0]
    _interior(out, x, coef, uniform, 1, n - 1)
    out[0] = _edge_point(x, table, coef, 0)
    out[n - 1] = _edge_point(x, table, coef, n - 1)


#: Interior nodes per parallel chunk of :func:`gradient_1d`.
_CHUNK_1D = 1 << 14


@njit(**_PAR)
def gradient_1d(f, out, table, coef, uniform):
    """Derivative of a contiguous 1D array along its only axis.

    Parameters
    ----------
    f : ndarray, 1D, C-contiguous, float32/float64
    out : ndarray, like ``f`` (float32 or float64), written in place
    table, coef : ndarray
        The axis tables described in the module docstring.
    uniform : bool
        Whether the interior uses ``difference_quotient`` with the single ``coef[1, 0]``.
    """
    n = f.shape[0]
    for c in prange((n + _CHUNK_1D - 1) // _CHUNK_1D):
        _interior(out, f, coef, uniform, max(1, c * _CHUNK_1D), min(n - 1, (c + 1) * _CHUNK_1D))
    out[0] = _edge_point(f, table, coef, 0)
    out[n - 1] = _edge_point(f, table, coef, n - 1)


@njit(**_PAR)
def gradient_2d(f, o0, o1, want0, want1, t0, c0, t1, c1, uniform1):
    """Derivatives of a C-contiguous 2D array along the requested axes in one sweep.

    Parameters
    ----------
    f : ndarray, 2D, C-contiguous
    o0, o1 : ndarray of ``f``'s shape
        Outputs for axis 0 and 1; an output not wanted may be any array of the same type
        (it is not touched).
    want0, want1 : bool
        Which axes to compute.
    t0, c0, t1, c1 : ndarray
        Tables of axis 0 and 1 (see the module docstring).
    uniform1 : bool
        Whether axis 1's interior is uniform.
    """
    n0 = f.shape[0]
    for i in prange(n0):
        if want0:
            _outer_row(o0[i], f[t0[i, 1]], f[t0[i, 2]], f[t0[i, 3]], t0[i, 0], c0[i])
        if want1:
            _inner_row(o1[i], f[i], t1, c1, uniform1)


@njit(**_PAR)
def gradient_3d(f, o0, o1, o2, want0, want1, want2, t0, c0, t1, c1, t2, c2, uniform2):
    """Derivatives of a C-contiguous 3D array along the requested axes in ONE sweep.

    ``prange`` runs over axis 0; for each ``(i, j)`` row the three outputs are written by
    short loops over the contiguous axis 2, reading rows of ``f`` that are in cache.

    Parameters
    ----------
    f : ndarray, 3D, C-contiguous
    o0, o1, o2 : ndarray of ``f``'s shape
        Outputs per axis; one not wanted may be any array of the same type (not touched).
    want0, want1, want2 : bool
        Which axes to compute.
    t0, c0, t1, c1, t2, c2 : ndarray
        Tables of axes 0, 1, 2 (see the module docstring).
    uniform2 : bool
        Whether axis 2's interior is uniform.
    """
    n0 = f.shape[0]
    n1 = f.shape[1]
    for i in prange(n0):
        for j in range(n1):
            if want0:
                _outer_row(o0[i, j], f[t0[i, 1], j], f[t0[i, 2], j], f[t0[i, 3], j], t0[i, 0], c0[i])
            if want1:
                _outer_row(o1[i, j], f[i, t1[j, 1]], f[i, t1[j, 2]], f[i, t1[j, 3]], t1[j, 0], c1[j])
            if want2:
                _inner_row(o2[i, j], f[i, j], t2, c2, uniform2)
