"""XDMF (version 2) sidecar: lets ParaView and VisIt open a fieldgrad HDF5 time series directly.

The sidecar ``run.xmf`` next to ``run.h5`` holds a temporal collection of uniform grids
(``2DCoRectMesh`` / ``3DCoRectMesh`` with ``ORIGIN_DXDY[DZ]`` geometry), one per frame; each
field is a node-centred attribute read from the HDF5 dataset through a hyperslab (one time
slice; one component of a vector field, named ``<name>_x``, ``<name>_y``, ...).

Axis order: XDMF lists dimensions slowest first and ParaView's X is the fastest (last) array
axis.  fieldgrad stores ``u[i, j, k]`` for ``(x, y, z)``, so ParaView shows fieldgrad's x along
its Z axis in 3D (its Y axis in 2D); distances and values are right, the axis labels are
reversed.  Only the HDF5 file is read: the sidecar holds no data.
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
    dims = " ".join(str(n) for n in grid.shape)
    topo = f"{nd}DCoRectMesh"
    geom = "ORIGIN_DXDYDZ" if nd == 3 else "ORIGIN_DXDY"
    origin = " ".join(_num(o) for o in grid.origin)
    spacing = " ".join(_num(h) for h in grid.spacing)
    nt = len(times)
    src = escape(h5_name)
    lines = ['<?xml version="1.0" ?>', '<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>', '<Xdmf Version="2.0">',
             " <Domain>", '  <Grid Name="fieldgrad" GridType="Collection" CollectionType="Temporal">']
    for i, t in enumerate(times):
        lines.append(f'   <Grid Name="frame_{i}" GridType="Uniform">')
        lines.append(f'    <Time Value="{_num(t)}"/>')
        lines.append(f'    <Topology TopologyType="{topo}" Dimensions="{dims}"/>')
        lines.append(f'    <Geometry GeometryType="{geom}">')
        lines.append(f'     <DataItem Dimensions="{nd}" NumberType="Float" Precision="8" Format="XML">{origin}</DataItem>')
        lines.append(f'     <DataItem Dimensions="{nd}" NumberType="Float" Precision="8" Format="XML">{spacing}</DataItem>')
        lines.append("    </Geometry>")
        for name, (kind, dtype) in specs.items():
            if np.dtype(dtype).kind != "f":
                continue
            comps = [(None, name)] if kind == "scalar" else [(c, f"{name}_{a}") for c, a in enumerate(grid.axis_names)]
            lead = [nt] + ([nd] if kind == "vector" else [])
            full = " ".join(str(n) for n in lead + list(grid.shape))
            for c, label in comps:
                start = [i] + ([c] if c is not None else []) + [0] * nd
                count = [1] + ([1] if c is not None else []) + list(grid.shape)
                rank = len(start)
                slab = " ".join(map(str, start)) + "  " + " ".join(["1"] * rank) + "  " + " ".join(map(str, count))
                lines.append(f'    <Attribute Name={quoteattr(label)} AttributeType="Scalar" Center="Node">')
                lines.append(f'     <DataItem ItemType="HyperSlab" Dimensions="{dims}" Type="HyperSlab">')
                lines.append(f'      <DataItem Dimensions="3 {rank}" Format="XML">{slab}</DataItem>')
                lines.append(f'      <DataItem Dimensions="{full}" NumberType="Float" '
                             f'Precision="{_precision(dtype)}" Format="HDF">{src}:/{escape(name)}</DataItem>')
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
    >>> from fieldgrad import Grid
    >>> p = write_xdmf(os.path.join(tempfile.mkdtemp(), "r.xmf"), "r.h5", Grid((3, 3)),
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
