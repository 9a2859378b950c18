"""Boundary conditions on the device: ghost-fill plans and Dirichlet faces for the CUDA kernels.

A plan turns a resolved :class:`~fieldgrad.boundary.BoundaryConditions` into, per face, the
mode and coefficients of the :func:`fill_ghost` kernel in :mod:`fieldgrad.kernels.cuda` plus small
face-shaped device arrays (Neumann flux, Robin ``alpha``/``beta``/``value``, Dirichlet values).
The formulas are those of :func:`fieldgrad.boundary.ghost_layers`; face values are evaluated on
the host by the conditions themselves and copied once (face arrays are small).  Plans are cached
for conditions given as numbers or callables (callables of ``t`` per time); conditions holding
arrays are re-read on every call, so changing such an array in place is seen.

Example
-------
>>> view_shape((4, 5))
(1, 4, 5)
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .. import boundary as _bnd
from ..errors import GridError
from ..backends import cuda as _cu

__all__ = ["view_shape", "face_shape", "GhostPlan", "ghost_plan", "dirichlet_plan", "check_nodes"]


def view_shape(shape):
    """The 3D view of a 1D/2D/3D shape (leading dummy axes of length 1)."""
    return (1,) * (3 - len(shape)) + tuple(shape)


def face_shape(vshape, axis):
    """Shape of a face of a 3D view normal to ``axis``."""
    return tuple(n for a, n in enumerate(vshape) if a != axis)


def check_nodes(bcs, derivative):
    """Raise :class:`GridError` if an axis is too short for the boundary closures in use."""
    grid = bcs.grid
    for axis, (n, m) in enumerate(zip(grid.shape, _bnd.min_nodes(bcs, derivative))):
        if n < m:
            raise GridError(f"axis {grid.axis_names[axis]} has {n} nodes; this stencil with its boundary "
                            f"closures needs at least {m}")


_EXTRAP = {1: (3.0, -3.0, 1.0, 0.0), 2: (4.0, -6.0, 4.0, -1.0)}
_cache = OrderedDict()
_CACHE_SIZE = 32


def _cacheable(bcs):
    for cond in bcs.faces.values():
        if cond is not None and any(isinstance(getattr(cond, f), np.ndarray) for f in cond._fields):
            return False
    return True


def _key(kind, grid, bcs, dtype, t, extra=()):
    tkey = t if bcs.time_dependent else None
    return (kind, grid, tuple((f, id(c)) for f, c in bcs.faces.items()), np.dtype(dtype).str, tkey) + tuple(extra)


def _cached(key, bcs, build):
    if key is None or not _cacheable(bcs):
        return build()
    hit = _cache.get(key)
    if hit is not None and all(hit[1].faces[f] is c for f, c in bcs.faces.items()):
        _cache.move_to_end(key)
        return hit[0]
    value = build()
    _cache[key] = (value, bcs)  # holding bcs keeps the condition ids alive
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return value


def _dev_face(vals, vshape, axis, dtype):
    return _cu.as_device(np.ascontiguousarray(np.broadcast_to(vals, face_shape(vshape, axis)), dtype=dtype),
                         "face values")


class GhostPlan:
    """Per view axis, per side: ``None`` (dummy axis) or the arguments of ``fill_ghost``."""

    def __init__(self, grid, bcs, derivative, dtype, t):
        dtype = np.dtype(dtype)
        self.vshape = view_shape(grid.shape)
        first = 3 - grid.ndim
        self.first = first
        self.faces = [(None, None)] * first
        for axis in range(grid.ndim):
            va = axis + first
            fshape = face_shape(self.vshape, va)
            unit = _dev_face(np.ones(fshape, dtype), self.vshape, va, dtype)
            zero = _dev_face(np.zeros(fshape, dtype), self.vshape, va, dtype)
            pair = []
            for side in (0, 1):
                face = grid.axis_names[axis] + "-+"[side]
                cond = bcs[face]
                two_h = dtype.type(2 * grid.spacing[axis])
                w = (0.0, 0.0, 0.0, 0.0)
                rv, ra, rb = zero, zero, unit
                if isinstance(cond, _bnd.Periodic):
                    mode = 1
                elif isinstance(cond, _bnd.Neumann):
                    mode = 2
                    rv = _dev_face(cond.evaluate("flux", grid, face, t, dtype), self.vshape, va, dtype)
                elif isinstance(cond, _bnd.Robin):
                    mode = 2
                    rv = _dev_face(cond.evaluate("value", grid, face, t, dtype), self.vshape, va, dtype)
                    ra = _dev_face(cond.evaluate("alpha", grid, face, t, dtype), self.vshape, va, dtype)
                    rb = _dev_face(cond.evaluate("beta", grid, face, t, dtype), self.vshape, va, dtype)
                else:
                    mode = 0
                    w = _EXTRAP[derivative]
                pair.append((va, side, mode, *[dtype.type(x) for x in w], two_h, rv, ra, rb))
            self.faces.append(tuple(pair))


def ghost_plan(grid, bcs, derivative, dtype, t=0.0):
    """Cached :class:`GhostPlan` for these conditions."""
    key = _key("ghost", grid, bcs, dtype, t, (derivative,))
    return _cached(key, bcs, lambda: GhostPlan(grid, bcs, derivative, dtype, t))


def dirichlet_plan(grid, bcs, dtype, t=0.0):
    """List of ``(view axis, side, device values)`` of the Dirichlet faces (cached)."""

    def build():
        vshape = view_shape(grid.shape)
        first = 3 - grid.ndim
        out = []
        for face in _bnd.dirichlet_faces(bcs):
            axis, side = grid.parse_face(face)
            vals = bcs[face].evaluate("value", grid, face, t, dtype)
            out.append((axis + first, side, _dev_face(vals, vshape, axis + first, dtype)))
        return out

    return _cached(_key("dirichlet", grid, bcs, dtype, t), bcs, build)


_buffers = {}


def ghost_buffers(vshape, dtype, tag="u"):
    """Six face-shaped device arrays ``gx0, gx1, gy0, gy1, gz0, gz1`` (zeros on dummy axes).

    Reused between calls of the same shape: kernels on one stream run in order, so a buffer is
    refilled only after the kernel that read it has finished.
    """
    key = (tuple(vshape), np.dtype(dtype).str, tag)
    if key not in _buffers:
        _buffers[key] = [_cu.zeros(face_shape(vshape, a), dtype) for a in range(3) for _ in (0, 1)]
    return _buffers[key]
