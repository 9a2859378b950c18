"""Pictures of fields with matplotlib (object-oriented API, Agg canvas: no display needed).

* :func:`plot_field` -- a 2D field (or a slice of a 3D one) as a heat map with a colour bar,
  physical axes and units, optionally with its flux as streamlines or arrows on top.
* :func:`plot_slices` -- three orthogonal slices of a 3D field.
* :func:`plot_frames` -- a grid of frames of a field from an HDF5 result file.
* :func:`animate` -- a GIF (Pillow) or MP4 (ffmpeg, when installed) of a field over time.

Every function takes either a field object (:mod:`fieldgrad.fields`) or a plain array with a
:class:`~fieldgrad.Grid`; titles and labels come from the field's metadata (name, units).

Example
-------
>>> import numpy as np
>>> from fieldgrad import Grid
>>> g = Grid((20, 10), extent=[(0, 2), (0, 1)])
>>> X, Y = g.mesh()
>>> fig = plot_field(X * Y, g, label="u", units="K", flux=np.stack([-Y, -X]))
>>> len(fig.axes)   # the map and its colour bar
2
"""
from __future__ import annotations

import os

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import FileFormatError, ParameterError, ShapeError
from .grid import Grid

__all__ = ["plot_field", "plot_slices", "plot_frames", "animate", "save_figure"]


def _unpack(field, grid, label, units):
    """(data, grid, label text, length unit, field or None) from a field object or an array."""
    if hasattr(field, "grid") and hasattr(field, "data"):
        f = field
        lab = label or getattr(f, "long_name", getattr(f, "name", "field"))
        un = units if units is not None else getattr(f, "units", "")
        return np.asarray(f.data), f.grid, lab, un, getattr(f, "length_unit", "m"), f
    if not isinstance(grid, Grid):
        raise ParameterError("pass a field object, or an array together with its grid (grid=...)")
    data = np.asarray(field)
    grid.check_shape(data, "field")
    return data, grid, label or "field", units or "", "m", None


def _new_figure(figsize):
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _take_slice(data, grid, axis, index):
    """A 2D section of 3D data: (values, xcoords, ycoords, axis names)."""
    n = grid.shape[axis]
    index = n // 2 if index is None else int(index)
    if not -n <= index < n:
        raise ParameterError(f"slice index {index} is out of range for axis {grid.axis_names[axis]} with {n} nodes")
    rest = [a for a in range(3) if a != axis]
    vals = np.take(data, index, axis=axis)
    return vals, grid.coords[rest[0]], grid.coords[rest[1]], [grid.axis_names[a] for a in rest], rest, index


