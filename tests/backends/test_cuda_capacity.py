"""The k / rho_c heat equation on the GPU (simulator): FTCS and RKL2 run the capacity operator's
links on the device and agree with the CPU steppers to round-off on a two-material problem with
a rho_c field and a contact resistance; with insulated walls they conserve ``sum(w phi rho_c u)``;
float32 stays within a stated tolerance of float64.  Backward Euler and Crank--Nicolson solve
on the device (the CUDA stencil multigrid with a per-node screening rho_c / dt) and agree too."""
import numpy as np
import pytest

import fieldgrad as fg


def two_materials(shape):
    """Cells k (1 | 5 across x = 0.5), a contact resistance between the halves, a rho_c field."""
    g = fg.Grid(shape)
    X = g.mesh()[0]
    cshape = tuple(n - 1 for n in shape)
    xc = (np.arange(shape[0] - 1) + 0.5) / (shape[0] - 1)
    kc = np.where(xc < 0.5, 1.0, 5.0).reshape((-1,) + (1,) * (len(shape) - 1)) * np.ones(cshape)
    labels = (X > 0.5).astype(int)
    rho_c = np.where(X < 0.3, 3.0, 1.0) + 0.5 * g.mesh()[1]
    u0 = np.cos(np.pi * X) * (1 + g.mesh()[1])
    return g, fg.Cells(kc), fg.Contact(labels, 0.05), rho_c, u0


MIXED = {"x-": fg.Dirichlet(lambda *c, t: 1.0 + t), "x+": fg.Robin(2.0, 1.0, 0.5), "*": fg.Neumann(0.3)}


@pytest.mark.parametrize("shape", [(13, 11), (9, 8, 7)])
@pytest.mark.parametrize("method", ["ftcs", "rkl2"])
def test_cuda_matches_cpu_two_materials_rho_c_contact(cu, shape, method):
    g, k, contact, rho_c, u0 = two_materials(shape)
    # a heat source in space (2D), in time (3D: the device forcing is renewed every stage)
    src = 2.0 * g.mesh()[1] if len(shape) == 2 else (lambda t: 1.0 + 10.0 * t)
    kw = dict(k=k, rho_c=rho_c, contact=contact, steps=3, method=method, source=src, progress=False)
    cpu = fg.solve_heat(u0, g, MIXED, backend="cpu", **kw)
    gpu = fg.solve_heat(u0, g, MIXED, backend="cuda", **kw)
    assert gpu.method == cpu.method == method and gpu.dt == cpu.dt
    assert gpu.u.dtype == np.float64
    assert np.abs(cpu.u - u0).max() > 1e-3  # the steps did something
    np.testing.assert_allclose(gpu.u, cpu.u, rtol=0, atol=1e-10)


@pytest.mark.parametrize("method,steps,moved", [("ftcs", dict(steps=4), 1e-3), ("rkl2", dict(steps=4), 1e-3),
                                                ("crank_nicolson", dict(steps=3, dt=0.01), 1e-2)])
def test_cuda_conserves_rho_c_weighted_heat_with_insulated_walls_and_a_hole(cu, method, steps, moved):
    n = 13
    g, _, contact, rho_c, u0 = two_materials((n, n))
    xc = (np.arange(n - 1) + 0.5) / (n - 1)
    hole = (np.abs(xc[:, None] - 0.5) < 0.2) & (np.abs(xc[None, :] - 0.45) < 0.15)
    k = fg.Cells(np.where(xc[:, None] < 0.5, 1.0, 5.0) * np.ones((n - 1, n - 1)), domain=~hole)
    phi = fg.solvers.discretize.Problem(g, fg.Neumann(0.0), k).phi3.reshape(g.shape)
    w = g.quadrature_weights() * phi * rho_c
    r = fg.solve_heat(u0, g, fg.Neumann(0.0), k=k, rho_c=rho_c, contact=contact, method=method,
                      backend="cuda", progress=False, **steps)
    assert np.abs(r.u - u0).max() > moved
    assert np.sum(w * r.u) == pytest.approx(np.sum(w * u0), rel=1e-13, abs=1e-13)


def test_cuda_float32_within_tolerance_of_float64(cu):
    """float32 (the GPU default) differs from the float64 run by the rounding of the field and the
    coefficients, a few 1e-7 of the field's size per step: 1e-5 (relative to max|u|) after 3 steps."""
    g, k, contact, rho_c, u0 = two_materials((13, 11))
    kw = dict(k=k, rho_c=rho_c, contact=contact, steps=3, method="rkl2", progress=False, backend="cuda")
    r64 = fg.solve_heat(u0, g, MIXED, **kw)
    r32 = fg.solve_heat(u0.astype(np.float32), g, MIXED, **kw)
    assert r32.u.dtype == np.float32
    err = np.abs(r32.u - r64.u).max() / np.abs(r64.u).max()
    assert err < 1e-5


def test_cuda_ftcs_takes_the_cpu_capacity_limit(cu):
    g, k, _, rho_c, u0 = two_materials((13, 11))
    sim = fg.Simulation(u0, g, MIXED, k=k, rho_c=rho_c, method="ftcs", backend="cuda", progress=False)
    from fieldgrad.heat.cuda_links import LinksSweep

    assert isinstance(sim.stepper.inner.sweep, LinksSweep)  # the device links sweep, not the CPU one
    assert sim.problem.dt_explicit == fg.heat.capacity_limit(g, MIXED, k=k, rho_c=rho_c)
    with pytest.raises(fg.errors.StabilityError, match="capacity_limit"):
        sim.stepper.check_dt(1.01 * sim.problem.dt_explicit)


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
def test_cuda_implicit_matches_cpu_two_materials_rho_c_contact(cu, method):
    g, k, contact, rho_c, u0 = two_materials((13, 11))
    kw = dict(k=k, rho_c=rho_c, contact=contact, steps=3, dt=0.01, method=method, source=2.0 * g.mesh()[1],
              rtol=1e-12, progress=False)
    cpu = fg.solve_heat(u0, g, MIXED, backend="cpu", **kw)
    gpu = fg.solve_heat(u0, g, MIXED, backend="cuda", **kw)
    assert gpu.method == method and gpu.solver_iterations > 0
    assert np.abs(cpu.u - u0).max() > 1e-2
    np.testing.assert_allclose(gpu.u, cpu.u, rtol=0, atol=1e-10)


@pytest.mark.parametrize("method", ["rkl2", "crank_nicolson"])
def test_cuda_cylindrical_heat_matches_cpu(cu, method):
    """An (r, z) grid: the rows are volume-weighted by the ring factor, which the device sweep reads
    through 1 / (rho_c m) and the forcing, and the device solve through the Problem's rows."""
    g = fg.Grid((11, 6), extent=[(0, 1), (0, 0.5)], coords="cylindrical")
    R, Z = g.mesh()
    u0 = np.cos(np.pi * R / 2) * (1 + Z)
    bc = {"r+": fg.Robin(1.0, 0.5, 0.0), "r-": fg.Neumann(0.0), "z-": fg.Dirichlet(1.0), "z+": fg.Neumann(0.0)}
    kw = dict(k=2.0, rho_c=1.0 + R, steps=3, method=method, source=1.0, progress=False)
    if method == "crank_nicolson":
        kw.update(dt=0.01, rtol=1e-12)
    cpu = fg.solve_heat(u0, g, bc, backend="cpu", **kw)
    gpu = fg.solve_heat(u0, g, bc, backend="cuda", **kw)
    assert np.abs(cpu.u - u0).max() > 1e-2
    np.testing.assert_allclose(gpu.u, cpu.u, rtol=0, atol=1e-10)
