"""``solve_poisson`` on the GPU: ``div(k grad u) - screening*u = f`` with any boundary conditions.

:func:`solve` is what ``fieldgrad.solve_poisson(..., backend="cuda")`` calls.  It builds the
same discrete system as the CPU solvers (:class:`fieldgrad.solvers.discretize.Problem`), so it
agrees with ``solve_poisson(method="direct")`` to the solver tolerance, and picks:

* ``"multigrid-cuda"`` -- the fast constant-coefficient path of
  :mod:`.cuda_multigrid` when ``k`` and ``screening`` are numbers, every face is Dirichlet and
  every axis has ``2^m + 1`` nodes and the spacing is nearly isotropic (``hmax^2 <= 2 hmin^2``);
* ``"multigrid-cuda"`` V-cycles on explicit-stencil levels (:class:`.cuda_stencil_mg.StencilMG`)
  for other constant-coefficient problems (Neumann, Robin, periodic, mixed faces, any size,
  anisotropic spacing: the CPU hierarchy's semi-coarsening);
* ``"cg-cuda"`` -- conjugate gradients in the trapezoid-weighted inner product, preconditioned by
  one symmetric V-cycle, when ``k`` or ``screening`` is an array (Galerkin coarse operators).

Holes (``Cells(..., domain=)``): the source is weighted by each node's inside fraction on the
host (:meth:`~fieldgrad.solvers.discretize.Problem.capacity_factor`, as ``Problem.rhs`` does),
the outside nodes' decoupled rows are those of ``Problem.stencil7`` and hold 0 in the result, and
a part of the domain with no anchor is refused as on the CPU.  MG-CG is preconditioned, as on
the CPU, by the V-cycles of the problem with the holes filled by a 1e-8 conductor and runs CG on
the problem itself (a finned plate in the simulator, 40-node coarse level, ``rtol=1e-10``: 11, 10,
10 iterations at 17^2, 33^2, 65^2, the CPU 10, 10, 9; the hierarchy of the problem itself grows
as ``sqrt(n)`` on such plates, 17 to 67 from 129^2 to 1025^2 on the CPU).  ``method="multigrid"``
cycles the problem's own hierarchy.

Singular problems (no Dirichlet face, Robin ``alpha = 0``, no screening) are treated as on the
CPU: incompatible data are projected (with a
:class:`~fieldgrad.solvers.poisson.CompatibilityWarning`, or a
:class:`~fieldgrad.errors.ParameterError` when ``strict``) and the result has zero weighted mean.
Setups (host hierarchy, coarse LU, device coefficient arrays) are cached for the last few
``(grid, bc object, k object, screening object, dtype)``; do not modify a cached ``k`` in place.

Example
-------
>>> if fg.backends.cuda_available():
...     res = solve(np.ones((9, 9)), fg.Grid((9, 9)), fg.Neumann(0.5))
"""
from __future__ import annotations

import numbers
import time

import numpy as np

from .. import boundary as _bnd
from ..errors import ConvergenceError, ParameterError
from ..backends import cuda as _cu
from ..kernels.cuda_bc import view_shape
from ..kernels.cuda_ops import check_positive_device
from .cuda_stencil_mg import StencilMG
from .krylov import cg
from .multigrid import cycle_until
from .setup_cache import SetupCache

__all__ = ["solve"]

_CACHE = []
_CACHE_SIZE = 4
_SETUPS = SetupCache(_CACHE_SIZE)


def _host_coefficient(value, name, positive):
    """Device coefficient arrays are checked on the device and copied to the host for the setup."""
    if value is not None and _cu.is_device_array(value):
        d = _cu.as_device(value, name)
        if positive:
            check_positive_device(d, name)
        return d.copy_to_host()
    return value


