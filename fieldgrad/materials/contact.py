"""Contact (interface) resistance between labelled regions, and thin resistive layers.

Nodes carry integer region labels; where a link joins two differently labelled nodes the
interface sits at mid-edge and a resistance ``R`` (per unit area: temperature drop per flux,
m^2 K / W for heat) acts in series with the two half links.  A thin layer of thickness ``t``
and conductivity ``k_layer`` between two regions is ``R = t / k_layer``.

Example
-------
>>> labels = np.repeat([0, 0, 1, 1], 2).reshape(4, 2)
>>> c = resolve_contact(Contact(labels, {(0, 1): 0.5}), fg.Grid((4, 2)))
>>> float(c.pair_resistance(np.array([0]), np.array([1]))[0])
0.5
"""
from __future__ import annotations

import numbers

import numpy as np

from ..errors import ParameterError, ShapeError, describe

__all__ = ["Contact", "ResolvedContact", "resolve_contact"]


def _check_r(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a real number >= 0 (a resistance per unit area); got {describe(value)}")
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ParameterError(f"{name} must be finite and >= 0 (a resistance per unit area); got {v!r}")
    return v


class Contact:
    """Interface resistance between regions of differently labelled nodes.

    Parameters
    ----------
    regions : integer array of ``grid.shape`` -- a region label per node; the interface between
        two regions lies half-way along every link joining their nodes.
    resistance : number >= 0 (every interface) or dict ``{(label_a, label_b): R}`` (order of
        the pair does not matter; pairs not listed have no resistance).  Units: the inverse of a
        conductance per area (``m^2 K / W`` for heat); a thin layer is ``thickness / k_layer``.

    Example
    -------
    >>> Contact(np.zeros((3, 3), dtype=int), 1e-3).resistance
    0.001
    """

    def __init__(self, regions, resistance):
        arr = np.array(regions, copy=True)
        if arr.ndim == 0 or arr.dtype.kind not in "iub":
            raise ParameterError(f"Contact regions must be an integer label array of the grid's shape; got "
                                 f"{describe(regions)}")
        arr = arr.astype(np.int64)
        arr.flags.writeable = False
        self.regions = arr
        if isinstance(resistance, dict):
            res = {}
            for pair, r in resistance.items():
                if (not isinstance(pair, tuple) or len(pair) != 2
                        or not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in pair)):
                    raise ParameterError(f"Contact resistance keys must be pairs of integer labels (a, b); got "
                                         f"{describe(pair)}")
                a, b = int(pair[0]), int(pair[1])
                if a == b:
                    raise ParameterError(f"Contact resistance key {pair!r} names one region twice; an interface "
                                         "joins two different labels")
                key = (min(a, b), max(a, b))
                v = _check_r(r, f"Contact resistance[{pair!r}]")
                if key in res and res[key] != v:
                    raise ParameterError(f"Contact resistance gives the pair {key} two values ({res[key]!r}, {v!r})")
                res[key] = v
            self.resistance = res
        else:
            self.resistance = _check_r(resistance, "Contact resistance")

    def __eq__(self, other):
        return (isinstance(other, Contact) and other.regions.shape == self.regions.shape
                and bool(np.array_equal(other.regions, self.regions)) and other.resistance == self.resistance)

    __hash__ = None

    def __repr__(self):
        return f"Contact(regions of shape {self.regions.shape}, resistance={self.resistance!r})"


class ResolvedContact:
    """A :class:`Contact` checked against a grid: ``labels3`` (padded to three axes) and
    :meth:`pair_resistance`."""

    def __init__(self, contact, labels3):
        self.contact = contact
        self.labels3 = labels3

    def pair_resistance(self, la, lb):
        """Resistance between the labels ``la`` and ``lb`` (arrays; 0 where equal or unlisted)."""
        r = self.contact.resistance
        if not isinstance(r, dict):
            return np.where(la != lb, r, 0.0)
        out = np.zeros(np.broadcast(la, lb).shape)
        lo, hi = np.minimum(la, lb), np.maximum(la, lb)
        for (a, b), v in r.items():
            out[(lo == a) & (hi == b)] = v
        return out


def resolve_contact(contact, grid, name="contact"):
    """Check ``contact`` against ``grid``.

    Parameters
    ----------
    contact : None or Contact
    grid : Grid
    name : str

    Returns
    -------
    None or ResolvedContact

    Raises
    ------
    ParameterError, ShapeError (naming ``name``)

    Example
    -------
    >>> resolve_contact(None, fg.Grid((3,))) is None
    True
    """
    if contact is None:
        return None
    if not isinstance(contact, Contact):
        raise ParameterError(f"{name} must be a fieldgrad.Contact(regions, resistance) or None; got "
                             f"{describe(contact)}")
    if contact.regions.shape != grid.shape:
        raise ShapeError(f"{name} regions (the label array) has shape {contact.regions.shape}; this grid needs "
                         f"{grid.shape} (one label per node)")
    labels3 = contact.regions.reshape(grid.shape + (1,) * (3 - grid.ndim))
    return ResolvedContact(contact, labels3)
