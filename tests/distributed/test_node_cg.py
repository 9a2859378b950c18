"""The node-k path of the distributed ``solve_poisson`` (a number or node array ``k``) runs the one CG
of fieldgrad, :func:`fieldgrad.solvers.krylov.cg`, and keeps its documented results: the residual
history starts with the initial residual and is measured in the trapezoid-weighted norm, an exact
start takes no iteration, singular data are shifted by their weighted mean, float32 stays float32,
overflowing data raise :class:`~fieldgrad.errors.NonFiniteError`.  One rank (COMM_SELF) with
``coarse=False`` so the block V-cycle is inexact and CG takes several iterations; the multi-rank
agreement with serial direct solves is in test_mpi.py and test_mpi_poisson.py.  References: the serial
sparse direct solve and the serial ``fieldgrad.div_k_grad``.
"""
import warnings

import numpy as np
import pytest

import fieldgrad as fg
import fieldgrad.distributed as fd
import fieldgrad.distributed.poisson as dpoisson
from fieldgrad.errors import ConvergenceError, NonFiniteError

MPI = pytest.importorskip("mpi4py.MPI")
G = fg.Grid((65, 49), extent=((0, 1), (0, 0.75)))
X, Y = G.mesh()
F = np.sin(3 * X) * np.cos(2 * Y) + 1.0
BC = {"x": fg.Dirichlet(0.0), "y": fg.Neumann(0.0)}
W = G.quadrature_weights()
FREE = np.ones(G.shape, bool)
FREE[[0, -1], :] = False  # the Dirichlet x faces hold no unknowns


def solve(f=F, bc=BC, **kw):
    kw.setdefault("coarse", False)
    return fd.solve_poisson(f, G, bc, comm=MPI.COMM_SELF, **kw)


def wnorm(r):
    return float(np.sqrt(np.sum(W[FREE] * r[FREE] ** 2)))


def test_the_solve_is_krylov_cg(monkeypatch):
    calls = []

    def spy(*args, **kw):
        out = cg(*args, **kw)
        calls.append(out)
        return out

    cg = dpoisson.cg
    monkeypatch.setattr(dpoisson, "cg", spy)
    part = solve(rtol=1e-9)
    assert len(calls) == 1 and part.converged
    it, history, converged = calls[0]
    assert (part.iterations, part.residuals[1:], part.converged) == (it, history, converged)


def test_residual_history_starts_with_the_initial_residual():
    ref = fg.solve_poisson(F, G, BC, method="direct").u
    seen = []
    part = solve(rtol=1e-9, x0=0.9 * ref, callback=lambda it, r: seen.append((it, r)))
    assert part.converged and part.iterations >= 3
    # the initial residual of 0.9 u* is 0.1 f on the free nodes
    assert part.residuals[0] == pytest.approx(0.1, rel=1e-8)
    assert seen == list(zip(range(1, part.iterations + 1), part.residuals[1:]))
    assert part.residuals[-1] <= 1e-9 < part.residuals[-2]
    # the reported residual is the true one in the W-norm, relative to ||f||_W on the free nodes
    r = F - fg.laplacian(part.u, G, BC)
    assert wnorm(r) / wnorm(F) == pytest.approx(part.residuals[-1], rel=1e-3)  # seen: 7e-5 apart
    np.testing.assert_allclose(part.u, ref, rtol=0, atol=1e-8 * np.max(np.abs(ref)))


def test_the_initial_residual_is_measured_in_the_weighted_norm():
    # a start off by a bump on the Neumann face y-: the residual sits on half-weight nodes, where the
    # W-norm and the Euclidean norm disagree
    ref = fg.solve_poisson(F, G, BC, method="direct").u
    x0 = ref.copy()
    x0[1:-1, 0] += 0.01
    part = solve(rtol=1e-9, x0=x0)
    r = F - fg.laplacian(x0, G, BC)
    assert part.residuals[0] == pytest.approx(wnorm(r) / wnorm(F), rel=1e-10)
    euclid = np.linalg.norm(r[FREE]) / np.linalg.norm(F[FREE])
    assert abs(euclid / part.residuals[0] - 1) > 0.05  # the check tells the two norms apart
    assert part.converged and part.residuals[-1] <= 1e-9
    np.testing.assert_allclose(part.u, ref, rtol=0, atol=1e-8 * np.max(np.abs(ref)))


def test_an_exact_start_takes_no_iteration():
    ref = fg.solve_poisson(F, G, BC, method="direct").u
    seen = []
    part = solve(rtol=1e-8, x0=ref, callback=lambda it, r: seen.append(it))
    assert part.converged and part.iterations == 0 and seen == []
    assert len(part.residuals) == 1 and part.residuals[0] <= 1e-8


def test_not_converged_raises_with_the_history():
    with pytest.raises(ConvergenceError, match="did not reach rtol=1e-13 in 2 iterations") as e:
        solve(rtol=1e-13, maxiter=2)
    part = e.value.result
    assert part.iterations == 2 and not part.converged and len(part.residuals) == 3
    assert part.residuals[0] == 1.0 and part.residuals[2] < part.residuals[1] < 1.0
    quiet = solve(rtol=1e-13, maxiter=2, raise_on_failure=False)
    assert quiet.residuals == part.residuals


def test_singular_data_are_shifted_by_their_weighted_mean():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        part = solve(bc=fg.Neumann(0.0), rtol=1e-10)
    assert any(issubclass(c.category, fg.solvers.CompatibilityWarning) for c in caught)
    assert part.converged and part.residuals[-1] <= 1e-10
    assert part.info["compatibility_shift"] == pytest.approx(np.sum(W * F) / np.sum(W), rel=1e-12)
    assert abs(np.sum(W * part.u)) <= 1e-12 * np.sum(W) * np.max(np.abs(part.u))
    # the compatible part solves the problem: div grad u = f - shift everywhere (no Dirichlet node)
    r = F - part.info["compatibility_shift"] - fg.laplacian(part.u, G, fg.Neumann(0.0))
    assert np.sqrt(np.sum(W * r * r)) <= 1e-9 * np.sqrt(np.sum(W * F * F))


def test_float32_in_float32_out():
    p64 = solve(rtol=1e-6)
    p32 = solve(F.astype(np.float32), rtol=1e-6)
    assert p32.u.dtype == np.float32 and p64.u.dtype == np.float64
    np.testing.assert_allclose(p32.u, p64.u, rtol=0, atol=1e-6 * np.max(np.abs(p64.u)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("kw", [{"f": np.full(G.shape, 1e300)}, {"x0": np.full(G.shape, 1e307)}])
def test_overflowing_data_raise_non_finite(kw):
    with pytest.raises(NonFiniteError, match="non-finite at iteration 0.*float64 range"):
        solve(**kw)