def _setup(grid, bc, k, screening, dtype, coarse_size, contact=None, fixed=None, soft_holes=True):
    """The stencil multigrid for these values (compared by value, see
    :mod:`fieldgrad.solvers.setup_cache`; device coefficient arrays are checked on the device).
    With holes and ``soft_holes`` (MG-CG), the V-cycles are those of the problem with the holes
    filled by a weak conductor, as on the CPU; plain multigrid cycles need the problem's own."""
    from .held import make_problem

    def build(grid, bc, k, screening, dtype, coarse_size, contact, fixed, soft_holes):
        from .discretize import check_domain_parts
        from .filled_holes import soft_problem

        prob = make_problem(grid, bc, k, screening, contact, fixed)
        sprob = None
        if prob.phi3 is not None:  # holes: every part of the domain must be anchored, as on the CPU
            check_domain_parts(prob)
            if soft_holes and int(np.prod(prob.shape3)) > coarse_size:  # (else one level: the exact LU)
                sprob = soft_problem(prob, bc, k, screening, contact, fixed)
        mg = StencilMG(prob, np.dtype(dtype), coarse_size, precond=sprob)
        mg.rhs_cache = {}
        return mg

    k, screening = _host_coefficient(k, "k", True), _host_coefficient(screening, "screening", False)
    return _SETUPS.get((grid, bc, k, screening, np.dtype(dtype).str, coarse_size, contact, fixed, bool(soft_holes)),
                       build)


def _host_rhs(fd, prob):
    """``f`` as the rows need it: zero on held nodes (their rows take the held values alone) and
    times :meth:`~fieldgrad.solvers.discretize.Problem.capacity_factor` (the ring-volume factor of
    a cylindrical grid, the inside fraction of a domain with holes) -- done on the host (a round
    trip of the device ``fd``); ``fd`` itself when neither applies."""
    c = prob.capacity_factor()
    held = getattr(prob, "held_all", None)  # the user's mask and the nodes of a Dirichlet surface
    if held is None and np.ndim(c) == 0:
        return fd
    out = fd.copy_to_host()
    if held is not None:
        out[held.reshape(out.shape)] = 0.0
    if np.ndim(c):
        out *= np.broadcast_to(c, prob.shape3).reshape(out.shape)
    return _cu.as_device(out, "f")


def _boundary_data(mg, t, fixed_value=None):
    """Device arrays ``b0`` (Neumann/Robin data terms, Dirichlet values on fixed nodes; with held
    regions their rows and couplings) and ``ud`` (Dirichlet and held values, zeros elsewhere);
    cached unless a condition holds arrays or values are held."""
    prob = mg.prob
    held = hasattr(prob, "held_all")
    cacheable = not held and all(c is None or not any(isinstance(getattr(c, fld), np.ndarray) for fld in c._fields)
                                 for c in prob.bcs.faces.values())
    key = t if prob.bcs.time_dependent else None
    if cacheable and key in mg.rhs_cache:
        return mg.rhs_cache[key]
    zero = np.zeros(prob.grid.shape)
    b0, ud = prob.rhs(zero, t, fixed_value) if held else prob.rhs(zero, t)
    out = (_cu.as_device(b0.astype(mg.dtype), "b0"), _cu.as_device(ud.astype(mg.dtype), "ud"))
    if cacheable:
        if len(mg.rhs_cache) >= 2:
            mg.rhs_cache.pop(next(iter(mg.rhs_cache)))
        mg.rhs_cache[key] = out
    return out


def _fast_path(grid, bc, k, screening, method):
    from .cuda_multigrid import _coarsenable

    if method not in ("auto", "multigrid") or any(grid.periodic):
        return False
    live = [h for h, n in zip(grid.spacing, grid.shape) if n > 1]
    if max(live) ** 2 > 2.0 * min(live) ** 2:
        # full coarsening stalls on anisotropic spacing: the stencil levels semi-coarsen
        return False
    if not (k is None or (isinstance(k, numbers.Real) and not _cu.is_device_array(k))):
        return False
    if not (isinstance(screening, numbers.Real) or screening is None):
        return False
    bcs = _bnd.resolve_bc(bc, grid)
    if set(bcs.faces) != set(grid.faces) or not all(isinstance(c, _bnd.Dirichlet) for c in bcs.faces.values()):
        return False
    return _coarsenable(view_shape(grid.shape))


def _fast_solver(grid, dtype, k, screening):
    from .cuda_multigrid import CudaMultigrid

    key = ("fast", grid, np.dtype(dtype).str, float(k), float(screening))
    for entry in _CACHE:
        if entry[0] == key:
            return entry[4]
    mg = CudaMultigrid(grid, dtype, k, screening)
    _CACHE.insert(0, (key, None, None, None, mg))
    del _CACHE[_CACHE_SIZE:]
    return mg


