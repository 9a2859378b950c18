"""The solvers' setup cache tells surface conditions apart: solving the same plate with two
different conditions on a hole's surface (same faces, same k), one after the other, gives each
its own answer (the direct solve, which builds afresh, is the reference)."""
import numpy as np

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann, resolve_bc
from fieldgrad.materials import cell_shape


def test_cached_setups_keep_the_surface_condition():
    g = Grid((33, 33))
    dom = np.ones(cell_shape(g), bool)
    dom[10:20, 12:22] = False
    k = fg.Cells(np.full(cell_shape(g), 2.0), domain=dom)
    f = np.ones(g.shape)
    answers = []
    for surface in (Neumann(0.0), Neumann(0.5), fg.Convection(4.0, 1.0, conductivity=2.0), Neumann(0.0)):
        for bc in ({"*": Dirichlet(0.0), "surface": surface},
                   resolve_bc({"*": Dirichlet(0.0), "surface": surface}, g, allow_surface=True)):
            want = fg.solve_poisson(f, g, bc, k=k, method="direct").u
            for method in ("multigrid", "cg"):
                got = fg.solve_poisson(f, g, bc, k=k, method=method, rtol=1e-11).u
                assert np.max(np.abs(got - want)) < 1e-8 * np.max(np.abs(want)), (surface, method)
        answers.append(want)
    assert np.max(np.abs(answers[0] - answers[1])) > 1e-3 and np.max(np.abs(answers[1] - answers[2])) > 1e-3
    np.testing.assert_array_equal(answers[0], answers[3])
