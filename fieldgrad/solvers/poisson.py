"""Front door: ``solve_poisson`` and the reusable ``PoissonSolver`` (results: :mod:`.result`).

Computation is in float64; the solution is returned in the dtype of ``f`` (float32 stays float32).
"""
from __future__ import annotations

import numbers
import time

import numpy as np

from ..grid import require_grid
from ..threads import serial_if_small
from ..errors import ConvergenceError, NonFiniteError, ParameterError, ShapeError
from .direct import direct_solve
from .discretize import check_domain_parts, check_rhs, pad3, unpad
from .filled_holes import exact_level, soft_problem
from .held import HeldProblem, make_problem
from .krylov import pcg
from .multigrid import Hierarchy, mg_iterate
from .result import PoissonResult, compatibility_shift, warn_if_undetermined
from .setup_cache import SetupCache
from .spectral import spectral_kinds, spectral_solve

METHODS = ("auto", "multigrid", "cg", "spectral", "direct")


def prepared_rhs(prob, f, t, fixed_value, strict):
    """The right-hand side a solve of ``prob`` iterates on: ``Problem.rhs`` (with the held values
    of a :class:`~fieldgrad.solvers.held.HeldProblem`), made compatible on a singular problem
    (shifted by the weighted mean, a warning or with ``strict`` an error).  Serial and distributed
    solves share it.

    Returns
    -------
    b, ud : float64 arrays of ``shape3`` -- right-hand side and start values (Dirichlet/held)
    held_values : the values on ``prob.held_all`` (None without held nodes)
    info : dict -- ``compatibility_shift`` on singular problems
    """
    from .held import HeldProblem

    held_values = None
    if isinstance(prob, HeldProblem):
        b, ud = prob.rhs(f, t, fixed_value)
        held_values = ud[prob.held_all]
    elif fixed_value is not None:
        raise ParameterError("fixed_value was given but no held region: pass fixed (a boolean mask) too")
    else:
        b, ud = prob.rhs(f, t)
    info = {}
    if prob.singular:
        grid = prob.grid
        bmax = float(np.max(np.abs(b)))
        s, sabs, wsum = prob.compatibility(b)
        shift = compatibility_shift(s, sabs, wsum, strict=strict,
                                    integral=s * grid.cell_volume * (2 * np.pi if grid.cylindrical else 1.0))
        info["compatibility_shift"] = shift
        b -= shift * prob.capacity_factor()
        warn_if_undetermined(float(np.max(np.abs(b))), bmax)
    return b, ud, held_values, info


