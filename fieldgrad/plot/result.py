"""One frame of a result file drawn the way :func:`plot_field` draws a field object: the
stored material coefficient outlined, the stored (or derived) flux as labelled lines, a 3D
section chosen by a coordinate, and notes saying where a time or a coordinate was snapped."""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ._data import parse_slice, snap_time
from .field import plot_field
from .frames import is_steady, time_title
from .vectors import VECTORS, vector_name

__all__ = ["plot_result"]

_COEFFICIENTS = {"temperature": "conductivity", "potential": "permittivity", "pressure": "permeability"}


def _pick_vector(f, idx, name, vector):
    """(array or None, legend text) of the vector to draw: ``"auto"`` the first stored vector
    (or the map's own vector field), ``"none"``, a stored vector's name or an alias (``q``,
    ``D``), or ``E`` (``-grad phi`` of the file's potential)."""
    vectors = [n for n, v in f.fields.items() if v.kind == "vector"]
    if vector is None or vector == "none":
        return None, None
    if vector == "auto":
        if f[name].kind == "vector":
            vector = name
        elif not vectors:
            return None, None
        else:
            vector = vectors[0]
    canon = vector_name(vector)
    if canon == "electric_field":
        if "potential" not in f.fields:
            raise ParameterError(f"--vector {vector!r} needs a 'potential' field; {f.path} holds {sorted(f.fields)}")
        from ..operators import grad

        e = grad(np.asarray(f["potential"][idx], dtype=float), f.grid)
        e *= -1.0
        return e, VECTORS[canon][1]
    stored = vector if vector in vectors else (canon if canon in vectors else None)
    if stored is None:
        allowed = vectors + (["E"] if "potential" in f.fields else []) + ["none"]
        raise ParameterError(f"--vector {vector!r} is not a vector field of {f.path}; allowed: {allowed}")
    canon = vector_name(stored)
    text = VECTORS[canon][1] if canon else (f[stored].long_name or stored)
    return np.asarray(f[stored][idx]), text


def plot_result(path, field=None, *, time=None, slice=None, vector="auto", style="streamlines", center=None,
                cmap=None, outline=True):
    """Draw one frame of a field of a result file.

    Parameters
    ----------
    path : str -- a fieldgrad result file
    field : str, optional -- a field name (default: the first scalar); a vector field is drawn as
        its magnitude
    time : float, optional -- the frame nearest this time (default: the last frame)
    slice : str, optional -- ``"z=0.3"``: for 3D results, the section through the node nearest
        that coordinate (default: the middle of z)
    vector : str -- ``"auto"`` (the first vector field stored), ``"none"``, a stored vector's
        name (``heat_flux``, ``displacement``, ``darcy_velocity``) or ``q``/``D``/``E``
        (``E = -grad phi`` from the potential)
    style : {"streamlines", "arrows"}
    center : float, optional -- a diverging colour scale centred on this value
    cmap : str, optional
    outline : bool -- outline the material boundaries of a stored coefficient

    Returns
    -------
    (Figure, name of the field drawn, list of notes) -- a note says which frame or node was
    used when ``time`` or ``slice`` fell between them
    """
    from .frames import open_result

    f, name = open_result(path, field)
    notes = []
    with f:
        tt = np.asarray(f.times)
        idx, note = snap_time(tt, time)
        notes += [note] if note else []
        grid = f.grid
        axis, s_idx = 2, None
        if slice is not None:
            axis, s_idx, note = parse_slice(slice, grid)
            notes += [note] if note else []
        view = f[name]
        data = np.asarray(view[idx], dtype=float)
        lname = view.long_name or name
        if view.kind == "vector":
            data, lname = np.sqrt((data ** 2).sum(axis=0)), f"|{lname}|"
        vec, vtext = _pick_vector(f, idx, name, vector)
        # the physics is known by its scalar; its coefficient (stored by steady runs) gives the geometry
        quantity = next((q for q in _COEFFICIENTS if q in f.fields), None)
        coef = np.asarray(f[_COEFFICIENTS[quantity]][idx]) if _COEFFICIENTS.get(quantity) in f.fields else None
        when = time_title(tt[idx], is_steady(f))
    where = ""
    if grid.ndim == 3:
        s_idx = grid.shape[axis] // 2 if s_idx is None else s_idx
        where = f" at {grid.axis_names[axis]} = {grid.coords[axis][s_idx]:.4g} m"
    fig = plot_field(data, grid, flux=vec, flux_label=vtext, label=lname, units=view.units, style=style,
                     title=f"{lname}{where}, {when}", slice_axis=axis, slice_index=s_idx, coefficient=coef,
                     quantity=quantity, center=center, cmap=cmap, outline=outline)
    return fig, name, notes
