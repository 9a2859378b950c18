"""One Numba thread for small problems.

A parallel kernel on a few thousand nodes takes microseconds, less than a fork-join of the
thread pool -- and on a loaded machine a descheduled worker stalls every parallel region for a
scheduler tick: a 81 x 3 Crank-Nicolson run of 640 steps took 8.9 s on 2 threads at load 4 and
0.44 s on one.  Problems (and multigrid levels) below ``SERIAL_BELOW`` nodes run on one thread.

Example
-------
>>> with serial_if_small(100):
...     numba.get_num_threads()
1
"""
from __future__ import annotations

from contextlib import contextmanager

import numba

SERIAL_BELOW = 10000


@contextmanager
def serial_if_small(size, below=SERIAL_BELOW):
    """Run the enclosed Numba kernels on one thread when ``size < below`` (thread-local: other
    Python threads keep their setting).

    Parameters
    ----------
    size : int -- nodes of the problem or level
    below : int -- the threshold (default :data:`SERIAL_BELOW`)
    """
    nt = numba.get_num_threads()
    if nt == 1 or size >= below:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(nt)
