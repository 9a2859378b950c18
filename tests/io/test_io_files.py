"""Files as other programs make them: umask permissions, no temporaries left by a killed run,
never through a symbolic link, and OS failures (disk full, read-only) as FileFormatErrors."""
import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import fieldgrad.io as fio
import fieldgrad.io.files as files
from fieldgrad.errors import FileFormatError
from iohelpers import fake_sim, frame_fields, grid2, write_run
from test_io_checkpoint import make_state

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[0o022, 0o027])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_outputs_sidecars_and_checkpoints_follow_the_umask(tmp_path, umask):
    """0o666 & ~umask, like any file a program creates (mkstemp made sidecars and checkpoints 0600)."""
    want = 0o666 & ~umask
    write_run(tmp_path / "run.h5", grid2(), [0, 1])
    fio.write_checkpoint(tmp_path / "ck.h5", make_state())
    fio.write_checkpoint(tmp_path / "ck.h5", make_state(13))  # replaced: the new file has the mode too
    assert {p: _mode(tmp_path / p) for p in ("run.h5", "run.xmf", "ck.h5")} == dict.fromkeys(
        ("run.h5", "run.xmf", "ck.h5"), want)


def test_recovered_file_follows_the_umask(tmp_path, umask):
    path = tmp_path / "run.h5"
    code = textwrap.dedent("""
        import os, signal, sys
        from fieldgrad import Grid
        from fieldgrad.io import HDF5Writer
        from iohelpers import fake_sim, frame_fields
        g = Grid((6, 5))
        w = HDF5Writer(sys.argv[1]); sim = fake_sim(g); w.open(sim)
        w.write(0.0, frame_fields(g, 0))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=ENV, timeout=120, capture_output=True,
                          text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert fio.recover(path) == 1
    assert _mode(path) == 0o666 & ~umask and _mode(tmp_path / "run.xmf") == 0o666 & ~umask


KILLED = textwrap.dedent("""
    import os, signal, sys
    import fieldgrad.io.files as files
    for target in sys.argv[1:]:
        files.create_temp(target)          # as a writer does just before it is killed
    os.kill(os.getpid(), signal.SIGKILL)
""")


def _killed_temps(*targets):
    proc = subprocess.run([sys.executable, "-c", KILLED, *map(str, targets)], env=ENV, timeout=120)
    assert proc.returncode == -signal.SIGKILL


def _temps(d):
    return sorted(n for n in os.listdir(d) if files.TEMP_SUFFIX in n)


def test_temporaries_of_a_killed_run_are_removed_at_the_next_open(tmp_path):
    out, xmf, ck = tmp_path / "run.h5", tmp_path / "run.xmf", tmp_path / "ck.h5"
    _killed_temps(out, xmf, ck, tmp_path / "other.h5")
    live = files.create_temp(out)  # a temporary of a process still running (this one) stays
    assert len(_temps(tmp_path)) == 5
    w = fio.HDF5Writer(out)
    w.open(fake_sim(grid2()))
    assert _temps(tmp_path) == sorted([os.path.basename(live), *(n for n in _temps(tmp_path)
                                                                if n.startswith((".ck.h5.", ".other.h5.")))])
    w.close()
    fio.write_checkpoint(ck, make_state())
    names = _temps(tmp_path)
    assert os.path.basename(live) in names and not [n for n in names if n.startswith(".ck.h5.")]
    assert [n for n in names if n.startswith(".other.h5.")]  # another output's: not ours to remove
    os.unlink(live)


def test_temporary_names_are_recognisable():
    name = os.path.basename(files.temp_name("/d/run.h5"))
    assert name.startswith(f".run.h5.{os.getpid()}-") and name.endswith(".fieldgrad-tmp")
    assert files.temp_name("/d/fig.png", keep_ext=True).endswith(".fieldgrad-tmp.png")


# ---------------------------------------------------------------- links
def test_writers_refuse_links_even_dangling_ones(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    d = tmp_path / "out"
    d.mkdir()
    for name in ("run.h5", "ck.h5", "run.xmf"):
        os.symlink(outside / name, d / name)  # dangling: os.path.exists() is False
    with pytest.raises(FileFormatError, match="symbolic link"):
        fio.HDF5Writer(d / "run.h5")
    with pytest.raises(FileFormatError, match="symbolic link"):
        fio.HDF5Writer(d / "run.h5", overwrite=True)
    with pytest.raises(FileFormatError, match="symbolic link"):
        fio.write_checkpoint(d / "ck.h5", make_state())
    os.unlink(d / "run.h5")
    with pytest.raises(FileFormatError, match="symbolic link"):  # the sidecar is a link
        write_run(d / "run.h5", grid2(), [0])
    assert os.listdir(outside) == []


# ---------------------------------------------------------------- OS failures
def test_read_only_locations_are_file_format_errors_naming_the_path():
    """/sys is read-only even for root (chmod would not stop root)."""
    with pytest.raises(FileFormatError, match="/sys/ck.h5"):
        fio.write_checkpoint("/sys/ck.h5", make_state())
    with pytest.raises(FileFormatError, match="/sys/run.h5"):
        fio.save("/sys/run.h5", grid2(), T=np.zeros(grid2().shape))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_checkpoint_on_a_full_or_read_only_disk(tmp_path, monkeypatch, code):
    path = tmp_path / "ck.h5"
    fio.write_checkpoint(path, make_state(1))

    def fail(*a, **k):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(FileFormatError, match=f"{path}.*{errno.errorcode[code]}"):
        fio.write_checkpoint(path, make_state(2))
    monkeypatch.undo()
    assert fio.read_checkpoint(path)["step"] == 1  # the old checkpoint is intact
    assert _temps(tmp_path) == []  # and the temporary is gone


def test_sidecar_on_a_full_disk(tmp_path, monkeypatch):
    path = tmp_path / "run.h5"
    g = grid2()
    w = fio.HDF5Writer(path)
    w.open(fake_sim(g))
    real = files.os.replace

    def fail(src, dst):
        if str(dst).endswith(".xmf"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(FileFormatError, match=f"{tmp_path / 'run.xmf'}.*ENOSPC.*disk is full"):
        w.write(0.0, frame_fields(g, 0))
    monkeypatch.undo()
    w.close()
    assert _temps(tmp_path) == []


FULL = textwrap.dedent("""
    import resource, signal, sys
    import numpy as np
    from fieldgrad import Grid
    from fieldgrad.errors import FileFormatError
    from fieldgrad.io import HDF5Writer
    from iohelpers import fake_sim
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
    g = Grid((64, 64))
    w = HDF5Writer(sys.argv[1], xdmf=False)
    sim = fake_sim(g)
    w.open(sim)
    try:
        for s in range(100):                            # 32 kB a frame: the "disk" fills up
            sim.step = s
            w.write(float(s), {"T": np.full(g.shape, float(s))})
    except FileFormatError as exc:
        print("FileFormatError", s, exc)
    else:
        print("no error")
""")


def test_output_on_a_full_disk_names_the_path(tmp_path):
    """libhdf5's own writes failing (a file size limit stands in for a full disk) reach the
    user as a FileFormatError naming the output, not a bare OSError from h5py."""
    path = tmp_path / "run.h5"
    proc = subprocess.run([sys.executable, "-c", FULL, str(path)], env=ENV, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("FileFormatError") and str(path) in proc.stdout, proc.stdout
    assert 2 <= int(proc.stdout.split()[1]) < 10
