"""Bad input gives clear FileFormatErrors, and a user's file is never overwritten silently."""
import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.errors import FileFormatError, FieldgradError
from iohelpers import grid2, write_run


def test_missing_directory(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        fio.HDF5Writer(tmp_path / "no" / "such" / "run.h5")
    with pytest.raises(FileFormatError, match="does not exist"):
        fio.save(tmp_path / "nodir" / "s.h5", grid2(), T=np.zeros(grid2().shape))


def test_existing_file_is_not_overwritten(tmp_path):
    user = tmp_path / "precious.h5"
    user.write_bytes(b"my thesis data")
    with pytest.raises(FileFormatError, match="overwrite=True"):
        fio.HDF5Writer(user)
    with pytest.raises(FileFormatError, match="already exists"):
        fio.save(user, grid2(), T=np.zeros(grid2().shape))
    assert user.read_bytes() == b"my thesis data"
    fio.save(user, grid2(), T=np.ones(grid2().shape), overwrite=True)
    assert fio.load(user).fields["T"].sum() == grid2().size


def test_not_hdf5_and_not_fieldgrad(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(FileFormatError, match="not an HDF5 file"):
        fio.open(text)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as h5:
        h5["data"] = np.zeros(3)
    with pytest.raises(FileFormatError, match="not a fieldgrad output file"):
        fio.load(other)
    with pytest.raises(FileFormatError, match="does not exist"):
        fio.open(tmp_path / "missing.h5")
    with pytest.raises(FileFormatError, match="directory"):
        fio.open(tmp_path)
    # appending to a foreign HDF5 file is refused and leaves it intact
    with pytest.raises(FileFormatError, match="not a fieldgrad output file"):
        w = fio.HDF5Writer(other, append=True)
        w.open(__import__("iohelpers").fake_sim(grid2()))
    with h5py.File(other, "r") as h5:
        assert list(h5) == ["data"]


def test_truncated_file(tmp_path):
    path = tmp_path / "run.h5"
    write_run(path, grid2(), range(5))
    data = path.read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(FileFormatError, match="truncated"):
        fio.open(cut)
    assert issubclass(FileFormatError, FieldgradError)


def test_checkpoint_is_not_an_output_file(tmp_path):
    st = {"grid": grid2().to_dict(), "t": 0.0, "step": 0, "fields": {"T": np.zeros(grid2().shape)},
          "params": {}, "extra": {}}
    p = fio.write_checkpoint(tmp_path / "c.h5", st)
    with pytest.raises(FileFormatError, match="checkpoint"):
        fio.open(p)
    out = tmp_path / "o.h5"
    write_run(out, grid2(), [0])
    with pytest.raises(FileFormatError, match="output file"):
        fio.read_checkpoint(out)
    with pytest.raises(FileFormatError, match="not a fieldgrad checkpoint; refusing"):
        fio.write_checkpoint(out, st)
