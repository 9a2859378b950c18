"""Nonlinear heat under MPI (issue 15 item 6, issue 12 item 4): ``fieldgrad.distributed.solve_nonlinear``
and ``solve_nonlinear_heat`` at 2 ranks equal the serial solvers -- the fields to 1e-10 (relative
to max|u|), the outer iteration counts exactly, the failure messages and refusals word for word.

tests/distributed/mpi_nonlinear_checks.py runs once under ``mpiexec -n 2``; the references are
the serial ``fieldgrad.solve_nonlinear`` / ``solve_nonlinear_heat`` computed here (their own
accuracy is checked against exact solutions and solve_bvp in tests/nonlinear).
"""
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

import fieldgrad as fg  # noqa: E402

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import mpi_nonlinear_checks as checks  # noqa: E402
from mpi_case_runner import launch  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return launch("mpi_nonlinear_checks.py", tmp_path_factory.mktemp("nonlinear"))


def _rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.mark.parametrize("name", list(checks.steady_cases()))
def test_steady_equals_serial(run, name):
    f, g, bc, kw = checks.steady_cases()[name]
    ref = fg.solve_nonlinear(f, g, bc, **kw)
    err = _rel(run[name], ref.u)
    assert err < 1e-10, f"{name}: relative difference {err:.2e} from the serial solve"
    assert int(run[name + "_outer"]) == ref.outer_iterations, (int(run[name + "_outer"]), ref.outer_iterations)
    assert len(run[name + "_inner"]) == ref.outer_iterations and np.all(run[name + "_inner"] >= 1)
    assert str(run[name + "_method"]) == "cg-schwarz"
    # the result is the serial type, holding this rank's block of the gathered field
    assert str(run[name + "_type"]) == "NonlinearPart" and bool(run[name + "_block_ok"])


def test_transient_equals_serial(run):
    u0, g, bc, kw = checks.heat_cases()["plate"]
    ref = fg.solve_nonlinear_heat(u0, g, bc, **kw)
    err = _rel(run["heat_plate"], ref.u)
    assert err < 1e-10, f"relative difference {err:.2e} from the serial steps"
    assert list(run["heat_plate_steps"]) == [ref.steps, len(ref.inner_iterations)] == [6, 6]
    assert str(run["heat_plate_method"]) == "cg-schwarz"
    assert abs(ref.u - u0).max() > 1.0  # the field did change over the steps


def _serial_error(solver, a, g, bc, kw):
    with pytest.raises(Exception) as info:
        getattr(fg, solver)(a, g, bc, **kw)
    return info.value


@pytest.mark.parametrize("name", list(checks.failing_cases()))
def test_failure_names_the_outer_iteration_as_serial(run, name):
    e = _serial_error(*checks.failing_cases()[name])
    kind, msg = run["error_" + name]
    assert (kind, msg) == ("ConvergenceError", str(e)) and "outer iteration" in msg
    # error.result is this rank's part of the last iterate, after as many outer iterations
    rtype, outer, shape, gshape = run["error_" + name + "_result"]
    g = checks.failing_cases()[name][2]
    assert rtype == "NonlinearPart" and int(outer) == e.result.outer_iterations
    assert gshape == str(g.shape) and shape != gshape


@pytest.mark.parametrize("name", list(checks.bad_inputs()))
def test_bad_input_refused_with_the_serial_error(run, name):
    e = _serial_error(*checks.bad_inputs()[name])
    assert tuple(run["error_" + name]) == (type(e).__name__, str(e))


def test_cuda_backend_refused(run):
    kind, msg = run["error_backend"]
    assert kind == "BackendError" and "backend='cuda'" in msg
