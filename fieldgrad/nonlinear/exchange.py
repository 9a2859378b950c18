"""Surface exchange (radiation, ``h(T)`` convection) linearised into Robin faces.

A :class:`~fieldgrad.boundary.SurfaceExchange` face carries the outward heat flux

    q(T) = emissivity*sigma*(T**4 - Ta**4) + h(T)*(T - Ta).

About a temperature ``T*`` it is replaced by the affine flux ``q(T*) + a*(T - T*)``, which is the
:class:`~fieldgrad.boundary.Robin` face ``a*T + beta*dT/dn = a*T* - q(T*)`` with ``beta`` the
face conductivity.  The slope ``a`` is

- ``"newton"``: ``dq/dT = 4*emissivity*sigma*T**3 + h(T) + h'(T)*(T - Ta)`` (quadratic
  convergence of the boundary nonlinearity);
- ``"picard"``: the secant ``q/(T - Ta) = emissivity*sigma*(T**2 + Ta**2)*(T + Ta) + h(T)``
  (the classical radiative heat transfer coefficient ``h_rad``).

Where the Newton slope is negative (an ``h(T)`` falling fast) the secant is used; a slope below 0
(only for temperatures below absolute zero) is set to 0, so every linearised face is a
well-posed Robin face.  Any slope gives the same fixed point: ``q(T*)`` is matched exactly.

Example
-------
>>> g = fg.Grid((3,))
>>> q, a = exchange_flux(fg.Radiation(1.0, 0.0), np.array(100.0), g, "x+", mode="newton")
>>> round(float(q), 4), round(float(a), 6)
(5.6704, 0.226815)
"""
from __future__ import annotations

import numpy as np

from ..boundary import Robin
from ..boundary.conditions import STEFAN_BOLTZMANN, SurfaceExchange
from ..errors import ParameterError
from ..grid import axis_slice
from .property import as_property

__all__ = ["exchange_flux", "linearised_bc", "face_values", "MODES"]

MODES = ("newton", "picard")


def face_values(a, grid, face):
    """The node values of a field ``a`` (or a number) on ``face``."""
    if np.ndim(a) == 0:
        return a
    axis, side = grid.parse_face(face)
    return np.asarray(a[axis_slice(grid.ndim, axis, 0 if side == 0 else -1)])


def exchange_flux(cond, T, grid, face, *, t=0.0, mode="newton"):
    """Outward heat flux ``q(T)`` of a surface-exchange face and its linearisation slope.

    Parameters
    ----------
    cond : SurfaceExchange
    T : face array of temperatures
    grid : Grid
    face : str
    t : float -- time for time-dependent ambient/emissivity
    mode : "newton" or "picard" (see the module docstring)

    Returns
    -------
    q, slope : face arrays (``slope >= 0``)
    """
    eps = cond.evaluate("emissivity", grid, face, t)
    Ta = cond.evaluate("ambient", grid, face, t)
    h = as_property(cond.h, "h", positive=False)
    hT = h(T) if callable(h) else h
    q = eps * STEFAN_BOLTZMANN * (T ** 4 - Ta ** 4) + hT * (T - Ta)
    secant = eps * STEFAN_BOLTZMANN * (T ** 2 + Ta ** 2) * (T + Ta) + hT
    if mode == "picard":
        slope = secant
    else:
        dh = h.derivative(T) if callable(h) else 0.0
        slope = 4 * eps * STEFAN_BOLTZMANN * T ** 3 + hT + dh * (T - Ta)
        slope = np.where(slope >= 0, slope, secant)
    return q, np.maximum(slope, 0.0)


def linearised_bc(bcs, T, k, *, t=0.0, mode="newton"):
    """Boundary specification with every surface-exchange face linearised about ``T``.

    Parameters
    ----------
    bcs : BoundaryConditions (resolved with ``allow_nonlinear=True``)
    T : array of ``grid.shape`` -- the temperature the faces are linearised about
    k : number or array of ``grid.shape`` -- the conductivity the solve uses (``k(T)`` sampled)
    t : float
    mode : "newton" or "picard"

    Returns
    -------
    dict face -> linear condition (the other faces unchanged)

    Example
    -------
    >>> g = fg.Grid((5,))
    >>> b = fg.resolve_bc({"x-": fg.Dirichlet(1.0), "x+": fg.ConvectionOfT(2.0, 0.0)}, g, allow_nonlinear=True)
    >>> c = linearised_bc(b, np.ones(5), 3.0)["x+"]
    >>> type(c).__name__, float(c.alpha), float(c.beta), float(c.value)
    ('Robin', 2.0, 3.0, 0.0)
    """
    if mode not in MODES:
        raise ParameterError(f"method must be one of {MODES}; got {mode!r}")
    grid = bcs.grid
    out = {}
    for face, cond in bcs.faces.items():
        if not isinstance(cond, SurfaceExchange):
            out[face] = cond
            continue
        Tf = np.asarray(face_values(T, grid, face), dtype=float)
        q, slope = exchange_flux(cond, Tf, grid, face, t=t, mode=mode)
        kc = as_property(cond.conductivity, "conductivity", positive=True)
        if kc is None:
            beta = face_values(k, grid, face)
        else:
            beta = kc(Tf) if callable(kc) else np.broadcast_to(kc, Tf.shape)
        out[face] = Robin(np.asarray(slope, dtype=float), np.asarray(beta, dtype=float),
                          np.asarray(slope * Tf - q, dtype=float))
    return out
