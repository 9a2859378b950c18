"""The material path of the distributed ``solve_poisson``: the serial discrete problem, cut into blocks.

Every rank builds the serial problem (:func:`fieldgrad.solvers.held.make_problem`: cell values,
``Orthotropic``, ``contact=``, held regions ``fixed=``, holes ``Cells(..., domain=)`` and the
conditions on their surface ``bc["surface"]``) from the
global inputs it holds, with its right-hand side ``b`` (``Problem.rhs``: boundary data,
Dirichlet and held values, compatibility shift on singular problems, all as in
:class:`fieldgrad.solvers.PoissonSolver`), and keeps its block.  Then the one CG of fieldgrad (:func:`fieldgrad.solvers.krylov.cg`) runs
over block arrays: products with ``A0`` through :class:`~fieldgrad.distributed.links.BlockLinks`,
inner products and norms summed over the ranks, the two-level Schwarz preconditioner of
:mod:`fieldgrad.distributed.schwarz_links`.  The residual is the serial one, ``||b - A0 u||_2``
over ``||b - A0 u_D||_2`` (``u_D`` the Dirichlet and held values), so ``rtol`` means the same
as in :func:`fieldgrad.solve_poisson`.
"""
from __future__ import annotations

import math
import time

import numpy as np
from types import SimpleNamespace

from ..errors import ConvergenceError, NonFiniteError
from ..solvers.discretize import check_domain_parts, check_rhs, pad3
from ..solvers.held import HeldProblem, make_problem
from ..solvers.krylov import cg
from ..solvers.filled_holes import outside_from, soft_problem
from ..solvers.poisson import prepared_rhs
from ..solvers.setup_cache import SetupCache
from .decomposition import Decomposition
from .links import BlockLinks
from .results import PoissonPart
from .schwarz_links import LinksSchwarz

__all__ = ["solve_links"]


class _BlockOps:
    """The operations :func:`fieldgrad.solvers.krylov.cg` needs, on this rank's block."""

    def __init__(self, dec, op, pre, w, singular):
        self.dec, self.op, self.pre, self.w, self.singular = dec, op, pre, w, singular
        self.wsum = dec.allreduce(float(w.sum()))

    def _sum(self, value):
        return self.dec.allreduce(float(value))

    def empty_like(self, x):
        return np.zeros_like(x)

    def copy(self, x):
        return x.copy()

    def residual(self, u, b, out):
        return self.op.residual(u, b, out)

    def apply(self, x, out):
        return self.op.apply(x, out)

    def project(self, x):
        if self.singular:
            x -= self._sum(np.sum(self.w * x)) / self.wsum

    def precondition(self, r, z):
        # on a singular problem the recurrence r -= alpha A p drifts off the range of A by round-off
        # (a weighted mean no preconditioned step removes: the residual stalled near 1e-10 at 257^2)
        self.project(r)
        self.pre.apply(r, z)
        self.project(z)

    def dot(self, x, y):
        return self._sum(np.sum(self.w * x * y))

    def norm(self, x):
        return math.sqrt(self._sum(np.sum(x * x)))

    def axpy(self, alpha, x, y):
        y += alpha * x

    def xpby(self, x, beta, y):
        y *= beta
        y += x


#: set-ups of the material path (problem, blocks, Schwarz preconditioner) keyed by the values of
#: the inputs (:mod:`fieldgrad.solvers.setup_cache`), so repeated solves with the same operator --
#: the implicit heat steps, the nonlinear inner solves -- build them once; the same decision is
#: taken on every rank (every rank holds the same global inputs)
_SETUPS = SetupCache(4)


