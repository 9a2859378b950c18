"""Figures, colour scales and colour bars shared by every plot, and saving without clobbering."""
from __future__ import annotations

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ..errors import FileFormatError, ParameterError

__all__ = ["new_figure", "colorbar", "color_scale", "save_figure"]


def new_figure(figsize):
    """A constrained-layout Figure on an Agg canvas (no display needed)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def colorbar(fig, mappable, axes, label, *, pad=0.008):
    """A colour bar right of ``axes`` (one Axes or a list), exactly as tall as they are drawn.

    Constrained layout reserves the room; the bar's own locator then places it next to the
    axes *after* their aspect ratio is applied, so with ``aspect="equal"`` it neither sticks out
    above and below the map nor floats away from it.

    Returns
    -------
    matplotlib.colorbar.Colorbar

    Example
    -------
    >>> fig = new_figure((5, 3))
    >>> ax = fig.add_subplot()
    >>> m = ax.pcolormesh([[0, 1], [2, 3]]); ax.set_aspect("equal")
    >>> cb = colorbar(fig, m, ax, "u [K]")
    >>> fig.canvas.draw()
    >>> float(round(cb.ax.get_window_extent().height - ax.get_window_extent().height, 6))
    0.0
    """
    axes = list(np.atleast_1d(axes))
    cb = fig.colorbar(mappable, ax=axes if len(axes) > 1 else axes[0], label=label)
    reserved = cb.ax.get_axes_locator()

    def locate(cax, renderer):
        room = reserved(cax, renderer) if reserved is not None else cax.get_position(original=True)
        boxes = [a.get_position(original=False) for a in axes]
        # clear of x tick labels that stick out past the right edge of the maps
        ticks = [a.xaxis.get_tightbbox(renderer) for a in axes]
        right = max([b.x1 for b in boxes]
                    + [fig.transFigure.inverted().transform((t.x1, 0))[0] for t in ticks if t is not None])
        x0 = right + pad
        return Bbox.from_extents(x0, min(b.y0 for b in boxes), x0 + room.width, max(b.y1 for b in boxes))

    cb.ax.set_axes_locator(locate)
    return cb


def color_scale(arrays, *, center=None, vmin=None, vmax=None, cmap=None):
    """Limits and colour map for ``arrays`` (NaN and masked values ignored).

    Parameters
    ----------
    arrays : sequence of arrays sharing the scale
    center : float, optional
        A diverging scale centred on this value (limits symmetric about it, ``RdBu_r``).
    vmin, vmax : float, optional
        Fixed limits (override what the data give).
    cmap : str, optional
        Default ``"inferno"`` (``"RdBu_r"`` with ``center``).

    Returns
    -------
    (vmin, vmax, cmap)

    Example
    -------
    >>> color_scale([np.array([-1.0, 3.0])], center=0.0)
    (-3.0, 3.0, 'RdBu_r')
    """
    vals = [np.ma.masked_invalid(np.ma.asarray(a, dtype=float)).compressed() for a in arrays]
    vals = [v for v in vals if v.size]
    lo = min(float(v.min()) for v in vals) if vals else 0.0
    hi = max(float(v.max()) for v in vals) if vals else 1.0
    if center is not None:
        c = float(center)
        if not np.isfinite(c):
            raise ParameterError(f"center must be a finite number; got {center!r}")
        r = max(abs(lo - c), abs(hi - c)) or 1.0
        lo, hi = c - r, c + r
        cmap = cmap or "RdBu_r"
    lo = lo if vmin is None else float(vmin)
    hi = hi if vmax is None else float(vmax)
    return lo, hi, cmap or "inferno"


def check_new(path, overwrite):
    """Refuse to replace ``path`` unless ``overwrite``; refuse a missing directory and a
    symbolic link (dangling or not: it would send the figure elsewhere)."""
    if os.path.islink(path):
        raise FileFormatError(f"{path} is a symbolic link; fieldgrad does not write through links: remove it or "
                              "choose another path")
    if os.path.exists(path) and not overwrite:
        raise FileFormatError(f"{path} already exists; pass overwrite=True (--overwrite) to replace it")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileFormatError(f"cannot write {path}: directory {d} does not exist")


def save_figure(fig, path, *, overwrite=False, dpi=110):
    """Save a figure as PNG/PDF/SVG (trimmed to its content), refusing to replace an existing
    file unless ``overwrite``.

    Returns
    -------
    str -- the path written
    """
    path = os.fspath(path)
    check_new(path, overwrite)
    fig.savefig(path, dpi=dpi, bbox_inches="tight", pad_inches=0.08)
    return path
