"""A condition on the surface of holes (``bc["surface"]``) on the CUDA path: the device solves
the rows the CPU assembles (surface data in the right-hand side, the Robin part on the diagonal,
a Dirichlet surface held), checked against the CPU direct solve; the heat steppers on the device
against the CPU steppers.  (The setup cache once dropped the surface from its frozen copy of the
conditions, and the device right-hand side did not zero a Dirichlet surface's nodes: both gave
wrong answers without an error.)"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Dirichlet, Grid, Neumann
from fieldgrad.materials import cell_shape

SURFACES = [Convection(5.0, 1.0, conductivity=2.0), Neumann(0.3), Dirichlet(1.0)]


def _plate():
    g = Grid((13, 13))
    dom = np.ones(cell_shape(g), bool)
    dom[4:8, 4:8] = False
    return g, fg.Cells(np.full(cell_shape(g), 2.0), domain=dom)


@pytest.mark.parametrize("surface", SURFACES, ids=["robin", "neumann", "dirichlet"])
def test_cuda_poisson_solves_the_cpu_rows_with_a_surface(cu, surface):
    g, k = _plate()
    X, Y = g.mesh()
    f = 1.0 + X * Y
    bc = {"*": Dirichlet(0.0), "surface": surface}
    want = fg.solve_poisson(f, g, bc, k=k, method="direct").u
    for screening in (0.0, 3.0):
        want = fg.solve_poisson(f, g, bc, k=k, screening=screening, method="direct").u
        got = fg.solve_poisson(f, g, bc, k=k, screening=screening, backend="cuda", rtol=1e-12).u.copy_to_host()
        assert np.max(np.abs(got - want)) < 1e-9 * np.max(np.abs(want)), (surface, screening)
    # the surface changes the answer (the same plate with an insulated hole differs)
    plain = fg.solve_poisson(f, g, {"*": Dirichlet(0.0)}, k=k, method="direct").u
    assert np.max(np.abs(plain - want)) > 1e-3


HEAT_SURFACES = [SURFACES[0], Dirichlet(lambda x, y, t: 1.0 + x + 50.0 * t)]


@pytest.mark.parametrize("surface", HEAT_SURFACES, ids=["convection", "dirichlet"])
@pytest.mark.parametrize("method", ["ftcs", "backward_euler"])
def test_cuda_heat_steps_with_a_hole_surface_match_the_cpu(cu, method, surface):
    g, k = _plate()
    bc = {"*": Dirichlet(0.0), "surface": surface}
    u0 = np.zeros(g.shape)
    kw = dict(k=k, rho_c=1.0, steps=4, dt=1e-4, method=method, progress=False)
    a = np.asarray(fg.solve_heat(u0, g, bc, **kw).u)
    b = fg.solve_heat(u0, g, bc, backend="cuda", **kw).u
    b = np.asarray(b.copy_to_host() if hasattr(b, "copy_to_host") else b)
    assert np.max(np.abs(a)) > 1e-3  # the hole's surface heats the plate
    assert np.max(np.abs(a - b)) < 1e-10 * np.max(np.abs(a))
