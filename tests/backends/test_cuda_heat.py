"""GPU FTCS / RKL2 steps agree with the CPU steppers; RKL2 on the GPU is second order in time."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import StabilityError
from fieldgrad.heat.explicit import FTCS, RKL2
from fieldgrad.heat.problem import HeatProblem


@pytest.mark.parametrize("shape", [(7, 6), (5, 6, 7)])
@pytest.mark.parametrize("case", ["dirichlet-scalar", "robin-array", "neumann-source"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_steps_match_cpu(cu, shape, case, dtype):
    from fieldgrad.heat.cuda import CudaFTCS, CudaRKL2

    rng = np.random.default_rng(7)
    g = fg.Grid(shape)
    u0 = rng.standard_normal(shape).astype(dtype)
    alpha, bc, src = {
        "dirichlet-scalar": (0.7, fg.Dirichlet(1.0), None),
        "robin-array": (1 + rng.random(shape), {"x": fg.Dirichlet(lambda *c, t: t), "*": fg.Robin(1.0, 2.0, 0.5)}, 0.3),
        "neumann-source": (0.5, fg.Neumann(0.2), rng.random(shape)),
    }[case]
    p = HeatProblem(u0, g, bc, alpha=alpha, source=src)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for cpu_cls, gpu_cls, dt in [(FTCS, CudaFTCS, p.dt_explicit), (RKL2, CudaRKL2, 7 * p.dt_explicit)]:
        a, b = cpu_cls(p), gpu_cls(p)
        ua, ub, t = p.initial_field(), b.initial_field(), 0.0
        for _ in range(2):
            ua, ub, t = a.step(ua, t, dt), b.step(ub, t, dt), t + dt
        got = ub.copy_to_host()
        assert got.dtype == ua.dtype
        np.testing.assert_allclose(got, ua, rtol=0, atol=tol * max(1.0, float(np.abs(ua).max())))


def test_ftcs_refuses_unstable_step(cu):
    from fieldgrad.heat.cuda import CudaFTCS

    p = HeatProblem(np.zeros((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(0.0), alpha=1.0)
    with pytest.raises(StabilityError):
        CudaFTCS(p).step(np.zeros((9, 9)), 0.0, 1.5 * p.dt_explicit)


def test_rkl2_decay_of_a_mode_second_order_in_time(cu):
    """u = sin(pi x) decays as exp(-pi^2 t); halving dt (same grid) cuts the time error by ~4."""
    from fieldgrad.heat.cuda import CudaRKL2

    g = fg.Grid((17,))
    x = g.coords[0]
    u0 = np.sin(np.pi * x)
    p = HeatProblem(np.stack([u0] * 3), fg.Grid((3, 17), periodic=(True, False)), fg.Dirichlet(0.0), alpha=1.0)
    T = 0.05
    errs = []
    # reference: the semi-discrete solution (exact in time) for the discrete Laplacian eigenvalue
    lam = -4.0 / p.grid.spacing[1] ** 2 * np.sin(np.pi * p.grid.spacing[1] / 2) ** 2
    exact = np.exp(lam * T) * u0
    for n in (4, 8):
        st = CudaRKL2(p)
        u, _ = st.run(p.initial_field(), 0.0, T / n, n)
        errs.append(np.abs(u.copy_to_host()[1] - exact).max())
    assert errs[1] < errs[0]
    assert 3.0 < errs[0] / errs[1] < 5.0, errs
