"""Maps of one field: :func:`plot_field` (2D, or a section of 3D, with geometry and flux lines)
and :func:`plot_slices` (three orthogonal sections of 3D)."""
from __future__ import annotations

import numpy as np
from matplotlib.transforms import offset_copy

from ..errors import ParameterError, ShapeError
from ._data import axis_index, section, snap_slice, unpack
from ._layout import color_scale, colorbar, new_figure
from .geometry import blocked_nodes, draw_geometry, fixed_masks, material_labels
from .vectors import draw_vectors, field_vector

__all__ = ["plot_field", "plot_slices", "draw_map", "geometry_names"]


def geometry_names(quantity):
    """Legend texts of the outlines for a field's quantity ("temperature", "potential", ...)."""
    coef = {"temperature": "k", "potential": "eps", "pressure": "kappa"}.get(quantity, "coefficient")
    held = {"temperature": "held temperature", "potential": "electrode (held potential)",
            "pressure": "held pressure"}.get(quantity, "held region")
    return {"material": f"material boundary (jump of {coef})", "fixed": held}


def draw_map(ax, fig, vals, xc, yc, names, lunit, text, scale, *, bar=True):
    """Colour map of ``vals`` (shape ``(len(xc), len(yc))``; masked/NaN values left blank) with
    physical axes and, with ``bar``, a colour bar as tall as the map.  Returns the mesh."""
    vmin, vmax, cmap = scale
    mesh = ax.pcolormesh(xc, yc, np.ma.masked_invalid(vals).T, shading="gouraud", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{names[0]} [{lunit}]")
    ax.set_ylabel(f"{names[1]} [{lunit}]")
    if bar:
        colorbar(fig, mesh, ax, text)
    return mesh


def _legend(ax, entries):
    if not entries:
        return
    # below the x label: an offset in points keeps it clear of the tick labels at any axes size
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-30, units="points")
    ax.legend([h for h, _ in entries], [t for _, t in entries], loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=below, ncols=min(2, len(entries)), frameon=False, fontsize="small",
              handlelength=2.6)


def _domain(domain, grid):
    if domain is None:
        return None
    d = np.asarray(domain)
    if d.shape != grid.shape or d.dtype != bool:
        raise ShapeError(f"domain must be a boolean mask of the nodes in the domain, shape {grid.shape}; "
                         f"got shape {d.shape}, dtype {d.dtype}")
    return d


def _vector(pic, flux, flux_label):
    """(vector array or None, legend text)."""
    if flux is None or flux is False:
        return None, None
    if flux is True or isinstance(flux, str):
        if pic.field is None:
            raise ParameterError(f"flux = {flux!r} needs a field object; pass the vector array instead")
        vec, text = field_vector(pic.field, flux)
        return np.asarray(vec), flux_label or text
    vec = np.asarray(flux)
    pic.grid.check_shape(vec, "flux", leading=(pic.grid.ndim,))
    return vec, flux_label


