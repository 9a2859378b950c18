"""A condition on the surface of holes (``bc["surface"]``) is refused on the CUDA Poisson path
(the device right-hand side does not carry the domain's volume fractions), not ignored."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Convection, Dirichlet, Grid
from fieldgrad.errors import BoundaryError
from fieldgrad.materials import cell_shape


@pytest.mark.parametrize("surface", [Convection(3.0, 1.0, conductivity=2.0), Dirichlet(1.0)])
def test_cuda_poisson_refuses_a_surface(cu, surface):
    g = Grid((9, 9))
    dom = np.ones(cell_shape(g), bool)
    dom[3:5, 3:5] = False
    with pytest.raises(BoundaryError, match="backend='cuda'"):
        fg.solve_poisson(np.ones(g.shape), g, {"*": Dirichlet(0.0), "surface": surface},
                         k=fg.Cells(np.full(cell_shape(g), 2.0), domain=dom), backend="cuda")
