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
