"""Distributed ``solve_poisson``: conjugate gradients preconditioned by two-level additive Schwarz.

Solves ``div(k grad u) - screening*u = f`` (the serial sign convention) with the discretisation
of :func:`fieldgrad.div_k_grad` (ghost nodes at Neumann/Robin faces, values imposed on
Dirichlet nodes).  That operator is self-adjoint in the trapezoid-weighted inner product
``<x, y>_W = sum(w x y)``, so the one CG of fieldgrad (:func:`fieldgrad.solvers.krylov.cg`) runs in
that inner product over this rank's block (the material path's block operations, residuals measured
in the W-norm); every matrix-vector product is a halo exchange plus the serial Numba sweep on each block.

Preconditioner (:mod:`fieldgrad.distributed.schwarz`): one symmetric multigrid V-cycle of the
serial solver on each rank's block (homogeneous Dirichlet one layer beyond each cut face, so the
block operator is the principal submatrix of the global one), plus a coarse-grid correction on a
small global grid (restriction, one ``Allreduce``, a redundant sparse LU solve on every rank,
local interpolation).  Both parts are symmetric in the W inner product.  The coarse grid removes
the global low-frequency error that grows with the rank count under block Jacobi, and the
V-cycle has no fill-in limit, so 3D blocks of any size work.

Materials (cell values, ``Orthotropic``, ``contact=``), held regions (``fixed=``) and conditions on
the surface of holes (``bc["surface"]``) go to
:mod:`fieldgrad.distributed.poisson_links`: the serial discrete problem (its links) cut into
blocks, with the same two-level structure built on the links (:mod:`.schwarz_links`).
"""
from __future__ import annotations

import math
import numbers
import time
import warnings

import numpy as np
from types import SimpleNamespace

from .. import boundary as _bnd
from ..errors import BackendError, ConvergenceError, NonFiniteError, ParameterError
from ..solvers.result import CompatibilityWarning
from ..solvers.setup_cache import SetupCache
from ..validation import as_field, check_conductivity
from ..grid import require_grid
from ..materials import resolve_conductivity
from .decomposition import Decomposition
from ..solvers.krylov import cg
from .poisson_links import _BlockOps, solve_links
from .results import PoissonPart
from .operators import BlockOperators
from .schwarz import TwoLevelSchwarz

__all__ = ["solve_poisson"]


def _homogeneous(bcs):
    """The same conditions with zero data (for products with corrections)."""
    faces = {}
    for face, c in bcs.faces.items():
        if isinstance(c, _bnd.Dirichlet):
            faces[face] = _bnd.Dirichlet(0.0)
        elif isinstance(c, _bnd.Neumann):
            faces[face] = _bnd.Neumann(0.0)
        elif isinstance(c, _bnd.Robin):
            faces[face] = _bnd.Robin(c.alpha, c.beta, 0.0)
        else:
            faces[face] = c
    return _bnd.BoundaryConditions(bcs.grid, faces)


def _fixed_mask(lgrid, lbcs):
    fixed = np.zeros(lgrid.shape, dtype=bool)
    for face in _bnd.dirichlet_faces(lbcs):
        axis, side = lgrid.parse_face(face)
        sl = [slice(None)] * lgrid.ndim
        sl[axis] = 0 if side == 0 else -1
        fixed[tuple(sl)] = True
    return fixed


def _needs_links(k, grid, bc, contact, fixed, fixed_value):
    """True for the material path (:mod:`.poisson_links`): cell values, Orthotropic, contact, held
    regions, a condition on the surface of holes (``bc["surface"]``), a cylindrical grid (rows
    with ring volumes): what only the serial ``Problem`` discretises.  A number or a node array keeps the halo-ghost path below (the same
    operator)."""
    if contact is not None or fixed is not None or fixed_value is not None:
        return True
    require_grid(grid)
    if grid.cylindrical or _bnd.resolve_bc(bc, grid, allow_surface=True).surface is not None:
        return True
    mat = resolve_conductivity(k, grid, "k")
    return not (mat.isotropic and mat.components[0][0] in ("const", "node"))


class _NodeOperator:
    """``A = -(div k grad - screening)`` on this rank's block (halo ghosts), zero rows on Dirichlet nodes:
    the ``op`` of :class:`_WeightedOps`."""

    def __init__(self, ops, hops, scr, fixed, t):
        self.ops, self.hops, self.scr, self.fixed, self.t = ops, hops, scr, fixed, t

    def residual(self, u, b, out):
        """``out = b - A u`` with the boundary data (``b = -f``); imposes the Dirichlet values into ``u``."""
        self.ops.div_k_grad(u, self.t, out)
        out -= self.scr * u
        out += b
        out[self.fixed] = 0.0
        return out

    def apply(self, x, out):
        """``out = A x`` with homogeneous data."""
        self.hops.div_k_grad(x, self.t, out)
        out -= self.scr * x
        out *= -1.0
        out[self.fixed] = 0.0
        return out


