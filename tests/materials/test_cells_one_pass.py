"""``check_cell_values`` checks and copies in one pass; it returns what the NumPy form returned
(to the last bit, 0 outside a domain) and a bad value still gets the same error."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import NonFiniteError, ParameterError
from fieldgrad.materials import Cells, cell_shape, check_cell_values


@pytest.mark.parametrize("shape", [(9,), (17, 12), (6, 5, 4)])
def test_one_pass_copy_is_the_values_with_zeros_outside(shape):
    g = fg.Grid(shape)
    rng = np.random.default_rng(len(shape))
    v = rng.uniform(0.5, 2.0, cell_shape(g)) * 10.0 ** rng.integers(-5, 6, cell_shape(g))
    dom = rng.random(cell_shape(g)) < 0.7
    vals = np.where(dom, v, np.nan)
    got = check_cell_values(vals, g, "k", domain=dom)
    assert got.flags.c_contiguous and got.dtype == np.float64 and not np.shares_memory(got, vals)
    assert np.array_equal(got, np.where(dom, v, 0.0)) and np.all(np.signbit(got) == False)  # noqa: E712
    got = check_cell_values(v, g, "k")
    assert np.array_equal(got, v) and not np.shares_memory(got, v)
    ints = rng.integers(0, 5, cell_shape(g))
    assert np.array_equal(check_cell_values(ints, g, "s", positive=False), ints.astype(np.float64))


def test_bad_values_keep_their_messages():
    g = fg.Grid((5, 4))
    v = np.ones(cell_shape(g))
    v[2, 1] = np.nan
    with pytest.raises(NonFiniteError, match=r"1 non-finite value\(s\) \(NaN or inf\), the first at cell \(2, 1\)"):
        check_cell_values(v, g, "k")
    dom = np.ones(cell_shape(g), bool)
    dom[2, 1] = False
    assert check_cell_values(v, g, "k", domain=dom)[2, 1] == 0.0          # NaN outside: ignored
    v[2, 1] = -0.0
    with pytest.raises(ParameterError, match=r"cell \(2, 1\) holds -0.0"):
        check_cell_values(v, g, "k")
    assert check_cell_values(v, g, "k", positive=False)[2, 1] == 0.0
    v[0, 0] = -3.0
    with pytest.raises(ParameterError, match=r"k \(cell values\) must be non-negative everywhere; cell \(0, 0\)"):
        check_cell_values(v, g, "k", positive=False)


def test_owned_cells_are_the_copied_ones():
    arr = np.linspace(1.0, 2.0, 12).reshape(4, 3)
    c = Cells._owned(arr.copy())
    assert c == Cells(arr) and c.domain is None and not c.values.flags.writeable
