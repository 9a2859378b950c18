"""``filled_holes.outside_from`` (one selection pass) against its definition: a link from the soft
operator where both its nodes are outside (the next node wrapping), the diagonal on outside
nodes, the exact operator elsewhere."""
import numpy as np
import pytest

from fieldgrad.solvers.filled_holes import outside_from as _outside_from


@pytest.mark.parametrize("shape", [(7, 6, 1), (5, 4, 3), (9, 1, 1), (4, 6, 5)])
def test_outside_from_selects_as_defined(shape):
    rng = np.random.default_rng(sum(shape))
    exact = [rng.random(shape) for _ in range(4)] + ["tables"]
    soft = [rng.random(shape) for _ in range(4)] + ["other"]
    for a in range(3):
        if shape[a] == 1:  # a padded axis carries no links
            exact[a][...] = 0.0
            soft[a][...] = 0.0
    outside = rng.random(shape) < 0.5
    got = _outside_from(exact, soft, outside)
    for a in range(3):
        both = outside & np.roll(outside, -1, axis=a)
        assert np.array_equal(got[a], np.where(both, soft[a], exact[a]))
    assert np.array_equal(got[3], np.where(outside, soft[3], exact[3]))
    assert got[4] == "tables"
    assert outside.any() and (~outside).any()
