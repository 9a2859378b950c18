"""Cell and orthotropic conductivity on the CUDA path (simulator, tiny grids): the device
multigrid reads Problem.stencil7, so it solves the CPU's discrete problem exactly."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import ParameterError
from fieldgrad.materials import cell_shape


@pytest.mark.parametrize("kind", ["cells", "orthotropic"])
def test_cuda_solves_the_cpu_problem_with_cell_materials(cu, kind):
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((9, 7), extent=[(0, 1), (0, 0.75)])
    X, Y = g.mesh()
    f = np.cos(3 * X) + Y ** 2
    bc = {"x-": fg.Dirichlet(1.0), "y": fg.Robin(2.0, 1.0, 0.3), "*": fg.Neumann(0.1)}
    c = np.where(np.arange(cell_shape(g)[0])[:, None] < 4, 1.0, 30.0) * np.ones(cell_shape(g))
    k = fg.Cells(c) if kind == "cells" else fg.Orthotropic(fg.Cells(c), 2.0)
    res = solve(f, g, bc, k=k, rtol=1e-10, coarse_size=12)
    ref = fg.solve_poisson(f, g, bc, k=k, method="direct").u
    assert res.converged and res.method == "cg-cuda"
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-8 * np.abs(ref).max())


def test_cuda_solves_the_cpu_problem_with_contact_resistance(cu):
    """A composite wall with an interface resistance: the device solve equals the CPU direct
    solve and the series formula (the links come from the same Problem)."""
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((11, 5), extent=[(0, 1), (0, 0.4)])
    X = g.mesh()[0]
    labels = (X > 0.45).astype(int)
    bc = {"x-": fg.Dirichlet(1.0), "x+": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    contact = fg.Contact(labels, 0.5)
    res = solve(np.zeros(g.shape), g, bc, k=2.0, rtol=1e-12, coarse_size=12, contact=contact)
    ref = fg.solve_poisson(np.zeros(g.shape), g, bc, k=2.0, contact=contact, method="direct").u
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-10)
    q = 1.0 / (1.0 / 2.0 + 0.5)  # flux through the wall: 1 K over L/k + R
    assert ref[0, 2] - ref[1, 2] == pytest.approx(q * 0.1 / 2.0, rel=1e-10)


def test_cuda_solves_the_cpu_problem_on_a_cylindrical_grid(cu):
    """A heated core in an (r, z) cylinder with a convection surface: the device multigrid reads
    the same finite-volume rows (ring volumes, the axis disc), the right-hand side is m * f."""
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((17, 7), extent=[(0, 1), (0, 0.5)], coords="cylindrical")
    r, z = g.mesh()
    f = -np.where(r < 0.5, 1.0, 0.0) * (1 + z)
    bc = {"r+": fg.Convection(5.0, 20.0, conductivity=2.0), "z-": fg.Dirichlet(20.0), "z+": fg.Neumann(0.0)}
    res = solve(f, g, bc, k=2.0, rtol=1e-12, coarse_size=12)
    ref = fg.solve_poisson(f, g, bc, k=2.0, method="direct").u
    np.testing.assert_allclose(res.u.copy_to_host(), ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    with pytest.raises(ParameterError, match="cylindrical"):
        solve(np.zeros(g.shape), g, fg.Neumann(0.0), rtol=1e-8)


def test_cuda_solves_the_cpu_problem_with_held_regions(cu):
    """An electrode held inside a dielectric box: the device solve reads the held elimination of
    the CPU's problem and equals its direct solve; the held nodes keep their values."""
    from fieldgrad.solvers.cuda_poisson import solve

    g = fg.Grid((17, 13), extent=[(0, 1), (0, 0.75)])
    X, Y = g.mesh()
    mask = (np.abs(X - 0.5) < 0.13) & (np.abs(Y - 0.4) < 0.1)
    k = np.where(X > 0.7, 10.0, 1.0)
    bc = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    f = np.where(mask, 123.0, 0.5)  # f on held nodes must be ignored
    res = solve(f, g, bc, k=k, rtol=1e-12, coarse_size=12, fixed=mask, fixed_value=2.0)
    ref = fg.solve_poisson(f, g, bc, k=k, fixed=mask, fixed_value=2.0, method="direct").u
    u = res.u.copy_to_host()
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(u[mask], 2.0, rtol=0, atol=1e-9)
    with pytest.raises(ParameterError, match="no held region"):
        solve(f, g, bc, k=k, fixed_value=2.0)
