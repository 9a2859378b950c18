"""The distributed solvers speak the serial API: same arguments and defaults, the same result
types, the same numbers (one rank, COMM_SELF; the multi-rank agreement is in test_mpi.py)."""
import warnings

import numpy as np
import pytest

import fieldgrad as fg
import fieldgrad.distributed as fd
from fieldgrad.errors import BackendError, ParameterError

MPI = pytest.importorskip("mpi4py.MPI")
G = fg.Grid((17, 13))
X, Y = G.mesh()
U0 = np.sin(np.pi * X) * np.cos(Y)
BC = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}


def test_solve_heat_defaults_and_result_match_the_serial_solver():
    serial = fg.solve_heat(U0, G, BC, alpha=0.5, t_end=0.01, progress=False)
    dist = fd.solve_heat(U0, G, BC, alpha=0.5, t_end=0.01, comm=MPI.COMM_SELF)
    assert isinstance(dist, fg.HeatResult)
    assert (dist.method, dist.steps, dist.stop_reason) == (serial.method, serial.steps, serial.stop_reason)
    assert dist.t == pytest.approx(serial.t, rel=1e-14)
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-13)
    np.testing.assert_allclose(fd.gather(dist, MPI.COMM_SELF), serial.u, rtol=0, atol=1e-13)
    assert dist.data is dist.u


def test_solve_heat_steps_agree_step_for_step():
    serial = fg.solve_heat(U0, G, BC, alpha=0.5, steps=20, method="ftcs", progress=False)
    dist = fd.solve_heat(U0, G, BC, alpha=0.5, steps=20, method="ftcs", comm=MPI.COMM_SELF)
    assert dist.steps == serial.steps == 20 and dist.stop_reason == serial.stop_reason == "steps"
    assert dist.dt == serial.dt
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-13)


def test_alpha_or_k_rho_c_required_as_in_the_serial_solver():
    # both: alpha or k / rho_c (ParameterError when none is given, or alpha with k)
    with pytest.raises(ParameterError, match="alpha"):
        fg.solve_heat(U0, G, BC, steps=1, progress=False)
    with pytest.raises(ParameterError, match="alpha"):
        fd.solve_heat(U0, G, BC, steps=1, comm=MPI.COMM_SELF)
    with pytest.raises(ParameterError, match="not both"):
        fd.solve_heat(U0, G, BC, alpha=1.0, k=1.0, steps=1, comm=MPI.COMM_SELF)
    serial = fg.solve_heat(U0, G, BC, k=1.0, rho_c=2.0, steps=3, progress=False)
    dist = fd.solve_heat(U0, G, BC, k=1.0, rho_c=2.0, steps=3, comm=MPI.COMM_SELF)
    assert dist.dt == serial.dt and dist.method == serial.method
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-13)


@pytest.mark.parametrize("kw, err", [({"output": "x.h5"}, ParameterError), ({"callbacks": [(print, {})]}, ParameterError),
                                     ({"progress": True}, ParameterError), ({"backend": "cuda"}, BackendError),
                                     ({"method": "euler"}, ParameterError), ({"rannacher": 2}, ParameterError),
                                     ({"steady_tol": 1e-6}, ParameterError)])
def test_serial_only_arguments_are_refused_not_ignored(kw, err):
    with pytest.raises(err):
        fd.solve_heat(U0, G, BC, alpha=1.0, steps=1, comm=MPI.COMM_SELF, **kw)


def test_solve_poisson_returns_a_poisson_result():
    f = np.ones(G.shape)
    serial = fg.solve_poisson(f, G, BC, rtol=1e-10)
    seen = []
    dist = fd.solve_poisson(f, G, BC, rtol=1e-10, comm=MPI.COMM_SELF, callback=lambda it, r: seen.append((it, r)))
    assert isinstance(dist, fg.PoissonResult) and dist.converged
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-9)
    assert [it for it, _ in seen] == list(range(1, dist.iterations + 1))
    assert seen[-1][1] == dist.residuals[-1] <= 1e-10


def test_nu_is_deprecated_for_nu1_nu2():
    f = np.ones(G.shape)
    with pytest.warns(DeprecationWarning, match="nu1"):
        old = fd.solve_poisson(f, G, BC, comm=MPI.COMM_SELF, nu=1)
    new = fd.solve_poisson(f, G, BC, comm=MPI.COMM_SELF, nu1=1, nu2=1)
    np.testing.assert_array_equal(old.u, new.u)
    with pytest.raises(ParameterError, match="symmetric"):
        fd.solve_poisson(f, G, BC, comm=MPI.COMM_SELF, nu1=1, nu2=2)


def test_strict_refuses_incompatible_data_on_a_singular_problem():
    f = np.ones(G.shape)  # pure Neumann: a source with no outflow has no steady state
    with pytest.raises(ParameterError, match="strict"):
        fd.solve_poisson(f, G, fg.Neumann(0.0), strict=True, comm=MPI.COMM_SELF)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fd.solve_poisson(f, G, fg.Neumann(0.0), comm=MPI.COMM_SELF)
    assert any(issubclass(x.category, fg.solvers.CompatibilityWarning) for x in w)
