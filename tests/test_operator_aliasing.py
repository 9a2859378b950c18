"""``out=`` that shares memory with an input is refused by every operator (the stencil would read
values it has already overwritten and return garbage without a word)."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterError

G2 = fg.Grid((6, 7))
G3 = fg.Grid((6, 7, 6))


def field(g):
    return np.random.default_rng(1).random(g.shape)


def refuse(call, arg):
    with pytest.raises(ParameterError, match=rf"out shares memory with the input {arg}"):
        call()


@pytest.mark.parametrize("g", [G2, G3])
def test_laplacian_refuses_out_aliasing_u(g):
    u = field(g)
    refuse(lambda: fg.laplacian(u, g, fg.Dirichlet(0), out=u), "u")
    refuse(lambda: fg.laplacian(u, g, order=4, out=u), "u")


@pytest.mark.parametrize("g", [G2, G3])
def test_grad_refuses_out_holding_u(g):
    vec = np.zeros((g.ndim,) + g.shape)
    vec[0] = field(g)
    refuse(lambda: fg.grad(vec[0], g, out=vec), "u")


@pytest.mark.parametrize("g", [G2, G3])
def test_div_refuses_out_that_is_a_component(g):
    v = np.random.default_rng(2).random((g.ndim,) + g.shape)
    refuse(lambda: fg.div(v, g, out=v[g.ndim - 1]), "v")


@pytest.mark.parametrize("g", [G2, G3])
def test_div_k_grad_refuses_out_aliasing_u_or_k(g):
    u, k = field(g), 1.0 + field(g)
    refuse(lambda: fg.div_k_grad(u, g, fg.Neumann(0), k=k, out=u), "u")
    refuse(lambda: fg.div_k_grad(u, g, fg.Neumann(0), k=k, out=k), "k")


@pytest.mark.parametrize("g", [G2, G3])
def test_curl_refuses_out_aliasing_v(g):
    v = np.random.default_rng(3).random((g.ndim,) + g.shape)
    out = v if g.ndim == 3 else v[1]
    refuse(lambda: fg.curl(v, g, out=out), "v")


def test_separate_out_still_accepted_and_equal():
    u = field(G3)
    out = np.empty_like(u)
    assert fg.laplacian(u, G3, fg.Neumann(0), out=out) is out
    np.testing.assert_array_equal(out, fg.laplacian(u, G3, fg.Neumann(0)))
    vec = np.empty((3,) + G3.shape)
    assert fg.grad(u, G3, out=vec) is vec  # out separate from u: no false alarm
