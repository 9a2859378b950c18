"""Vector fields on a map: which vector a name means, its label, and streamlines or arrows that
stop at insulators, held regions and the domain's edge."""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D

from ..errors import ParameterError

__all__ = ["VECTORS", "vector_name", "field_vector", "draw_vectors"]

VECTORS = {  # canonical name -> (aliases, legend text)
    "heat_flux": (("q", "heat_flux", "heat flux"), "heat flux q = -k grad T"),
    "electric_field": (("E", "electric_field"), "electric field E = -grad phi"),
    "displacement": (("D", "displacement"), "electric displacement D = -eps grad phi"),
    "darcy_velocity": (("v", "darcy_velocity"), "Darcy velocity v = -(kappa/mu) grad p"),
}
_DEFAULT = {"temperature": "heat_flux", "potential": "electric_field", "pressure": "darcy_velocity"}


def vector_name(name):
    """Canonical name of a vector given by a name or alias (``"E"`` -> ``"electric_field"``);
    None for a name outside :data:`VECTORS`.

    Example
    -------
    >>> vector_name("E"), vector_name("q"), vector_name("wind")
    ('electric_field', 'heat_flux', None)
    """
    for canon, (aliases, _) in VECTORS.items():
        if name == canon or name in aliases:
            return canon
    return None


def field_vector(field, which=True, t=0.0):
    """A field object's vector: ``True`` its natural one (heat flux for a temperature, E for a
    potential, the Darcy velocity for a pressure), or a name from :data:`VECTORS`.

    Returns
    -------
    (array ``(ndim, *shape)``, legend text)
    """
    quantity = getattr(field, "quantity", None)
    canon = _DEFAULT.get(quantity) if which is True else vector_name(which)
    if canon is None and which is True:
        return field.flux(t), getattr(field, "flux_name", "flux")
    getters = {"heat_flux": ("temperature", "heat_flux"), "electric_field": ("potential", "electric_field"),
               "displacement": ("potential", "displacement"), "darcy_velocity": ("pressure", "darcy_velocity")}
    if canon is None or getters[canon][0] != quantity:
        allowed = [c for c, (q, _) in getters.items() if q == quantity]
        raise ParameterError(f"flux = {which!r} is not a vector of a {quantity or type(field).__name__} field; "
                             f"allowed: True, {allowed} (or their short names) or an array")
    return getattr(field, getters[canon][1])(t), VECTORS[canon][1]


_LINE = {"color": "white", "linewidth": 0.75}


def draw_vectors(ax, xc, yc, vec, blocked=None, *, style="streamlines", density=1.2, label=None):
    """Draw the in-plane vector ``vec`` (shape ``(2, len(xc), len(yc))``) on ``ax``.

    Streamlines end where they would enter a ``blocked`` node (insulators, held regions,
    outside the domain: matplotlib stops a line at masked values); arrows are left out there.

    Returns
    -------
    list of (handle, text) for the legend (empty without ``label`` or when nothing was drawn)
    """
    if style not in ("streamlines", "arrows"):
        raise ParameterError(f"style must be 'streamlines' or 'arrows'; got {style!r}")
    vec = np.asarray(vec, dtype=float)
    mask = ~np.isfinite(vec).all(axis=0)
    if blocked is not None:
        mask |= blocked
    speed = np.where(mask, 0.0, np.hypot(vec[0], vec[1]))
    if not np.any(speed > 0):
        return []
    if style == "streamlines":
        u = np.ma.masked_array(vec[0], mask)
        v = np.ma.masked_array(vec[1], mask)
        # streamplot wants equally spaced coordinates and (ny, nx) arrays
        ax.streamplot(xc, yc, u.T, v.T, density=density, arrowsize=0.8, **_LINE)
        handle = Line2D([], [], **_LINE, path_effects=[patheffects.withStroke(linewidth=2.2, foreground="0.35")])
    else:
        step = [max(1, len(c) // 16) for c in (xc, yc)]
        sl = (slice(None, None, step[0]), slice(None, None, step[1]))
        keep = ~mask[sl]
        X, Y = np.meshgrid(xc[sl[0]], yc[sl[1]], indexing="ij")
        ax.quiver(X[keep], Y[keep], vec[0][sl][keep], vec[1][sl][keep], color="white", edgecolor="0.2",
                  linewidth=0.4)
        handle = Line2D([], [], marker=r"$\rightarrow$", markersize=12, linestyle="none", color="0.2")
    ax.set_xlim(xc[0], xc[-1])
    ax.set_ylim(yc[0], yc[-1])
    return [] if label is None else [(handle, label)]
