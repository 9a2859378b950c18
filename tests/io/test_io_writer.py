"""HDF5Writer / save / open / load: layout read back with plain h5py, exact round trips."""
import json

import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad import Grid
from fieldgrad.errors import ParameterError, ShapeError
from iohelpers import fake_sim, frame_fields, grid2, grid3, write_run


def test_layout_with_plain_h5py(tmp_path):
    g = grid3()
    path = tmp_path / "run.h5"
    written = write_run(path, g, [0, 10, 20], units={"T": "K", "time": "s"}, long_names={"T": "temperature"})
    with h5py.File(path, "r") as h5:
        # coordinates are the grid's node coordinates, attached as dimension scales
        for axis, name in enumerate("xyz"):
            np.testing.assert_array_equal(h5[name][:], g.coords[axis])
            assert h5[name].is_scale
        assert h5["time"].is_scale and h5["time"].maxshape == (None,)
        np.testing.assert_array_equal(h5["time"][:], [0.0, 5.0, 10.0])
        np.testing.assert_array_equal(h5["step"][:], [0, 10, 20])
        # format version 2: frames stored axis-reversed, (time, z, y, x[, component]) -- the CF/VTK order
        T, q = h5["T"], h5["q"]
        assert h5.attrs["fieldgrad_format_version"] == 2
        assert T.shape == (3, 5, 6, 9) and T.maxshape == (None, 5, 6, 9)
        assert q.shape == (3, 5, 6, 9, 3)
        assert T.chunks[0] == 1 and all(c <= n for c, n in zip(T.chunks[1:], T.shape[1:]))
        assert [T.dims[i][0].name for i in range(4)] == ["/time", "/z", "/y", "/x"]
        assert [q.dims[i][0].name for i in range(5)] == ["/time", "/z", "/y", "/x", "/component"]
        # variable attributes are fixed-length text (netCDF NC_CHAR), which VTK's netCDF readers need
        assert T.attrs["units"] == b"K" and T.attrs["long_name"] == b"temperature"
        assert q.attrs["units"] == b"1"
        assert h5.attrs["Conventions"].startswith("CF-")
        assert json.loads(h5.attrs["grid"]) == g.to_dict()
        assert json.loads(h5.attrs["parameters"]) == {"alpha": 1.0}
        assert json.loads(h5.attrs["boundary_conditions"])["x-"] == {"kind": "dirichlet", "value": 0.0}
        assert h5.attrs["fieldgrad_version"]
        for i, s in enumerate([0, 10, 20]):
            np.testing.assert_array_equal(T[i], written[s]["T"].T)  # bitwise round trip
            np.testing.assert_array_equal(q[i], written[s]["q"].T)


@pytest.mark.parametrize("compression", [None, "gzip", "lzf"])
def test_compression_round_trip(tmp_path, compression):
    g = grid2()
    path = tmp_path / "c.h5"
    written = write_run(path, g, [0, 1], compression=compression)
    with fio.open(path) as f:
        assert f["T"].dataset.compression == compression
        np.testing.assert_array_equal(f["T"][1], written[1]["T"])
        np.testing.assert_array_equal(f["q"][0], written[0]["q"])


def test_dtype_and_field_selection(tmp_path):
    g = grid2()
    path = tmp_path / "f32.h5"
    written = write_run(path, g, [0, 3], dtype=np.float32, fields=["T"])
    out = fio.load(path)
    assert list(out.fields) == ["T"] and out.fields["T"].dtype == np.float32
    np.testing.assert_array_equal(out.fields["T"][1], written[3]["T"].astype(np.float32))
    assert out.grid == g and out.steps.tolist() == [0, 3]


def test_reader_is_lazy_and_indexes_like_numpy(tmp_path):
    g = grid2()
    path = tmp_path / "lazy.h5"
    written = write_run(path, g, range(6))
    full = np.stack([written[s]["T"] for s in range(6)])
    with fio.open(path) as f:
        v = f["T"]
        assert isinstance(v.dataset, h5py.Dataset) and v.dims == ("time", "x", "y")
        assert v.shape == full.shape and len(f) == 6
        np.testing.assert_array_equal(v[-1], full[-1])
        np.testing.assert_array_equal(v[::2, 1:3], full[::2, 1:3])
        np.testing.assert_array_equal(v[::-2], full[::-2])
        np.testing.assert_array_equal(v[[4, 1, 4]], full[[4, 1, 4]])
        np.testing.assert_array_equal(np.asarray(v), full)
        with pytest.raises(IndexError):
            v[6]
        np.testing.assert_array_equal(f.frame(2)["q"], written[2]["q"])
        with pytest.raises(KeyError, match="fields are"):
            f["nope"]


def test_save_single_snapshot(tmp_path):
    g = grid3()
    T = np.arange(g.size, dtype=float).reshape(g.shape)
    path = fio.save(tmp_path / "snap.h5", g, t=2.5, T=T, params={"k": 3})
    snap = fio.load(path, frame=-1)
    np.testing.assert_array_equal(snap.fields["T"], T)
    assert snap.times.tolist() == [2.5] and snap.params == {"k": 3}
    with pytest.raises(ParameterError, match="at least one field"):
        fio.save(tmp_path / "none.h5", g)


def test_bad_writes(tmp_path):
    g = grid2()
    sim = fake_sim(g)
    w = fio.HDF5Writer(tmp_path / "bad.h5")
    with pytest.raises(ParameterError, match="before open"):
        w.write(0.0, frame_fields(g, 0))
    w.open(sim)
    with pytest.raises(ShapeError, match="shape"):
        w.write(0.0, {"T": np.zeros((3, 3))})
    w.write(0.0, frame_fields(g, 0))
    with pytest.raises(ParameterError, match="same fields"):
        w.write(0.5, {"T": np.zeros(g.shape)})
    sim.step = 5
    w.write(0.5, frame_fields(g, 5))
    sim.step = 3
    with pytest.raises(ParameterError, match="step order"):
        w.write(0.6, frame_fields(g, 3))
    w.close()
    w.close()  # idempotent
    with fio.open(tmp_path / "bad.h5") as f:
        assert f.steps.tolist() == [0, 5]


@pytest.mark.parametrize("kw, match", [
    ({"every": 0}, "every"), ({"every": 2.5}, "every"), ({"compression": "zstd"}, "compression"),
    ({"dtype": np.int32}, "dtype"), ({"overwrite": True, "append": True}, "contradict"),
    ({"fields": ["time"]}, "reserved"), ({"fields": ["a/b"]}, "without '/'"),
])
def test_bad_writer_arguments(tmp_path, kw, match):
    with pytest.raises(ParameterError, match=match):
        fio.HDF5Writer(tmp_path / "x.h5", **kw)


def test_same_step_written_twice_replaces_the_frame(tmp_path):
    g = grid2()
    sim = fake_sim(g)
    path = tmp_path / "dup.h5"
    with fio.HDF5Writer(path) as w:
        w.open(sim)
        w.write(0.0, frame_fields(g, 0))
        w.write(0.0, frame_fields(g, 99))
    with fio.open(path) as f:
        assert len(f) == 1
        np.testing.assert_array_equal(f["T"][0], frame_fields(g, 99)["T"])


def test_one_dimensional_grid_has_no_xdmf(tmp_path):
    g = Grid(11)
    path = fio.save(tmp_path / "line.h5", g, u=np.linspace(0, 1, 11))
    assert not (tmp_path / "line.xmf").exists()
    np.testing.assert_array_equal(fio.load(path).fields["u"][0], np.linspace(0, 1, 11))
