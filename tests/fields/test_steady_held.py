"""The fields' steady solves route their (mask, value) regions to the multigrid held-region
solve: several regions combine (a later one wins where they overlap), insulated faces by default."""
import numpy as np
import pytest

from fieldgrad import Grid
from fieldgrad.errors import ParameterError, ShapeError
from fieldgrad.fields import TemperatureField, solve_steady


@pytest.mark.parametrize("method", ["auto", "cg", "direct"])
def test_overlapping_regions_later_wins_exact_piecewise_linear(method):
    g = Grid((17, 9, 5))
    X = g.mesh()[0]
    both = np.isclose(X, 0.25) | np.isclose(X, 0.75)
    right = np.isclose(X, 0.75)
    # every face insulated: 5 left of x = 1/4, linear down to 3 at x = 3/4, 3 beyond
    T = TemperatureField.steady(g, {}, conductivity=2.0, fixed=[(both, 5.0), (right, 3.0)], method=method)
    exact = np.clip(5.0 - 4.0 * (X - 0.25), 3.0, 5.0)
    assert np.abs(T.data - exact).max() < 1e-10
    assert np.all(T.data[right] == 3.0) and np.all(T.data[np.isclose(X, 0.25)] == 5.0)


def test_region_errors_name_the_pair():
    g = Grid((9, 9))
    ok = np.zeros(g.shape, bool)
    ok[4, 4] = True
    with pytest.raises(ShapeError, match=r"fixed\[1\] mask has shape \(3, 3\)"):
        solve_steady(g, {}, fixed=[(ok, 1.0), (np.zeros((3, 3), bool), 0.0)])
    with pytest.raises(ParameterError, match=r"fixed\[0\] value is not finite"):
        solve_steady(g, {}, fixed=[(ok, np.nan)])


def test_electrode_on_a_cell_interface_carries_the_charge_of_the_solved_rows():
    """With Cells permittivity the charge on an electrode (and a held region's flow) comes from the
    rows the solve used: in an insulated box the two electrodes' charges are opposite (Gauss).
    The node-sampled view (harmonic means of node values) gave 11.96 against -15.20 for a strip
    electrode on the interface x = 0.5."""
    import fieldgrad as fg
    from fieldgrad.fields import PotentialField, TemperatureField
    from fieldgrad.materials import cell_centres

    g = fg.Grid((41, 41))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    X, Y = g.mesh()
    a = (np.abs(X - 0.5) < 1e-9) & (np.abs(Y - 0.5) < 0.2)
    b = X > 1 - 1e-12
    eps = fg.Cells(np.where(xc < 0.5, 1.0, 10.0))
    bc = {"*": fg.Neumann(0.0)}
    phi = PotentialField.steady(g, bc, permittivity=eps, fixed=[(a, 1.0), (b, 0.0)])
    qa, qb = phi.electrode_charge(a), phi.electrode_charge(b)
    assert qa == pytest.approx(-qb, rel=1e-10)
    A = fg.poisson_matrix(g, bc, k=eps)
    rows = -(g.quadrature_weights() * (A @ phi.data.ravel()).reshape(g.shape))
    assert qa == pytest.approx(rows[a].sum(), rel=1e-10) and qb == pytest.approx(rows[b].sum(), rel=1e-10)
    T = TemperatureField.steady(g, bc, conductivity=eps, fixed=[(a, 1.0), (b, 0.0)])
    assert T.region_flow(a) == pytest.approx(-T.region_flow(b), rel=1e-10)


def test_balance_of_a_steady_state_with_held_regions_counts_their_flow():
    """A held block inside an insulated plate with a cold face and a source: heat leaves the block
    and the source through x-, so the balance reads out = source + held (it said imbalance 1.0
    with the held regions' flow left out); with Cells the rows of the solve."""
    import fieldgrad as fg
    from fieldgrad.fields import TemperatureField
    from fieldgrad.materials import cell_centres

    g = Grid((33, 33))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    m = np.zeros(g.shape, bool)
    m[14:19, 14:19] = True
    edge = np.zeros(g.shape, bool)
    edge[20:25, -1] = True                    # a held patch on the insulated y+ face
    bc = {"x-": fg.Dirichlet(0.0), "*": fg.Neumann(0.0)}
    for k in (fg.Cells(np.where(xc < 0.5, 1.0, 20.0)), 2.0):
        T = TemperatureField.steady(g, bc, conductivity=k, source=3.0, fixed=[(m, 10.0), (edge, 4.0)])
        bal = T.balance()
        # conduction out of the held nodes, less the source they absorb (the source integral counts it)
        held = T.region_flow(m) + T.region_flow(edge) - 3.0 * g.quadrature_weights()[m | edge].sum()
        assert bal["held"] == pytest.approx(held, rel=1e-12)
        assert bal["faces"]["x-"] == pytest.approx(bal["source"] + bal["held"], rel=1e-10)
        assert bal["relative"] < 1e-10
