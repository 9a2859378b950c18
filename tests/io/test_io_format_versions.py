"""Format versions: files of the old layout (version 1, frames unreversed) still open right in
fieldgrad.io, and appending to one rewrites it in the current layout (version 2, frames
axis-reversed) so that one file never mixes the two; reads index like numpy in either version."""
import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad import Grid
from fieldgrad.io import HDF5Writer
from iohelpers import fake_sim, frame_fields, write_run
from old_layout import write_v1

G3 = Grid((6, 5, 4), extent=[(0.0, 1.0), (-1.0, 1.0), (2.0, 3.5)])
STEPS = [0, 1, 2]


def old_file(path, grid=G3):
    frames = [frame_fields(grid, s) for s in STEPS]
    write_v1(path, grid, frames, STEPS, [0.5 * s for s in STEPS], units={"T": "K"})
    return frames


def new_file(path, grid=G3):
    written = write_run(path, grid, STEPS)
    return [written[s] for s in STEPS]


KEYS = [(-1,), (slice(None),), (1, 2), (slice(None, None, 2), 1, slice(1, 4)), (Ellipsis, 3),
        (0, Ellipsis, slice(None, None, -1)), ([2, 0, 2], slice(None), [1, 3, 0]), (slice(None, None, -1), -1, -2),
        (1, 0, 1, 2), (slice(None), np.array([2, 0]))]


@pytest.mark.parametrize("make", [old_file, new_file], ids=["version1", "version2"])
def test_reads_in_fieldgrad_order_and_index_like_numpy(tmp_path, make):
    frames = make(tmp_path / "r.h5")
    with fio.open(tmp_path / "r.h5") as f:
        assert f.format_version == (1 if make is old_file else 2)
        assert f.grid == G3 and f.times.tolist() == [0.0, 0.5, 1.0]
        for name in ("T", "q"):
            full = np.stack([fr[name] for fr in frames])
            v = f[name]
            assert v.shape == full.shape
            assert v.dims == ("time",) + (("component",) if name == "q" else ()) + ("x", "y", "z")
            np.testing.assert_array_equal(np.asarray(v), full)
            for key in KEYS:
                if name == "T" and len(key) == 4:
                    continue
                got = v[key]
                np.testing.assert_array_equal(got, full[key], err_msg=f"{name}{key}")
                assert np.shape(got) == np.shape(full[key])
        assert f["T"].units == "K" or make is new_file
    out = fio.load(tmp_path / "r.h5", frame=-1)
    np.testing.assert_array_equal(out.fields["q"], frames[-1]["q"])


def test_reader_rejects_newaxis_and_too_many_indices(tmp_path):
    new_file(tmp_path / "r.h5")
    from fieldgrad.errors import ParameterError

    with fio.open(tmp_path / "r.h5") as f:
        with pytest.raises(ParameterError, match="newaxis"):
            f["T"][0, None]
        with pytest.raises(IndexError, match="too many indices"):
            f["T"][0, 0, 0, 0, 0]
        with pytest.raises(IndexError, match="out of range"):
            f["T"][0, 6]


def test_appending_to_a_version1_file_rewrites_it_in_version2(tmp_path):
    path = tmp_path / "old.h5"
    frames = old_file(path)
    sim = fake_sim(G3, step=2, t=1.0)
    w = HDF5Writer(path, append=True)
    w.open(sim)
    new = frame_fields(G3, 3)
    sim.step, sim.t = 3, 1.5
    w.write(1.5, new)
    w.close()
    with h5py.File(path, "r") as h5:
        assert h5.attrs["fieldgrad_format_version"] == 2
        assert h5["T"].shape == (4, 4, 5, 6) and h5["q"].shape == (4, 4, 5, 6, 3)
        assert "rewritten from format version 1" in h5.attrs["history"]
        assert h5["T"].attrs["units"] == b"K"  # kept through the rewrite
    with fio.open(path) as f:
        assert f.steps.tolist() == [0, 1, 2, 3] and f.times.tolist() == [0.0, 0.5, 1.0, 1.5]
        for i, fr in enumerate(frames + [new]):
            np.testing.assert_array_equal(f["T"][i], fr["T"])
            np.testing.assert_array_equal(f["q"][i], fr["q"])


def test_upgrade_leaves_a_current_file_alone(tmp_path):
    from fieldgrad.io.recover import upgrade

    new_file(tmp_path / "r.h5")
    before = (tmp_path / "r.h5").read_bytes()
    assert upgrade(tmp_path / "r.h5") == 2
    assert (tmp_path / "r.h5").read_bytes() == before
