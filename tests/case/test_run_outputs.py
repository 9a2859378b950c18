"""`fieldgrad run` writes only inside the output directory: no file through a symbolic link
(dangling ones included), no file of another kind replaced even with --overwrite."""
import os

import pytest

from fieldgrad.cli import main

STEADY = """
[case]
name = "slab"
physics = "heat"
[grid]
shape = [11, 5]
extent = [[0, 0.5], [0, 0.1]]
[material]
conductivity = 20.0
[boundary]
"x-" = { type = "dirichlet", value = 100.0 }
"x+" = { type = "dirichlet", value = 0.0 }
[output]
file = "slab.h5"
"""


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (tmp_path / "case.toml").write_text(STEADY)
    monkeypatch.chdir(out)
    return tmp_path, out, outside


@pytest.mark.parametrize("name", ["slab.h5", "slab.png", "slab.xmf"])
@pytest.mark.parametrize("overwrite", [False, True])
def test_dangling_links_are_refused(dirs, capsys, name, overwrite):
    tmp, out, outside = dirs
    os.symlink(outside / "stolen", out / name)
    args = ["run", str(tmp / "case.toml"), "--plot"] + (["--overwrite"] if overwrite else [])
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "symbolic link" in err and name in err and len(err.splitlines()) == 1
    assert os.listdir(outside) == [] and sorted(os.listdir(out)) == [name]  # nothing written anywhere


def test_link_to_an_existing_file_is_not_followed(dirs, capsys):
    tmp, out, outside = dirs
    (outside / "thesis.h5").write_bytes(b"precious")
    os.symlink(outside / "thesis.h5", out / "slab.h5")
    assert main(["run", str(tmp / "case.toml"), "--overwrite"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (outside / "thesis.h5").read_bytes() == b"precious"


@pytest.mark.parametrize("name, content", [("slab.h5", b"my thesis data"), ("slab.xmf", b"notes"),
                                           ("slab.png", b"not a picture")])
def test_overwrite_never_replaces_a_file_of_another_kind(dirs, capsys, name, content):
    tmp, out, _ = dirs
    (out / name).write_bytes(content)
    assert main(["run", str(tmp / "case.toml"), "--plot", "--overwrite"]) == 2
    err = capsys.readouterr().err
    assert name in err and "refusing to replace it even with --overwrite" in err
    assert (out / name).read_bytes() == content


def test_overwrite_replaces_outputs_of_an_earlier_run(dirs, capsys):
    tmp, out, _ = dirs
    assert main(["run", str(tmp / "case.toml"), "--plot"]) == 0
    names = ("slab.h5", "slab.xmf", "slab.png")
    before = {n: (out / n).read_bytes() for n in names}
    for n in names:  # a second name for each old file shows whether it was written through
        os.link(out / n, tmp / ("old-" + n))
    assert main(["run", str(tmp / "case.toml"), "--plot", "--overwrite"]) == 0
    for n in names:
        assert not os.path.samefile(out / n, tmp / ("old-" + n)) and (tmp / ("old-" + n)).read_bytes() == before[n]
    assert not [n for n in os.listdir(out) if "fieldgrad" in n]  # no temporaries, no lock left
