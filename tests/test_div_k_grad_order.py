"""div_k_grad(u, grid, bc, k=...) like the other operators; the old order still works and warns."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterTypeError

G = fg.Grid((9, 11))
X, Y = G.mesh()
K = 1.0 + X * Y
BC = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.5)}


def test_keyword_k_equals_the_old_positional_order_which_warns():
    new = fg.div_k_grad(X ** 2 * Y, G, BC, k=K)
    with pytest.warns(DeprecationWarning, match=r"div_k_grad\(u, grid, bc, k=k\)"):
        old = fg.div_k_grad(X ** 2 * Y, K, G, BC)
    np.testing.assert_array_equal(new, old)


def test_default_k_is_one_the_laplacian():
    u = X ** 2 + Y ** 3
    np.testing.assert_allclose(fg.div_k_grad(u, G, BC), fg.laplacian(u, G, BC), rtol=1e-12, atol=1e-9)


def test_k_given_twice_is_refused():
    with pytest.raises(ParameterTypeError, match="k both"):
        fg.div_k_grad(X, K, G, BC, k=K)
