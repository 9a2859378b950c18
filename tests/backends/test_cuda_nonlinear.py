"""Nonlinear heat with ``backend="cuda"`` (issue 15 item 6), in the simulator on tiny grids: the
outer iteration stays on the host and every linear correction solve runs through the device
Poisson solver; the results equal the CPU solver's to 1e-10 (relative to max|u|) with the same
outer iteration counts, the failures name the same outer iteration and bad input gets the
serial errors.  The cases are those of tests/nonlinear_backend_cases.py (shared with MPI).
"""
import numpy as np
import pytest

import fieldgrad as fg
import nonlinear_backend_cases as cases
from fieldgrad.errors import ConvergenceError, ParameterError
from fieldgrad.nonlinear import inner

KT, FIN, SQUARE, PLATE = (9, 5), (17, 2), (7, 7), (9, 5)
STEADY = cases.steady_cases(KT, FIN, kT_slope=0.3)  # a milder k(T): fewer outer iterations in the simulator


def _compare(case):
    got, ref = cases.call(fg, case, backend="cuda"), cases.call(fg, case, backend="cpu")
    err = cases.rel_diff(got.u, ref.u)
    assert isinstance(got.u, np.ndarray) and got.u.dtype == np.float64
    assert err < 1e-10, f"relative difference {err:.2e} from the CPU solve"
    assert got.inner_method in ("multigrid-cuda", "cg-cuda"), got.inner_method
    assert len(got.inner_iterations) == cases.outer_count(got) == cases.outer_count(ref)
    return got, ref


@pytest.mark.parametrize("name", list(STEADY))
def test_steady_equals_cpu(cu, name):
    got, ref = _compare(STEADY[name])
    assert got.converged and got.update_norms[-1] <= 1e-12
    # the same outer iteration, step for step
    # (update norms agree to the inner solves' round-off: relative 1e-6, or 1e-13 absolute)
    assert np.all(np.abs(np.subtract(got.update_norms, ref.update_norms)) <= 1e-6 * np.array(ref.update_norms) + 1e-13)


def test_transient_on_device_cycles_equals_cpu(cu, monkeypatch):
    # a host coarse level of at most 20 nodes, so that even this tiny grid runs a device level inside
    # MG-CG (node-array k, linearised radiation faces as Robin faces with face arrays, screening rho_c/dt)
    monkeypatch.setattr(inner, "CUDA_COARSE_SIZE", 20)
    case = cases.plate(PLATE, 2)
    got, ref = _compare(case)
    assert got.inner_method == "cg-cuda" and min(got.inner_iterations) > 1, got.inner_iterations
    assert np.max(np.abs(got.u - case[1])) > 1.0  # the steps moved the field


@pytest.mark.parametrize("name", ["maxiter", "diverging"])
def test_failure_names_the_outer_iteration_as_on_the_cpu(cu, name):
    case = cases.failing_cases(FIN, SQUARE)[name]
    e, ref = cases.error_of(fg, case, backend="cuda"), cases.error_of(fg, case, backend="cpu")
    assert isinstance(e, ConvergenceError) and str(e) == str(ref) and "outer iteration" in str(e)
    assert e.result.outer_iterations == ref.result.outer_iterations and not e.result.converged


@pytest.mark.parametrize("name", list(cases.bad_inputs(FIN)))
def test_bad_input_refused_with_the_cpu_error(cu, name):
    case = cases.bad_inputs(FIN)[name]
    e, ref = cases.error_of(fg, case, backend="cuda"), cases.error_of(fg, case, backend="cpu")
    assert isinstance(ref, ParameterError) and (type(e), str(e)) == (type(ref), str(ref))


def test_cuda_only_refusals(cu):
    name, f, g, bc, kw = STEADY["fin_newton"]
    with pytest.raises(ParameterError, match="method must be 'auto', 'multigrid' or 'cg' with backend 'cuda'"):
        fg.solve_nonlinear(f, g, bc, **kw, inner_method="spectral", backend="cuda")
    with pytest.raises(ParameterError, match="backend must be one of"):
        fg.solve_nonlinear(f, g, bc, **kw, backend="gpu")
