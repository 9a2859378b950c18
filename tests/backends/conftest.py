"""The CUDA backend tests run in Numba's CUDA simulator unless FIELDGRAD_CUDA_REAL=1.

``fieldgrad.backends.cuda.load`` re-reads Numba's configuration when it sees
``NUMBA_ENABLE_CUDASIM=1``, so setting it here works even though numba is already imported, as
long as nothing in this process imported ``numba.cuda`` before.  ``test_cuda_gpu.py`` reruns
these files on a real GPU in a subprocess with FIELDGRAD_CUDA_REAL=1 when one is present.
"""
import os

import pytest

REAL = os.environ.get("FIELDGRAD_CUDA_REAL") == "1"
if not REAL:
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"


@pytest.fixture(scope="session")
def cu():
    """The fieldgrad CUDA module, loaded (simulator or real device)."""
    from fieldgrad.backends import cuda

    try:
        cuda.load()
    except Exception as exc:  # pragma: no cover - only without numba-cuda
        pytest.skip(f"CUDA backend not loadable here: {exc}")
    return cuda
