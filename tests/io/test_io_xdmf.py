"""The XDMF sidecar: well-formed XML whose every reference points at an existing dataset with the
declared shape, and whose hyperslabs pick exactly the frame / component they claim.

ParaView is not installed here, so the sidecar is checked with an independent interpreter of the
XDMF 2 elements fieldgrad uses (parsed with ElementTree, data read with plain h5py).
"""
import os
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

from iohelpers import grid2, grid3, write_run


def _ints(text):
    return [int(v) for v in text.split()]


def _resolve(item, base_dir):
    """Evaluate a DataItem (XML, HDF or HyperSlab) with h5py/numpy: returns (declared dims, array)."""
    dims = tuple(_ints(item.get("Dimensions")))
    fmt = item.get("Format", "XML")
    if item.get("ItemType") == "HyperSlab":
        sel_item, src_item = list(item)
        sel = np.array(_ints(sel_item.text)).reshape(3, -1)
        _, src = _resolve(src_item, base_dir)
        start, stride, count = sel
        idx = tuple(slice(a, a + s * c, s) for a, s, c in zip(start, stride, count))
        data = src[idx]
        assert data.size == int(np.prod(dims))
        return dims, data.reshape(dims)
    if fmt == "HDF":
        fname, dset = item.text.strip().split(":")
        with h5py.File(os.path.join(base_dir, fname), "r") as h5:
            assert dset in h5, f"XDMF references missing dataset {dset}"
            assert h5[dset].shape == dims, f"{dset}: XDMF says {dims}, file has {h5[dset].shape}"
            prec = int(item.get("Precision"))
            assert h5[dset].dtype.itemsize == prec
            return dims, h5[dset][()]
    return dims, np.array([float(v) for v in item.text.split()]).reshape(dims)


@pytest.mark.parametrize("make_grid, dtype", [(grid3, np.float64), (grid2, np.float32)])
def test_xdmf_references_the_right_data(tmp_path, make_grid, dtype):
    g = make_grid()
    steps = [0, 4, 8]
    written = write_run(tmp_path / "run.h5", g, steps, dtype=dtype)
    xmf = tmp_path / "run.xmf"
    root = ET.parse(xmf).getroot()  # raises on malformed XML
    assert root.tag == "Xdmf" and root.get("Version") == "2.0"
    coll = root.find("Domain/Grid")
    assert coll.get("GridType") == "Collection" and coll.get("CollectionType") == "Temporal"
    frames = coll.findall("Grid")
    assert len(frames) == len(steps)
    for i, (fr, s) in enumerate(zip(frames, steps)):
        assert float(fr.find("Time").get("Value")) == 0.5 * s
        # XDMF lists axes slowest first and the file stores (time, z, y, x): the mesh is nz ny nx
        # (a 2D grid: one node thick, 1 ny nx at z = 0) so that VTK's X is fieldgrad's x
        flat = 3 - g.ndim
        mesh = (1,) * flat + g.shape[::-1]
        topo = fr.find("Topology")
        assert topo.get("TopologyType") == "3DCoRectMesh"
        assert tuple(_ints(topo.get("Dimensions"))) == mesh
        geo = fr.find("Geometry")
        assert geo.get("GeometryType") == "ORIGIN_DXDYDZ"
        (_, origin), (_, spacing) = (_resolve(d, tmp_path) for d in geo.findall("DataItem"))
        np.testing.assert_allclose(origin, (0.0,) * flat + tuple(g.origin)[::-1], rtol=0, atol=0)
        np.testing.assert_allclose(spacing[flat:], tuple(g.spacing)[::-1], rtol=0, atol=0)
        attrs = {a.get("Name"): a for a in fr.findall("Attribute")}
        want = ["T"] + [f"q_{a}" for a in g.axis_names] + (["q"] if g.ndim == 3 else [])
        assert sorted(attrs) == sorted(want)
        for name, a in attrs.items():
            assert a.get("Center") == "Node"
            dims, data = _resolve(a.find("DataItem"), tmp_path)
            if name == "q":  # the whole 3D vector: nz ny nx 3, component last
                assert a.get("AttributeType") == "Vector" and dims == mesh + (3,)
                np.testing.assert_array_equal(data, written[s]["q"].T.astype(dtype))
                continue
            assert a.get("AttributeType") == "Scalar" and dims == mesh
            expect = written[s]["T"] if name == "T" else written[s]["q"][g.axis_names.index(name[-1])]
            np.testing.assert_array_equal(data, expect.T.reshape(mesh).astype(dtype))


def test_xdmf_written_with_the_first_frame_and_completed_on_close(tmp_path, monkeypatch):
    from fieldgrad.io import HDF5Writer, writer
    from iohelpers import fake_sim, frame_fields

    monkeypatch.setattr(writer, "XDMF_INTERVAL", 3600.0)
    g = grid2()
    sim = fake_sim(g)
    w = HDF5Writer(tmp_path / "live.h5")
    w.open(sim)
    count = lambda: len(ET.parse(tmp_path / "live.xmf").getroot().findall("Domain/Grid/Grid"))
    for s in range(3):
        sim.step = s
        w.write(float(s), frame_fields(g, s))
        assert count() == 1  # the sidecar exists from the first frame on
    w.close()
    assert count() == 3  # and lists every frame once the run ends
