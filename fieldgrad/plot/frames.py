"""Frames of a result file: :func:`plot_frames` (a grid of frames) and :func:`animate`."""
from __future__ import annotations

import os

import numpy as np

from ..errors import FileFormatError, ParameterError
from ._data import section, sections, snap_time
from ._layout import check_new, color_scale, colorbar, new_figure
from .field import _domain, draw_map, geometry_names
from .geometry import draw_geometry, fixed_masks, material_labels

__all__ = ["plot_frames", "animate", "open_result", "is_steady", "time_title"]


def open_result(path, field):
    """The open result file and the scalar field to draw (the first scalar by default)."""
    from .. import io as fio

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


def is_steady(f):
    """True for a steady result: a case run with ``solver.kind = "steady"``, or one snapshot at
    t = 0, step 0 written without a time step (``fieldgrad.io.save`` of a steady solve)."""
    params = f.params or {}
    if params.get("kind") in ("steady", "transient"):
        return params["kind"] == "steady"
    steps = np.asarray(f.steps)
    return len(f.times) == 1 and float(f.times[0]) == 0.0 and int(steps[0]) == 0 and "dt" not in params


def time_title(t, steady):
    """``"t = 0.5 s"``, or ``"steady state"`` for a steady result."""
    return "steady state" if steady else f"t = {t:.4g} s"


def plot_frames(path, field=None, *, times=None, ncols=3, nframes=6, cmap=None, center=None, scale="shared",
                slice_axis=2, slice_index=None, coefficient=None, fixed=None, domain=None, figsize=None):
    """A grid of frames of ``field`` from an HDF5 result file.

    Parameters
    ----------
    path : str -- a fieldgrad result file
    field : str, optional -- the first scalar field by default
    times : sequence of float, optional -- the frames nearest these times (default: ``nframes``
        evenly spread frames)
    ncols, nframes : int
    cmap : str, optional -- ``"inferno"``, or ``"RdBu_r"`` with ``center``
    center : float, optional -- a diverging colour scale centred on this value (e.g. 0)
    scale : {"shared", "frame"}
        One colour scale (and bar) for all frames, or one per frame: late frames of a decay
        keep their detail.
    slice_axis, slice_index : for 3D data, the axis normal to the section and its node
        (middle by default)
    coefficient, fixed, domain : optional -- the geometry outlined on every frame, as for
        :func:`~fieldgrad.plot.plot_field` (a result file of a transient run does not store it)
    figsize : tuple, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    if scale not in ("shared", "frame"):
        raise ParameterError(f"scale must be 'shared' (one colour bar) or 'frame' (one per frame); got {scale!r}")
    f, field = open_result(path, field)
    with f:
        view, grid, tt = f[field], f.grid, np.asarray(f.times)
        if len(tt) == 0:
            raise FileFormatError(f"{path} holds no frame")
        if times is None:
            idx = np.unique(np.linspace(0, len(tt) - 1, min(nframes, len(tt))).round().astype(int))
        else:
            idx = np.array([snap_time(tt, float(t), "times")[0] for t in times])
        frames = [np.asarray(view[int(i)]) for i in idx]
        units, lname, steady = view.units, view.long_name or field, is_steady(f)
    frames, axis, s_idx, rest = sections(frames, grid, slice_axis, slice_index)
    xc, yc, names = grid.coords[rest[0]], grid.coords[rest[1]], [grid.axis_names[a] for a in rest]
    text = f"{lname} [{units}]" if units else lname
    nrows = -(-len(idx) // ncols)
    ncols = min(ncols, len(idx))
    if figsize is None:
        # panels shaped like the maps (plus room for labels), so rows do not stand apart
        width = 3.6 if scale == "shared" else 4.2
        aspect = (yc[-1] - yc[0]) / (xc[-1] - xc[0])
        figsize = (width * ncols, nrows * min(4.5, max(1.6, 2.7 * aspect + 1.0)) + 0.4)
    fig = new_figure(figsize)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    shared = color_scale(frames, center=center, cmap=cmap)
    labels = material_labels(coefficient, grid.shape) if np.ndim(coefficient) else None
    masks = fixed_masks(fixed, grid.shape)
    dom = _domain(domain, grid)

    def cut(a):
        return None if a is None else section(a, grid, axis, s_idx)[0]

    entries = []
    for ax, i, arr in zip(axes, idx, frames):
        own = shared if scale == "shared" else color_scale([arr], center=center, cmap=cmap)
        mesh = draw_map(ax, fig, arr, xc, yc, names, "m", text, own, bar=scale == "frame")
        ax.set_title(time_title(tt[i], steady))
        entries = draw_geometry(ax, xc, yc, labels=cut(labels), fixed=[cut(m) for m in masks], domain=cut(dom),
                                names=geometry_names(field))
    for ax in axes[len(idx):]:
        ax.set_visible(False)
    if scale == "shared":
        colorbar(fig, mesh, list(axes[: len(idx)]), text)
    if entries:
        fig.legend([h for h, _ in entries], [t for _, t in entries], loc="outside lower center",
                   ncols=len(entries), frameon=False, fontsize="small")
    if grid.ndim == 3:
        fig.suptitle(f"{lname} at {grid.axis_names[axis]} = {grid.coords[axis][s_idx]:.4g} m")
    return fig


def animate(path, out, field=None, *, fps=8, cmap=None, center=None, slice_axis=2, slice_index=None,
            overwrite=False, dpi=80):
    """Animation of ``field`` over the frames of a result file: ``.gif`` (Pillow) or ``.mp4``
    (needs ffmpeg on the PATH), on one colour scale.

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
    check_new(out, overwrite)
    f, field = open_result(path, field)
    with f:
        view, grid, tt = f[field], f.grid, np.asarray(f.times)
        frames = [np.asarray(view[i]) for i in range(len(tt))]
        units, lname = view.units, view.long_name or field
    if not frames:
        raise FileFormatError(f"{path} holds no frame")
    frames, axis, s_idx, rest = sections(frames, grid, slice_axis, slice_index)
    fig = new_figure((6, 4))
    ax = fig.add_subplot()
    mesh = draw_map(ax, fig, frames[0], grid.coords[rest[0]], grid.coords[rest[1]],
                    [grid.axis_names[a] for a in rest], "m", f"{lname} [{units}]" if units else lname,
                    color_scale(frames, center=center, cmap=cmap))

    def update(i):
        mesh.set_array(np.asarray(frames[i]).T.ravel())
        ax.set_title(f"{lname}, t = {tt[i]:.4g} s")
        return (mesh,)

    anim = animation.FuncAnimation(fig, update, frames=len(frames), blit=False)
    anim.save(out, writer=writer, dpi=dpi)
    return out