def solve(f, grid, bc, *, k=None, screening=0.0, rtol=1e-8, maxiter=None, x0=None, t=0.0, callback=None,
          raise_on_failure=True, method="auto", strict=False, nu1=2, nu2=2, coarse_size=3000, check_finite=True,
          contact=None, fixed=None, fixed_value=None):
    """Solve ``div(k grad u) - screening*u = f`` on the GPU.

    Parameters
    ----------
    f : array of ``grid.shape``: NumPy (copied), Numba device or CuPy array; float32 or float64
        (the device work arrays and the solution have its dtype)
    grid : Grid
    bc : boundary specification, any kinds per face (Dirichlet, Neumann, Robin, Periodic)
    k : None, number > 0, or positive array (host or device; device arrays are checked on the
        device, then copied to the host once for the multigrid setup)
    screening : number >= 0 or non-negative array
    rtol : float in (0, 1) -- stop when ``||b - A u|| <= rtol ||b - A u_D||`` (2-norms, ``u_D`` the
        Dirichlet values and zeros elsewhere), as on the CPU
    maxiter : int, optional (50 V-cycles or 200 CG iterations)
    x0 : array, optional initial guess (Dirichlet nodes get their values)
    t : float -- time for time-dependent boundary values
    callback : callable ``callback(iteration, relative_residual)``, optional
    raise_on_failure : bool -- False returns ``converged=False`` instead of raising
    method : "auto" (multigrid for constant coefficients, CG for arrays), "multigrid" or "cg"
    strict : bool -- singular problems: raise instead of projecting incompatible data
    nu1, nu2 : int -- smoothing sweeps (CG preconditioner: ``nu1`` each side)
    coarse_size : int -- levels at or below this many nodes are solved on the host (sparse LU)
    check_finite : bool -- check ``f`` for NaN/inf on the device

    Returns
    -------
    fieldgrad.solvers.poisson.PoissonResult
        ``u`` is a Numba device array of ``grid.shape``; ``method`` is ``"multigrid-cuda"`` or
        ``"cg-cuda"``; ``info["backend"] == "cuda"``.

    Raises
    ------
    ShapeError, ParameterError, NonFiniteError, BoundaryError, ConvergenceError

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     g = fg.Grid((9, 9))
    ...     res = solve(np.ones(g.shape), g, {"x": fg.Dirichlet(0.0), "*": fg.Neumann(0.0)}, k=2.0)
    ...     u = res.u.copy_to_host()
    """
    from .result import PoissonResult, compatibility_shift, warn_if_undetermined
    from ..kernels.cuda_ops import check_finite_device, device_copy
    t0 = time.perf_counter()
    if method not in ("auto", "multigrid", "cg"):
        raise ParameterError(f"method must be 'auto', 'multigrid' or 'cg' with backend 'cuda'; got {method!r}")
    if not isinstance(rtol, numbers.Real) or not (0.0 < rtol < 1.0):
        raise ParameterError(f"rtol must be a number in (0, 1); got {rtol!r}")
    if maxiter is not None and (not isinstance(maxiter, numbers.Integral) or maxiter < 1):
        raise ParameterError(f"maxiter must be a positive integer or None; got {maxiter!r}")
    for name, v in (("nu1", nu1), ("nu2", nu2)):
        if not isinstance(v, numbers.Integral) or v < 0:
            raise ParameterError(f"{name} must be an integer >= 0; got {v!r}")
    cylindrical = getattr(grid, "cylindrical", False)
    if fixed is not None:
        from .held import check_fixed

        fixed = check_fixed(fixed, grid)
    elif fixed_value is not None:
        raise ParameterError("fixed_value was given but no held region: pass fixed (a boolean mask) too")
    fd = _cu.as_device(f, "f", shape=grid.shape)
    dtype = np.dtype(fd.dtype)
    if check_finite:
        check_finite_device(fd, "f")
    if contact is None and fixed is None and not cylindrical and _fast_path(grid, bc, k, screening, method):
        from .cuda_multigrid import solve_poisson_cuda

        kk = 1.0 if k is None else float(k)
        ss = 0.0 if screening is None else float(screening)
        if not np.isfinite(kk) or kk <= 0 or not np.isfinite(ss) or ss < 0:
            raise ParameterError(f"k must be a finite number > 0 and screening a finite number >= 0; got k={k!r}, "
                                 f"screening={screening!r}")
        return solve_poisson_cuda(fd, grid, bc, k=kk, screening=ss, rtol=rtol, maxiter=maxiter or 50, x0=x0, t=t,
                                  nu1=nu1, nu2=nu2, raise_on_failure=raise_on_failure, callback=callback,
                                  solver=_fast_solver(grid, dtype, kk, ss))

    mg = _setup(grid, bc, k, screening, dtype, coarse_size, contact, fixed, soft_holes=method != "multigrid")
    prob = mg.prob
    fd = _host_rhs(fd, prob)
    shape3 = prob.shape3
    b0, ud = _boundary_data(mg, t, fixed_value)
    b = _cu.empty(shape3, dtype)
    mg.combine(fd.reshape(*shape3), b0, 1, b)
    info = {"backend": "cuda", "levels": [s[: grid.ndim] for s in mg.shapes]}
    if prob.singular and cylindrical:
        raise ParameterError("a cylindrical problem with only flux conditions (no Dirichlet/Robin face, no "
                             "screening) is solved on the CPU only (its compatibility weights are the ring "
                             "volumes); accepted on CUDA: a Dirichlet or Robin face, or screening")
    if prob.singular:
        s, sabs = mg.wsums(b)
        size_before = mg.norm(b)
        shift = compatibility_shift(s, sabs, mg.wsum, strict=strict, integral=s * grid.cell_volume, stacklevel=3)
        info["compatibility_shift"] = shift
        mg.add_scalar(b, -shift)
        warn_if_undetermined(mg.norm(b), size_before, stacklevel=3)
    if x0 is not None:
        u = _cu.empty(shape3, dtype)
        mg.combine(_cu.as_device(x0, "x0", dtype=dtype, shape=grid.shape).reshape(*shape3), ud, 0, u)
    else:
        u = device_copy(ud)
    if method == "auto":
        method = "cg" if (prob.k_const is None or prob.s_const is None) else "multigrid"
    bnorm = mg.residual_norm(ud, b)
    if bnorm == 0.0:
        it, residuals, converged = 0, [], True
    elif method == "multigrid":
        it, residuals, converged = cycle_until(lambda: mg.cycle(u, b, 0, nu1, nu2), lambda: mg.residual_norm(u, b),
                                               bnorm, rtol, maxiter or 50, callback=callback)
    else:
        it, residuals, converged = cg(DeviceOps(mg, max(1, nu1)), u, b, rtol, maxiter or 200, bnorm,
                                      callback=callback)
    if prob.singular:
        mg.project(u)
    mg.zero_outside(u)
    result = PoissonResult(u=u.reshape(*grid.shape), method=f"{method}-cuda", iterations=it, residuals=residuals,
                           converged=converged, wall_time=time.perf_counter() - t0, info=info)
    if not converged and raise_on_failure:
        last = residuals[-1] if residuals else float("nan")
        raise ConvergenceError(f"{method}-cuda did not reach rtol={rtol:g} in {it} iterations; last relative "
                               f"residual {last:.3e}", residuals=residuals, result=result)
    return result


