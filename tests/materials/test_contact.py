"""Composite wall with contact resistance against the series formula (exact for linear profiles,
so to round-off), in 1D and as 2D/3D extrusions with insulated sides."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann
from fieldgrad.errors import ParameterError
from fieldgrad.materials import cell_centres

T0, T1 = 100.0, 20.0


def _wall(tail, n=21):
    g = Grid((n,) + tail, extent=[(0, 1)] + [(0, 0.5)] * len(tail))
    bc = {"x-": Dirichlet(T0), "x+": Dirichlet(T1)}
    if tail:
        bc["*"] = Neumann(0.0)
    return g, bc


def _flux(u, g):
    """Heat flux k du/dx from the first link (uniform through the wall)."""
    return (u[0] - u[1]) / g.spacing[0]


@pytest.mark.parametrize("tail", [(), (5,), (4, 3)])
@pytest.mark.parametrize("method", ["direct", "cg", "multigrid"])
def test_node_materials_with_contact_match_series_formula(tail, method):
    g, bc = _wall(tail)
    x = np.meshgrid(*g.coords, indexing="ij")[0]
    h = g.spacing[0]
    xc = 6.5 * h                       # the interface: half-way between nodes 6 and 7
    labels = (x > xc).astype(int)
    k1, k2, R = 2.0, 0.5, 0.3
    k = np.where(labels == 0, k1, k2)
    res = fg.solve_poisson(np.zeros(g.shape), g, bc, k=k, contact=fg.Contact(labels, R), method=method,
                           rtol=1e-13)
    q = (T0 - T1) / (xc / k1 + R + (1 - xc) / k2)
    exact = np.where(x < xc, T0 - q * x / k1, T1 + q * (1 - x) / k2)
    assert np.abs(res.u - exact).max() < 1e-10 * T0
    assert np.abs(k1 * _flux(res.u, g) - q).max() < 1e-10 * q


@pytest.mark.parametrize("tail", [(), (6,), (3, 4)])
def test_cell_materials_and_dict_resistance_three_regions(tail):
    """Cells change at a grid line (x = 0.4), contacts sit at mid-edges x = 0.225 and 0.775 with
    different resistances; unlisted pairs would have none."""
    g, bc = _wall(tail, n=41)
    h = g.spacing[0]
    x = np.meshgrid(*g.coords, indexing="ij")[0]
    xa, xb = 9.5 * h, 31.5 * h
    labels = np.where(x < xa, 0, np.where(x < xb, 1, 2))
    k1, k2 = 3.0, 0.7
    kc = np.where(np.meshgrid(*cell_centres(g), indexing="ij")[0] < 0.4, k1, k2)
    R01, R12 = 0.05, 0.4
    res = fg.solve_poisson(np.zeros(g.shape), g, bc, k=fg.Cells(kc),
                           contact=fg.Contact(labels, {(1, 0): R01, (1, 2): R12}), method="direct")
    q = (T0 - T1) / (0.4 / k1 + 0.6 / k2 + R01 + R12)
    # exact piecewise-linear profile: drops q*dx/k in the materials, q*R at the contacts
    exact = T0 - q * (np.minimum(x, 0.4) / k1 + np.maximum(x - 0.4, 0) / k2 + R01 * (x > xa) + R12 * (x > xb))
    assert np.abs(res.u - exact).max() < 1e-10 * T0


def test_poisson_matrix_contact_link_is_the_series_conductance():
    g = Grid((4,), extent=[(0, 3)])
    labels = np.array([0, 0, 1, 1])
    A = fg.poisson_matrix(g, Dirichlet(0.0), k=np.array([2.0, 2.0, 4.0, 4.0]), contact=fg.Contact(labels, 0.25))
    # link 1-2: 1 / (h (h/(2 k1) + R + h/(2 k2))) with h = 1
    assert A[1, 2] == pytest.approx(1.0 / (0.25 + 0.25 + 0.125), rel=1e-15)
    assert A[1, 0] == pytest.approx(2.0, rel=1e-15)


def test_zero_resistance_changes_nothing_and_negative_is_refused():
    g, bc = _wall((4,))
    labels = (np.meshgrid(*g.coords, indexing="ij")[0] > 0.5).astype(int)
    k = 1.0 + np.meshgrid(*g.coords, indexing="ij")[1]
    A0 = fg.poisson_matrix(g, bc, k=k)
    A1 = fg.poisson_matrix(g, bc, k=k, contact=fg.Contact(labels, 0.0))
    assert (A0 != A1).nnz == 0
    with pytest.raises(ParameterError, match="resistance"):
        fg.Contact(labels, -0.1)
    with pytest.raises(ParameterError, match=r"resistance\[\(0, 1\)\]"):
        fg.Contact(labels, {(0, 1): float("nan")})