class _WeightedOps(_BlockOps):
    """The block operations of the material path with the residual measured in the W-norm, so ``rtol``
    keeps its meaning here: ``||f - A u||_W / ||f||_W``."""

    def norm(self, x):
        return math.sqrt(self.dot(x, x))


#: set-ups of the node path (block operators, Schwarz preconditioner) keyed by the values of the
#: inputs (:mod:`fieldgrad.solvers.setup_cache`): repeated solves with the same operator (implicit
#: heat steps, nonlinear inner solves) build them once; every rank takes the same decision
_SETUPS = SetupCache(4)


def _build_setup(grid, bc, k, screening, comm, dims, coarse, coarse_shape, overlap, nu):
    """The node path's set-up: a namespace with ``dec``, ``ops``/``hops`` (BlockOperators with the
    data / homogeneous), ``scr`` (number or block), ``fixed`` (Dirichlet nodes of the block), ``w``,
    ``pre`` (TwoLevelSchwarz) and ``singular``."""
    dec = Decomposition(grid, comm, dims)
    kk = check_conductivity(1.0 if k is None else k, grid, np.float64)
    ops = BlockOperators(dec, bc, np.float64, k=kk)
    ops.bcs.require_complete("solve_poisson")
    hops = BlockOperators(dec, _homogeneous(ops.bcs), np.float64, k=kk)
    if np.ndim(screening) == 0:
        if not float(screening) >= 0:
            raise ParameterError(f"screening must be >= 0; got {screening!r}")
        scr = float(screening)
        has_screening = scr > 0
    else:
        scr = dec.local(as_field(screening, grid, "screening", dtype=np.float64, check_finite=True))
        if dec.allreduce(float(scr.min()) if scr.size else 0.0, "min") < 0:
            raise ParameterError("screening must be >= 0 everywhere")
        has_screening = dec.allreduce(float(scr.max()), "max") > 0
    kinds = ops.bcs.kinds().values()
    singular = not has_screening and not any(kd in ("dirichlet", "robin") for kd in kinds)
    fixed = _fixed_mask(dec.local_grid, ops.lbcs)
    w = dec.local(grid.quadrature_weights())
    # preconditioner: local V-cycles + coarse-grid correction (both W-symmetric), zero on Dirichlet nodes
    k_glob = 1.0 if k is None else (float(k) if np.ndim(k) == 0 else kk)
    scr_glob = scr if np.ndim(scr) == 0 else as_field(screening, grid, "screening", dtype=np.float64)
    pre = TwoLevelSchwarz(dec, ops.bcs, k_glob, scr_glob, w, coarse=coarse, nu=nu, coarse_shape=coarse_shape,
                          overlap=overlap)
    pre.fixed = fixed
    return SimpleNamespace(dec=dec, ops=ops, hops=hops, scr=scr, fixed=fixed, w=w, pre=pre, singular=singular)


