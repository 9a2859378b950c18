"""Poisson with holes (``Cells(..., domain=)``) on the CUDA path (simulator): the source is
weighted by each node's inside fraction as on the CPU, nodes outside the domain hold 0, and the
device MG-CG equals the CPU direct solve; a loose part of the domain is refused as on the CPU."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterError
from fieldgrad.materials import cell_centres


def plate(n):
    """A plate of two materials (k 1 | 4 across x = 0.6) with an insulated rectangular hole."""
    g = fg.Grid((n, n))
    xc, yc = cell_centres(g)
    hole = (np.abs(xc[:, None] - 0.5) < 0.2) & (np.abs(yc[None, :] - 0.45) < 0.15)
    kc = np.where(xc[:, None] < 0.6, 1.0, 4.0) * np.ones((n - 1, n - 1))
    X, Y = g.mesh()
    f = -2.0 - np.sin(3 * X) * Y
    bc = {"x-": fg.Dirichlet(1.0), "y+": fg.Robin(1.0, 0.5, 0.2), "*": fg.Neumann(0.1)}
    return g, fg.Cells(kc, domain=~hole), f, bc


@pytest.mark.parametrize("n, coarse_size, most", [(17, 3000, 1), (13, 30, 9)])
def test_plate_with_a_hole_equals_the_cpu_direct_solve(cu, n, coarse_size, most):
    """At 17^2 the whole problem is the coarse level (the host LU: 1 iteration); at 13^2 with a
    30-node coarse level, CG with V-cycles on 13, 7, 4 nodes per axis takes 7 iterations (17^2,
    33^2, 65^2 with a 40-node coarse level: 7, 8, 9)."""
    from fieldgrad.solvers import cuda_poisson

    g, k, f, bc = plate(n)
    ref = fg.solve_poisson(f, g, bc, k=k, method="direct").u
    r = cuda_poisson.solve(f, g, bc, k=k, rtol=1e-10, coarse_size=coarse_size)
    u = r.u.copy_to_host()
    assert r.method == "cg-cuda" and r.iterations <= most
    # the V-cycles are those of the plate with the hole filled (as on the CPU), CG runs on the plate's
    # own operator; a plate that is all one level is preconditioned by its own LU
    mg = cuda_poisson._setup(g, bc, k, 0.0, np.float64, coarse_size, soft_holes=True)
    assert (mg.op is not mg.levels[0] and mg.hier.prob.phi3 is None) == (len(mg.levels) > 1)
    outside = fg.solvers.discretize.Problem(g, bc, k).phi3.reshape(g.shape) == 0
    assert outside.any() and np.all(u[outside] == 0.0) and np.all(ref[outside] == 0.0)
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-8 * np.abs(ref).max())


def test_solve_poisson_backend_cuda_takes_holes_and_refuses_a_loose_part(cu):
    g, k, f, bc = plate(17)
    ref = fg.solve_poisson(f, g, bc, k=k, method="direct").u
    got = fg.solve_poisson(f, g, bc, k=k, backend="cuda", rtol=1e-10).u.copy_to_host()
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8 * np.abs(ref).max())
    # a ring of hole cells cuts an island off every anchored face: its level is undetermined
    xc, yc = cell_centres(g)
    r = np.maximum(np.abs(xc[:, None] - 0.5), np.abs(yc[None, :] - 0.5))
    ring = (r > 0.2) & (r < 0.3)
    with pytest.raises(ParameterError, match="connected part"):
        fg.solve_poisson(f, g, bc, k=fg.Cells(np.ones((16, 16)), domain=~ring), backend="cuda")
