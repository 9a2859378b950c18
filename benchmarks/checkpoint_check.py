"""What checking a checkpoint costs: write and read of a 2 x n^3 float64 state with fieldgrad's
checks (whole-file SHA-256 before libhdf5 opens the file, state digest after) against a plain
h5py write (+ fsync) / read of the same arrays, medians of 5 runs in one process.

    PYTHONPATH=. python benchmarks/checkpoint_check.py [n]
"""
import os
import statistics
import sys
import tempfile
import time

import h5py
import numpy as np

import fieldgrad.io as fio
from fieldgrad import Grid


def median_time(f, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(n=128):
    g = Grid((n, n, n))
    rng = np.random.default_rng(0)
    fields = {"u": rng.standard_normal(g.shape), "v": rng.standard_normal(g.shape)}
    state = {"grid": g.to_dict(), "t": 0.5, "step": 10, "fields": fields, "params": {"alpha": 1.0}, "extra": {}}
    with tempfile.TemporaryDirectory() as d:
        ck, plain = os.path.join(d, "ck.h5"), os.path.join(d, "plain.h5")

        def write_plain():  # with the fsync any durable checkpoint needs
            with h5py.File(plain, "w") as h5:
                for k, v in fields.items():
                    h5[k] = v
            fd = os.open(plain, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)

        def read_plain():
            with h5py.File(plain, "r") as h5:
                return {k: h5[k][()] for k in h5}

        tw = median_time(lambda: fio.write_checkpoint(ck, state))
        tw0 = median_time(write_plain)
        tr = median_time(lambda: fio.read_checkpoint(ck))
        tr0 = median_time(read_plain)
        size = os.path.getsize(ck) / 1e6
    print(f"state 2 x {n}^3 float64 ({size:.1f} MB), medians of 5, {os.cpu_count()} cores")
    print(f"  write_checkpoint {tw * 1e3:8.1f} ms   plain write+fsync {tw0 * 1e3:8.1f} ms   ratio {tw / tw0:5.2f}")
    print(f"  read_checkpoint  {tr * 1e3:8.1f} ms   plain h5py read  {tr0 * 1e3:8.1f} ms   ratio {tr / tr0:5.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 128)
