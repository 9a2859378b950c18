"""The distributed solvers speak the serial API: same arguments and defaults, the same result
types, the same numbers (one rank, COMM_SELF; the multi-rank agreement is in test_mpi.py)."""
import warnings

import numpy as np
import pytest

import fieldgrad as fg
import fieldgrad.distributed as fd
from fieldgrad.errors import BackendError, BoundaryError, FieldgradError, GridError, ParameterError, ShapeError

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


# ---------------------------------------------------------------------- div and curl
G3 = fg.Grid((9, 8, 7), extent=[(0, 1), (0, 2), (0, 1)])
GC = fg.Grid((9, 7), extent=[(0, 1), (0, 1)], coords="cylindrical")


def _refusal(call):
    with pytest.raises(FieldgradError) as info:
        call()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("op, v, grid, bc", [
    ("div", np.zeros((3,) + G.shape), G, None),             # a 3-vector on a 2D grid
    ("div", np.zeros(G.shape), G, None),                    # a scalar where a vector belongs
    ("div", np.zeros((2,) + G.shape), G, {"x": fg.Periodic()}),  # Periodic on an axis the grid does not wrap
    ("div", np.zeros((2,) + G.shape), G, {"q-": fg.Neumann(0.0)}),
    ("curl", np.zeros((2,) + G.shape), G, fg.Neumann(0.0)),  # curl takes no condition
    ("curl", np.zeros((2,) + G3.shape), G3, None),
    ("curl", np.zeros((1, 9)), fg.Grid((9,)), None),         # no curl in 1D
])
def test_div_and_curl_refuse_bad_input_as_the_serial_operators(op, v, grid, bc):
    serial = _refusal(lambda: getattr(fg, op)(v, grid, bc))
    assert serial[0] in (ShapeError, BoundaryError, GridError)
    assert _refusal(lambda: getattr(fd, op)(v, grid, bc, comm=MPI.COMM_SELF)) == serial


def test_block_curl_needs_operators_without_a_condition():
    dec = fd.Decomposition(G, MPI.COMM_SELF)
    v = np.stack([-Y, X])
    with pytest.raises(BoundaryError, match="bc=None"):
        fd.BlockOperators(dec, BC).curl(dec.local(v, leading=1))
    np.testing.assert_allclose(fd.BlockOperators(dec, None).curl(dec.local(v, leading=1)), 2.0, rtol=1e-13)


def test_div_and_curl_of_exact_fields():
    # linear fields: the one-sided boundary differences are exact too, so every node is exact
    np.testing.assert_allclose(fd.div(np.stack([X, 2 * Y]), G, comm=MPI.COMM_SELF).data, 3.0, rtol=1e-13)
    np.testing.assert_allclose(fd.curl(np.stack([-Y, X]), G, comm=MPI.COMM_SELF).data, 2.0, rtol=1e-13)
    x, y, z = G3.mesh()
    c = fd.curl(np.stack([-y + z, x, 3 * x]), G3, comm=MPI.COMM_SELF, dims=(1, 1, 1)).data
    np.testing.assert_allclose(c, np.broadcast_to(np.array([0.0, -2.0, 2.0])[:, None, None, None], c.shape),
                               atol=1e-13)
    # cylindrical: (1/r) d(r^2)/dr + dz/dz = 3, the axis row too (its regular limit 2 dF_r/dr + dF_z/dz)
    R, Z = GC.mesh()
    np.testing.assert_allclose(fd.div(np.stack([R, Z]), GC, comm=MPI.COMM_SELF).data, 3.0, rtol=1e-13)
    # curl_phi = d(rz)/dz - d(r^2)/dr = r - 2r (F_z = r^2 is quadratic: the one-sided r+ difference is exact too)
    np.testing.assert_allclose(fd.curl(np.stack([R * Z, R ** 2]), GC, comm=MPI.COMM_SELF).data, -R, atol=1e-13)


def test_div_and_curl_keep_float32_and_take_the_serial_arguments():
    v = np.stack([np.sin(X) * Y, np.cos(Y) + X]).astype(np.float32)
    for op, kw in (("div", dict(bc=BC, t=0.5)), ("curl", {})):
        part = getattr(fd, op)(v, G, comm=MPI.COMM_SELF, **kw)
        assert isinstance(part, fd.Part) and part.data.dtype == np.float32
        np.testing.assert_array_equal(fd.gather(part, MPI.COMM_SELF), getattr(fg, op)(v, G, **kw))