class DeviceOps:
    """The operations :func:`fieldgrad.solvers.krylov.cg` needs, on device arrays of a
    :class:`~fieldgrad.solvers.cuda_stencil_mg.StencilMG`: its fine-level operator, weighted
    inner product and one symmetric V-cycle as the preconditioner (as :class:`HostOps` on the CPU).

    Parameters
    ----------
    mg : StencilMG
    nu : int
        Pre- and post-smoothing sweeps of the preconditioning V-cycle.
    """

    def __init__(self, mg, nu=1):
        self.mg, self.nu = mg, nu

    def empty_like(self, x):
        return _cu.empty(x.shape, self.mg.dtype)

    def copy(self, x):
        from ..kernels.cuda_ops import device_copy

        return device_copy(x)

    def residual(self, u, b, out):
        return self.mg.operator_residual(u, b, out)

    def apply(self, x, out):
        return self.mg.operator_residual(x, x, out, use_f=False)

    def project(self, x):
        self.mg.project(x)

    def precondition(self, r, z):
        self.mg.fill(z)
        self.mg.cycle(z, r, 0, self.nu, self.nu, symmetric=True)
        self.mg.project(z)

    def dot(self, x, y):
        return self.mg.wdot(x, y)

    def norm(self, x):
        return self.mg.norm(x)

    def axpy(self, alpha, x, y):
        self.mg.axpy(alpha, x, y)

    def xpby(self, x, beta, y):
        self.mg.xpby(x, beta, y)
