"""Backward Euler and Crank--Nicolson under MPI (issue 15, "every capability runs in the MPI path").

``fieldgrad.distributed.solve_heat(method="backward_euler" | "crank_nicolson")`` -- and ``"auto"``
at large ``dt`` -- at 2 ranks equals the serial ``fieldgrad.solve_heat`` with the same method and
``rtol`` (alpha form with Dirichlet / Robin / Neumann faces, time-dependent boundary values and a
source; the ``k`` / ``rho_c`` form with cell conductivities and a ``rho_c`` field; holes with
Robin / Dirichlet conditions on their surface, a cylindrical grid, a contact resistance; 3D), conserves
``sum(w rho_c u)`` with insulated walls to rounding, and Crank--Nicolson is second order in ``dt``
against the analytic decay of a sine mode.  tests/distributed/mpi_implicit_heat_checks.py runs
every case once under ``mpiexec -n 2``; the quick tests at the end run on one rank (COMM_SELF).

Measured (2 ranks vs serial, rtol = 1e-12): relative differences 1e-15 .. 1e-13, see
benchmarks/results/mpiheat-h7.md.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

import fieldgrad as fg  # noqa: E402
from fieldgrad.errors import ParameterError  # noqa: E402

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import mpi_implicit_heat_checks as checks  # noqa: E402
from mpi_case_runner import launch  # noqa: E402

CASES = checks.cases()
COMPARED = [name for name in CASES if name != "insulated_cn"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return launch("mpi_implicit_heat_checks.py", tmp_path_factory.mktemp("implicit_heat"))


def _serial(name):
    g, bc, u0, kw = CASES[name]
    return fg.solve_heat(u0, g, bc, progress=False, **kw)


def _meta(run, name):
    method, steps, t, dt, sweeps, iters, rtype, dims = run[name + "_meta"]
    return dict(method=str(method), steps=int(steps), t=float(t), dt=float(dt), sweeps=int(sweeps),
                iterations=int(iters), type=str(rtype), dims=str(dims))


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("name", COMPARED)
def test_two_ranks_equal_the_serial_implicit_steps(run, name):
    ref = _serial(name)
    m = _meta(run, name)
    err = _rel(run[name], ref.u)
    assert err < 1e-10, f"{name}: relative difference {err:.2e} from the serial solve_heat"
    assert (m["method"], m["steps"]) == (ref.method, ref.steps)
    assert m["method"] in ("backward_euler", "crank_nicolson")
    assert m["t"] == pytest.approx(ref.t, rel=1e-14) and m["dt"] == ref.dt
    assert np.max(np.abs(ref.u - CASES[name][2])) > 1e-3 * np.max(np.abs(ref.u))  # the steps did move the field
    # split over 2 ranks, the serial result type holding this rank's block; every step solved
    assert m["type"] == "HeatPart" and m["dims"].count("2") == 1 and bool(run[name + "_block_ok"])
    assert m["iterations"] >= ref.steps and m["sweeps"] > m["iterations"]


def test_auto_takes_crank_nicolson_beyond_600_explicit_limits_as_serial(run):
    assert _meta(run, "auto_large_dt")["method"] == "crank_nicolson" == _serial("auto_large_dt").method


def test_insulated_walls_conserve_the_rho_c_weighted_heat_to_rounding(run):
    g, bc, u0, kw = CASES["insulated_cn"]
    w = g.quadrature_weights() * kw["rho_c"]
    h0, h1 = float(np.sum(w * u0)), float(np.sum(w * run["insulated_cn"]))
    assert abs(h1 - h0) <= 1e-14 * abs(h0), (h0, h1)  # at the default rtol (1e-8): the conservation shift
    assert _rel(run["insulated_cn"], u0) > 1e-2  # heat did move between the materials
    # the serial run at the same (default) rtol: the same field to that tolerance
    assert _rel(run["insulated_cn"], _serial("insulated_cn").u) < 1e-6


def test_crank_nicolson_is_second_order_in_dt_under_mpi(run):
    """Against the exact decay of the sine mode of the discrete operator,
    ``exp(-lambda_h t) sin(pi x)`` with ``lambda_h = (4 / h^2) sin^2(pi h / 2)`` (so only the time
    error is left); and the continuous ``exp(-pi^2 t) sin(pi x)`` within the O(h^2) of the grid."""
    g, _, u0, _ = checks.order_case(checks.ORDER_STEPS[0])
    h = g.spacing[0]
    lam = 4.0 / h ** 2 * np.sin(np.pi * h / 2) ** 2
    exact = np.exp(-lam * checks.ORDER_T) * u0
    errs = [np.max(np.abs(run[f"order_{n}"] - exact)) for n in checks.ORDER_STEPS]
    order = np.log2(errs[0] / errs[1])
    assert 1.9 < order < 2.1, (errs, order)
    # the time error of the run, predicted: 2 Rannacher steps (two backward Euler half steps each), then
    # Crank--Nicolson, each multiplying the mode by its amplification factor at z = lambda_h dt
    z = lam * checks.ORDER_T / checks.ORDER_STEPS[1]
    amp = (1 + z / 2) ** -4 * ((1 - z / 2) / (1 + z / 2)) ** (checks.ORDER_STEPS[1] - 2)
    assert _rel(run["order_20"], amp * u0) < 1e-10
    assert errs[1] < 4e-3 * np.max(np.abs(exact))
    continuous = np.exp(-np.pi ** 2 * checks.ORDER_T) * u0
    # measured 4.9e-3 relative: the time error (3.3e-3 above) plus the grid's (pi h)^2 / 12 * pi^2 t = 1.6e-3
    assert np.max(np.abs(run["order_20"] - continuous)) < 6e-3 * np.max(np.abs(continuous))


# ---------------------------------------------------------------- one rank (COMM_SELF)
def _self():
    from mpi4py import MPI

    return MPI.COMM_SELF


G = fg.Grid((17, 13))
X, Y = G.mesh()
U0 = np.sin(np.pi * X) * np.cos(Y)
BC = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}


@pytest.mark.parametrize("method", ["backward_euler", "crank_nicolson"])
def test_one_rank_routes_the_implicit_methods_to_the_serial_steps(method):
    import fieldgrad.distributed as fd

    serial = fg.solve_heat(U0, G, BC, alpha=0.5, dt=0.01, steps=4, method=method, rtol=1e-12, progress=False)
    dist = fd.solve_heat(U0, G, BC, alpha=0.5, dt=0.01, steps=4, method=method, rtol=1e-12, comm=_self())
    assert isinstance(dist, fg.HeatResult) and isinstance(dist, fd.HeatPart) and dist.data is dist.u
    assert (dist.method, dist.steps, dist.stop_reason) == (method, 4, "steps")
    assert dist.info["solves"] == (4 if method == "backward_euler" else 6)  # Rannacher: 2 steps of 2 halves
    assert dist.info["linear_solver"] == "cg-schwarz"
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-12)


def test_one_rank_auto_and_t_end_as_serial():
    import fieldgrad.distributed as fd

    kw = dict(alpha=1.0, dt=2.0, t_end=4.0)  # 2 / dt_explicit > 600
    dist = fd.solve_heat(U0, G, BC, comm=_self(), **kw)
    serial = fg.solve_heat(U0, G, BC, progress=False, **kw)
    assert dist.method == serial.method == "crank_nicolson" and dist.stop_reason == serial.stop_reason == "t_end"
    assert dist.t == serial.t == 4.0
    np.testing.assert_allclose(dist.u, serial.u, rtol=0, atol=1e-7)  # both at the default rtol 1e-8
    # just below the cut: RKL2 in both
    assert fd.solve_heat(U0, G, BC, alpha=1.0, dt=0.5 * dist.info["dt_explicit"] * 600, steps=1,
                         comm=_self()).method == "rkl2"


@pytest.mark.parametrize("kw", [dict(method="backward_euler", rtol=2.0), dict(method="crank_nicolson", rannacher=-1),
                                dict(method="backward_euler", rannacher=2), dict(method="ftcs", rtol=1e-9),
                                dict(method="euler"), dict(method="crank_nicolson", dt=-1.0),
                                dict(method="crank_nicolson", dt=0.01, alpha=None, k=1.0, rho_c=-2.0)])
def test_bad_input_gets_the_serial_error(kw):
    import fieldgrad.distributed as fd

    args = dict(dict(alpha=1.0, dt=0.01, steps=2), **kw)
    with pytest.raises(fg.errors.FieldgradError) as serial:
        fg.solve_heat(U0, G, BC, progress=False, **args)
    with pytest.raises(type(serial.value)) as dist:
        fd.solve_heat(U0, G, BC, comm=_self(), **args)
    assert str(dist.value) == str(serial.value)


def test_distributed_only_refusals_name_the_argument():
    import fieldgrad.distributed as fd

    with pytest.raises(ParameterError, match="linear_solver must be None, 'auto' or 'cg'"):
        fd.solve_heat(U0, G, BC, alpha=1.0, dt=0.01, steps=1, method="backward_euler", linear_solver="multigrid",
                      comm=_self())
    with pytest.raises(ParameterError, match="steady_tol= is not available"):
        fd.solve_heat(U0, G, BC, alpha=1.0, dt=0.01, steps=1, method="backward_euler", steady_tol=1e-6, comm=_self())
