"""benchmarks/gpu.py --check runs every benchmarked path in the CUDA simulator (so the script cannot rot)."""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_gpu_benchmark_check_runs_every_path():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env.pop("FIELDGRAD_CUDA_REAL", None)
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu.py"), "--check"], capture_output=True,
                         text=True, env=env, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    text = out.stdout
    for what in ("copy (floor)", "laplacian", "grad", "FTCS step", "MG V-cycle", "Poisson solve", "var-k mixed-BC CG",
                 "CPU laplacian", "CPU Poisson MG", "CPU var-k CG"):
        assert what in text, (what, text)
    assert "float32" in text and "float64" in text
