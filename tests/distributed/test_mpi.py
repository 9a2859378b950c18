"""Distributed operators, heat and Poisson under ``mpiexec -n 1, 2, 4`` equal the serial results
(``div`` and ``curl`` under ``mpiexec -n 1, 2, 3, 4``).

Each rank count runs tests/distributed/mpi_checks.py once in a subprocess (uneven splits, every
boundary kind, 2D and 3D); the serial references are computed here.  Skipped, with the reason,
only when mpi4py or mpiexec is missing (the ``mpi`` extra installs both).
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import mpi_checks  # noqa: E402


def _mpiexec():
    exe = shutil.which("mpiexec", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if exe is None:
        pytest.skip("mpiexec not found (pip install mpich, or load the system MPI)")
    cmd = [exe]
    version = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    if "Open MPI" in version or "OpenRTE" in version:
        cmd += ["--oversubscribe"]  # 4 ranks on a 2-core machine
    return cmd


@pytest.fixture(scope="module")
def references():
    return mpi_checks.references()


@pytest.mark.parametrize("ranks", [1, 2, 4])
def test_distributed_equals_serial(ranks, references, tmp_path):
    out = tmp_path / "results.npz"
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(_mpiexec() + ["-n", str(ranks), sys.executable, str(HERE / "mpi_checks.py"), str(out)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    got = np.load(out)
    assert len(got.files) == len(references)
    for key, ref in references.items():
        res = got[key.replace("/", "__")]
        err = np.max(np.abs(res - ref)) / np.max(np.abs(ref))
        assert err < 1e-12, f"{key} on {ranks} ranks: relative error {err:.3e}"
    # the per-rank HDF5 parts read back as one ordinary dataset, in the fieldgrad.io layout
    # (a time axis of one frame, each frame stored axis-reversed): by h5py and by fieldgrad.io.open
    h5py = pytest.importorskip("h5py")
    with h5py.File(str(out) + ".h5", "r") as f:
        np.testing.assert_array_equal(f["laplacian"][0], references["laplacian/dirichlet_neumann_2d"].T)
        np.testing.assert_array_equal(f["grad"][0], references["grad/dirichlet_neumann_2d"].T)
        assert f.attrs["fieldgrad_distributed_ranks"] == ranks
    import fieldgrad.io as fio
    with fio.open(str(out) + ".h5") as f:
        assert f["grad"].kind == "vector" and f.times.tolist() == [0.0]
        np.testing.assert_array_equal(f["laplacian"][0], references["laplacian/dirichlet_neumann_2d"])


@pytest.fixture(scope="module")
def div_curl_references():
    return mpi_checks.div_curl_references()


@pytest.mark.parametrize("ranks", [1, 2, 3, 4])
def test_div_and_curl_equal_serial(ranks, div_curl_references, tmp_path):
    # every rank's block of fd.div / fd.curl, gathered, equals the serial operator to round-off:
    # blocks on boundaries, cut periodic seams, uneven splits, 2D, 3D, float32, cylindrical (r, z)
    out = tmp_path / "div_curl.npz"
    env = dict(os.environ, NUMBA_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(_mpiexec() + ["-n", str(ranks), sys.executable, str(HERE / "mpi_checks.py"), str(out),
                                        "div_curl"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    got = np.load(out)
    names = list(mpi_checks.DIV_CURL_CASES)
    assert sorted(got.files) == sorted([k.replace("/", "__") for k in div_curl_references]
                                       + [f"dims__{n}" for n in names])
    for key, ref in div_curl_references.items():
        res = got[key.replace("/", "__")]
        assert res.dtype == ref.dtype and res.shape == ref.shape, key
        err = np.max(np.abs(res - ref)) / np.max(np.abs(ref))
        assert err < 1e-13, f"{key} on {ranks} ranks: relative error {err:.3e}"
    dims = {n: tuple(got[f"dims__{n}"]) for n in names}
    assert all(np.prod(d) == ranks for d in dims.values())
    if ranks > 1:  # the cuts that matter were made: the r axis (a block on the axis, blocks off it), periodic seams
        assert dims["cyl_solid"][0] > 1 and dims["cyl_pipe"][0] > 1
        assert dims["periodic_seam_2d"][1] > 1 and dims["cyl_periodic_z"][1] > 1
