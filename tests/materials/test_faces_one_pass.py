"""The one-pass kernel of ``cell_links`` / ``node_mean`` gives, to the last bit, what the NumPy
chain of per-axis sums (``_to_nodes``, ``_touch_count``) gives: the solver's results do not move."""
import itertools

import numpy as np
import pytest

from fieldgrad.materials import faces
from fieldgrad.materials.faces import _to_nodes, _touch_count, cell_links, node_mean


def _chain_links(c3, a, shape3, h3, periodic3):
    out = np.zeros(shape3)
    if shape3[a] == 1:
        return out
    s, cnt = c3, 1.0
    for b in range(3):
        if b != a:
            s = _to_nodes(s, b, shape3[b], periodic3[b])
            cnt = cnt * _touch_count(b, shape3[b], periodic3[b])
    sl = [slice(None)] * 3
    sl[a] = slice(0, c3.shape[a])
    o = out[tuple(sl)]
    np.divide(s, cnt, out=o)
    o /= h3[a] ** 2
    return out


def _chain_mean(c3, shape3, periodic3):
    s, cnt = c3, 1.0
    for b in range(3):
        s = _to_nodes(s, b, shape3[b], periodic3[b])
        cnt = cnt * _touch_count(b, shape3[b], periodic3[b])
    return s / cnt


SHAPES = [(7, 1, 1), (2, 1, 1), (6, 5, 1), (2, 3, 1), (5, 4, 3), (4, 2, 2)]


@pytest.fixture
def one_pass_always(monkeypatch):
    monkeypatch.setattr(faces, "ONE_PASS_MIN", 0)


@pytest.mark.parametrize("shape3", SHAPES)
def test_one_pass_equals_the_numpy_chain_bitwise(shape3, one_pass_always):
    rng = np.random.default_rng(sum(shape3))
    nd = sum(n > 1 for n in shape3)
    h3 = (0.1, 0.37, 1.0 / 3.0)
    for per in itertools.product([False, True], repeat=nd):
        periodic3 = tuple(per) + (False,) * (3 - nd)
        cshape = tuple(n if (p or n == 1) else n - 1 for n, p in zip(shape3, periodic3))
        # values of very different sizes, so a changed order of additions would show
        c3 = rng.uniform(0.1, 1.0, cshape) * 10.0 ** rng.integers(-8, 9, cshape)
        c3[rng.random(cshape) < 0.2] = 0.0
        got = node_mean(c3, shape3, periodic3)
        assert got.shape == shape3 and np.array_equal(got, _chain_mean(c3, shape3, periodic3))
        for a in range(3):
            got = cell_links(c3, a, shape3, h3, periodic3)
            assert got.shape == shape3
            assert np.array_equal(got, _chain_links(c3, a, shape3, h3, periodic3)), (a, periodic3)
        # a strided layer (what node_k3_face averages) goes the same way
        lay = c3[:, :1, :]
        sh = (shape3[0], 1, shape3[2])
        assert np.array_equal(node_mean(lay, sh, periodic3), _chain_mean(lay, sh, periodic3))


def test_one_pass_values(one_pass_always):
    c = np.array([[1.0, 2.0], [3.0, 5.0]]).reshape(2, 2, 1)        # 3 x 3 nodes
    m = node_mean(c, (3, 3, 1), (False, False, False))[:, :, 0]
    assert m.tolist() == [[1.0, 1.5, 2.0], [2.0, 2.75, 3.5], [3.0, 4.0, 5.0]]
    Lx = cell_links(c, 0, (3, 3, 1), (0.5, 0.5, 1.0), (False, False, False))[:, :, 0]
    assert Lx.tolist() == [[4.0, 6.0, 8.0], [12.0, 16.0, 20.0], [0.0, 0.0, 0.0]]


def test_large_arrays_take_the_one_pass_kernel_small_ones_the_chain(monkeypatch):
    calls = []
    real = faces._mean_into
    monkeypatch.setattr(faces, "_mean_into", lambda *a: calls.append(a[0].shape) or real(*a))
    big = np.random.default_rng(5).uniform(1.0, 2.0, (256, 129, 1))      # 33024 cells
    got = node_mean(big, (257, 130, 1), (False, False, False))
    assert calls == [big.shape] and np.array_equal(got, _chain_mean(big, (257, 130, 1), (False,) * 3))
    small = big[:100]
    node_mean(small, (101, 130, 1), (False, False, False))
    assert len(calls) == 1


@pytest.mark.parametrize("shape3", [(6, 5, 1), (2, 3, 1), (9, 2, 1)])
def test_x_and_y_links_in_one_pass_equal_the_chain(shape3, one_pass_always):
    rng = np.random.default_rng(sum(shape3))
    h3 = (0.1, 0.37, 1.0)
    for periodic3 in [(False, False, False), (True, False, False), (False, True, False), (True, True, False)]:
        cshape = tuple(n if (p or n == 1) else n - 1 for n, p in zip(shape3, periodic3))
        c3 = rng.uniform(0.1, 1.0, cshape) * 10.0 ** rng.integers(-8, 9, cshape)
        Lx, Ly = faces.cell_links_xy(c3, shape3, h3, periodic3)
        assert np.array_equal(Lx, _chain_links(c3, 0, shape3, h3, periodic3))
        assert np.array_equal(Ly, _chain_links(c3, 1, shape3, h3, periodic3))


def test_x_and_y_links_in_one_pass_only_where_they_apply(one_pass_always):
    c = np.ones((4, 1, 1))
    assert faces.cell_links_xy(c, (5, 1, 1), (1.0,) * 3, (False,) * 3) is None          # 1D
    assert faces.cell_links_xy(np.ones((4, 4, 4)), (5, 5, 5), (1.0,) * 3, (False,) * 3) is None  # 3D
    wlo = whi = np.ones(5)
    assert faces.cell_links_xy(np.ones((4, 4, 1)), (5, 5, 1), (1.0,) * 3, (False,) * 3, (wlo, whi)) is None
