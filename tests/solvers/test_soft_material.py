"""The filled-hole conductivity formed from the resolved one (``_filled_conductivity``, what
``_soften(k, prob=prob)`` gives) is what resolving ``_soften(k)`` gives, to the last bit, and a fill
that is no positive number takes the old path."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.errors import ParameterError
from fieldgrad.materials import cell_centres, cell_shape, resolve_conductivity
from fieldgrad.solvers.held import make_problem
from fieldgrad.solvers.discretize import _filled_conductivity, _Resolved
from fieldgrad.solvers.filled_holes import soft_problem as _soft_problem, soften as _soften


def _case(shape, which):
    g = Grid(shape)
    c = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = sum((x - 0.5) ** 2 for x in c) > 0.25 ** 2
    vals = np.where(dom, np.random.default_rng(1).uniform(0.5, 7.0, cell_shape(g)), np.nan)
    cells = fg.Cells(vals, domain=dom)
    if which == "cells":
        return g, cells
    comps = [cells, 3.0, fg.Cells(np.ones(cell_shape(g)))][: len(shape)]
    return g, fg.Orthotropic(*comps)


@pytest.mark.parametrize("shape", [(21, 17), (9, 8, 7)])
@pytest.mark.parametrize("which", ["cells", "ortho"])
def test_soft_material_is_the_resolved_softened_k(shape, which):
    g, k = _case(shape, which)
    prob = make_problem(g, {"x-": Dirichlet(1.0), "*": Neumann(0.0)}, k, 0.0)
    got, ref = _filled_conductivity(prob, k, 1e-8), resolve_conductivity(_soften(k), g)
    assert isinstance(_soften(k, prob=prob), _Resolved)
    assert got.domain3 is None and got.isotropic == ref.isotropic and got.const == ref.const
    for (gk, gv), (rk, rv) in zip(got.components, ref.components):
        assert gk == rk
        assert np.array_equal(gv, rv) if isinstance(rv, np.ndarray) else gv == rv
    assert got.components[0][0] == "cells" and np.all(got.components[0][1] > 0)
    sprob = _soft_problem(prob, {"x-": Dirichlet(1.0), "*": Neumann(0.0)}, k, 0.0, None, None)
    assert sprob.phi3 is None and sprob.material.components[0][1] is not prob.material.components[0][1]


def test_a_fill_that_underflows_takes_the_old_path_and_its_error():
    g = Grid((9, 9))
    dom = np.ones(cell_shape(g), bool)
    dom[3:5, 3:5] = False
    k = fg.Cells(np.full(cell_shape(g), 1e-320), domain=dom)       # positive, but 1e-8 of it is 0
    prob = make_problem(g, Dirichlet(0.0), k, 0.0)
    assert _filled_conductivity(prob, k, 1e-8) is None and not isinstance(_soften(k, prob=prob), _Resolved)
    with pytest.raises(ParameterError, match="must be positive everywhere"):
        _soft_problem(prob, Dirichlet(0.0), k, 0.0, None, None)
