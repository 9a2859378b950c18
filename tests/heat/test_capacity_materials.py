"""The k / rho_c heat steppers take every conductivity the solvers take -- Cells, Orthotropic --
and contact resistances, through the same operator; a composite wall with a contact resistance
relaxes to the series-formula profile; checkpoints rebuild the materials exactly."""
import numpy as np
import pytest

import fieldgrad as fg


def wall(n=21):
    """Two layers (k 1 and 4) meeting between nodes at x = 0.5 - h/2, contact resistance R."""
    g = fg.Grid((n, 3), extent=[(0, 1), (0, 0.1)])
    X = g.mesh()[0]
    h = g.spacing[0]
    labels = (X > 0.5 - h).astype(int)
    k = np.where(labels == 0, 1.0, 4.0)
    return g, k, labels


@pytest.mark.parametrize("method", ["ftcs", "backward_euler", "crank_nicolson"])
def test_composite_wall_with_contact_resistance_relaxes_to_the_series_profile(method):
    g, k, labels = wall()
    R = 0.3
    bc = {"x-": fg.Dirichlet(1.0), "x+": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    dt = 2.5e-4 if method == "ftcs" else 0.01
    r = fg.solve_heat(np.zeros(g.shape), g, bc, k=k, rho_c=2.0, contact=fg.Contact(labels, R),
                      t_end=8.0, dt=dt, method=method, progress=False)
    # series: the interface lies at mid-edge x_i = 0.5 - h/2; flux q = 1 / (x_i/1 + R + (1 - x_i)/4)
    xi = 0.5 - g.spacing[0] / 2
    q = 1.0 / (xi / 1.0 + R + (1 - xi) / 4.0)
    X = g.mesh()[0]
    exact = np.where(X < xi, 1 - q * X, q * (1 - X) / 4.0)
    assert np.abs(r.u - exact).max() < 1e-8


def test_checkpoint_rebuilds_cells_and_contact(tmp_path):
    g, k, labels = wall(11)
    cells = fg.Cells(np.linspace(1.0, 3.0, 10)[:, None] * np.ones((1, 2)))
    bc = {"x-": fg.Dirichlet(1.0), "*": fg.Neumann(0.0)}
    contact = fg.Contact(labels, {(0, 1): 0.2})
    sim = fg.Simulation(np.zeros(g.shape), g, bc, k=cells, rho_c=1.5, contact=contact, dt=4e-4,
                        method="ftcs", progress=False)
    sim.run(steps=5)
    path = str(tmp_path / "c.h5")
    sim.checkpoint(path)
    back = fg.Simulation.restart(path)
    sim.run(steps=5)
    back.run(steps=5)
    assert np.array_equal(back.u, sim.u)
    assert back.problem.contact == contact and back.problem.k == cells


def test_rho_c_on_cells_is_the_control_volume_mean_of_each_node():
    """``rho_c=Cells(values)`` (like ``k``): a node's heat capacity is the mean of the cells of its
    control volume (volume-weighted on a cylindrical grid; inside a Cells domain of ``k`` only),
    the second-order choice the README asks of a node array at an interface on a grid line.
    It was refused."""
    import fieldgrad as fg
    from fieldgrad.materials import cell_centres, cell_shape
    from fieldgrad.materials.conductivity import resolve_conductivity

    for coords in ("cartesian", "cylindrical"):
        g = fg.Grid((17, 9), coords=coords)
        xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
        cells = np.where(xc < 0.5, 1.0, 100.0)          # interface on the node line x = 0.5
        nodes = resolve_conductivity(fg.Cells(cells), g).node_k3(0).reshape(g.shape)
        if coords == "cartesian":
            assert nodes[8, 3] == pytest.approx(50.5)
        X, Y = g.mesh()
        u0 = np.cos(np.pi * X) + Y
        bc = {"*": fg.Neumann(0.0)}
        a = fg.solve_heat(u0, g, bc, k=2.0, rho_c=fg.Cells(cells), steps=10, dt=1e-3, method="backward_euler",
                          progress=False)
        b = fg.solve_heat(u0, g, bc, k=2.0, rho_c=nodes, steps=10, dt=1e-3, method="backward_euler",
                          progress=False)
        assert np.array_equal(a.u, b.u)
    # with holes in k: the mean over the inside cells only (the capacity factor holds the fraction)
    g = fg.Grid((17, 17))
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    dom = ~((np.abs(xc - 0.5) < 0.2) & (np.abs(yc - 0.5) < 0.2))
    cells = np.where(yc < 0.5, 3.0, 1.0)
    k = fg.Cells(np.ones(cell_shape(g)), domain=dom)
    X, Y = g.mesh()
    u0 = np.cos(np.pi * X) + Y
    r = fg.solve_heat(u0, g, fg.Neumann(0.0), k=k, rho_c=fg.Cells(cells), steps=10, dt=5e-4, method="ftcs",
                      progress=False)
    # the heat sum over cells of rho_c * (the inside cell's quarter) * u: outside cells count 0
    num = resolve_conductivity(fg.Cells(np.where(dom, cells, 1e-300)), g).node_k3(0).reshape(g.shape)
    w = g.quadrature_weights()
    heat = lambda u: float(np.sum(w * num * u))   # noqa: E731
    assert heat(r.u) == pytest.approx(heat(u0), rel=1e-12)
    with pytest.raises(fg.errors.ShapeError, match="rho_c"):
        fg.solve_heat(u0, g, fg.Neumann(0.0), k=1.0, rho_c=fg.Cells(np.ones((3, 3))), steps=1, dt=1e-3)
    with pytest.raises(fg.errors.ParameterError, match="rho_c"):
        fg.solve_heat(u0, g, fg.Neumann(0.0), k=1.0, rho_c=fg.Cells(np.zeros(cell_shape(g))), steps=1, dt=1e-3)
