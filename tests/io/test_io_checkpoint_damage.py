"""Damaged checkpoints: a FileFormatError or an identical restart, never a crash, a hang or a
silently different state (t, step, grid, parameters included)."""
import os
import stat
import sys

import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
import fieldgrad.io.checkpoint as ck
import fieldgrad.io.digests as digests
from fieldgrad.errors import FileFormatError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import byteflip  # noqa: E402


def small_state(t=0.25):
    from fieldgrad import Grid

    g = Grid((5, 4))
    return {"grid": g.to_dict(), "t": t, "step": 3, "fields": {"u": np.arange(20.0).reshape(5, 4)},
            "params": {"alpha": 1.0, "dt": 0.01, "method": "ftcs"}, "extra": {}}


def test_single_byte_flips_on_a_sample_are_refused_or_harmless(tmp_path):
    """Every flipped byte of a real Simulation checkpoint (a sample: the header, superblock and
    root object densely, the rest at random) gives a FileFormatError or an identical restart;
    crashes and hangs are caught by the harness's worker process and fail here."""
    path = byteflip.make_checkpoint(str(tmp_path))
    size = os.path.getsize(path)
    offsets = byteflip.sample_offsets(size, 240, seed=13)
    results = byteflip.run_flips(path, offsets, timeout=20.0)
    bad = {o: r for o, r in results.items() if r not in ("FileFormatError", "identical")}
    assert len(results) == len(offsets) and not bad, bad


@pytest.mark.parametrize("attr, value", [("t", np.float64(3.56e74)), ("step", np.int64(10**6)),
                                         ("params", '{"alpha": 100.0, "dt": 0.01, "method": "ftcs"}'),
                                         ("grid", None)])
def test_altered_attributes_are_found_by_the_state_digest(tmp_path, attr, value):
    """Attributes changed through HDF5 itself (and the whole-file header recomputed, as a tool
    that knows the header would) are still refused: the state digest covers t, step, grid,
    parameters, not only the arrays."""
    path = fio.write_checkpoint(tmp_path / "c.h5", small_state())
    with h5py.File(path, "r+") as h5:
        if attr == "grid":
            value = h5.attrs["grid"].replace("4", "5", 1)
        h5.attrs[attr] = value
    with open(path, "r+b") as fh:  # forge a consistent header over the altered contents
        size = os.fstat(fh.fileno()).st_size - digests.USERBLOCK
        digest = digests.hash_file(fh, digests.USERBLOCK, size)
        fh.seek(0)
        fh.write(digests.header(size, digest, ck.FORMAT_VERSION))
    with pytest.raises(FileFormatError, match="checksum of the state"):
        fio.read_checkpoint(path)


def test_damage_is_refused_before_libhdf5_opens_the_file(tmp_path, monkeypatch):
    path = fio.write_checkpoint(tmp_path / "c.h5", small_state())
    data = bytearray(open(path, "rb").read())
    opened = []
    monkeypatch.setattr(h5py, "File", lambda *a, **k: opened.append(a) or pytest.fail("libhdf5 reached"))
    for offset, what in ((600, "checksum of its contents"), (30, "header"), (len(data) - 1, "checksum")):
        bad = bytearray(data)
        bad[offset] ^= 0xFF
        (tmp_path / "bad.h5").write_bytes(bytes(bad))
        with pytest.raises(FileFormatError, match=what):
            fio.read_checkpoint(tmp_path / "bad.h5")
    (tmp_path / "cut.h5").write_bytes(bytes(data[:-100]))
    with pytest.raises(FileFormatError, match="truncated"):
        fio.read_checkpoint(tmp_path / "cut.h5")
    assert not opened


def test_checkpoint_is_a_plain_hdf5_file_for_other_tools(tmp_path):
    path = fio.write_checkpoint(tmp_path / "c.h5", small_state())
    with h5py.File(path, "r") as h5:  # the user block is standard HDF5: every tool skips it
        assert h5.userblock_size == digests.USERBLOCK and h5.attrs["step"] == 3
        np.testing.assert_array_equal(h5["fields/u"][()], small_state()["fields"]["u"])


def _legacy(path, state):
    """A format-1 checkpoint as fieldgrad wrote it before (no header, one digest per array)."""
    with h5py.File(path, "w") as h5:
        h5.attrs["fieldgrad_format"] = ck.FORMAT_NAME
        h5.attrs["fieldgrad_format_version"] = 1
        h5.attrs["grid"] = ck.layout.to_json(state["grid"], "grid")
        h5.attrs["t"] = np.float64(state["t"])
        h5.attrs["step"] = np.int64(state["step"])
        h5.attrs["params"] = ck.layout.to_json(state["params"], "params")
        h5.create_group("extra")
        d = h5.create_group("fields").create_dataset("u", data=state["fields"]["u"])
        d.attrs["sha256"] = ck._digest(state["fields"]["u"])
        d.attrs["was_scalar"] = 0
    return path


def test_format_1_checkpoints_are_still_read(tmp_path):
    st = small_state()
    back = fio.read_checkpoint(_legacy(tmp_path / "old.h5", st))
    assert back["t"] == st["t"] and back["step"] == 3 and back["params"] == st["params"]
    assert back["fields"]["u"].tobytes() == st["fields"]["u"].tobytes()
    with h5py.File(tmp_path / "old.h5", "r+") as h5:
        h5["fields/u"][0, 0] = 99.0
    with pytest.raises(FileFormatError, match="checksum of fields/u"):
        fio.read_checkpoint(tmp_path / "old.h5")
    fio.write_checkpoint(tmp_path / "old.h5", st)  # an old checkpoint may be replaced by a new one
    assert fio.read_checkpoint(tmp_path / "old.h5")["step"] == 3


@pytest.mark.parametrize("script, words", [("kill -SEGV $$", "crashed the HDF5 library"),
                                           ("sleep 30", "did not finish")])
def test_format_1_reading_that_crashes_or_hangs_is_a_file_format_error(tmp_path, monkeypatch, script, words):
    """Format-1 files cannot be checked before libhdf5 opens them, so they are first read in a
    subprocess; one that dies (a segfault in libhdf5) or never ends is reported, not inherited."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(ck.sys, "executable", str(fake))
    monkeypatch.setattr(ck, "LEGACY_TIMEOUT", 1.0)
    with pytest.raises(FileFormatError, match=words):
        fio.read_checkpoint(_legacy(tmp_path / "old.h5", small_state()))


def test_not_a_checkpoint_at_all(tmp_path):
    (tmp_path / "x.h5").write_bytes(b"\0" * 4096)
    with pytest.raises(FileFormatError, match="not a fieldgrad checkpoint"):
        fio.read_checkpoint(tmp_path / "x.h5")
    out = fio.save(tmp_path / "out.h5", __import__("fieldgrad").Grid((3, 3)), T=np.zeros((3, 3)))
    with pytest.raises(FileFormatError, match="output file"):
        fio.read_checkpoint(out)
