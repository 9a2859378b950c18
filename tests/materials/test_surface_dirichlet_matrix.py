"""``poisson_matrix`` / ``poisson_rhs`` with a Dirichlet condition on a hole's surface: the surface
nodes are identity rows holding the value (like Dirichlet box nodes), the other rows are the
full rows.  The sparse solve of that system equals ``solve_poisson(method="direct")``, which
assembles the other way (held nodes eliminated, :class:`fieldgrad.solvers.held.HeldProblem`)."""
import numpy as np
import pytest
import scipy.sparse.linalg as spla

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.materials import cell_centres
from fieldgrad.solvers import poisson_matrix, poisson_rhs
from fieldgrad.solvers.held import make_problem

CASES = {
    "insulated_box": {"*": Neumann(0.0), "x-": Dirichlet(0.0), "surface": Dirichlet(lambda x, y: 1.0 + x)},
    "robin_box": {"*": Robin(1.0, 1.0, 0.5), "surface": Dirichlet(2.0)},
}


def plate(n=17):
    g = Grid((n, n))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((xc > 0.25) & (xc < 0.5) & (yc > 0.375) & (yc < 0.75))
    return g, fg.Cells(np.where(yc < 0.6, 2.0, 5.0), domain=dom)


@pytest.mark.parametrize("name", list(CASES))
def test_matrix_solve_equals_the_direct_solver(name):
    g, k = plate()
    bc = CASES[name]
    X, Y = g.mesh()
    f = 1.0 + X * Y
    A, b = poisson_matrix(g, bc, k), poisson_rhs(f, g, bc, k)
    u = spla.spsolve(A.tocsc(), b.ravel()).reshape(g.shape)
    ref = fg.solve_poisson(f, g, bc, k=k, method="direct").u
    assert np.max(np.abs(u - ref)) < 1e-11 * np.max(np.abs(ref))  # measured 5e-13
    on = make_problem(g, bc, k, 0.0).surface_nodes()
    value = bc["surface"].evaluate_nodes("value", g, 0.0, at=on)
    np.testing.assert_array_equal(b[on], np.broadcast_to(value, g.shape)[on])
    idx = np.flatnonzero(on.ravel())
    rows = A[idx]
    assert rows.nnz == idx.size and np.all(rows[:, idx].toarray() == np.eye(idx.size))  # identity rows


def test_symmetric_form_drops_the_surface_nodes():
    g, k = plate()
    bc = CASES["robin_box"]
    As, unknown = poisson_matrix(g, bc, k, symmetric=True)
    on = make_problem(g, bc, k, 0.0).surface_nodes()
    assert not np.isin(np.flatnonzero(on.ravel()), unknown).any()
    assert abs(As - As.T).max() == 0.0
