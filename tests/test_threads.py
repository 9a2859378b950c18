"""``fieldgrad.threads``: small problems run their Numba kernels on one thread."""
import numba
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.threads import SERIAL_BELOW, serial_if_small


def test_serial_if_small_sets_and_restores():
    nt = numba.get_num_threads()
    with serial_if_small(SERIAL_BELOW - 1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == nt
    with serial_if_small(SERIAL_BELOW):
        assert numba.get_num_threads() == nt
    with pytest.raises(KeyError):
        with serial_if_small(5):
            raise KeyError("inside")
    assert numba.get_num_threads() == nt


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 Numba threads to tell the cases apart")
def test_poisson_solve_threads_follow_the_grid_size():
    numba.set_num_threads(2)
    seen = {}
    for n in (33, 129):  # 1089 and 16641 nodes
        g = fg.Grid((n, n))
        got = []
        fg.solve_poisson(np.ones(g.shape), g, fg.Dirichlet(0.0), method="multigrid", callback=lambda i, r: got.append(
            numba.get_num_threads()))
        seen[n] = set(got)
    assert seen[33] == {1} and seen[129] == {2}
    assert numba.get_num_threads() == 2