def solve_poisson(f, grid, bc, *, k=None, screening=0.0, method="auto", rtol=1e-8, maxiter=None, x0=None,
                  callback=None, t=0.0, strict=False, raise_on_failure=True, cycle="V", nu1=2, nu2=2, fmg=None,
                  backend=None, contact=None, fixed=None, fixed_value=None, comm=None, dims=None, coarse=True,
                  coarse_shape=None, overlap=2, nu=None):
    """Solve ``div(k grad u) - screening*u = f`` on an MPI-decomposed grid.

    Cell values (holes too, with conditions on their surface: ``bc["surface"]``), ``Orthotropic``,
    ``contact=`` and held regions (``fixed=``) take the material path
    (:mod:`fieldgrad.distributed.poisson_links`): every rank builds the serial discrete problem from the global inputs, so the operator is the serial one (the same links), solved
    by CG with block V-cycles on its principal submatrices and a Galerkin coarse grid; there
    ``rtol`` is the serial residual ``||b - A u||_2 / ||b - A u_D||_2``.

    The arguments and defaults are those of :func:`fieldgrad.solve_poisson`, followed by the
    decomposition's own (``comm``, ``dims``, ``coarse``, ``coarse_shape``, ``overlap``).  The
    method is CG preconditioned by two-level additive Schwarz with one symmetric block V-cycle
    (``nu1`` = ``nu2`` sweeps); choices it does not have (``method`` other than "auto"/"cg",
    ``cycle`` other than "V", ``fmg``, ``backend="cuda"``) are refused, never ignored.

    Parameters
    ----------
    f : array of ``grid.shape``, the global right-hand side (on every rank)
    grid : Grid (2D or 3D; a cylindrical (r, z) grid takes the material path, its rows carrying
        the ring volumes as in the serial solver)
    bc : boundary specification with a condition on every face (and optionally ``"surface"``:
        Dirichlet, Neumann or Robin on the surface of the holes of ``k=Cells(values, domain=mask)``)
    k : None, positive number, positive node array of ``grid.shape``, cell values
        (:class:`fieldgrad.Cells`, holes with ``domain=`` included, or a bare array of the cell
        shape) or :class:`fieldgrad.Orthotropic` -- as in the serial solver
    screening : number >= 0 or non-negative array of ``grid.shape``
    method : {"auto", "cg"}
    rtol : float
        Target of the trapezoid-weighted relative residual ``||f - A u||_W / ||f||_W``.
    maxiter : int, optional (default 500)
    x0 : array of ``grid.shape``, optional initial guess
    callback : callable ``callback(iteration, relative_residual)``, optional
    t : float, time for time-dependent boundary values
    strict : bool -- on a singular problem, raise instead of shifting incompatible data
        (otherwise a :class:`~fieldgrad.solvers.CompatibilityWarning` says by how much)
    cycle : "V"; nu1, nu2 : int
        Smoothing sweeps before and after the coarse correction of each block V-cycle (equal:
        CG needs a symmetric preconditioner).
    fmg : None (CG takes no FMG start)
    backend : None or "cpu"
    contact : None or :class:`fieldgrad.Contact` -- interface resistance, as in the serial solver
    fixed, fixed_value : held regions (a boolean mask and its values), as in the serial solver
    comm : mpi4py communicator (default ``COMM_WORLD``)
    dims : ranks per axis (default from ``MPI.Compute_dims``)
    raise_on_failure : bool
    coarse : bool
        Add the coarse-grid correction (default); False leaves block-multigrid Jacobi (for
        comparison: its iteration count grows with the rank count).
    coarse_shape : tuple of int, optional
        Nodes per axis of the coarse grid (default about 65^2 in 2D, 17^3 in 3D, at least two
        coarse cells per rank along each axis).
    nu : int, optional
        Deprecated spelling of ``nu1 = nu2 = nu``.
    overlap : int
        Layers each rank's subdomain borrows from its neighbours (0: non-overlapping blocks).
        More overlap means fewer CG iterations across rank cuts, for a larger local problem and
        wider halo messages in the preconditioner.

    Returns
    -------
    PoissonPart
        A :class:`fieldgrad.PoissonResult` whose ``u`` (also ``data``) is this rank's block of
        the solution (:func:`fieldgrad.distributed.gather` assembles it); ``residuals`` start
        with the initial residual; ``info`` holds ``iterations``, ``residuals``, ``converged``,
        ``method``, ``dims`` and, on singular problems (no Dirichlet/Robin face, no screening),
        ``compatibility_shift`` (``f`` is shifted to be compatible and the solution has zero
        weighted mean, as in the serial solver).

    Raises
    ------
    ConvergenceError
        Not converged in ``maxiter`` iterations (``result`` holds the PoissonPart).
    NonFiniteError
        The CG residual became non-finite (data overflowing the float64 range).

    Example
    -------
    >>> part = solve_poisson(f, grid, {"*": Dirichlet(0)}, comm=MPI.COMM_WORLD)   # doctest: +SKIP
    >>> u = gather(part)                                                        # doctest: +SKIP
    """
    if not isinstance(rtol, numbers.Real) or not 0 < rtol < 1:
        raise ParameterError(f"rtol must be a number in (0, 1); got {rtol!r}")
    wall0 = time.perf_counter()
    if method not in ("auto", "cg"):
        raise ParameterError(f"method must be 'auto' or 'cg' in fieldgrad.distributed.solve_poisson (Schwarz-"
                             f"preconditioned CG); got {method!r}")
    if cycle != "V" or fmg not in (None, False):
        raise ParameterError(f"the distributed preconditioner is one V-cycle per block: cycle must be 'V' and fmg "
                             f"None; got cycle={cycle!r}, fmg={fmg!r}")
    if backend not in (None, "cpu"):
        raise BackendError(f"fieldgrad.distributed.solve_poisson runs on the CPU of every rank; got backend={backend!r}")
    if nu is not None:
        warnings.warn("nu= is deprecated; give nu1= and nu2= (equal) as in fieldgrad.solve_poisson",
                      DeprecationWarning, stacklevel=2)
        nu1 = nu2 = nu
    for name, value in (("nu1", nu1), ("nu2", nu2)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ParameterError(f"{name} must be an integer >= 1; got {value!r}")
    if nu1 != nu2:
        raise ParameterError(f"nu1 and nu2 must be equal (CG needs a symmetric preconditioner); got {nu1} and {nu2}")
    nu = int(nu1)
    maxiter = 500 if maxiter is None else maxiter
    if not isinstance(overlap, numbers.Integral) or overlap < 0:
        raise ParameterError(f"overlap must be an integer >= 0; got {overlap!r}")
    if not isinstance(maxiter, numbers.Integral) or maxiter < 1:
        raise ParameterError(f"maxiter must be a positive integer; got {maxiter!r}")
    if _needs_links(k, grid, bc, contact, fixed, fixed_value):
        return solve_links(f, grid, bc, k=k, screening=screening, contact=contact, fixed=fixed,
                           fixed_value=fixed_value, rtol=rtol, maxiter=maxiter, x0=x0, callback=callback, t=t,
                           strict=strict, raise_on_failure=raise_on_failure, nu=nu, comm=comm, dims=dims,
                           coarse=coarse, coarse_shape=coarse_shape, overlap=overlap)
    out_dtype = np.asarray(f).dtype if np.asarray(f).dtype == np.float32 else np.float64
    f = as_field(f, grid, "f", dtype=np.float64, check_finite=True)
    setup = _SETUPS.get((grid, bc, k, screening, comm, dims, coarse, coarse_shape, overlap, nu), _build_setup)
    dec, ops, fixed, w, pre, singular = setup.dec, setup.ops, setup.fixed, setup.w, setup.pre, setup.singular
    op = _NodeOperator(ops, setup.hops, setup.scr, fixed, t)
    cops = _WeightedOps(dec, op, pre, w, singular)

    x = dec.local(np.zeros(grid.shape) if x0 is None else as_field(x0, grid, "x0", dtype=np.float64))
    b = -dec.local(f)  # CG solves A x = -f, A = -(div k grad - screening) positive
    b[fixed] = 0.0
    info = {"method": "CG, two-level additive Schwarz (block V-cycles + coarse grid)" if coarse else
            "CG, block-Jacobi with one V-cycle per block", "dims": dec.dims,
            "coarse_shape": pre.coarse.shape if coarse else None}
    r = op.residual(x, b, np.empty_like(x))  # imposes the Dirichlet values into x
    if singular:
        s, sabs = -dec.allreduce(float(np.sum(w * r))), dec.allreduce(float(np.sum(w * np.abs(r))))
        shift = s / cops.wsum
        info["compatibility_shift"] = shift
        if abs(s) > 1e-10 * max(sabs, 1e-300):
            msg = (f"singular problem (no Dirichlet/Robin face, no screening): the data are incompatible "
                   f"(relative {abs(s) / max(sabs, 1e-300):.2e}); f was shifted by {-shift:.3e} to make it compatible")
            if strict:
                raise ParameterError(msg.replace("f was shifted", "strict=True forbids shifting f; it would be shifted"))
            warnings.warn(msg, CompatibilityWarning, stacklevel=2)
        cops.project(r)  # the shift: cg projects its residual the same way
    bnorm = cops.norm(b) or 1.0
    residuals = [cops.norm(r) / bnorm]  # documented: the history starts with the initial residual
    if not np.isfinite(residuals[0]):  # cg would report a non-finite p.Ap as a breakdown, not as this
        raise NonFiniteError(f"CG residual became non-finite at iteration 0 (the initial residual, {residuals[0]}); "
                             "accepted: f, x0 and boundary values well inside the float64 range (rescale the units)")
    it, converged = 0, residuals[0] <= rtol
    if not converged:
        it, history, converged = cg(cops, x, b, rtol, maxiter, bnorm, callback=callback)
        residuals += history
        if history and not np.isfinite(history[-1]):
            raise NonFiniteError(f"CG residual became non-finite at iteration {it}")
    ops.impose(x, t)
    if singular:
        x -= dec.allreduce(float(np.sum(w * x))) / cops.wsum
    info.update(iterations=it, residuals=residuals, converged=converged)
    part = PoissonPart(x.astype(out_dtype, copy=False), "cg-schwarz", it, residuals, converged,
                       time.perf_counter() - wall0, info, slices=dec.slices, global_shape=grid.shape)
    if not converged and raise_on_failure:
        raise ConvergenceError(f"distributed CG did not reach rtol={rtol:g} in {it} iterations; last relative "
                               f"residual {residuals[-1]:.3e}", residuals=residuals, result=part)
    return part
