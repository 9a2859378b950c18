"""The CUDA heat stepper's ghosts come from the boundary rule table too: one FTCS step (and a few
with time-dependent faces, where the ghost plan is rebuilt each step and the diffusivity layers
are reused) against the CPU FTCS stepper, float64 to 1e-12, for every rule kind."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.heat.explicit import FTCS
from fieldgrad.heat.problem import HeatProblem

SHAPE = (9, 10)


def _bc(name):
    ya = 1.0 + np.linspace(0, 1, SHAPE[0])
    return {
        "dirichlet-time": ({"x": fg.Dirichlet(lambda x, y, t: t + y), "y": fg.Dirichlet(ya)}, False),
        "neumann-array-time": ({"x": fg.Neumann(lambda x, y, t: np.sin(y + t)), "y": fg.Neumann(ya)}, False),
        "robin-array": ({"x": fg.Robin(2.0, 1.0, 0.5), "y": fg.Robin(ya, 2.0, lambda x, y: x)}, False),
        "convection-time": (fg.Convection(lambda x, y, t: 1.0 + t, 0.3, conductivity=1.5), False),
        "periodic": ({"y-": fg.Neumann(0.2), "y+": fg.Dirichlet(lambda x, y, t: t * x)}, True),
    }[name]


@pytest.mark.parametrize("name", ["dirichlet-time", "neumann-array-time", "robin-array", "convection-time",
                                  "periodic"])
@pytest.mark.parametrize("alpha", ["array", "number"])
def test_ftcs_steps_match_cpu_for_every_rule_kind(cu, name, alpha):
    from fieldgrad.heat.cuda import CudaFTCS

    rng = np.random.default_rng(12)
    bc, periodic = _bc(name)
    g = fg.Grid(SHAPE, extent=[(0, 1), (0, 1.2)], periodic=(periodic, False))
    a = 0.5 + rng.random(SHAPE) if alpha == "array" else 0.8
    p = HeatProblem(rng.standard_normal(SHAPE), g, bc, alpha=a, source=0.1)
    cpu, gpu = FTCS(p), CudaFTCS(p)
    ua, ub, t, dt = p.initial_field(), gpu.initial_field(), 0.0, p.dt_explicit
    for _ in range(3 if "time" in name else 1):
        ua, ub, t = cpu.step(ua, t, dt), gpu.step(ub, t, dt), t + dt
    got = ub.copy_to_host()
    assert got.dtype == ua.dtype == np.float64
    np.testing.assert_allclose(got, ua, rtol=0, atol=1e-12 * max(1.0, float(np.abs(ua).max())))
    assert np.abs(got - p.initial_field()).max() > 1e-3  # the steps changed the field
