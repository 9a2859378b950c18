"""Single-byte damage of a small checkpoint: every flip must give a FileFormatError or a restart
identical to the undamaged one, never a crash, a hang or a silently different state.

Each damaged copy is restarted in a worker subprocess (one worker serves many offsets); the
parent gives every offset a time limit, so a crash inside libhdf5 (the worker dies) or an
endless loop (no answer in time) is recorded as such and a fresh worker continues.

Used by tests/io/test_io_checkpoint_damage.py on a sample of offsets, and run by hand over every
byte (not collected by pytest)::

    PYTHONPATH=. python tests/io/byteflip.py            # all bytes, prints the counts
    PYTHONPATH=. python tests/io/byteflip.py --sample 300
"""
from __future__ import annotations

import argparse
import collections
import os
import select
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def make_checkpoint(directory):
    """A small checkpoint of a real Simulation (2D, 9 x 7, FTCS, array alpha) after 5 steps."""
    from fieldgrad import Dirichlet, Grid, Neumann
    from fieldgrad.simulation import Simulation

    g = Grid((9, 7), extent=[(0.0, 1.0), (0.0, 0.5)])
    x, y = g.coords
    u0 = np.sin(3 * x[:, None]) + y[None, :] ** 2
    alpha = 1.0 + 0.5 * np.cos(x[:, None] + y[None, :])
    sim = Simulation(u0, g, {"x-": Dirichlet(1.0), "*": Neumann(0.0)}, alpha=alpha, method="ftcs", progress=False)
    sim.run(steps=5)
    path = os.path.join(directory, "ck.h5")
    sim.checkpoint(path)
    return path


def same_state(a, b):
    """True when two Simulation states are identical, arrays bit for bit."""
    if a["t"] != b["t"] or a["step"] != b["step"] or a["grid"] != b["grid"] or a["params"] != b["params"]:
        return False
    for group in ("fields", "extra"):
        if set(a[group]) != set(b[group]):
            return False
        for k in a[group]:
            x, y = np.asarray(a[group][k]), np.asarray(b[group][k])
            if x.dtype != y.dtype or x.shape != y.shape or x.tobytes() != y.tobytes():
                return False
    return True


def _worker(path):
    """Read offsets from stdin; flip that byte of ``path`` in a copy, restart, print the outcome."""
    import fieldgrad.io as fio
    from fieldgrad.errors import FileFormatError

    original = open(path, "rb").read()
    ref = fio.restart(path).state()
    work = os.path.join(os.path.dirname(path), f"flip-{os.getpid()}.h5")
    for line in sys.stdin:
        offset, xor = (int(v) for v in line.split())
        data = bytearray(original)
        data[offset] ^= xor
        with open(work, "wb") as fh:
            fh.write(data)
        try:
            outcome = "identical" if same_state(fio.restart(work).state(), ref) else "WRONG-STATE"
        except FileFormatError:
            outcome = "FileFormatError"
        except Exception as exc:  # noqa: BLE001 - classified, not hidden
            outcome = f"OTHER-{type(exc).__name__}"
        sys.stdout.write(f"{offset} {outcome}\n")
        sys.stdout.flush()


def run_flips(path, offsets, xor=0xFF, timeout=20.0):
    """Outcome of each single-byte flip (``byte ^= xor``) at ``offsets``.

    Returns
    -------
    dict offset -> "FileFormatError" | "identical" | "WRONG-STATE" | "OTHER-<Exception>" |
    "CRASH(<status>)" | "HANG"
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (os.getcwd(), os.environ.get("PYTHONPATH")) if p))
    todo = list(offsets)
    results = {}
    while todo:
        proc = subprocess.Popen([sys.executable, __file__, "--worker", path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        start_limit = 120.0  # the first answer includes imports and a Numba cache load
        try:
            while todo:
                offset = todo[0]
                proc.stdin.write(f"{offset} {xor}\n")
                proc.stdin.flush()
                ready, _, _ = select.select([proc.stdout], [], [], start_limit + timeout)
                start_limit = 0.0
                if not ready:
                    results[offset] = "HANG"
                    todo.pop(0)
                    break
                line = proc.stdout.readline()
                if not line:
                    results[offset] = f"CRASH({proc.wait()})"
                    todo.pop(0)
                    break
                got, outcome = line.split()
                assert int(got) == offset, (got, offset)
                results[offset] = outcome
                todo.pop(0)
        except BrokenPipeError:
            results[todo.pop(0)] = f"CRASH({proc.wait()})"
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    return results


def sample_offsets(size, n, seed=0):
    """``n`` offsets: the first 600 bytes (header, superblock, root object) densely, the rest at random."""
    rng = np.random.default_rng(seed)
    head = list(range(0, min(size, 600), max(1, 600 // max(1, n // 2))))
    rest = rng.choice(np.arange(min(size, 600), size), size=min(n - len(head), max(0, size - 600)), replace=False)
    return sorted(set(head) | {int(o) for o in rest})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker")
    ap.add_argument("--sample", type=int, help="flip this many offsets instead of every byte")
    ap.add_argument("--xor", type=int, default=0xFF)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return 0
    with tempfile.TemporaryDirectory() as d:
        path = make_checkpoint(d)
        size = os.path.getsize(path)
        offsets = sample_offsets(size, args.sample) if args.sample else range(size)
        t0 = time.perf_counter()
        res = run_flips(path, offsets, xor=args.xor)
        wall = time.perf_counter() - t0
    counts = collections.Counter(v if not v.startswith("CRASH") else "CRASH" for v in res.values())
    print(f"checkpoint of {size} bytes, {len(res)} single-byte flips (xor 0x{args.xor:02X}) in {wall:.1f} s")
    for k, v in sorted(counts.items()):
        print(f"  {k:20s} {v}")
    bad = {o: v for o, v in res.items() if v not in ("FileFormatError", "identical")}
    if bad:
        print("  bad offsets:", dict(list(sorted(bad.items()))[:40]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