def _draw(ax, fig, vals, xc, yc, names, lunit, label, units, cmap, vmin=None, vmax=None, colorbar=True):
    mesh = ax.pcolormesh(xc, yc, vals.T, shading="gouraud", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{names[0]} [{lunit}]")
    ax.set_ylabel(f"{names[1]} [{lunit}]")
    if colorbar:
        fig.colorbar(mesh, ax=ax, label=f"{label} [{units}]" if units else label, shrink=0.8)
    return mesh


def plot_field(field, grid=None, *, flux=None, style="streamlines", ax=None, title=None, label=None, units=None,
               cmap="inferno", slice_axis=2, slice_index=None, figsize=(6.4, 4.2), density=1.2):
    """Heat map of a scalar field with a colour bar, physical axes and units.

    Parameters
    ----------
    field : field object or array of ``grid.shape``
    grid : Grid, needed with an array
    flux : True, array ``(ndim, *shape)`` or None
        Vector field drawn on top (``True``: the field's own flux, e.g. the heat flux).
    style : {"streamlines", "arrows"}
    ax : matplotlib Axes, optional (a new figure otherwise)
    title, label, units : str, optional (defaults from the field's metadata)
    cmap : str
    slice_axis, slice_index : int
        For 3D data: the axis normal to the section and the node index (middle by default).
    figsize : tuple
    density : float
        Streamline density.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data, grid, label, units, lunit, fobj = _unpack(field, grid, label, units)
    if style not in ("streamlines", "arrows"):
        raise ParameterError(f"style must be 'streamlines' or 'arrows'; got {style!r}")
    if grid.ndim == 1:
        raise ParameterError("plot_field draws 2D and 3D fields; plot 1D data with matplotlib directly")
    if flux is True:
        if fobj is None:
            raise ParameterError("flux=True needs a field object; pass the vector array instead")
        flux = fobj.flux()
    if flux is not None:
        flux = np.asarray(flux)
        grid.check_shape(flux, "flux", leading=(grid.ndim,))
    fig = ax.figure if ax is not None else _new_figure(figsize)
    ax = ax if ax is not None else fig.add_subplot()
    if grid.ndim == 3:
        vals, xc, yc, names, rest, idx = _take_slice(data, grid, slice_axis, slice_index)
        vec = None if flux is None else np.stack([np.take(flux[a], idx, axis=slice_axis) for a in rest])
        where = f" at {grid.axis_names[slice_axis]} = {grid.coords[slice_axis][idx]:.4g} {lunit}"
    else:
        vals, xc, yc, names, vec, where = data, grid.coords[0], grid.coords[1], list(grid.axis_names), flux, ""
    _draw(ax, fig, vals, xc, yc, names, lunit, label, units, cmap)
    if vec is not None:
        if style == "streamlines":
            speed = np.hypot(vec[0], vec[1])
            if np.any(speed > 0):
                # streamplot wants equally spaced coordinates and (ny, nx) arrays
                ax.streamplot(xc, yc, vec[0].T, vec[1].T, color="white", linewidth=0.7, density=density,
                              arrowsize=0.8)
        else:
            step = [max(1, len(c) // 16) for c in (xc, yc)]
            ax.quiver(xc[::step[0]], yc[::step[1]], vec[0][::step[0], ::step[1]].T, vec[1][::step[0], ::step[1]].T,
                      color="white")
        ax.set_xlim(xc[0], xc[-1])
        ax.set_ylim(yc[0], yc[-1])
    ax.set_title(title if title is not None else f"{label}{where}")
    return fig


def plot_slices(field, grid=None, *, label=None, units=None, cmap="inferno", index=None, figsize=(12, 3.8),
                title=None):
    """Three orthogonal middle slices of a 3D field on one colour scale.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data, grid, label, units, lunit, _ = _unpack(field, grid, label, units)
    if grid.ndim != 3:
        raise ParameterError(f"plot_slices needs a 3D field; got {grid.ndim}D (use plot_field)")
    fig = _new_figure(figsize)
    axes = fig.subplots(1, 3)
    vmin, vmax = float(data.min()), float(data.max())
    index = [None] * 3 if index is None else list(index)
    for a in range(3):
        vals, xc, yc, names, _, idx = _take_slice(data, grid, a, index[a])
        mesh = _draw(axes[a], fig, vals, xc, yc, names, lunit, label, units, cmap, vmin, vmax, colorbar=False)
        axes[a].set_title(f"{grid.axis_names[a]} = {grid.coords[a][idx]:.4g} {lunit}")
    fig.colorbar(mesh, ax=list(axes), label=f"{label} [{units}]" if units else label)
    if title:
        fig.suptitle(title)
    return fig


def _open_result(path, field):
    from . import io as fio

    f = fio.open(path)
    names = [n for n, v in f.fields.items() if getattr(v, "kind", "scalar") == "scalar"]
    if field is None:
        if not names:
            f.close()
            raise FileFormatError(f"{path} holds no scalar field to draw")
        field = names[0]
    if field not in f.fields:
        f.close()
        raise ParameterError(f"field {field!r} is not in {path}; fields: {sorted(f.fields)}")
    return f, field


def plot_frames(path, field=None, *, times=None, ncols=3, nframes=6, cmap="inferno", slice_axis=2, figsize=None):
    """A grid of frames of ``field`` from an HDF5 result file, one colour scale for all.

    Parameters
    ----------
    path : str -- a fieldgrad result file
    field : str, optional -- the first scalar field by default
    times : sequence of float, optional -- the frames nearest these times (default: ``nframes``
        evenly spread frames)
    ncols, nframes : int
    cmap : str
    slice_axis : int -- for 3D data, the axis normal to the middle section

    Returns
    -------
    matplotlib.figure.Figure
    """
    f, field = _open_result(path, field)
    with f:
        view, grid, tt = f[field], f.grid, np.asarray(f.times)
        if len(tt) == 0:
            raise FileFormatError(f"{path} holds no frame")
        if times is None:
            idx = np.unique(np.linspace(0, len(tt) - 1, min(nframes, len(tt))).round().astype(int))
        else:
            idx = np.array([int(np.argmin(np.abs(tt - t))) for t in times])
        frames = [np.asarray(view[int(i)]) for i in idx]
        units, lname = view.units, view.long_name or field
    vmin = min(float(a.min()) for a in frames)
    vmax = max(float(a.max()) for a in frames)
    nrows = -(-len(idx) // ncols)
    ncols = min(ncols, len(idx))
    fig = _new_figure(figsize or (3.6 * ncols, 3.0 * nrows))
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    for ax, i, arr in zip(axes, idx, frames):
        if grid.ndim == 3:
            arr, xc, yc, names, _, _ = _take_slice(arr, grid, slice_axis, None)
        else:
            xc, yc, names = grid.coords[0], grid.coords[1], list(grid.axis_names)
        mesh = _draw(ax, fig, arr, xc, yc, names, "m", lname, units, cmap, vmin, vmax, colorbar=False)
        ax.set_title(f"t = {tt[i]:.4g} s")
    for ax in axes[len(idx):]:
        ax.set_visible(False)
    fig.colorbar(mesh, ax=list(axes[: len(idx)]), label=f"{lname} [{units}]" if units else lname)
    return fig


def animate(path, out, field=None, *, fps=8, cmap="inferno", slice_axis=2, overwrite=False, dpi=80):
    """Animation of ``field`` over the frames of a result file: ``.gif`` (Pillow) or ``.mp4``
    (needs ffmpeg on the PATH).

    Returns
    -------
    str -- the path written
    """
    from matplotlib import animation

    out = os.fspath(out)
    ext = os.path.splitext(out)[1].lower()
    if ext == ".gif":
        writer = animation.PillowWriter(fps=fps)
    elif ext == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise FileFormatError(f"cannot write {out}: MP4 needs ffmpeg, which is not installed; write a .gif")
        writer = animation.FFMpegWriter(fps=fps)
    else:
        raise ParameterError(f"animation file must end in .gif or .mp4; got {out!r}")
    _check_new(out, overwrite)
    f, field = _open_result(path, field)
    with f:
        view, grid, tt = f[field], f.grid, np.asarray(f.times)
        frames = [np.asarray(view[i]) for i in range(len(tt))]
        units, lname = view.units, view.long_name or field
    if not frames:
        raise FileFormatError(f"{path} holds no frame")
    vmin = min(float(a.min()) for a in frames)
    vmax = max(float(a.max()) for a in frames)
    fig = _new_figure((6, 4))
    ax = fig.add_subplot()

    def section(arr):
        if grid.ndim == 3:
            return _take_slice(arr, grid, slice_axis, None)[:4]
        return arr, grid.coords[0], grid.coords[1], list(grid.axis_names)

    vals, xc, yc, names = section(frames[0])
    mesh = _draw(ax, fig, vals, xc, yc, names, "m", lname, units, cmap, vmin, vmax)

    def update(i):
        mesh.set_array(section(frames[i])[0].T.ravel())
        ax.set_title(f"{lname}, t = {tt[i]:.4g} s")
        return (mesh,)

    anim = animation.FuncAnimation(fig, update, frames=len(frames), blit=False)
    anim.save(out, writer=writer, dpi=dpi)
    return out


def _check_new(path, overwrite):
    if os.path.islink(path):  # a link (dangling or not) would send the figure elsewhere
        raise FileFormatError(f"{path} is a symbolic link; fieldgrad does not write through links: remove it or "
                              "choose another path")
    if os.path.exists(path) and not overwrite:
        raise FileFormatError(f"{path} already exists; pass overwrite=True (--overwrite) to replace it")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileFormatError(f"cannot write {path}: directory {d} does not exist")


def save_figure(fig, path, *, overwrite=False, dpi=110):
    """Save a figure as PNG/PDF/SVG, refusing to replace an existing file unless ``overwrite``.

    Returns
    -------
    str -- the path written
    """
    path = os.fspath(path)
    _check_new(path, overwrite)
    fig.savefig(path, dpi=dpi)
    return path
