"""What the steady and the transient nonlinear solvers share: the conductivity argument, the
resolved boundary conditions, the reference temperature and the checks of a starting field.

Example
-------
>>> g = fg.Grid((5,))
>>> bcs, k = prepare(g, {"x-": fg.Dirichlet(400.0), "x+": fg.Radiation(1.0, 300.0)}, 2.0)
>>> k, reference_temperature(bcs)
(2.0, 350.0)
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Robin, resolve_bc
from ..boundary.conditions import SurfaceExchange
from ..errors import ParameterError
from ..grid import require_grid
from ..validation import check_coefficient
from .exchange import face_values
from .property import PropertyOfT, as_property

__all__ = ["prepare", "conductivity_at", "reference_temperature", "check_start"]


def prepare(grid, bc, k):
    """Resolved conditions (nonlinear faces allowed, every face given) and ``k`` checked: a
    :class:`PropertyOfT` (callables are wrapped as ``k(T)``), a positive number or node array."""
    require_grid(grid)
    bcs = resolve_bc(bc, grid, allow_nonlinear=True)
    bcs.require_complete("a nonlinear heat solve")
    k = as_property(k, "k", positive=True)
    if not isinstance(k, PropertyOfT):
        k = check_coefficient(k, grid, "k", positive=True)
        if k is None:
            k = 1.0
    return bcs, k


def conductivity_at(k, T):
    """``k`` sampled at the temperature field ``T`` (a number or node array pass through)."""
    return k(T) if isinstance(k, PropertyOfT) else k


def _face_mean(cond, field, grid, face, t):
    return float(np.mean(cond.evaluate(field, grid, face, t)))


def reference_temperature(bcs, t=0.0):
    """Mean of the temperatures the faces prescribe (Dirichlet values, ambient temperatures of
    convection/radiation faces, ``value/alpha`` of other Robin faces); 0 when there are none."""
    grid, temps = bcs.grid, []
    for face, c in bcs.faces.items():
        if isinstance(c, Dirichlet):
            temps.append(_face_mean(c, "value", grid, face, t))
        elif isinstance(c, SurfaceExchange) or hasattr(c, "ambient"):
            temps.append(_face_mean(c, "ambient", grid, face, t))
        elif isinstance(c, Robin):
            a = c.evaluate("alpha", grid, face, t)
            if np.all(a != 0):
                temps.append(float(np.mean(c.evaluate("value", grid, face, t) / a)))
    return float(np.mean(temps)) if temps else 0.0


def check_start(u, bcs, name="u0"):
    """Refuse a starting field that is not finite or, on a radiating face, below absolute zero."""
    if not np.all(np.isfinite(u)):
        raise ParameterError(f"{name} holds {int(np.sum(~np.isfinite(u)))} non-finite values; accepted: finite values")
    for face, c in bcs.faces.items():
        if isinstance(c, SurfaceExchange) and c.radiates:
            lo = float(np.min(face_values(u, bcs.grid, face)))
            if lo < 0:
                raise ParameterError(f"{name} is {lo:g} on the radiating face {face}; radiation needs absolute "
                                     "temperatures (kelvin, >= 0)")


def fixes_level(bcs):
    """True when some face fixes the temperature level (Dirichlet, Robin, surface exchange)."""
    return any(isinstance(c, (Dirichlet, Robin, SurfaceExchange)) for c in bcs.faces.values())


def linear_fixes_level(lin, grid, t=0.0):
    """True when the linearised faces ``lin`` (face -> condition) fix the level: a Dirichlet face
    or a Robin face whose ``alpha`` (the exchange slope) is nonzero somewhere."""
    for face, c in lin.items():
        if isinstance(c, Dirichlet):
            return True
        if isinstance(c, Robin) and np.any(np.asarray(c.evaluate("alpha", grid, face, t)) != 0):
            return True
    return False
