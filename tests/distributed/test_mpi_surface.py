"""Conditions on the surface of holes (``bc["surface"]``) under MPI, at 2 ranks, against the
serial solvers.

tests/distributed/mpi_surface_checks.py runs once under ``mpiexec -n 2``; the references are
computed here: the serial sparse direct solve (``method="direct"``, independent of every
iterative and distributed code path) and the serial ``fieldgrad.solve_heat``.  Every hole
straddles the rank cut, so surface rows sit on both ranks and next to the cut.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

import fieldgrad as fg  # noqa: E402
import fieldgrad.distributed as fd  # noqa: E402
from fieldgrad.errors import BoundaryError  # noqa: E402
from fieldgrad.solvers.held import make_problem  # noqa: E402

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import mpi_surface_checks as checks  # noqa: E402
from mpi_case_runner import launch  # noqa: E402

MPI = pytest.importorskip("mpi4py.MPI")
POISSON = checks.poisson_cases()
HEAT = checks.heat_cases()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return launch("mpi_surface_checks.py", tmp_path_factory.mktemp("surface"))


def _insulated(bc):
    return {key: c for key, c in bc.items() if key != "surface"}


@pytest.mark.parametrize("name", list(POISSON))
def test_poisson_with_a_surface_condition_equals_the_serial_direct_solve(run, name):
    # measured: relative 0.8e-11 .. 3.6e-11 (2D), 3e-13 .. 7e-13 (3D cube) at rtol 1e-11
    g, bc, f, kw = POISSON[name]
    ref = fg.solve_poisson(f, g, bc, method="direct", **kw).u
    err = np.max(np.abs(run[name] - ref)) / np.max(np.abs(ref))
    assert err < 1e-8, f"{name}: relative error {err:.2e} against the serial direct solve"
    insulated = fg.solve_poisson(f, g, _insulated(bc), method="direct", **kw).u
    assert np.max(np.abs(insulated - ref)) > 1e-2 * np.max(np.abs(ref))  # the surface condition matters


@pytest.mark.parametrize("n", checks.SIZES_2D)
def test_dirichlet_surface_nodes_hold_their_values_exactly(run, n):
    g, bc, f, kw = checks.POISSON["dirichlet"](n)
    on = make_problem(g, bc, kw["k"], 0.0).surface_nodes()
    x, _ = g.mesh()
    assert on.sum() > 0
    np.testing.assert_array_equal(run[f"dirichlet_{n}"][on], (2.0 + x)[on])


def test_poisson_iterations_bounded_and_flat_in_the_grid_size(run):
    # measured at 2 ranks, rtol 1e-11: robin 13/18, neumann 14/18, dirichlet 13/19 (65^2 / 129^2),
    # cube 14/21 (17^3 / 33^3)
    for name in checks.POISSON:
        n0, n1 = checks.SIZES.get(name, checks.SIZES_2D)
        i0, i1 = int(run[f"{name}_{n0}_iterations"]), int(run[f"{name}_{n1}_iterations"])
        assert max(i0, i1) <= 30, (name, i0, i1)
        assert i1 <= i0 + 10, (name, i0, i1)


@pytest.mark.parametrize("name", list(HEAT))
def test_heat_with_a_surface_condition_equals_the_serial_steps(run, name):
    g, bc, u0, kw = HEAT[name]
    ref = fg.solve_heat(u0, g, bc, progress=False, **kw)
    assert float(run[f"heat_{name}_dt"]) == ref.dt
    err = np.max(np.abs(run["heat_" + name] - ref.u)) / np.max(np.abs(ref.u))
    assert err < 1e-12, f"{name}: relative error {err:.2e} against the serial solve_heat"
    insulated = fg.solve_heat(u0, g, _insulated(bc) or fg.Neumann(0.0), progress=False, **kw).u
    assert np.max(np.abs(insulated - ref.u)) > 1e-3 * np.max(np.abs(ref.u))  # the surface condition matters


# ---------------------------------------------------------------- one rank: routing and refusals
def test_a_surface_takes_the_links_path_on_one_rank():
    g, bc, f, kw = checks.POISSON["robin"](33)
    ref = fg.solve_poisson(f, g, bc, method="direct", **kw).u
    part = fd.solve_poisson(f, g, bc, rtol=1e-11, comm=MPI.COMM_SELF, **kw)
    assert "links" in part.info["method"]
    assert np.max(np.abs(part.u - ref)) < 1e-8 * np.max(np.abs(ref))


def test_surface_refusals_are_the_serial_ones():
    g, bc, f, kw = checks.POISSON["neumann"](17)
    with pytest.raises(BoundaryError, match="needs holes"):  # no domain: no surface to put it on
        fd.solve_poisson(f, g, bc, k=1.0, comm=MPI.COMM_SELF)
    with pytest.raises(BoundaryError, match="surface"):  # the alpha form has no holes
        fd.solve_heat(f, g, bc, alpha=1.0, steps=2, comm=MPI.COMM_SELF)


def test_dirichlet_surface_heat_holds_the_surface_nodes_on_one_rank():
    # the block stepper's fixed nodes include the surface nodes (their values follow t)
    gd, bcd, _, kwd = checks.POISSON["dirichlet"](17)
    bcd = dict(bcd, surface=fg.Dirichlet(lambda x, y, t: 2.0 + x + t))
    part = fd.solve_heat(np.zeros(gd.shape), gd, bcd, k=kwd["k"], rho_c=1.0, steps=3, comm=MPI.COMM_SELF)
    ref = fg.solve_heat(np.zeros(gd.shape), gd, bcd, k=kwd["k"], rho_c=1.0, steps=3, progress=False)
    on = make_problem(gd, bcd, kwd["k"], 0.0).surface_nodes()
    x, _ = gd.mesh()
    np.testing.assert_array_equal(part.u[on], (2.0 + x + ref.t)[on])
    assert np.max(np.abs(part.u - ref.u)) <= 1e-13 * np.max(np.abs(ref.u))
