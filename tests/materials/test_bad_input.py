"""Bad materials are refused with a fieldgrad error that names the argument."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid
from fieldgrad.errors import NonFiniteError, ParameterError, ShapeError

G = Grid((5, 4))
F = np.zeros(G.shape)


@pytest.mark.parametrize("bad,err,match", [
    (-1.0, ParameterError, r"k \(cell values\) must be positive everywhere; cell \(1, 2\)"),
    (0.0, ParameterError, r"k \(cell values\) must be positive"),
    (np.nan, NonFiniteError, r"k \(cell values\) holds 1 non-finite"),
])
def test_bad_cell_values(bad, err, match):
    c = np.ones((4, 3))
    c[1, 2] = bad
    with pytest.raises(err, match=match):
        fg.solve_poisson(F, G, Dirichlet(0.0), k=fg.Cells(c))
    with pytest.raises(err, match=match):
        fg.poisson_matrix(G, Dirichlet(0.0), k=c)   # a bare array of the cell shape is cells too


def test_wrong_shapes_name_the_argument():
    with pytest.raises(ShapeError, match=r"k \(cell values\) has shape \(5, 4\); this grid's cells need \(4, 3\)"):
        fg.solve_poisson(F, G, Dirichlet(0.0), k=fg.Cells(np.ones((5, 4))))
    with pytest.raises(ShapeError, match=r"k has shape \(3, 3\); accepted: a number, node values .*\(5, 4\).*\(4, 3\)"):
        fg.solve_poisson(F, G, Dirichlet(0.0), k=np.ones((3, 3)))
    with pytest.raises(ShapeError, match=r"contact regions .* has shape \(4, 4\); this grid needs \(5, 4\)"):
        fg.solve_poisson(F, G, Dirichlet(0.0), contact=fg.Contact(np.zeros((4, 4), dtype=int), 1.0))
    with pytest.raises(ShapeError, match=r"ky \(component 1 of Orthotropic\) \(cell values\) has shape"):
        fg.poisson_matrix(G, Dirichlet(0.0), k=fg.Orthotropic(1.0, fg.Cells(np.ones((2, 2)))))


def test_bad_orthotropic_and_contact_values():
    with pytest.raises(ParameterError, match=r"gives 3 components; this 2D grid needs 2"):
        fg.solve_poisson(F, G, Dirichlet(0.0), k=fg.Orthotropic(1.0, 1.0, 1.0))
    with pytest.raises(ParameterError, match=r"kx \(component 0 of Orthotropic\) must be positive"):
        fg.poisson_matrix(G, Dirichlet(0.0), k=fg.Orthotropic(-2.0, 1.0))
    with pytest.raises(ParameterError, match=r"Contact resistance must be finite and >= 0.*-1"):
        fg.Contact(np.zeros(G.shape, dtype=int), -1.0)
    with pytest.raises(ParameterError, match=r"integer label array"):
        fg.Contact(np.zeros(G.shape), 1.0)
    with pytest.raises(ParameterError, match=r"names one region twice"):
        fg.Contact(np.zeros(G.shape, dtype=int), {(1, 1): 1.0})
    with pytest.raises(ParameterError, match=r"contact must be a fieldgrad.Contact"):
        fg.poisson_matrix(G, Dirichlet(0.0), contact=0.5)


def test_periodic_grid_bare_array_means_nodes():
    """Every axis periodic: cell and node shapes coincide, so a bare array is node values
    (harmonic links) and Cells(...) must be said explicitly."""
    g = Grid((4, 4), periodic=True)
    k = np.ones(g.shape)
    k[1, :] = 3.0
    A_n = fg.poisson_matrix(g, {}, k=k)
    A_c = fg.poisson_matrix(g, {}, k=fg.Cells(k))
    idx = lambda i, j: np.ravel_multi_index((i, j), g.shape)  # noqa: E731
    h2 = g.spacing[0] ** 2
    # x link 1 -> 2: nodes 3 and 1 (harmonic 1.5); cells (1, -1) and (1, 0) both 3
    assert A_n[idx(1, 0), idx(2, 0)] == pytest.approx(1.5 / h2, rel=1e-14)
    assert A_c[idx(1, 0), idx(2, 0)] == pytest.approx(3.0 / h2, rel=1e-14)
    # y link (1, 0) -> (1, 1): nodes both 3; cells (0, 0) = 1 and (1, 0) = 3
    assert A_n[idx(1, 0), idx(1, 1)] == pytest.approx(3.0 / h2, rel=1e-14)
    assert A_c[idx(1, 0), idx(1, 1)] == pytest.approx(2.0 / h2, rel=1e-14)