def plot_field(field, grid=None, *, flux=None, style="streamlines", ax=None, title=None, label=None, units=None,
               cmap=None, center=None, vmin=None, vmax=None, slice_axis=2, slice_index=None, slice_at=None,
               coefficient=None, fixed=None, domain=None, insulator=1e-3, outline=True, flux_label=None,
               quantity=None, figsize=(6.4, 4.2), density=1.2):
    """Heat map of a scalar field with its geometry, flux lines and a colour bar as tall as the map.

    Parameters
    ----------
    field : field object or array of ``grid.shape``
    grid : Grid, needed with an array
    flux : None, True, a name or an array ``(ndim, *shape)``
        Vector drawn on top.  ``True``: the field's own (heat flux ``q = -k grad T`` of a
        temperature, ``E = -grad phi`` of a potential, the Darcy velocity of a pressure); a name:
        ``"heat_flux"``/``"q"``, ``"E"``, ``"D"``, ``"darcy_velocity"``; an array: any vector,
        labelled by ``flux_label``.
    style : {"streamlines", "arrows"}
    ax : matplotlib Axes, optional (a new figure otherwise)
    title, label, units : str, optional (defaults from the field's metadata)
    cmap : str, optional -- ``"inferno"``, or ``"RdBu_r"`` with ``center``
    center : float, optional -- a diverging colour scale centred on this value (e.g. 0)
    vmin, vmax : float, optional -- fixed colour limits
    slice_axis : int or axis name; slice_index : int; slice_at : float
        For 3D data: the axis normal to the section and its node (``slice_at``: the node nearest
        this coordinate; the middle node by default).  The title gives the node's coordinate.
    coefficient : number or array, optional
        Material coefficient (default: the field's ``k``/``eps``/...).  A piecewise-constant
        array has its material boundaries outlined; nodes where it is at most ``insulator``
        times its maximum are insulators that flux lines do not cross.
    fixed : list of boolean masks or ``(mask, value)`` pairs, optional
        Held regions (fixed temperatures, electrodes): outlined, and flux lines end on them.
    domain : boolean mask, optional -- nodes inside the domain; the rest is left blank.
    insulator : float or None -- see ``coefficient`` (None: no node is an insulator)
    outline : bool -- draw the outlines
    flux_label : str, optional -- legend text of the vector
    quantity : str, optional -- what an array is (``"temperature"``, ``"potential"``,
        ``"pressure"``): names the outlines as a field object's quantity does
    figsize : tuple; density : float (streamline density)

    Returns
    -------
    matplotlib.figure.Figure

    Example
    -------
    >>> g = fg.Grid((21, 11), extent=[(0, 2), (0, 1)])
    >>> X, Y = g.mesh()
    >>> k = np.where(X > 1.5, 0.01, 1.0)
    >>> fig = plot_field(X * Y, g, label="T", units="K", flux=np.stack([-Y, -X]), flux_label="heat flux",
    ...                  coefficient=k)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['material boundary (jump of coefficient)', 'heat flux']
    """
    pic = unpack(field, grid, label, units)
    g = pic.grid
    if g.ndim == 1:
        raise ParameterError("plot_field draws 2D and 3D fields; plot 1D data with matplotlib directly")
    vec, vtext = _vector(pic, flux, flux_label)
    coef = pic.coefficient if coefficient is None else coefficient
    masks = fixed_masks(fixed, g.shape)
    dom = _domain(domain, g)
    axis = idx = None
    where = ""
    if g.ndim == 3:
        axis = axis_index(g, slice_axis)
        idx, _ = snap_slice(g, axis, slice_at, slice_index)
        where = f" at {g.axis_names[axis]} = {g.coords[axis][idx]:.4g} {pic.length_unit}"

    def cut(a):
        return None if a is None else section(a, g, axis, idx)[0]

    vals, rest = section(pic.data, g, axis, idx)
    xc, yc = g.coords[rest[0]], g.coords[rest[1]]
    if dom is not None:
        vals = np.ma.masked_array(vals, ~cut(dom))
    fig = ax.figure if ax is not None else new_figure(figsize)
    ax = ax if ax is not None else fig.add_subplot()
    text = f"{pic.label} [{pic.units}]" if pic.units else pic.label
    draw_map(ax, fig, vals, xc, yc, [g.axis_names[a] for a in rest], pic.length_unit, text,
             color_scale([vals], center=center, vmin=vmin, vmax=vmax, cmap=cmap))
    entries = []
    if outline:
        labels = material_labels(coef, g.shape) if np.ndim(coef) else None
        entries += draw_geometry(ax, xc, yc, labels=cut(labels), fixed=[cut(m) for m in masks], domain=cut(dom),
                                 names=geometry_names(quantity or getattr(pic.field, "quantity", None)))
    if vec is not None:
        blocked = blocked_nodes(g.shape, coef if np.ndim(coef) else None, masks, dom, insulator)
        entries += draw_vectors(ax, xc, yc, cut(vec)[rest] if g.ndim == 3 else vec, cut(blocked), style=style,
                                density=density, label=vtext)
    _legend(ax, entries)
    ax.set_title(title if title is not None else f"{pic.label}{where}")
    return fig


def plot_slices(field, grid=None, *, label=None, units=None, cmap=None, center=None, index=None,
                figsize=(12, 3.8), title=None):
    """Three orthogonal sections of a 3D field (middle nodes by default) on one colour scale.

    Parameters
    ----------
    field, grid, label, units, cmap, center : as for :func:`plot_field`
    index : sequence of three node indices, optional (None entries: the middle)
    figsize : tuple; title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    pic = unpack(field, grid, label, units)
    g = pic.grid
    if g.ndim != 3:
        raise ParameterError(f"plot_slices needs a 3D field; got {g.ndim}D (use plot_field)")
    fig = new_figure(figsize)
    axes = fig.subplots(1, 3)
    scale = color_scale([pic.data], center=center, cmap=cmap)
    index = [None] * 3 if index is None else list(index)
    for a in range(3):
        i, _ = snap_slice(g, a, index=index[a])
        vals, rest = section(pic.data, g, a, i)
        mesh = draw_map(axes[a], fig, vals, g.coords[rest[0]], g.coords[rest[1]], [g.axis_names[r] for r in rest],
                        pic.length_unit, None, scale, bar=False)
        axes[a].set_title(f"{g.axis_names[a]} = {g.coords[a][i]:.4g} {pic.length_unit}")
    colorbar(fig, mesh, list(axes), f"{pic.label} [{pic.units}]" if pic.units else pic.label)
    if title:
        fig.suptitle(title)
    return fig
