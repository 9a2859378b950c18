"""The distributed ``solve_poisson`` keeps its set-ups (block operators, Schwarz preconditioner)
between calls with equal inputs -- implicit heat steps and nonlinear inner solves repeat the same
operator -- and keys them by value: an array changed in place, or other conditions, get a new
set-up and the right answer (one rank, ``COMM_SELF``; both the node and the material path)."""
import numpy as np
import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'fieldgrad[mpi]')")

import fieldgrad as fg  # noqa: E402
import fieldgrad.distributed as fd  # noqa: E402
from fieldgrad.distributed import poisson as dpoisson  # noqa: E402
from fieldgrad.distributed import poisson_links as dlinks  # noqa: E402

MPI = pytest.importorskip("mpi4py.MPI")


def _counting(monkeypatch, module):
    calls = []
    build = module._build_setup

    def counted(*args):
        calls.append(1)
        return build(*args)

    monkeypatch.setattr(module, "_build_setup", counted)
    module._SETUPS.clear()
    return calls


@pytest.mark.parametrize("path", ["node", "cells"])
def test_equal_inputs_reuse_the_setup_and_a_changed_array_does_not(monkeypatch, path):
    g = fg.Grid((33, 33))
    X, Y = g.mesh()
    f = np.sin(3 * X) * Y
    bc = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
    module = dpoisson if path == "node" else dlinks
    calls = _counting(monkeypatch, module)
    if path == "node":
        k = 1.0 + X
        wrap = lambda a: a  # noqa: E731
    else:
        k = np.ones((32, 32))
        wrap = fg.Cells
    solve = lambda: fd.solve_poisson(f, g, bc, k=wrap(k), rtol=1e-11, comm=MPI.COMM_SELF).u  # noqa: E731
    first = solve()
    again = solve()
    assert len(calls) == 1  # the second solve took the kept set-up
    np.testing.assert_array_equal(first, again)
    k *= 3.0  # in place: the kept set-up must not be used for it
    third = solve()
    assert len(calls) == 2
    ref = fg.solve_poisson(f, g, bc, k=wrap(k), method="direct").u
    assert np.max(np.abs(third - ref)) < 1e-8 * np.max(np.abs(ref))
    assert np.max(np.abs(third - first)) > 0.1 * np.max(np.abs(first))  # the change mattered


def test_changed_conditions_and_screening_get_their_own_setup(monkeypatch):
    g = fg.Grid((33, 33))
    f = np.ones(g.shape)
    calls = _counting(monkeypatch, dpoisson)
    for bc, s in ((fg.Dirichlet(0.0), 0.0), (fg.Dirichlet(0.0), 4.0), (fg.Robin(1.0, 1.0, 0.0), 4.0)):
        got = fd.solve_poisson(f, g, bc, screening=s, rtol=1e-11, comm=MPI.COMM_SELF).u
        ref = fg.solve_poisson(f, g, bc, screening=s, method="direct").u
        assert np.max(np.abs(got - ref)) < 1e-8 * np.max(np.abs(ref))
    assert len(calls) == 3
