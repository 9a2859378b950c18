"""One writer per output file: a second writer (another process or this one) is refused with an
error naming the process that writes; a killed writer's lock does not block."""
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
from fieldgrad.io.lock import lock_path
from iohelpers import fake_sim, frame_fields

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))

HOLD = textwrap.dedent("""
    import os, signal, sys
    from fieldgrad import Grid
    from fieldgrad.io import HDF5Writer
    from iohelpers import fake_sim, frame_fields
    g = Grid((5, 5))
    w = HDF5Writer(sys.argv[1], overwrite=True)
    sim = fake_sim(g)
    w.open(sim)
    for s in range(3):
        sim.step = s
        w.write(0.5 * s, frame_fields(g, s))
    print("written", os.getpid(), flush=True)
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
    sim.step = 3
    w.write(1.5, frame_fields(g, 3))
    w.close()
    print("closed", flush=True)
""")


def _start(path, mode="wait"):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=ENV)
    line = proc.stdout.readline().split()
    assert line[:1] == ["written"], line
    return proc, int(line[1])


def test_second_writer_in_another_process_is_refused_and_names_it(tmp_path):
    path = tmp_path / "run.h5"
    proc, pid = _start(path)
    try:
        with pytest.raises(FileFormatError, match=f"still being written by process {pid}"):
            fio.HDF5Writer(path, overwrite=True)  # refused when constructed, before any work
        with pytest.raises(FileFormatError, match=f"process {pid}"):
            fio.save(path, Grid((5, 5)), T=np.zeros((5, 5)), overwrite=True)
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "closed"
    finally:
        proc.communicate("\n", timeout=60)
    assert proc.returncode == 0
    with fio.open(path) as f:  # the first run's frames were not destroyed
        assert f.steps.tolist() == [0, 1, 2, 3]
        np.testing.assert_array_equal(f["T"][1], frame_fields(Grid((5, 5)), 1)["T"])
    assert not os.path.exists(lock_path(path))  # removed on close


def test_lock_taken_between_construction_and_open_is_reported(tmp_path):
    path = tmp_path / "run.h5"
    late = fio.HDF5Writer(path, overwrite=True)  # constructed while the file is free
    proc, pid = _start(path)
    try:
        with pytest.raises(FileFormatError, match=f"process {pid}"):
            late.open(fake_sim(Grid((5, 5))))
        late.close()  # harmless, and it must not remove the other writer's lock
        assert os.path.exists(lock_path(path))
    finally:
        proc.communicate("\n", timeout=60)
    assert proc.returncode == 0


def test_two_writers_in_one_process(tmp_path):
    path = tmp_path / "run.h5"
    g = Grid((5, 5))
    w = fio.HDF5Writer(path)
    w.open(fake_sim(g))
    w.write(0.0, frame_fields(g, 0))
    with pytest.raises(FileFormatError, match=f"process {os.getpid()} \\(this process\\)"):
        fio.HDF5Writer(path, overwrite=True)
    w.close()
    fio.HDF5Writer(path, overwrite=True).close()  # free again once closed


def test_a_killed_writer_does_not_block_the_next(tmp_path):
    path = tmp_path / "run.h5"
    proc, pid = _start(path, "kill")
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert open(lock_path(path)).read().split()[0] == str(pid)  # the stale lock file is there
    g = Grid((5, 5))
    sim = fake_sim(g, step=3, t=1.5)
    w = fio.HDF5Writer(path, append=True)
    w.open(sim)  # takes the stale lock, recovers the killed run's file, continues it
    w.write(1.5, frame_fields(g, 3))
    w.close()
    with h5py.File(path, "r") as h5:
        assert h5["step"][:].tolist() == [0, 1, 2, 3]
    assert not os.path.exists(lock_path(path))


RACE = textwrap.dedent("""
    import sys, time
    from fieldgrad import Grid
    from fieldgrad.errors import FieldgradError
    from fieldgrad.io import HDF5Writer
    from iohelpers import fake_sim, frame_fields
    g = Grid((5, 5))
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    try:
        w = HDF5Writer(sys.argv[1], overwrite=True)
        sim = fake_sim(g)
        w.open(sim)
        for s in range(20):
            sim.step = s
            w.write(0.5 * s, frame_fields(g, s))
        time.sleep(0.5)
        w.close()
        print("wrote")
    except FieldgradError as exc:
        print("refused", type(exc).__name__)
""")


def test_racing_writers_one_wins_the_other_gets_a_fieldgrad_error(tmp_path):
    """Four processes start writing the same file at the same instant: runs that overlap are
    refused with a FieldgradError (never a raw BlockingIOError or a traceback), and the file
    ends up holding one complete run."""
    import time

    path = tmp_path / "race.h5"
    start = time.time() + 4.0
    procs = [subprocess.Popen([sys.executable, "-c", RACE, str(path), repr(start)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ENV) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    said = [o[0].strip() for o in outs]
    assert all(s in ("wrote", "refused FileFormatError") for s in said), said
    assert said.count("wrote") >= 1 and "refused FileFormatError" in said, said
    with h5py.File(path, "r") as h5:
        assert h5["step"][:].tolist() == list(range(20))
