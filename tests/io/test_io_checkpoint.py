"""Checkpoints: bitwise round trip, atomic replacement, damage detection."""
import os

import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad.errors import FileFormatError, ParameterError
from iohelpers import grid3


def make_state(step=12):
    g = grid3()
    rng = np.random.default_rng(step)
    return {"grid": g.to_dict(), "t": 0.1 + 1e-17 * step + 1 / 3, "step": step,
            "fields": {"T": rng.standard_normal(g.shape), "T32": rng.standard_normal(g.shape).astype(np.float32)},
            "params": {"alpha": 0.7, "dt": 1 / 3, "scheme": "ftcs", "nested": {"a": [1, 2.5]}},
            "extra": {"rng": np.array([2**63 - 1, 7], dtype=np.uint64), "dt_last": np.float64(1 / 7)}}


def test_round_trip_is_bitwise(tmp_path):
    st = make_state()
    back = fio.read_checkpoint(fio.write_checkpoint(tmp_path / "c.h5", st))
    assert back["t"] == st["t"] and back["step"] == 12 and back["params"] == st["params"]
    assert back["grid"] == st["grid"]
    for group in ("fields", "extra"):
        assert set(back[group]) == set(st[group])
        for k, v in st[group].items():
            b = np.asarray(back[group][k])
            assert b.dtype == np.asarray(v).dtype
            assert b.tobytes() == np.asarray(v).tobytes()
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".ckpt-")]  # no temporary left


def test_replacement_is_atomic(tmp_path):
    path = tmp_path / "c.h5"
    fio.write_checkpoint(path, make_state(1))
    bad = make_state(2)
    bad["extra"]["oops"] = np.array([object()], dtype=object)  # fails after the temp file exists
    with pytest.raises(ParameterError, match="numeric array"):
        fio.write_checkpoint(path, bad)
    assert fio.read_checkpoint(path)["step"] == 1  # the old checkpoint survives intact
    assert os.listdir(tmp_path) == ["c.h5"]
    fio.write_checkpoint(path, make_state(2))
    assert fio.read_checkpoint(path)["step"] == 2


def test_damaged_checkpoint_is_detected(tmp_path):
    path = tmp_path / "c.h5"
    fio.write_checkpoint(path, make_state())
    with h5py.File(path, "r+") as h5:
        h5["fields/T"][0, 0, 0] += 1e-12  # silent bit rot
    with pytest.raises(FileFormatError, match="checksum"):
        fio.read_checkpoint(path)
    cut = tmp_path / "cut.h5"
    cut.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(FileFormatError):
        fio.read_checkpoint(cut)


@pytest.mark.parametrize("mutate, match", [
    (lambda s: s.pop("fields"), "lacks"), (lambda s: s.update(step=-1), "step"),
    (lambda s: s.update(bogus=1), "unknown"), (lambda s: s["fields"].update({"a/b": np.zeros(2)}), "without '/'"),
])
def test_bad_states(tmp_path, mutate, match):
    st = make_state()
    mutate(st)
    with pytest.raises(ParameterError, match=match):
        fio.write_checkpoint(tmp_path / "c.h5", st)


def test_missing_directory(tmp_path):
    with pytest.raises(FileFormatError, match="does not exist"):
        fio.write_checkpoint(tmp_path / "no" / "c.h5", make_state())
