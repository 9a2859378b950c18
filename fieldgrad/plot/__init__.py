"""Pictures of fields with matplotlib (object-oriented API, Agg canvas: no display needed).

* :func:`plot_field` -- a 2D field (or a section of a 3D one) as a heat map with a colour bar
  as tall as the map, physical axes and units, the geometry outlined (material boundaries,
  held regions/electrodes, the domain's edge) and its flux as labelled streamlines or arrows
  that do not cross insulators.
* :func:`plot_slices` -- three orthogonal sections of a 3D field.
* :func:`plot_frames` -- a grid of frames of a field from an HDF5 result file, on one colour
  scale or one per frame, optionally diverging.
* :func:`animate` -- a GIF (Pillow) or MP4 (ffmpeg, when installed) of a field over time.
* :func:`plot_result` -- one frame of a result file, as ``fieldgrad plot`` draws it.
* :func:`save_figure` -- save without replacing an existing file unless asked.

Every function takes either a field object (:mod:`fieldgrad.fields`) or a plain array with a
:class:`~fieldgrad.Grid`; titles and labels come from the field's metadata (name, units).

Example
-------
>>> g = fg.Grid((20, 10), extent=[(0, 2), (0, 1)])
>>> X, Y = g.mesh()
>>> fig = plot_field(X * Y, g, label="u", units="K", flux=np.stack([-Y, -X]))
>>> len(fig.axes)   # the map and its colour bar
2
"""
from ._data import parse_slice, snap_time
from ._layout import save_figure
from .field import plot_field, plot_slices
from .frames import animate, is_steady, plot_frames
from .result import plot_result

__all__ = ["plot_field", "plot_slices", "plot_frames", "plot_result", "animate", "save_figure", "parse_slice",
           "snap_time", "is_steady"]
