"""Shared helpers of :mod:`fieldgrad.gradflow`: the free nodes, the node weights of the grid
inner product, and argument checks.

The unknowns of a gradient flow are the *free* nodes: every node except those on Dirichlet
faces (those carry data and never move).  Because Dirichlet faces remove whole layers, the free
nodes form a box: one index range per axis.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..boundary import Dirichlet, Neumann, Periodic, Robin, resolve_bc
from ..errors import BoundaryError, ParameterError, ShapeError, describe


def resolve_complete(bc, grid, what="gradient flow"):
    """Resolve ``bc`` and insist on a condition on every face (no one-sided closures: those
    are not the gradient of any energy) and on time-independent values."""
    bcs = resolve_bc(bc, grid)
    bcs.require_complete(what)
    if bcs.time_dependent:
        raise BoundaryError(f"{what} needs time-independent boundary values; got time-dependent ones in {bcs!r}")
    return bcs


def free_slices(grid, bcs):
    """Per-axis slices of the free nodes (Dirichlet faces excluded)."""
    out = []
    for axis in range(grid.ndim):
        lo, hi = bcs.on_axis(axis)
        start = 1 if isinstance(lo, Dirichlet) else 0
        stop = grid.shape[axis] - 1 if isinstance(hi, Dirichlet) else grid.shape[axis]
        out.append(slice(start, stop))
    return tuple(out)


def free_mask(grid, bcs):
    """Boolean array of ``grid.shape``: True on free nodes."""
    m = np.zeros(grid.shape, dtype=bool)
    m[free_slices(grid, bcs)] = True
    return m


def axis_weights(grid, bcs, axis):
    """1D trapezoid weights along ``axis``: ``h`` inside, ``h/2`` on a non-periodic end node."""
    n, h = grid.shape[axis], grid.spacing[axis]
    w = np.full(n, h)
    if not grid.periodic[axis]:
        w[0] = w[-1] = h / 2
    return w


def node_weights(grid, bcs=None):
    """Weights ``w`` of the grid inner product ``<u, v>_h = sum(w u v)``.

    ``w = h^d`` at interior nodes and on periodic axes, halved once per non-periodic face a node
    lies on (the trapezoid rule, ``grid.quadrature_weights()``).  These are the weights that
    make the ghost-node Neumann/Robin Laplacian self-adjoint; on free nodes of Dirichlet and
    periodic problems they all equal ``h^d``.
    """
    return grid.quadrature_weights()


def check_field(u, grid, name="u"):
    """A float copy-free view of ``u`` (float32/float64 kept, integers to float64), shape-checked
    and finite."""
    arr = np.asarray(u)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    if arr.dtype.type not in (np.float32, np.float64):
        raise ParameterError(f"{name} has dtype {arr.dtype}; accepted: float32, float64 (integers are converted)")
    grid.check_shape(arr, name)
    if not np.all(np.isfinite(arr)):
        from ..errors import NonFiniteError

        raise NonFiniteError(f"{name} holds non-finite values (NaN or inf); gradient flow needs finite data")
    return arr


def check_source(source, grid, dtype, name="source"):
    """``None`` or an array of ``grid.shape`` (a number is broadcast)."""
    if source is None:
        return None
    if isinstance(source, numbers.Number):
        if not np.isfinite(source):
            raise ParameterError(f"{name} must be finite; got {source!r}")
        return np.full(grid.shape, source, dtype=dtype)
    arr = np.asarray(source, dtype=dtype)
    if arr.shape != grid.shape:
        raise ShapeError(f"{name} has shape {arr.shape}; this grid needs {grid.shape} (or give a number)")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{name} holds non-finite values; a source must be finite")
    return np.ascontiguousarray(arr)


def check_nonneg(value, name):
    """A finite number >= 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value < 0:
        raise ParameterError(f"{name} must be a finite number >= 0; got {describe(value)}")
    return float(value)


def check_positive(value, name):
    """A finite number > 0."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be a finite number > 0; got {describe(value)}")
    return float(value)


def check_count(value, name, minimum=0):
    """An integer >= minimum."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    return int(value)


def robin_coefficient(cond, grid, face, dtype=np.float64):
    """``alpha / beta`` on a Robin face (an array of the face's shape)."""
    a = cond.evaluate("alpha", grid, face, 0.0, dtype)
    b = cond.evaluate("beta", grid, face, 0.0, dtype)
    return a / b


__all__ = ["resolve_complete", "free_slices", "free_mask", "node_weights", "axis_weights", "check_field",
           "check_source", "check_nonneg", "check_positive", "check_count", "robin_coefficient",
           "Dirichlet", "Neumann", "Robin", "Periodic"]