def _build_setup(grid, bc, k, screening, contact, fixed, comm, dims, coarse, coarse_shape, overlap, nu):
    """The set-up of the material path: a namespace with ``prob``, ``dec``, ``op`` (BlockLinks),
    ``pre`` (LinksSchwarz), ``ops`` (the CG block operations), ``w``, ``held``, ``local``."""
    prob = make_problem(grid, bc, k, screening, contact, fixed)
    pre_prob = prob
    if prob.phi3 is not None:  # holes: the serial MG-CG set-up (solvers.poisson.PoissonSolver)
        check_domain_parts(prob)
        pre_prob = soft_problem(prob, bc, k, screening, contact, fixed)
    dec = Decomposition(grid, comm, dims, cylindrical=True)  # the rows are the serial ones (ring volumes)
    local = dec.local3  # a copy: u must not alias ud

    # CG runs on the exact operator; with holes its decoupled outside block comes from the problem
    # whose holes hold a 1e-8 conductor, and that problem's operator is the one preconditioned
    links = pre_links = pre_prob.links_diag()
    if pre_prob is not prob:
        links = outside_from(prob.links_diag(), pre_links, prob.outside3)
    op = BlockLinks(dec, links[:4], prob.fixed1)
    w = local(prob.weights())
    pre = LinksSchwarz(dec, pre_prob, pre_links, w, op.fixed, coarse=coarse, nu=nu, overlap=overlap,
                       coarse_shape=coarse_shape)
    return SimpleNamespace(prob=prob, dec=dec, op=op, pre=pre, w=w, local=local,
                           ops=_BlockOps(dec, op, pre, w, prob.singular), held=isinstance(prob, HeldProblem))


def solve_links(f, grid, bc, *, k, screening, contact, fixed, fixed_value, rtol, maxiter, x0, callback, t, strict,
                raise_on_failure, nu, comm, dims, coarse, coarse_shape, overlap):
    """The distributed solve for a problem given with materials or held regions (arguments as
    :func:`fieldgrad.distributed.solve_poisson`, checked there); returns a PoissonPart."""
    wall0 = time.perf_counter()
    f = check_rhs(f, grid, "f")
    out_dtype = f.dtype if f.dtype == np.float32 else np.dtype(np.float64)
    setup = _SETUPS.get((grid, bc, k, screening, contact, fixed, comm, dims, coarse, coarse_shape, overlap, nu),
                        _build_setup)
    prob, dec, op, pre, ops, local = setup.prob, setup.dec, setup.op, setup.pre, setup.ops, setup.local
    nd = grid.ndim
    held = setup.held  # a fixed mask or a Dirichlet surface
    # every rank holds the global b: the serial right-hand side and compatibility step, unchanged
    b, ud, held_values, info = prepared_rhs(prob, f, t, fixed_value, strict)
    u3 = ud
    if x0 is not None:
        x0 = check_rhs(x0, grid, "x0")
        u3 = np.where(prob.fixed_mask(), ud, pad3(np.asarray(x0, dtype=np.float64), nd))
        if held:
            u3[prob.held_all] = held_values
    bl, u = local(b), local(u3)
    bnorm = ops.norm(op.residual(local(ud), bl, np.empty(dec.shape)))
    it, residuals, converged = cg(ops, u, bl, rtol, maxiter, bnorm, callback=callback)
    if prob.singular:  # the zero-mean solution, as the serial solver returns
        wq = local(pad3(grid.quadrature_weights(), nd))
        u -= ops._sum(np.sum(wq * u)) / ops._sum(np.sum(wq))
    if prob.outside3 is not None:
        u[local(prob.outside3)] = 0.0  # no unknowns there (the iterates carry round-off)
    if held:  # exact held values (a stopped iteration may not keep them)
        mask = local(prob.held_all)
        u[mask] = local(ud)[mask]
    if not np.all(np.isfinite(u)):
        raise NonFiniteError(f"the distributed CG solution holds {int(np.sum(~np.isfinite(u)))} non-finite values "
                             "on this rank; accepted: data well inside the float64 range (rescale the units)")
    info.update(iterations=it, residuals=residuals, converged=converged, dims=dec.dims,
                method="CG, two-level additive Schwarz on the links operator (block V-cycles + Galerkin coarse "
                       "grid)" if coarse else "CG, block-Jacobi with one V-cycle per block (links operator)",
                coarse_shape=pre.coarse.shape if coarse else None)
    part = PoissonPart(u.astype(out_dtype, copy=False), "cg-schwarz", it, residuals, converged,
                       time.perf_counter() - wall0, info, slices=dec.slices, global_shape=grid.shape)
    if not converged and raise_on_failure:
        last = residuals[-1] if residuals else float("nan")
        raise ConvergenceError(f"distributed CG did not reach rtol={rtol:g} in {it} iterations; last relative "
                               f"residual {last:.3e}", residuals=residuals, result=part)
    return part
