"""Backend selection, and the errors without numba-cuda or without a GPU."""
import os
import subprocess
import sys

import pytest

from fieldgrad.backends import get_backend, resolve_backend, set_backend, use_backend
from fieldgrad.errors import ParameterError


def test_default_and_context(cu):
    assert get_backend() == "cpu"
    with use_backend("cuda"):
        assert get_backend() == "cuda"
        with use_backend("cpu"):
            assert resolve_backend() == "cpu"
        assert resolve_backend(None) == "cuda"
    assert get_backend() == "cpu"
    previous = set_backend("cuda")
    try:
        assert previous == "cpu" and get_backend() == "cuda"
    finally:
        set_backend(previous)


def test_unknown_backend():
    with pytest.raises(ParameterError, match="backend must be one of"):
        set_backend("opencl")


def _run(code, env_extra):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_missing_numba_cuda_says_what_to_install():
    code = ("import sys; sys.modules['numba.cuda'] = None\n"
            "from fieldgrad.errors import BackendError\n"
            "from fieldgrad.backends import set_backend, cuda_available\n"
            "assert not cuda_available()\n"
            "try:\n    set_backend('cuda')\nexcept BackendError as e:\n    print('MSG', e)\n")
    out = _run(code, {})
    assert out.returncode == 0, out.stderr
    assert "pip install 'fieldgrad[cuda]'" in out.stdout


def test_no_device_is_a_backend_error():
    code = ("from fieldgrad.errors import BackendError\n"
            "from fieldgrad.backends import set_backend\n"
            "try:\n    set_backend('cuda')\n    print('GPU')\nexcept BackendError as e:\n    print('MSG', e)\n")
    out = _run(code, {})
    assert out.returncode == 0, out.stderr
    if out.stdout.strip() == "GPU":
        pytest.skip("a CUDA GPU is present: the no-device error cannot be observed here")
    assert "no CUDA GPU or driver was found" in out.stdout or "importing numba.cuda failed" in out.stdout
