"""XDMF (version 2) sidecar: lets ParaView and VisIt open a fieldgrad HDF5 time series directly.

The sidecar ``run.xmf`` next to ``run.h5`` holds a temporal collection of uniform grids
(``3DCoRectMesh`` with ``ORIGIN_DXDYDZ`` geometry), one per frame; each field is a node-centred
attribute read from the HDF5 dataset through a hyperslab (one time slice; one component of a
vector field, named ``<name>_x``, ``<name>_y``, ...; a 3D vector field is also given whole, as
an XDMF ``Vector`` attribute named ``<name>``, for glyphs and stream lines).

Axis order: XDMF lists dimensions, origin and spacing slowest first, and VTK's X is the fastest
(last) array axis.  The file stores every frame axis-reversed (``(time, z, y, x)``, see
:mod:`fieldgrad.io.layout`), so the sidecar lists ``nz ny nx`` and ``z0 y0 x0``: fieldgrad's x
is VTK's X, y is Y, z is Z, in a right-handed frame.  A 2D grid is written as a 3D mesh one node
thick (``1 ny nx``, z = 0): ``2DCoRectMesh`` would put it in VTK's Y-Z plane.  Only the HDF5
file is read: the sidecar holds no data.  Format-version-1 files (unreversed) are rewritten by
the writer before it appends, so a sidecar is only ever written for the current layout.
"""
from __future__ import annotations

import os
from xml.sax.saxutils import escape, quoteattr

import numpy as np


def xdmf_path(h5_path):
    """The sidecar path for an HDF5 file: the same name with the suffix ``.xmf``."""
    root, _ = os.path.splitext(os.fspath(h5_path))
    return root + ".xmf"


def _num(x):
    return repr(float(x))


def _precision(dtype):
    return str(np.dtype(dtype).itemsize)


def xdmf_text(h5_name, grid, specs, times):
    """The XDMF document as text.

    Parameters
    ----------
    h5_name : str
        HDF5 file name as the sidecar should reference it (relative to the sidecar).
    grid : Grid
    specs : dict
        Field name -> ``(kind, dtype)``; complex fields are left out (XDMF has no complex type).
    times : sequence of float
        Time of every frame written.

    Returns
    -------
    str
    """
    nd = grid.ndim
    if nd not in (2, 3):
        raise ValueError("XDMF sidecars are written for 2D and 3D grids only")
    flat = 3 - nd  # a 2D grid gets a z axis of one node at z = 0
    mesh = (1,) * flat + tuple(reversed(grid.shape))
    dims = " ".join(str(n) for n in mesh)
    origin = " ".join(_num(o) for o in (0.0,) * flat + tuple(reversed(grid.origin)))
    spacing = " ".join(_num(h) for h in (1.0,) * flat + tuple(reversed(grid.spacing)))
    stored = tuple(reversed(grid.shape))
    nt = len(times)
    src = escape(h5_name)
    lines = ['<?xml version="1.0" ?>', '<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>', '<Xdmf Version="2.0">',
             " <Domain>", '  <Grid Name="fieldgrad" GridType="Collection" CollectionType="Temporal">']
    for i, t in enumerate(times):
        lines.append(f'   <Grid Name="frame_{i}" GridType="Uniform">')
        lines.append(f'    <Time Value="{_num(t)}"/>')
        lines.append(f'    <Topology TopologyType="3DCoRectMesh" Dimensions="{dims}"/>')
        lines.append('    <Geometry GeometryType="ORIGIN_DXDYDZ">')
        lines.append(f'     <DataItem Dimensions="3" NumberType="Float" Precision="8" Format="XML">{origin}</DataItem>')
        lines.append(f'     <DataItem Dimensions="3" NumberType="Float" Precision="8" Format="XML">{spacing}</DataItem>')
        lines.append("    </Geometry>")
        for name, (kind, dtype) in specs.items():
            if np.dtype(dtype).kind != "f":
                continue
            comp = (nd,) if kind == "vector" else ()
            full = " ".join(str(n) for n in (nt,) + stored + comp)
            item = (f'<DataItem Dimensions="{full}" NumberType="Float" Precision="{_precision(dtype)}" '
                    f'Format="HDF">{src}:/{escape(name)}</DataItem>')
            parts = [(name, "Scalar", None)] if kind == "scalar" else [
                (f"{name}_{a}", "Scalar", c) for c, a in enumerate(grid.axis_names)]
            if kind == "vector" and nd == 3:
                parts.append((name, "Vector", "all"))
            for label, atype, c in parts:
                start = [i] + [0] * nd + ([] if c is None else [0 if c == "all" else c])
                count = [1] + list(stored) + ([] if c is None else [nd if c == "all" else 1])
                shown = dims + (" 3" if atype == "Vector" else "")
                rank = len(start)
                slab = " ".join(map(str, start)) + "  " + " ".join(["1"] * rank) + "  " + " ".join(map(str, count))
                lines.append(f'    <Attribute Name={quoteattr(label)} AttributeType="{atype}" Center="Node">')
                lines.append(f'     <DataItem ItemType="HyperSlab" Dimensions="{shown}" Type="HyperSlab">')
                lines.append(f'      <DataItem Dimensions="3 {rank}" Format="XML">{slab}</DataItem>')
                lines.append(f"      {item}")
                lines.append("     </DataItem>")
                lines.append("    </Attribute>")
        lines.append("   </Grid>")
    lines += ["  </Grid>", " </Domain>", "</Xdmf>", ""]
    return "\n".join(lines)


def write_xdmf(path, h5_name, grid, specs, times):
    """Write the sidecar atomically (temporary file in the same directory, then rename).

    Parameters
    ----------
    path : str
        The ``.xmf`` path.
    h5_name, grid, specs, times
        As for :func:`xdmf_text`.

    Returns
    -------
    str or None
        ``path``, or ``None`` for a 1D grid (XDMF is not written for 1D).

    Example
    -------
    >>> import tempfile, os
    >>> p = write_xdmf(os.path.join(tempfile.mkdtemp(), "r.xmf"), "r.h5", fg.Grid((3, 3)),
    ...                {"T": ("scalar", "f8")}, [0.0])
    >>> open(p).read().count("<Attribute")
    1
    """
    if grid.ndim not in (2, 3):
        return None
    from .files import create_temp, replace_with_text

    text = xdmf_text(h5_name, grid, specs, times)
    replace_with_text(create_temp(path), path, text, "XDMF sidecar")
    return path
