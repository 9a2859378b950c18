"""A small most-recently-used cache of solver setups, keyed by the *values* of the problem.

A setup (multigrid hierarchy, coarse factorisation) depends on the grid, the boundary
conditions and the coefficients.  Keying it on object identity returns stale answers when a
caller changes a boundary dict or an array in place, so an entry keeps a frozen copy of what
it was built from (arrays copied and made read-only, conditions copied) and a lookup compares
values.  The setup is built from that frozen copy, so nothing it holds can change behind it.

Callables (boundary values of the coordinates) are kept as they are and compared by identity:
they are taken to be pure functions of their arguments.

Example
-------
>>> cache = SetupCache(2)
>>> k = np.ones(3)
>>> first = cache.get((k,), lambda kk: kk.sum())
>>> k[0] = 5.0                       # changed in place: the old setup must not come back
>>> float(cache.get((k,), lambda kk: kk.sum())), float(first)
(7.0, 3.0)
"""
from __future__ import annotations

import copy
import numbers

import numpy as np

from ..boundary import BoundaryConditions, Condition

__all__ = ["SetupCache", "freeze", "same_value"]


def _host(value):
    """A NumPy copy of a device array (anything with ``copy_to_host`` or ``get``), else None."""
    if isinstance(value, np.ndarray) or not hasattr(value, "__cuda_array_interface__"):
        return None
    for name in ("copy_to_host", "get"):
        if hasattr(value, name):
            return np.asarray(getattr(value, name)())
    return None  # pragma: no cover - an unknown device array type


def _frozen_array(arr):
    out = np.array(arr, copy=True)
    out.flags.writeable = False
    return out


def freeze(value):
    """A copy of ``value`` that later in-place changes of the original cannot reach.

    Arrays (NumPy or device) become read-only NumPy copies, lists and tuples of numbers become
    arrays, conditions and dicts/boundary specifications are copied member by member; numbers,
    strings, ``None``, grids and callables are returned as they are.
    """
    host = _host(value)
    if host is not None:
        return _frozen_array(host)
    if isinstance(value, np.ndarray):
        return _frozen_array(value)
    if isinstance(value, (list, tuple)) and not isinstance(value, str):
        if all(isinstance(v, numbers.Number) for v in value):
            return _frozen_array(value)
        return type(value)(freeze(v) for v in value)
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    if isinstance(value, BoundaryConditions):
        return BoundaryConditions(value.grid, {f: freeze(c) for f, c in value.faces.items()},
                                  surface=freeze(value.surface))
    if isinstance(value, Condition):
        out = copy.copy(value)
        out._cache = {}  # evaluated callables belong to the original
        for f in value._fields:
            setattr(out, f, freeze(getattr(value, f)))
        return out
    return value


def same_value(frozen, value):
    """True when ``value`` now equals what :func:`freeze` kept in ``frozen``."""
    if isinstance(frozen, np.ndarray):
        host = _host(value)
        arr = host if host is not None else value
        if isinstance(arr, (list, tuple)):
            arr = np.asarray(arr)
        return (isinstance(arr, np.ndarray) and arr.shape == frozen.shape and arr.dtype == frozen.dtype
                and bool(np.array_equal(arr, frozen)))
    if isinstance(frozen, dict):
        return (isinstance(value, dict) and value.keys() == frozen.keys()
                and all(same_value(frozen[k], value[k]) for k in frozen))
    if isinstance(frozen, (list, tuple)):
        return (type(value) is type(frozen) and len(value) == len(frozen)
                and all(same_value(a, b) for a, b in zip(frozen, value)))
    if isinstance(frozen, BoundaryConditions):
        return (isinstance(value, BoundaryConditions) and value.grid == frozen.grid
                and same_value(frozen.faces, value.faces) and same_value(frozen.surface, value.surface))
    if isinstance(frozen, Condition):
        return type(value) is type(frozen) and all(
            same_value(getattr(frozen, f), getattr(value, f)) for f in frozen._fields)
    if isinstance(frozen, numbers.Number) and not isinstance(frozen, bool):
        return isinstance(value, numbers.Number) and not isinstance(value, bool) and frozen == value
    if frozen is None or callable(frozen):
        return value is frozen
    return type(value) is type(frozen) and value == frozen


class SetupCache:
    """The last ``size`` setups, each built from a frozen copy of its arguments.

    Parameters
    ----------
    size : int
        How many setups to keep.
    """

    def __init__(self, size):
        self.size = int(size)
        self._entries = []

    def get(self, args, build):
        """The setup for ``args`` (a tuple), building ``build(*frozen_args)`` on a miss.

        Returns
        -------
        object -- what ``build`` returned, now or on an earlier call with equal arguments
        """
        for i, (frozen, setup) in enumerate(self._entries):
            if same_value(frozen, tuple(args)):
                if i:
                    self._entries.insert(0, self._entries.pop(i))
                return setup
        frozen = freeze(tuple(args))
        setup = build(*frozen)
        self._entries.insert(0, (frozen, setup))
        del self._entries[self.size:]
        return setup

    def clear(self):
        """Forget every setup."""
        self._entries.clear()
