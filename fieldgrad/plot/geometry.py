"""Geometry drawn on a map: material boundaries (jumps of the coefficient), held-value regions
(electrodes, fixed temperatures) and the domain's edge; and the nodes flux lines must avoid.

A node-sampled coefficient puts a material boundary between two nodes of different values, so
the outlines are the 1/2-level contours of region indicators: half a spacing from the last
node of a region (within h/2 of where the case file put the boundary).
"""
from __future__ import annotations

import numpy as np
from matplotlib import patheffects
from matplotlib.lines import Line2D

from ..errors import ParameterError, ShapeError

__all__ = ["material_labels", "fixed_masks", "blocked_nodes", "draw_geometry", "STYLES"]

_STROKE = [patheffects.withStroke(linewidth=2.8, foreground="black")]
STYLES = {  # what -> line style (outlines carry a dark stroke so they read on light and dark colours)
    "material": {"colors": "#4de3ff", "linewidths": 1.3, "linestyles": "--"},
    "fixed": {"colors": "#b6ff3b", "linewidths": 1.6, "linestyles": "-"},
    "domain": {"colors": "black", "linewidths": 1.4, "linestyles": "-"},
}
MAX_MATERIALS = 8


def material_labels(coefficient, shape):
    """Region labels of a piecewise-constant coefficient: an int array, or None when the
    coefficient is one number, varies smoothly (more than 8 distinct values) or is absent.

    Example
    -------
    >>> material_labels(np.array([[1.0, 1.0, 5.0]]), (1, 3)).tolist()
    [[0, 0, 1]]
    """
    if coefficient is None or np.ndim(coefficient) == 0:
        return None
    k = np.asarray(coefficient, dtype=float)
    if k.shape != tuple(shape):
        raise ShapeError(f"coefficient has shape {k.shape}; the grid needs {tuple(shape)}")
    vals, inv = np.unique(k, return_inverse=True)
    if not 2 <= len(vals) <= MAX_MATERIALS:
        return None
    return inv.reshape(k.shape)


def fixed_masks(fixed, shape):
    """Boolean masks of held regions from masks or ``(mask, value)`` pairs (as ``steady(fixed=)``)."""
    out = []
    for i, item in enumerate(fixed or []):
        m = np.asarray(item[0] if isinstance(item, tuple) else item)
        if m.shape != tuple(shape) or m.dtype != bool:
            raise ShapeError(f"fixed[{i}] must be a boolean mask of shape {tuple(shape)} (or a (mask, value) pair); "
                             f"got shape {m.shape}, dtype {m.dtype}")
        out.append(m)
    return out


def blocked_nodes(shape, coefficient=None, fixed=(), domain=None, insulator=1e-3):
    """Nodes a flux line must not enter: insulating (coefficient below ``insulator`` times its
    maximum), held regions, and nodes outside ``domain``; None when there are none.

    Example
    -------
    >>> blocked_nodes((1, 3), coefficient=np.array([[400.0, 0.05, 400.0]])).tolist()
    [[False, True, False]]
    """
    blocked = np.zeros(shape, dtype=bool)
    if insulator is not None and coefficient is not None and np.ndim(coefficient) > 0:
        if not 0 <= float(insulator) < 1:
            raise ParameterError(f"insulator must be a fraction of the largest coefficient in [0, 1); got {insulator!r}")
        k = np.asarray(coefficient, dtype=float)
        blocked |= k <= float(insulator) * np.nanmax(k)
    for m in fixed:
        blocked |= m
    if domain is not None:
        blocked |= ~domain
    return blocked if blocked.any() else None


def _outline(ax, xc, yc, mask, style):
    m = np.asarray(mask, dtype=float)
    if m.min() == m.max():
        return None
    cs = ax.contour(xc, yc, m.T, levels=[0.5], **style)
    cs.set_path_effects(_STROKE)
    return cs


def draw_geometry(ax, xc, yc, *, labels=None, fixed=(), domain=None, names=None):
    """Outline materials, held regions and the domain on a 2D map.

    Parameters
    ----------
    ax : Axes
    xc, yc : node coordinates of the map's two axes
    labels : int array ``(len(xc), len(yc))`` of material regions, or None
    fixed : list of boolean masks (held regions)
    domain : boolean mask of domain nodes, or None
    names : dict ``{"material": ..., "fixed": ..., "domain": ...}`` of legend texts

    Returns
    -------
    list of (handle, text) for the legend
    """
    names = {"material": "material boundary", "fixed": "held region", "domain": "domain edge", **(names or {})}
    legend = []
    if labels is not None:
        drawn = [_outline(ax, xc, yc, labels == v, STYLES["material"]) for v in np.unique(labels)[1:]]
        if any(d is not None for d in drawn):
            legend.append(("material", names["material"]))
    if any(_outline(ax, xc, yc, m, STYLES["fixed"]) is not None for m in list(fixed)):
        legend.append(("fixed", names["fixed"]))
    if domain is not None and _outline(ax, xc, yc, domain, STYLES["domain"]) is not None:
        legend.append(("domain", names["domain"]))
    return [(_handle(STYLES[what]), text) for what, text in legend]


def _handle(style):
    ls = {"--": (0, (3.7, 1.6))}.get(style["linestyles"], style["linestyles"])
    return Line2D([], [], color=style["colors"], linewidth=style["linewidths"], linestyle=ls, path_effects=_STROKE)