class PoissonSolver:
    """A Poisson problem set up once (multigrid hierarchy, factorisation) and solved for many
    right-hand sides, e.g. every implicit heat step.

    Parameters
    ----------
    grid : Grid
    bc : boundary specification (a condition on every face; values may depend on ``t``)
    k : None, number > 0, node array, cell values or Orthotropic (see :func:`solve_poisson`)
    screening : number >= 0 or non-negative array
    method : one of "auto", "multigrid", "cg", "spectral", "direct"
    cycle : "V", "W" or "F"; nu1, nu2 : smoothing sweeps; fmg : bool (full-multigrid start of
        "multigrid" and "cg"; default: when no ``x0`` is given)
    coarse_size : int -- stop coarsening at this many nodes (then a sparse LU solve)
    omega : float or None -- over-relaxation of the constant-coefficient red-black smoother
        (None: 1.2 in 3D, 1.15 in 2D; 1.0 is plain Gauss-Seidel)
    contact : None or :class:`~fieldgrad.materials.Contact` (see :func:`solve_poisson`)
    fixed : None or boolean array of ``grid.shape`` -- nodes held at a value (electrodes, held
        temperatures; :mod:`.held`); the values come with each :meth:`solve` (``fixed_value``),
        so one setup serves any electrode potentials.  Needs method "auto" (then MG-CG),
        "multigrid", "cg" or "direct".

    Example
    -------
    >>> s = PoissonSolver(fg.Grid((17, 17)), fg.Dirichlet(0.0), method="multigrid")
    >>> s.solve(np.ones((17, 17))).converged
    True
    """

    def __init__(self, grid, bc, k=None, screening=0.0, method="auto", *, cycle="V", nu1=2, nu2=2, fmg=None,
                 coarse_size=3000, omega=None, contact=None, fixed=None):
        if method not in METHODS:
            raise ParameterError(f"method must be one of {METHODS}; got {method!r}")
        if cycle not in ("V", "W", "F"):
            raise ParameterError(f"cycle must be 'V', 'W' or 'F'; got {cycle!r}")
        for name, v in (("nu1", nu1), ("nu2", nu2)):
            if not isinstance(v, numbers.Integral) or v < 0:
                raise ParameterError(f"{name} must be an integer >= 0; got {v!r}")
        self.grid = grid
        self.prob = make_problem(grid, bc, k, screening, contact, fixed)
        self.held = isinstance(self.prob, HeldProblem)  # a fixed mask or a Dirichlet surface
        if self.prob.phi3 is not None:  # a steady state needs every part of a domain with holes anchored
            check_domain_parts(self.prob)
        if self.held and method == "spectral":
            raise ParameterError("method='spectral' does not take held regions (fixed); accepted with fixed: "
                                 "'auto', 'multigrid', 'cg', 'direct'")
        if method == "auto":
            if self.held:
                method = "cg"
            elif spectral_kinds(self.prob) is not None:
                method = "spectral"
            elif self.prob.k_const is not None:
                method = "multigrid"
            else:
                method = "cg"
        if method == "spectral" and spectral_kinds(self.prob) is None:
            raise ParameterError("method='spectral' needs constant k and screening and, per axis, Dirichlet on "
                                 "both faces, Neumann on both faces or periodic; got "
                                 f"{self.prob.bcs.kinds()} with k {'array' if self.prob.k_const is None else 'constant'}")
        self.method = method
        self.cycle, self.nu1, self.nu2 = cycle, nu1, nu2
        self.fmg = fmg
        if omega is not None and not (isinstance(omega, numbers.Real) and 0.0 < omega < 2.0):
            raise ParameterError(f"omega must be a number in (0, 2); got {omega!r}")
        self.hier = self.level0 = None
        if method == "cg" and self.prob.phi3 is not None and int(np.prod(self.prob.shape3)) > coarse_size:
            # holes: the exact operator has decoupled rows outside the domain, which Galerkin coarse
            # levels cannot represent (MG-CG iterations grew as sqrt(n): 17, 29, 45, 67 from 129^2 to
            # 1025^2 on a finned plate); the preconditioner is the hierarchy of the same problem
            # with the holes filled by a 1e-8 conductor (10-13 iterations at every size; 1e-4: 14-24,
            # 1e-2: 77-158), CG runs on the exact operator.  (A grid of at most coarse_size nodes is
            # one level: the exact problem's LU.)
            sprob = soft_problem(self.prob, bc, k, screening, contact, fixed)
            # in 2D no work outside the domain: the hierarchy of the active sub-problem (the row
            # kernels of mg_links_2d), and CG lives on the inside nodes
            inside = ~self.prob.outside3.reshape(self.prob.shape3[:2]) if self.prob.shape3[2] == 1 else None
            self.hier = Hierarchy(sprob, coarse_size=coarse_size, omega=omega, active=inside)
            self.level0 = exact_level(self.prob, sprob)
            if self.hier.levels[0].active is not None:
                self.level0.set_active(inside, self.hier.levels[0].segs)
        elif method in ("multigrid", "cg"):
            self.hier = Hierarchy(self.prob, coarse_size=coarse_size, omega=omega)

    def solve(self, f, *, t=0.0, rtol=1e-8, maxiter=None, x0=None, callback=None, strict=False,
              raise_on_failure=True, check_finite=True, fixed_value=None):
        """Solve for one right-hand side; see :func:`solve_poisson` for the parameters
        (``fixed_value``: the held values, needed exactly when the solver was built with ``fixed``).
        A grid of fewer than :data:`fieldgrad.threads.SERIAL_BELOW` nodes is solved on one thread.

        Returns
        -------
        PoissonResult
        """
        with serial_if_small(self.grid.size):
            return self._solve(f, t, rtol, maxiter, x0, callback, strict, raise_on_failure, check_finite,
                               fixed_value)

    def _solve(self, f, t, rtol, maxiter, x0, callback, strict, raise_on_failure, check_finite, fixed_value):
        t0 = time.perf_counter()
        grid, prob = self.grid, self.prob
        f = check_rhs(f, grid, "f", check_finite)
        out_dtype = f.dtype if f.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        if not isinstance(rtol, numbers.Real) or not (0.0 < rtol < 1.0):
            raise ParameterError(f"rtol must be a number in (0, 1); got {rtol!r}")
        if maxiter is not None and (not isinstance(maxiter, numbers.Integral) or maxiter < 1):
            raise ParameterError(f"maxiter must be a positive integer or None; got {maxiter!r}")
        b, ud, held_values, info = prepared_rhs(prob, f, t, fixed_value, strict)  # (ud becomes the iterate below)
        u = ud  # (no copy: ud is not needed apart from u once the solve starts, see below)
        if x0 is not None:
            x0 = np.asarray(x0)
            if x0.shape != grid.shape:
                raise ShapeError(f"x0 has shape {x0.shape}; the grid needs {grid.shape}")
            fixed = prob.fixed_mask()
            u = np.where(fixed, ud, pad3(np.asarray(x0, dtype=np.float64), grid.ndim))
            if self.held:
                u[prob.held_all] = held_values
        method = self.method
        residuals, it, converged = [], 0, True
        if method == "direct":
            u = direct_solve(prob, b)
        elif method == "spectral":
            u = spectral_solve(prob, b, ud, overwrite=True)
        else:
            hier = self.hier
            bnorm = (self.level0 or hier.levels[0]).residual_norm(ud, b)
            use_fmg = (x0 is None) if self.fmg is None else self.fmg
            fsrc = None
            if use_fmg:
                fixed = prob.fixed_mask()
                fsrc = (fixed, pad3(np.asarray(f, dtype=np.float64), grid.ndim)[fixed])
            if method == "multigrid":
                it, residuals, converged = mg_iterate(hier, u, b, rtol, maxiter or 50, cycle=self.cycle,
                                                      nu1=self.nu1, nu2=self.nu2, callback=callback, fmg=use_fmg,
                                                      f_source=fsrc, ud=ud, bnorm=bnorm)
            else:
                it, residuals, converged = self._cg(u, b, ud, fsrc, rtol, maxiter or 200, callback, bnorm)
            info["levels"] = [lev.shape[: grid.ndim] for lev in hier.levels]
        if prob.outside3 is not None:
            # no unknowns there: 0 with every method (iterates carry round-off, a Dirichlet face its
            # value, the direct solve -0.0)
            u[prob.outside3] = 0.0
        if prob.singular:
            w = grid.quadrature_weights()
            uu = unpad(u, grid.shape)
            u = u - float(np.sum(w * uu) / np.sum(w))
        if self.held:  # exact values (the iteration keeps them; a stopped or direct solve may not)
            u[prob.held_all] = held_values
        with np.errstate(over="ignore", invalid="ignore"):
            uu = unpad(u, grid.shape).astype(out_dtype, copy=False)
        if check_finite and not np.all(np.isfinite(uu)):
            raise NonFiniteError(f"the {method} solution holds {int(np.sum(~np.isfinite(uu)))} non-finite values from "
                                 f"finite data: f (largest |f| {float(np.max(np.abs(f))):.3g}) or the boundary values "
                                 f"overflow {out_dtype} arithmetic; accepted: data well inside the {out_dtype} range "
                                 "(rescale the units)")
        result = PoissonResult(uu, method, it, residuals, converged, time.perf_counter() - t0, info)
        if not converged and raise_on_failure:
            last = residuals[-1] if residuals else float("nan")
            raise ConvergenceError(f"{method} did not reach rtol={rtol:g} in {it} iterations; last relative "
                                   f"residual {last:.3e}", residuals=residuals, result=result)
        return result


    def _cg(self, u, b, ud, fsrc, rtol, maxiter, callback, bnorm):
        """MG-CG, started (when ``fsrc`` is given) from one full-multigrid pass of the preconditioner's
        hierarchy, which counts as the first iteration as in :func:`mg_iterate`: on the 1025^2 finned
        plate with holes 7 CG iterations follow it instead of 12 from zero."""
        hier, lev = self.hier, self.level0 or self.hier.levels[0]
        done, history = 0, []
        if fsrc is not None and bnorm > 0.0 and maxiter > 1:
            hier.fmg(u, b, fsrc, ud, self.cycle, self.nu1, self.nu2)
            if self.level0 is not None:
                u[self.prob.outside3] = 0.0  # the filled holes' values are no unknowns of the exact problem
            done, history = 1, [lev.residual_norm(u, b) / bnorm]
            if callback is not None:
                callback(1, history[0])
            if history[0] <= rtol:
                return 1, history, True
        cb = callback if callback is None or not done else (lambda i, r: callback(i + done, r))
        it, residuals, converged = pcg(hier, u, b, rtol, maxiter - done, callback=cb, nu=max(1, self.nu1),
                                       bnorm=bnorm, level=self.level0)
        return it + done, history + residuals, converged


