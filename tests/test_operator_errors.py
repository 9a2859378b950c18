"""Bad input to the operators raises fieldgrad errors that say what was seen and accepted."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BoundaryError, GridError, NonFiniteError, ParameterError, ShapeError


def test_wrong_shape():
    g = fg.Grid((5, 6))
    with pytest.raises(ShapeError, match=r"u has shape \(6, 5\); this grid needs \(5, 6\)"):
        fg.laplacian(np.zeros((6, 5)), g)
    with pytest.raises(ShapeError, match=r"v has shape"):
        fg.div(np.zeros((3, 5, 6)), g)
    with pytest.raises(ShapeError, match="out must be a float64 array of shape"):
        fg.laplacian(np.zeros((5, 6)), g, out=np.zeros((5, 5)))
    with pytest.raises(ShapeError, match="out must be a float32"):
        fg.laplacian(np.zeros((5, 6), np.float32), g, out=np.zeros((5, 6)))


def test_grid_smaller_than_the_stencil():
    g = fg.Grid((3, 8))
    with pytest.raises(GridError, match="axis x has 3 nodes"):
        fg.laplacian(np.zeros(g.shape), g)  # one-sided second derivative needs 4 nodes
    fg.laplacian(np.zeros(g.shape), g, {"x": fg.Neumann(0.0)})  # ghost closure needs only 2
    with pytest.raises(GridError, match="order 4"):
        fg.laplacian(np.zeros((5, 8)), fg.Grid((5, 8)), order=4)


def test_bc_on_missing_face_and_periodic_with_dirichlet():
    with pytest.raises(BoundaryError, match="not a face"):
        fg.grad(np.zeros((5, 5)), fg.Grid((5, 5)), {"z+": fg.Neumann(0)})
    gp = fg.Grid((6, 6), periodic=True)
    with pytest.raises(BoundaryError, match="periodic axis"):
        fg.laplacian(np.zeros(gp.shape), gp, {"x-": fg.Dirichlet(0.0)})


def test_conductivity_must_be_positive():
    g = fg.Grid((5, 5))
    k = np.ones(g.shape)
    k[2, 2] = -1.0
    with pytest.raises(ParameterError, match="k must be positive everywhere; its minimum is -1.0"):
        fg.div_k_grad(np.zeros(g.shape), k, g)
    with pytest.raises(ParameterError, match="k must be positive and finite; got 0"):
        fg.div_k_grad(np.zeros(g.shape), 0, g)
    with pytest.raises(ShapeError, match="k has shape"):
        fg.div_k_grad(np.zeros(g.shape), np.ones((4, 4)), g)


def test_order_and_dtype():
    g = fg.Grid((6, 6))
    with pytest.raises(ParameterError, match="order must be 2 or 4; got 3"):
        fg.grad(np.zeros(g.shape), g, order=3)
    with pytest.raises(ParameterError, match="dtype complex128"):
        fg.laplacian(np.zeros(g.shape, complex), g)
    assert fg.laplacian(np.zeros(g.shape, int), g).dtype == np.float64


def test_check_finite():
    g = fg.Grid((5, 5))
    u = np.zeros(g.shape)
    u[1, 1] = np.nan
    with pytest.raises(NonFiniteError, match="1 non-finite"):
        fg.laplacian(u, g, check_finite=True)
    assert np.isnan(fg.laplacian(u, g)).any()  # off by default: NaN propagates, documented


def test_curl_refuses_conditions():
    with pytest.raises(BoundaryError, match="curl takes bc=None"):
        fg.curl(np.zeros((2, 5, 5)), fg.Grid((5, 5)), fg.Neumann(0))
