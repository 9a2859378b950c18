"""Crash safety for real: a writer process is killed with SIGKILL mid-run, then the file is opened.

The child writes frames as fast as it can and reports each flushed frame on stdout; the parent
kills it while it is busy writing the next one.  Every reported frame must be in the file,
bit for bit; after :func:`fieldgrad.io.recover` plain HDF5 tools open it too; appending on
restart neither duplicates nor loses frames.
"""
import os
import signal
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad import Grid
from fieldgrad.errors import FileFormatError
from iohelpers import fake_sim, frame_fields

HERE = os.path.dirname(os.path.abspath(__file__))
GRID = dict(shape=(24, 20, 16))
CHILD = textwrap.dedent("""
    import sys
    from fieldgrad import Grid
    from fieldgrad.io import HDF5Writer
    from iohelpers import fake_sim, frame_fields
    g = Grid((24, 20, 16))
    sim = fake_sim(g)
    w = HDF5Writer(sys.argv[1], compression=sys.argv[2] if sys.argv[2] != "none" else None)
    w.open(sim)
    s = 0
    while True:
        sim.step, sim.t = s, 0.5 * s
        w.write(sim.t, frame_fields(g, s))
        print(s, flush=True)
        s += 1
""")


def run_and_kill(path, frames, compression="none"):
    """Start a writer, SIGKILL it once it reported ``frames`` flushed frames; return that count."""
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), compression], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    reported = 0
    try:
        for line in proc.stdout:
            reported = int(line) + 1
            if reported >= frames:
                break
        proc.send_signal(signal.SIGKILL)  # mid-way through the next frame
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert reported >= frames
    return reported


def check_frames(path, at_least):
    g = Grid(GRID["shape"])
    with fio.open(path) as f:
        n = len(f)
        assert n >= at_least
        assert f.steps.tolist() == list(range(n))
        np.testing.assert_array_equal(f.times, 0.5 * np.arange(n))
        for s in range(n):
            want = frame_fields(g, s)
            np.testing.assert_array_equal(f["T"][s], want["T"])
            np.testing.assert_array_equal(f["q"][s], want["q"])
        return n, f.unclean


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_sigkill_mid_run_keeps_every_flushed_frame(tmp_path, compression):
    path = tmp_path / "run.h5"
    reported = run_and_kill(path, 6, compression)
    n, unclean = check_frames(path, reported)
    assert unclean  # the writer never closed it, yet fieldgrad.io.open reads it
    with pytest.raises(OSError):
        h5py.File(path, "r")  # what other tools see before recovery
    assert fio.recover(path) == n
    with h5py.File(path, "r") as h5:  # plain h5py after recovery
        assert h5["T"].shape[0] == n and h5["time"].shape[0] == n
    assert check_frames(path, n) == (n, False)
    assert fio.recover(path) == 0  # now clean: nothing to do


def test_append_after_crash_has_no_duplicates_or_gaps(tmp_path):
    path = tmp_path / "run.h5"
    reported = run_and_kill(path, 8)
    # restart from a checkpoint taken at step 3: later frames are recomputed, so they are dropped first
    g = Grid(GRID["shape"])
    sim = fake_sim(g, step=3, t=1.5)
    w = fio.HDF5Writer(path, append=True)
    w.open(sim)  # recovers the killed run's file (its writer is gone) and cuts it back to step 3
    assert w.frames == 4
    for s in range(3, reported + 3):  # the restarted run writes its initial state (step 3) again
        sim.step, sim.t = s, 0.5 * s
        w.write(sim.t, frame_fields(g, s))
    w.close()
    n, unclean = check_frames(path, reported + 3)
    assert n == reported + 3 and not unclean


def test_recover_refuses_a_live_writer(tmp_path):
    path = tmp_path / "live.h5"
    hold = textwrap.dedent("""
        import sys
        from fieldgrad import Grid
        from fieldgrad.io import HDF5Writer
        from iohelpers import fake_sim, frame_fields
        g = Grid((5, 5))
        w = HDF5Writer(sys.argv[1])
        sim = fake_sim(g)
        w.open(sim)
        w.write(0.0, frame_fields(g, 0))
        print("written", flush=True)
        sys.stdin.readline()
        sim.step = 1
        w.write(0.5, frame_fields(g, 1))
        print("written", flush=True)
        sys.stdin.readline()
        w.close()
    """)
    env = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", hold, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "written"
        with pytest.raises(FileFormatError, match="still being written"):
            fio.recover(path)
        with pytest.raises(FileFormatError, match="still being written"):
            fio.HDF5Writer(path, append=True).open(fake_sim(Grid((5, 5)), step=1))
        with fio.open(path) as f:  # a reader may follow a live run
            assert len(f) == 1 and f.unclean
            proc.stdin.write("\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "written"
            assert f.refresh() == 2 and f.steps.tolist() == [0, 1]
            np.testing.assert_array_equal(f["T"][1], frame_fields(Grid((5, 5)), 1)["T"])
    finally:
        proc.communicate("\n", timeout=60)
    assert proc.returncode == 0
    with h5py.File(path, "r") as h5:  # closed cleanly by its writer
        assert h5["time"].shape == (2,)