_SETUPS = SetupCache(4)


def _cached_solver(grid, bc, k, screening, method, opts):
    """The :class:`PoissonSolver` for these values, reused while they stay equal (see
    :mod:`.setup_cache`: the key is the values, so an array changed in place gets a new setup;
    ``opts`` holds the keyword options, ``contact`` among them)."""
    return _SETUPS.get((grid, bc, k, screening, method, opts),
                       lambda g, b, kk, s, m, o: PoissonSolver(g, b, kk, s, m, **o))


def _on_device(f):
    """True when ``f`` is a GPU array (not a NumPy one)."""
    return hasattr(f, "__cuda_array_interface__") and not isinstance(f, np.ndarray)


def _wants_cuda(backend, f):
    """True when ``backend`` (or the process default, or a device-array ``f``) selects CUDA."""
    on_device = _on_device(f)
    from ..backends import get_backend, resolve_backend

    if backend is None:
        return on_device or get_backend() == "cuda"
    return resolve_backend(backend) == "cuda"


def solve_poisson(f, grid, bc, *, k=None, screening=0.0, method="auto", rtol=1e-8, maxiter=None, x0=None,
                  callback=None, t=0.0, strict=False, raise_on_failure=True, cycle="V", nu1=2, nu2=2, fmg=None,
                  backend=None, contact=None, fixed=None, fixed_value=None):
    """Solve ``div(k grad u) - screening*u = f`` on ``grid`` with boundary conditions ``bc``.

    Parameters
    ----------
    f : ndarray of ``grid.shape`` (float32 or float64; the solution has the same dtype, the
        computation is float64)
    grid : Grid
    bc : boundary specification: a condition on every face, any mix of kinds
    k : the conductivity: None (1), a number > 0, a positive array of ``grid.shape`` (node
        values, *node-sampled*: each link takes the harmonic mean of its two nodes, so an
        interface on a grid line is first order), cell values (``fieldgrad.Cells(values)``, or a
        bare array of the cell shape -- ``n - 1`` per non-periodic axis, ``n`` per periodic
        one -- where that differs from ``grid.shape``: each link takes the mean of the cells
        around its face, second order at an interface on a grid line), or
        ``fieldgrad.Orthotropic(kx, ky[, kz])`` with one of those per axis
    screening : number >= 0 or non-negative array of ``grid.shape``
    contact : None or ``fieldgrad.Contact(regions, resistance)`` -- an interface resistance per
        unit area in series with every link joining nodes of different ``regions`` labels
    method : "auto" (spectral where it applies, else multigrid for constant k, else MG-CG; MG-CG
        with ``fixed``), "multigrid", "cg", "spectral", "direct"
    rtol : float in (0, 1) -- relative residual target of the iterative methods
    maxiter : int, optional (defaults: 50 cycles, 200 CG iterations)
    x0 : ndarray, optional initial guess (Dirichlet nodes are overwritten by the values)
    callback : callable ``callback(iteration, relative_residual)``, optional
    t : float -- time for time-dependent boundary values
    strict : bool -- on a singular problem, raise instead of projecting incompatible data
    raise_on_failure : bool -- False returns ``converged=False`` instead of raising
    cycle, nu1, nu2, fmg : multigrid cycle ("V", "W", "F"), sweeps, FMG start of "multigrid" and "cg"
        (default: when no x0; it counts as the first iteration)
    backend : None, "cpu" or "cuda" -- None follows :func:`fieldgrad.get_backend` (a GPU array
        ``f`` selects CUDA); on CUDA, :func:`fieldgrad.solvers.cuda_poisson.solve` runs V-cycles
        (constant coefficients) or V-cycle-preconditioned CG (array ``k``/screening) and ``u`` is
        a device array; ``method`` must then be "auto", "multigrid" or "cg"
    fixed : None or boolean array of ``grid.shape`` -- nodes held at ``fixed_value``
        (electrodes, held temperatures), eliminated inside the multigrid operator
        (:mod:`fieldgrad.solvers.held`); solved by MG-CG or multigrid, never by a direct fallback.
        A held region makes a flux-only problem non-singular.  On CUDA the device multigrid
        reads the same eliminated rows (``f`` is zeroed on the held nodes on the host).
    fixed_value : number or array of ``grid.shape`` -- the held values (read on ``fixed``);
        needed exactly when ``fixed`` is given

    Returns
    -------
    PoissonResult

    Raises
    ------
    ShapeError, ParameterError, NonFiniteError, BoundaryError, ConvergenceError

    With only flux conditions (Neumann/periodic faces) and no screening the solution is defined up
    to a constant: the zero-mean one is returned, and when the data are zero (so that constant is
    all there is) an :class:`~fieldgrad.errors.UndeterminedLevelWarning` says so.

    Setups (multigrid hierarchy, coarse factorisation) are cached for the last few
    (grid, bc, k, screening, method) combinations, compared by value (arrays and boundary
    dicts changed in place give a new setup; callables are compared by identity and must be
    pure), so calling this every time step with the same data costs only the solve and a
    comparison.

    Example
    -------
    >>> g = fg.Grid((33, 33))
    >>> res = solve_poisson(np.ones(g.shape), g, fg.Dirichlet(0.0), method="multigrid")
    >>> res.converged, res.method
    (True, 'multigrid')
    """
    if _wants_cuda(backend, f):
        if method not in ("auto", "multigrid", "cg"):
            raise ParameterError(f"method={method!r} is not available with backend='cuda'; "
                                 "accepted there: 'auto', 'multigrid', 'cg'")
        from . import cuda_poisson

        return cuda_poisson.solve(f, grid, bc, k=k, screening=screening, rtol=rtol, maxiter=maxiter, x0=x0, t=t,
                                  callback=callback, raise_on_failure=raise_on_failure, strict=strict,
                                  method=method, nu1=nu1, nu2=nu2, contact=contact, fixed=fixed,
                                  fixed_value=fixed_value)
    require_grid(grid)
    opts = dict(cycle=cycle, nu1=nu1, nu2=nu2, fmg=fmg, contact=contact, fixed=fixed)
    solver = _cached_solver(grid, bc, k, screening, method, opts)
    return solver.solve(f, t=t, rtol=rtol, maxiter=maxiter, x0=x0, callback=callback, strict=strict,
                        raise_on_failure=raise_on_failure, fixed_value=fixed_value)
