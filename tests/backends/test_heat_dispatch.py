"""solve_heat / Simulation with backend="cuda" run the GPU steppers (CUDA simulator here) and agree
with the CPU run; implicit methods solve on the GPU and agree with the CPU run too."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.backends import use_backend
from fieldgrad.errors import BackendError
from fieldgrad.heat import explicit_limit, solve_heat
from fieldgrad.simulation import Simulation


def _case():
    g = fg.Grid((6, 7, 5))
    X, Y, Z = g.mesh()
    u0 = np.sin(np.pi * X) * np.cos(np.pi * Y) + Z
    bc = {"x": fg.Dirichlet(lambda *c, t: t + 0 * c[0]), "*": fg.Neumann(0.3)}
    return g, u0, bc


@pytest.mark.parametrize("method, ratio", [("ftcs", 0.9), ("rkl2", 12.0), ("auto", 12.0)])
def test_cuda_run_matches_cpu(cu, method, ratio):
    g, u0, bc = _case()
    dt = ratio * explicit_limit(g, 0.7)
    kw = dict(alpha=0.7, t_end=4.5 * dt, dt=dt, method=method, source=0.2, progress=False)
    ref = solve_heat(u0, g, bc, backend="cpu", **kw)
    got = solve_heat(u0, g, bc, backend="cuda", **kw)
    assert got.method == ref.method == ("ftcs" if method == "ftcs" else "rkl2")
    assert got.steps == ref.steps == 5 and got.t == ref.t
    assert got.sweeps == ref.sweeps and got.sweeps > 0
    assert isinstance(got.u, np.ndarray)
    assert float(np.abs(got.u - u0).max()) > 1e-3  # it evolved
    np.testing.assert_allclose(got.u, ref.u, rtol=0, atol=1e-12)


def test_default_backend_is_used_and_simulation_state_is_host(cu):
    g, u0, bc = _case()
    dt = 0.9 * explicit_limit(g, 1.0)
    with use_backend("cuda"):
        sim = Simulation(u0, g, bc, alpha=1.0, dt=dt, method="ftcs", progress=False, steady_tol=1e-9)
    assert sim.backend == "cuda" and hasattr(sim.u, "copy_to_host")
    seen = []
    sim.add_callback(lambda s: seen.append(s.host_u().copy()), every=2)
    sim.run(steps=4)
    cpu = Simulation(u0, g, bc, alpha=1.0, dt=dt, method="ftcs", progress=False).run(steps=4)
    np.testing.assert_allclose(seen[-1], cpu.u, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sim.state()["fields"]["u"], cpu.u, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
def test_implicit_methods_solve_on_cuda(cu, method):
    g, u0, bc = _case()
    kw = dict(alpha=1.0, t_end=0.1, dt=0.02, method=method, rtol=1e-12, progress=False)
    ref = solve_heat(u0, g, bc, backend="cpu", **kw)
    got = solve_heat(u0, g, bc, backend="cuda", **kw)
    assert got.method == method and got.steps == ref.steps == 5 and got.solver_iterations > 0
    np.testing.assert_allclose(got.u, ref.u, rtol=0, atol=1e-10)
    with pytest.raises(fg.errors.ParameterError, match="linear_solver"):
        solve_heat(u0, g, bc, backend="cuda", linear_solver="direct", **kw)
    with pytest.raises(BackendError, match="no CUDA implementation"):
        fg.heat.gpu.make_cuda_stepper("leapfrog", None)


def test_auto_on_cuda_stays_explicit_at_large_ratios(cu):
    g, u0, bc = _case()
    sim = Simulation(u0, g, bc, alpha=1.0, dt=1e4 * explicit_limit(g, 1.0), method="auto", backend="cuda",
                     progress=False)
    assert sim.method == "rkl2"
    assert Simulation(u0, g, bc, alpha=1.0, dt=1e4 * explicit_limit(g, 1.0), method="auto",
                      progress=False).method == "crank_nicolson"


def test_nan_guard_on_device(cu):
    g, u0, bc = _case()
    sim = Simulation(u0, g, bc, alpha=1.0, method="ftcs", backend="cuda", progress=False, nan_check_every=1)
    bad = sim.host_u().copy()
    bad[2, 3, 2] = np.nan
    sim.u = cu.as_device(bad, "u")
    with pytest.raises(fg.errors.NonFiniteError, match="step 1"):
        sim.run(steps=3)
