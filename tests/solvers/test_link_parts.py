"""The union-find of :mod:`fieldgrad.solvers.link_parts` against scipy's connected components of
the same link graph (random links, periodic wraps, 1, 2 and 3 slabs)."""
import numba
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from fieldgrad.solvers.link_parts import loose_parts


def _reference(L, state):
    shape = state.shape
    n = state.size
    idx = np.arange(n).reshape(shape)
    rows, cols = [], []
    for a in range(3):
        on = L[a] > 0
        rows.append(idx[on])
        cols.append(np.roll(idx, -1, axis=a)[on])
    r, c = np.concatenate(rows), np.concatenate(cols)
    _, comp = connected_components(sp.coo_matrix((np.ones(r.size), (r, c)), shape=(n, n)), directed=False)
    comp = comp.reshape(shape)
    anchored = np.zeros(comp.max() + 1, dtype=bool)
    anchored[comp[state == 2]] = True
    loose = (state == 1) & ~anchored[comp]
    first = int(np.flatnonzero(loose.ravel())[0]) if loose.any() else -1
    return len(np.unique(comp[loose])), first


@pytest.mark.parametrize("shape, periodic", [((9, 7, 1), (False, False)), ((8, 6, 1), (True, True)),
                                             ((5, 4, 6), (True, False, True)), ((1, 12, 1), (False, False)),
                                             ((7, 1, 5), (False, False, True))])
@pytest.mark.parametrize("threads", [1, 2])
def test_loose_parts_match_connected_components(shape, periodic, threads):
    rng = np.random.default_rng(sum(shape) + threads)
    periodic = tuple(periodic) + (False,) * (3 - len(periodic))
    saved = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        for trial in range(20):
            L = []
            for a in range(3):
                La = np.where(rng.random(shape) < 0.55, rng.random(shape) + 0.1, 0.0)
                if shape[a] == 1:
                    La[...] = 0.0
                elif not periodic[a]:
                    sl = [slice(None)] * 3
                    sl[a] = -1
                    La[tuple(sl)] = 0.0
                L.append(La)
            state = rng.choice(np.array([0, 1, 1, 1, 2], dtype=np.int8), size=shape, p=[0.2, 0.25, 0.25, 0.25, 0.05])
            assert loose_parts(*L, state) == _reference(L, state)
    finally:
        numba.set_num_threads(saved)


def test_anchored_everywhere_and_nowhere():
    L = [np.ones((6, 5, 1)), np.ones((6, 5, 1)), np.zeros((6, 5, 1))]
    L[0][-1] = 0.0
    L[1][:, -1] = 0.0
    state = np.ones((6, 5, 1), dtype=np.int8)
    assert loose_parts(*L, state) == (1, 0)  # one part, no anchor
    state[5, 4, 0] = 2
    assert loose_parts(*L, state) == (0, -1)
