"""Timing helpers shared by the benchmark scripts: medians of repeated runs, in one process."""
import os
import platform
import time

import numpy as np


def median_time(fn, repeat=7, warmup=1):
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def header(title):
    """Print what a reader needs to compare runs: date, cores, threads, versions."""
    import numba
    import scipy

    print(f"# {title}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M')}  cores: {os.cpu_count()}  numba threads: {numba.get_num_threads()}"
          f"  python {platform.python_version()}  numpy {np.__version__}  scipy {scipy.__version__}"
          f"  numba {numba.__version__}")


def paired_ratio(fn, floor, repeat=9):
    """Median over ``repeat`` adjacent pairs of ``time(fn) / time(floor)``, and the median time of
    ``fn``: on a shared, noisy machine the ratio of neighbouring runs is steadier than either time."""
    fn()
    floor()
    ratios, times = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        floor()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        ratios.append((t2 - t1) / (t1 - t0))
        times.append(t2 - t1)
    return float(np.median(ratios)), float(np.median(times))
