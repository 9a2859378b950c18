"""On a machine with a CUDA GPU, rerun the backend tests on the device (not the simulator)."""
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent


def _gpu_present():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    code = "from numba import cuda; print('YES' if cuda.is_available() else 'NO')"
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    except Exception:
        return False
    return out.stdout.strip().endswith("YES")


@pytest.mark.skipif(os.environ.get("FIELDGRAD_CUDA_REAL") == "1", reason="already running on the real GPU")
def test_backend_suite_on_real_gpu():
    if not _gpu_present():
        pytest.skip("no CUDA GPU (or numba-cuda) on this machine: the kernels were tested in the simulator only")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["FIELDGRAD_CUDA_REAL"] = "1"
    files = [str(p) for p in sorted(HERE.glob("test_cuda_*.py")) if p.name != "test_cuda_gpu.py"]
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
                         capture_output=True, text=True, env=env, timeout=900)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
