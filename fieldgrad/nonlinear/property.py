"""Material properties that depend on temperature: ``k(T)``, ``h(T)``, given as a callable or a table.

A table ``(T_points, values)`` is interpolated piecewise-linearly.  Outside the table the value is
clamped to the end value (``outside="clamp"``, the default: an iterate that overshoots for a
moment is not stopped by it) or refused (``outside="error"``: a :class:`ParameterError` naming the
temperature and the table's range).  Every evaluation is checked: a value that is not finite, or
not positive (``k``; ``h`` may be zero), is a :class:`ParameterError` that names the temperature
where it happened.

Example
-------
>>> k = ConductivityOfT(([300.0, 400.0], [10.0, 20.0]))
>>> k(np.array([300.0, 350.0, 500.0]))
array([10., 15., 20.])
>>> k.derivative(np.array([350.0]))
array([0.1])
>>> ConductivityOfT(lambda T: 1.0 - T)(np.array([0.5, 2.0]))
Traceback (most recent call last):
...
fieldgrad.errors.ParameterError: k(T) must be positive and finite; got k = -1 at T = 2 (1 of 2 ...
"""
from __future__ import annotations

import numbers

import numpy as np

from ..errors import ParameterError, describe

__all__ = ["PropertyOfT", "ConductivityOfT", "as_property"]


class PropertyOfT:
    """A property of the temperature, ``value = p(T)``, from a callable or a table.

    Parameters
    ----------
    source : callable or (T_points, values)
        A callable taking an array of temperatures and returning an array of the same shape (or a
        number), or a table: strictly increasing ``T_points`` (at least 2) and finite ``values``
        of the same length, interpolated piecewise-linearly.
    name : str
        The property's name in messages (``"k"``, ``"h"`` ...).
    positive : bool
        True: values must be > 0 (a conductivity); False: >= 0 (a heat transfer coefficient).
    outside : {"clamp", "error"}
        A table's behaviour outside ``[T_points[0], T_points[-1]]``: the end value, or a
        :class:`ParameterError` naming the temperature.
    derivative : callable, optional
        ``dp/dT`` of a callable source (used by Newton linearisations); default: a central
        difference with step ``1e-6 * max(1, |T|)``.  A table's derivative is its segment slope.

    Example
    -------
    >>> h = PropertyOfT(lambda T: 2.0 + 0.0 * T, name="h", positive=False)
    >>> float(h(np.array([5.0]))[0]), float(h.derivative(np.array([5.0]))[0])
    (2.0, 0.0)
    """

    def __init__(self, source, *, name="k", positive=True, outside="clamp", derivative=None):
        if outside not in ("clamp", "error"):
            raise ParameterError(f"outside must be 'clamp' or 'error'; got {describe(outside)}")
        if derivative is not None and not callable(derivative):
            raise ParameterError(f"derivative must be a callable dp/dT or None; got {describe(derivative)}")
        self.name, self.positive, self.outside, self._derivative = name, bool(positive), outside, derivative
        self.table = None
        if callable(source):
            self.func = source
        elif isinstance(source, (tuple, list)) and len(source) == 2:
            self.func = None
            self.table = self._check_table(*source)
        else:
            raise ParameterError(f"{name}(T) must be a callable of the temperature or a table (T_points, values); "
                                 f"got {describe(source)}")
        if self.table is not None:
            self._check(self.table[0], self.table[1])

    def _check_table(self, tp, vp):
        tp, vp = np.asarray(tp, dtype=float), np.asarray(vp, dtype=float)
        if tp.ndim != 1 or vp.shape != tp.shape or tp.size < 2:
            raise ParameterError(f"the {self.name}(T) table needs two 1D sequences of the same length >= 2; got "
                                 f"T_points of shape {tp.shape} and values of shape {vp.shape}")
        if not np.all(np.isfinite(tp)) or not np.all(np.diff(tp) > 0):
            raise ParameterError(f"the {self.name}(T) table's T_points must be finite and strictly increasing; "
                                 f"got {describe(tp)}")
        return tp, vp

    def _range_check(self, T):
        lo, hi = self.table[0][0], self.table[0][-1]
        bad = (T < lo) | (T > hi)
        if np.any(bad):
            worst = T[bad][np.argmax(np.abs(T[bad] - (lo + hi) / 2))]
            raise ParameterError(f"{self.name}(T) was asked at T = {worst:g}, outside its table [{lo:g}, {hi:g}] "
                                 f"({int(np.sum(bad))} temperature(s) outside); accepted with outside='error': "
                                 "temperatures inside the table (outside='clamp' holds the end values)")

    def _check(self, T, values):
        """Raise ParameterError naming the temperature where ``values`` is non-finite or out of sign."""
        bad = ~np.isfinite(values) | ((values <= 0) if self.positive else (values < 0))
        if np.any(bad):
            Tb = np.broadcast_to(T, values.shape)[bad]
            vb = values[bad]
            i = int(np.argmin(np.where(np.isfinite(vb), vb, -np.inf)))
            sign = "positive" if self.positive else "non-negative"
            accepted = f"{self.name}(T) {'>' if self.positive else '>='} 0"
            raise ParameterError(f"{self.name}(T) must be {sign} and finite; got {self.name} = {vb[i]:g} at T = "
                                 f"{Tb[i]:g} ({int(bad.sum())} of {values.size} evaluated temperatures); accepted: "
                                 f"{accepted} at every temperature the solve reaches")

    def __call__(self, T):
        """The property at temperatures ``T`` (an array; the result has its shape)."""
        T = np.asarray(T, dtype=float)
        if self.table is not None:
            if self.outside == "error":
                self._range_check(T)
            return np.interp(T, *self.table)
        raw = self.func(T)
        try:
            values = np.broadcast_to(np.asarray(raw, dtype=float), T.shape).copy()
        except (TypeError, ValueError):
            raise ParameterError(f"{self.name}(T) returned {describe(raw)}; accepted: a number or an array "
                                 f"broadcastable to the temperatures' shape {T.shape}") from None
        self._check(T, values)
        return values

    def derivative(self, T):
        """``dp/dT`` at temperatures ``T``."""
        T = np.asarray(T, dtype=float)
        if self.table is not None:
            tp, vp = self.table
            slopes = np.diff(vp) / np.diff(tp)
            seg = np.clip(np.searchsorted(tp, T, side="right") - 1, 0, len(slopes) - 1)
            d = slopes[seg]
            return np.where((T < tp[0]) | (T > tp[-1]), 0.0, d) if self.outside == "clamp" else d
        if self._derivative is not None:
            return np.broadcast_to(np.asarray(self._derivative(T), dtype=float), T.shape).copy()
        step = 1e-6 * np.maximum(1.0, np.abs(T))
        return (self(T + step) - self(T - step)) / (2 * step)

    def __repr__(self):
        src = f"table of {len(self.table[0])} points" if self.table is not None else describe(self.func)
        return f"{type(self).__name__}({src}, name={self.name!r})"


