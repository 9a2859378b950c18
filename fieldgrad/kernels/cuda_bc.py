"""Boundary conditions on the device: the rule table of :mod:`fieldgrad.boundary.rules`, evaluated
on the host, as the arguments of the one generic ghost kernel.

A :class:`GhostPlan` builds each face's :class:`~fieldgrad.boundary.rules.GhostRule` with
:func:`~fieldgrad.boundary.rules.ghost_rule` -- the same call the CPU operators make -- and turns it
into the arguments of ``fill_rule`` in :mod:`fieldgrad.kernels.cuda`: coefficients that are numbers
travel as kernel scalars, those that vary over the face (a Robin ``alpha`` array, an offset from a
flux array or a callable) as small face-shaped device arrays copied once per plan.  For
``div(k grad u)`` (:meth:`GhostPlan.weighted`) the rules are taken with the conductivity layers
next to each face, and the ghost conductivities are the table's
:func:`~fieldgrad.boundary.rules.ghost_conductivity`, uploaded as face arrays (no kernel).
Dirichlet values are the rules' held values (:func:`dirichlet_plan`).

Plans are cached for conditions given as numbers or callables (callables of ``t`` per time);
conditions holding arrays are re-read on every call, so changing such an array in place is seen.

Example
-------
>>> view_shape((4, 5))
(1, 4, 5)
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .. import boundary as _bnd
from ..boundary import rules as _rules
from ..errors import BackendError, GridError
from ..backends import cuda as _cu
from .cuda import kernels as _kernels, launch2 as _launch2

__all__ = ["view_shape", "face_shape", "face_fill", "GhostPlan", "ghost_plan", "dirichlet_plan", "check_nodes"]


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


def _number(x):
    """``x`` as a number when it is one value over the whole face, else ``None``."""
    a = np.asarray(x)
    if a.ndim == 0:
        return a[()]
    if a.size and np.all(a == a.flat[0]):
        return a.flat[0]
    return None


_dummies = {}


def _dummy(ndim, dtype):
    """A tiny zero device array standing in for an unused array argument of ``fill_rule``."""
    key = (ndim, np.dtype(dtype).str)
    if key not in _dummies:
        _dummies[key] = _cu.zeros((1,) * ndim, dtype)
    return _dummies[key]


def face_fill(rule, va, side, vshape, dtype):
    """The ``fill_rule`` arguments after ``(v, axis)`` for ``rule`` on face ``side`` of view axis ``va``:
    ``(source side, depth, w0, w1, w2, w3, cw, full, d0, d, has_d)`` (``g`` follows).

    Parameters
    ----------
    rule : GhostRule
        An order-2 rule read from its own field (not a cut face's halo rule).
    va, side : int
        View axis (of the 3D view ``vshape``) and side (0 low, 1 high) of the face.
    vshape : tuple
    dtype : numpy dtype

    Returns
    -------
    tuple

    Example
    -------
    >>> from fieldgrad.boundary.rules import GhostRule
    >>> if fg.backends.cuda_available():  # the low face copies u_0 of the high one
    ...     args = face_fill(GhostRule("periodic", (1.0,), source="opposite"), 2, 0, (1, 4, 5), np.float64)
    ...     assert args[:3] == (1, 1, 1.0)
    """
    dtype = np.dtype(dtype)
    if rule.source == "halo" or rule.depth > 4:
        raise BackendError(f"the device ghost fill got {rule!r}; accepted: order-2 rules that read at most 4 "
                           "node layers of their own field (a cut face's halo rule is not filled on the device)")
    src = 1 - side if rule.source == "opposite" else side
    nums = [_number(c) for c in rule.weights]
    if all(c is not None for c in nums):
        w = [dtype.type(c) for c in nums] + [dtype.type(0)] * (4 - rule.depth)
        cw, full = _dummy(3, dtype), False
    else:
        fshape = face_shape(vshape, va)
        stack = np.empty((rule.depth,) + fshape, dtype)
        for m, c in enumerate(rule.weights):
            stack[m] = np.asarray(c, dtype=dtype).reshape(fshape) if np.ndim(c) else c
        w = [dtype.type(0)] * 4
        cw, full = _cu.as_device(stack, "ghost weights"), True
    d0 = _number(rule.offset)
    if d0 is not None:
        off = (dtype.type(d0), _dummy(2, dtype), False)
    else:
        off = (dtype.type(0), _dev_face(np.asarray(rule.offset).reshape(face_shape(vshape, va)), vshape, va, dtype),
               True)
    return (src, rule.depth, *w, cw, full, *off)


def _layers_of(k, grid, vshape, dtype, keep):
    """Conductivity layers next to every face, on the host: face -> ``min(3, n)`` layers counted
    inward (numbers for a scalar ``k``; a device ``k`` is gathered on the device, one copy back)."""
    faces = {}
    if _cu.is_device_array(k):
        if keep and _layer_memo and _layer_memo[0] is k and _layer_memo[1] == grid:
            return _layer_memo[2]
        kv = k.reshape(*vshape)
        first = 3 - grid.ndim
        shapes = {f: (min(3, grid.shape[grid.parse_face(f)[0]]),) + grid.face_shape(f) for f in grid.faces}
        sizes = [int(np.prod(sh)) for sh in shapes.values()]
        flat = _cu.empty((sum(sizes),), kv.dtype)  # every face's layers in one buffer: one copy back
        starts = np.cumsum([0] + sizes)
        for face, a, b in zip(grid.faces, starts[:-1], starts[1:]):
            axis, side = grid.parse_face(face)
            va = axis + first
            part = flat[a:b].reshape((shapes[face][0],) + face_shape(vshape, va))
            blocks, threads = _launch2(part.shape[1:], _cu.simulator())
            _kernels().gather_layers[blocks, threads](kv, va, side, part)
        host = flat.copy_to_host()
        for face, a, b in zip(grid.faces, starts[:-1], starts[1:]):
            faces[face] = list(host[a:b].reshape(shapes[face]))
        if keep:
            _layer_memo[:] = [k, grid, faces]
        return faces
    if np.ndim(k) == 0:
        return {face: [dtype.type(k)] * min(3, grid.shape[grid.parse_face(face)[0]]) for face in grid.faces}
    k = np.asarray(k, dtype=dtype).reshape(grid.shape)
    for face in grid.faces:
        axis, side = grid.parse_face(face)
        faces[face] = list(_bnd.inward_layers(k, axis, side, min(3, grid.shape[axis])))
    return faces


_layer_memo = []


class GhostPlan:
    """The ghost rules of every face at time ``t``, as ``fill_rule`` arguments.

    ``faces[va]`` is ``(None, None)`` on a dummy view axis, else a pair (low, high side) of
    ``(va, side, args)`` with ``args`` from :func:`face_fill`.  ``klayers`` (face -> conductivity
    layers inward) makes the plan one of ``div(k grad u)``; build it with :meth:`weighted`.
    """

    def __init__(self, grid, bcs, derivative, dtype, t, klayers=None):
        self.grid, self.bcs, self.derivative, self.dtype, self.t = grid, bcs, derivative, np.dtype(dtype), t
        self.vshape = view_shape(grid.shape)
        self.first = 3 - grid.ndim
        self.klayers = klayers
        self._rules = self._faces = self._kghosts = self._weighted = None

    @property
    def rules(self):
        """Face -> :class:`~fieldgrad.boundary.rules.GhostRule` (built on first use: a plan that is
        only weighted never evaluates its own)."""
        if self._rules is None:
            kl = self.klayers
            self._rules = {face: _rules.ghost_rule(self.bcs[face], self.grid, face, self.derivative, self.t,
                                                   self.dtype, None if kl is None else tuple(kl[face][:2]))
                           for face in self.grid.faces}
        return self._rules

    @property
    def faces(self):
        if self._faces is None:
            faces = [(None, None)] * self.first
            for axis, name in enumerate(self.grid.axis_names):
                va = axis + self.first
                faces.append(tuple((va, side, face_fill(self.rules[name + "-+"[side]], va, side, self.vshape,
                                                        self.dtype)) for side in (0, 1)))
            self._faces = faces
        return self._faces

    @property
    def kghosts(self):
        """Six device face arrays ``kx0, kx1, ky0, ky1, kz0, kz1``: the ghost conductivities (zeros on
        dummy axes); only for a weighted plan."""
        if self._kghosts is None:
            out = list(ghost_buffers(self.vshape, self.dtype, "kzero"))
            for face, rule in self.rules.items():
                axis, side = self.grid.parse_face(face)
                opposite = self.grid.axis_names[axis] + "+-"[side]
                kl = self.klayers[opposite][:1] if rule.source == "opposite" else self.klayers[face]
                va = axis + self.first
                out[2 * va + side] = _dev_face(_rules.ghost_conductivity(rule, kl), self.vshape, va, self.dtype)
            self._kghosts = out
        return self._kghosts

    def weighted(self, k, keep=True):
        """The plan of ``div(k grad u)`` for the same conditions and time.

        Parameters
        ----------
        k : number, host array or device array of ``grid.shape`` (or its 3D view)
        keep : bool
            Remember the result for this ``k`` (a number by value, an array by identity): the
            steppers' fixed diffusivity.  ``False`` re-reads an array ``k`` (an operator's argument
            may have changed in place); numbers are always remembered.

        Returns
        -------
        GhostPlan
        """
        number = np.ndim(k) == 0 and not _cu.is_device_array(k)
        key = ("number", float(k)) if number else ("array", id(k))
        keep = keep or number
        if keep and self._weighted is not None and self._weighted[0] == key:
            return self._weighted[2]
        plan = GhostPlan(self.grid, self.bcs, self.derivative, self.dtype, self.t,
                         klayers=_layers_of(k, self.grid, self.vshape, self.dtype, keep))
        if keep:
            self._weighted = (key, k, plan)  # holding k keeps its id unique while remembered
        return plan


def ghost_plan(grid, bcs, derivative, dtype, t=0.0):
    """Cached :class:`GhostPlan` for these conditions."""
    key = _key("ghost", grid, bcs, dtype, t, (derivative,))
    return _cached(key, bcs, lambda: GhostPlan(grid, bcs, derivative, dtype, t))


def dirichlet_plan(grid, bcs, dtype, t=0.0):
    """List of ``(view axis, side, device values)`` of the Dirichlet faces: the held values of their
    rules (cached)."""

    def build():
        vshape = view_shape(grid.shape)
        first = 3 - grid.ndim
        out = []
        for face in _bnd.dirichlet_faces(bcs):
            axis, side = grid.parse_face(face)
            held = _rules.ghost_rule(bcs[face], grid, face, 1, t, dtype).held
            out.append((axis + first, side, _dev_face(held, vshape, axis + first, dtype)))
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
