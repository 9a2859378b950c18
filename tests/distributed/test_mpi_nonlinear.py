"""Nonlinear heat under MPI (issue 15 item 6, issue 12 item 4): ``fieldgrad.distributed.solve_nonlinear``
and ``solve_nonlinear_heat`` at 2 ranks equal the serial solvers -- the fields to 1e-10 (relative
to max|u|), the outer iteration counts exactly, the failure messages and refusals word for word.

tests/distributed/mpi_nonlinear_checks.py runs the cases of tests/nonlinear_backend_cases.py once
under ``mpiexec -n 2``; the references are the serial ``fieldgrad.solve_nonlinear`` /
``solve_nonlinear_heat`` computed here (their own accuracy is checked against exact solutions and
solve_bvp in tests/nonlinear).
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
import nonlinear_backend_cases as cases  # noqa: E402
from mpi_case_runner import launch  # noqa: E402

SOLVED = checks.solved_cases()  # (the rod cases are on a cylindrical (r, z) grid)
FAILING = cases.failing_cases(checks.FIN, checks.SQUARE)
BAD = cases.bad_inputs(checks.FIN)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return launch("mpi_nonlinear_checks.py", tmp_path_factory.mktemp("nonlinear"))


@pytest.mark.parametrize("name", list(SOLVED))
def test_equals_serial(run, name):
    ref = cases.call(fg, SOLVED[name])
    err = cases.rel_diff(run[name], ref.u)
    assert err < 1e-10, f"{name}: relative difference {err:.2e} from the serial solve"
    heat = SOLVED[name][0] == "solve_nonlinear_heat"
    if heat:
        assert np.max(np.abs(ref.u - SOLVED[name][1])) > 1.0  # the steps did move the field
    outer = cases.outer_count(ref)
    assert int(run[name + "_outer"]) == outer, (int(run[name + "_outer"]), outer)
    assert len(run[name + "_inner"]) == outer and np.all(run[name + "_inner"] >= 1)
    assert str(run[name + "_method"]) == "cg-schwarz"
    # the serial result type, holding this rank's block of the gathered field
    assert str(run[name + "_type"]) == ("NonlinearHeatPart" if heat else "NonlinearPart")
    assert bool(run[name + "_block_ok"])


@pytest.mark.parametrize("name", list(FAILING))
def test_failure_names_the_outer_iteration_as_serial(run, name):
    e = cases.error_of(fg, FAILING[name])
    assert isinstance(e, fg.errors.ConvergenceError) and "outer iteration" in str(e)
    assert tuple(run["error_" + name]) == ("ConvergenceError", str(e))
    # error.result is this rank's part of the last iterate, after as many outer iterations
    rtype, outer, shape, gshape = run["error_" + name + "_result"]
    assert rtype == "NonlinearPart" and int(outer) == e.result.outer_iterations
    assert gshape == str(e.result.u.shape) and shape != gshape


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_refused_with_the_serial_error(run, name):
    e = cases.error_of(fg, BAD[name])
    assert isinstance(e, fg.errors.ParameterError)
    assert tuple(run["error_" + name]) == (type(e).__name__, str(e))


def test_cuda_backend_refused(run):
    kind, msg = run["error_backend"]
    assert kind == "BackendError" and "backend='cuda'" in msg


@pytest.mark.parametrize("name", ["solve_nonlinear", "solve_nonlinear_heat"])
def test_arguments_and_defaults_are_the_serial_ones_then_the_decomposition(name):
    import inspect

    import fieldgrad.distributed as fd

    serial = inspect.signature(getattr(fg, name)).parameters
    dist = inspect.signature(getattr(fd, name)).parameters
    assert list(dist) == list(serial) + ["comm", "dims"]
    assert all((dist[p].kind, dist[p].default) == (serial[p].kind, serial[p].default) for p in serial)


def test_one_rank_returns_the_serial_result_types():
    import fieldgrad.distributed as fd
    from mpi4py import MPI

    case = cases.steady_cases(checks.KT, checks.FIN)["fin_newton"]
    part, ref = cases.call(fd, case, comm=MPI.COMM_SELF), cases.call(fg, case)
    assert isinstance(part, fg.NonlinearResult) and part.data is part.u and part.global_shape == ref.u.shape
    assert part.outer_iterations == ref.outer_iterations and cases.rel_diff(part.u, ref.u) < 1e-10
    heat = cases.call(fd, cases.plate(checks.PLATE, 2), comm=MPI.COMM_SELF)
    assert isinstance(heat, fg.NonlinearHeatResult) and heat.steps == 2