class ConductivityOfT(PropertyOfT):
    """Thermal conductivity as a function of temperature, ``k(T) > 0``.

    Parameters
    ----------
    source : callable ``k(T)`` or table ``(T_points, k_points)`` (piecewise-linear)
    outside : {"clamp", "error"} -- outside a table: hold the end values, or raise
    derivative : callable ``dk/dT``, optional

    Raises
    ------
    ParameterError -- a malformed table; when evaluated, ``k(T) <= 0`` or non-finite (the message
        names the temperature)

    Example
    -------
    >>> k = ConductivityOfT(lambda T: 2.0 * (1.0 + 0.01 * T))
    >>> k(np.array([0.0, 100.0]))
    array([2., 4.])
    """

    def __init__(self, source, *, outside="clamp", derivative=None):
        super().__init__(source, name="k", positive=True, outside=outside, derivative=derivative)


def as_property(value, name, *, positive=True):
    """``value`` as a :class:`PropertyOfT` when it depends on the temperature, else unchanged.

    A :class:`PropertyOfT` is returned as it is; any other callable is wrapped (a callable of the
    temperature); numbers and arrays (properties fixed in space, independent of ``T``) pass
    through.

    Example
    -------
    >>> as_property(3.0, "k")
    3.0
    >>> as_property(lambda T: T + 1.0, "h", positive=False)
    PropertyOfT(<function <lambda> ...>, name='h')
    """
    if isinstance(value, PropertyOfT):
        return value
    if callable(value):
        return PropertyOfT(value, name=name, positive=positive)
    if isinstance(value, numbers.Number) or isinstance(value, np.ndarray) or value is None:
        return value
    raise ParameterError(f"{name} must be a number, an array, a callable of the temperature or a "
                         f"{'ConductivityOfT' if name == 'k' else 'PropertyOfT'}; got {describe(value)}")
