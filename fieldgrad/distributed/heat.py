"""Distributed explicit heat steps: forward Euler (FTCS) and RKL2 super time stepping.

``du/dt = div(alpha grad u) + source`` on each rank's block: every right-hand-side evaluation
exchanges one halo layer and runs the serial Numba sweep on the block
(:class:`~fieldgrad.distributed.operators.BlockOperators`), so the arithmetic per node is the
serial arithmetic and the result equals the serial integration to rounding.

RKL2 (Meyer, Balsara & Aslam 2014) takes ``s`` stages of the same right-hand side per step and
is stable for ``dt <= dt_explicit * (s**2 + s - 2) / 4``.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import NonFiniteError, ParameterError, StabilityError, describe
from ..operators import as_field, check_conductivity
from .decomposition import Decomposition
from .gather import Part
from . import kernels
from .operators import BlockOperators

__all__ = ["solve_heat", "explicit_limit", "rkl2_coefficients", "rkl2_stages"]


def explicit_limit(grid, alpha_max):
    """Largest stable forward-Euler step ``1 / (2 alpha_max sum 1/h_i^2)``."""
    return 1.0 / (2.0 * float(alpha_max) * sum(1.0 / h ** 2 for h in grid.spacing))


def rkl2_stages(dt, dt_explicit):
    """Fewest RKL2 stages (at least 2) stable for the step ``dt``."""
    r = dt / dt_explicit
    s = max(2, math.ceil((-1.0 + math.sqrt(9.0 + 16.0 * r)) / 2.0 - 1e-12))
    while (s * s + s - 2) / 4.0 < r:
        s += 1
    return s


def rkl2_coefficients(s):
    """RKL2 stage coefficients ``(mu, nu, mu_tilde, gamma_tilde, c)`` for ``s`` stages.

    Stage ``j >= 2``: ``Y_j = mu_j Y_{j-1} + nu_j Y_{j-2} + (1 - mu_j - nu_j) Y_0
    + mu~_j dt L(Y_{j-1}) + gamma~_j dt L(Y_0)``; ``Y_1 = Y_0 + mu~_1 dt L(Y_0)``; ``c_j`` is
    the stage time in units of ``dt``.

    Example
    -------
    >>> round(rkl2_coefficients(2)[4][2], 12)   # the last stage reaches t + dt
    1.0
    """
    b = np.zeros(s + 1)
    b[:3] = 1.0 / 3.0
    for j in range(2, s + 1):
        b[j] = (j * j + j - 2.0) / (2.0 * j * (j + 1.0))
    a = 1.0 - b
    w1 = 4.0 / (s * s + s - 2.0)
    mu, nu, mut, gam, c = (np.zeros(s + 1) for _ in range(5))
    mut[1] = b[1] * w1
    c[1] = mut[1]
    for j in range(2, s + 1):
        mu[j] = (2.0 * j - 1.0) / j * b[j] / b[j - 1]
        nu[j] = -(j - 1.0) / j * b[j] / b[j - 2]
        mut[j] = mu[j] * w1
        gam[j] = -a[j - 1] * mut[j]
        c[j] = mu[j] * c[j - 1] + nu[j] * c[j - 2] + mut[j] + gam[j]
    return mu, nu, mut, gam, c


class _Rhs:
    """``div(alpha grad u) + source`` on a block."""

    def __init__(self, dec, bc, alpha, source, dtype):
        self.dec = dec
        self.scalar_alpha = np.ndim(alpha) == 0
        if self.scalar_alpha:
            check_conductivity(alpha, dec.local_grid, dtype, "alpha")
            self.alpha = float(alpha)
            self.ops = BlockOperators(dec, bc, dtype)
        else:
            self.ops = BlockOperators(dec, bc, dtype, k=check_conductivity(alpha, dec.grid, dtype, "alpha"))
            self.alpha = float(dec.allreduce(float(self.ops.k.max()), "max"))
        self.dtype = np.dtype(dtype)
        self.source = source
        self.mesh = None
        if source is None or callable(source):
            self.src = None if source is None else "callable"
        elif np.ndim(source) == 0:
            if not np.isfinite(float(source)):
                raise ParameterError(f"source must be finite; got {source!r}")
            self.src = float(source)
        else:
            arr = as_field(source, dec.grid, "source", dtype=self.dtype, check_finite=True)
            self.src = dec.local(arr)

    def source_at(self, t):
        if self.src is None:
            return None
        if isinstance(self.src, str):
            if self.mesh is None:
                self.mesh = self.dec.local_grid.mesh()
            val = np.asarray(self.source(*self.mesh, t), dtype=self.dtype)
            if not np.all(np.isfinite(val)):
                raise NonFiniteError(f"source(x, ..., t={t!r}) evaluates to non-finite values")
            return val
        return self.src

    def __call__(self, u, t, out):
        if self.scalar_alpha:
            self.ops.laplacian(u, t, out)
            out *= self.alpha
        else:
            self.ops.div_k_grad(u, t, out)
        s = self.source_at(t)
        if s is not None:
            out += s
        return out


def solve_heat(u0, grid, bc, *, alpha=1.0, source=None, dt=None, steps=None, t_end=None, method="ftcs",
               t0=0.0, comm=None, dims=None, check_every=50):
    """Integrate ``du/dt = div(alpha grad u) + source`` on an MPI-decomposed grid.

    Parameters
    ----------
    u0 : array of ``grid.shape``
        Initial field, the global array given on every rank.
    grid : Grid (2D or 3D)
    bc : boundary specification; every non-periodic face needs a condition.
    alpha : positive number or positive array of ``grid.shape``
    source : None, number, array of ``grid.shape`` or callable ``source(x, y[, z], t)``
    dt : float, optional
        Time step; default 0.9 of the explicit limit (FTCS) or ``t_end / steps`` (RKL2).
    steps : int, optional
        Number of steps (or give ``t_end``).
    t_end : float, optional
    method : {"ftcs", "rkl2"}
    t0 : float
    comm : mpi4py communicator (default ``COMM_WORLD``)
    dims : ranks per axis (default from ``MPI.Compute_dims``)
    check_every : int
        Steps between global NaN checks (0 turns them off).

    Returns
    -------
    Part
        This rank's block at the final time; ``info`` holds ``t``, ``steps``, ``dt``,
        ``method``, ``stages``, ``halo_exchanges``.

    Raises
    ------
    StabilityError
        FTCS with ``dt`` above the explicit limit.
    NonFiniteError
        The field became non-finite.

    Example
    -------
    >>> part = solve_heat(u0, grid, {"*": Dirichlet(0)}, steps=200, comm=MPI.COMM_WORLD)  # doctest: +SKIP
    >>> u = gather(part)                                                                  # doctest: +SKIP
    """
    if method not in ("ftcs", "rkl2"):
        raise ParameterError(f"method must be 'ftcs' or 'rkl2'; got {method!r}")
    u0 = as_field(u0, grid, "u0", check_finite=True)
    dec = Decomposition(grid, comm, dims)
    bcs_check = BlockOperators(dec, bc, u0.dtype).bcs
    bcs_check.require_complete("solve_heat")
    rhs = _Rhs(dec, bcs_check, alpha, source, u0.dtype)
    from ..heat.stability import explicit_limit as bc_limit  # Robin/convection faces lower the limit

    dt_e = bc_limit(grid, alpha if np.ndim(alpha) else rhs.alpha, bcs_check, t=t0)
    if dt is None:
        if method == "ftcs":
            dt = 0.9 * dt_e
        elif t_end is not None and steps is not None:
            dt = (t_end - t0) / steps
        else:
            raise ParameterError("method='rkl2' needs dt, or both t_end and steps")
    dt = float(dt)
    if not (np.isfinite(dt) and dt > 0):
        raise ParameterError(f"dt must be positive and finite; got {dt!r}")
    if steps is None:
        if t_end is None:
            raise ParameterError("give steps or t_end")
        steps = max(1, math.ceil((t_end - t0) / dt - 1e-12))
        dt = (t_end - t0) / steps
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ParameterError(f"steps must be a non-negative integer; got {describe(steps)}")
    if method == "ftcs" and dt > dt_e * (1 + 1e-12):
        raise StabilityError(f"dt = {dt!r} exceeds the FTCS limit {dt_e!r} (Robin faces included, fieldgrad.heat.stability); "
                             "use a smaller dt or method='rkl2'")
    stages = 1 if method == "ftcs" else rkl2_stages(dt, dt_e)
    u = dec.local(u0)
    rhs.ops.impose(u, t0)
    t = float(t0)
    work = np.empty_like(u)
    flat = lambda a: a.reshape(-1)  # noqa: E731  (blocks are C-contiguous: views, no copies)
    cast = u.dtype.type
    if method == "ftcs":
        for n in range(steps):
            rhs(u, t, work)
            kernels.axpy_flat(flat(u), cast(dt), flat(work))
            t = t0 + (n + 1) * dt
            rhs.ops.impose(u, t)
            _check(u, dec, n, check_every)
    else:
        mu, nu, mut, gam, c = rkl2_coefficients(stages)
        ly0 = np.empty_like(u)
        pool = [u, np.empty_like(u), np.empty_like(u), np.empty_like(u)]  # rotated, never reallocated
        for n in range(steps):
            y0 = u
            rhs(y0, t, ly0)
            ym1 = next(b for b in pool if b is not y0)
            ym1[...] = y0
            kernels.axpy_flat(flat(ym1), cast(mut[1] * dt), flat(ly0))
            rhs.ops.impose(ym1, t + c[1] * dt)
            ym2 = y0
            for j in range(2, stages + 1):
                rhs(ym1, t + c[j - 1] * dt, work)
                yj = next(b for b in pool if b is not y0 and b is not ym1 and b is not ym2)
                kernels.rkl2_stage_flat(flat(yj), flat(ym1), flat(ym2), flat(y0), flat(work), flat(ly0),
                                        cast(mu[j]), cast(nu[j]), cast(1.0 - mu[j] - nu[j]), cast(mut[j] * dt),
                                        cast(gam[j] * dt))
                rhs.ops.impose(yj, t + c[j] * dt)
                ym2, ym1 = ym1, yj
            u = ym1
            t = t0 + (n + 1) * dt
            rhs.ops.impose(u, t)
            _check(u, dec, n, check_every)
    exchanges = steps * stages
    info = {"t": t, "steps": int(steps), "dt": dt, "method": method, "stages": stages,
            "halo_exchanges": exchanges, "dims": dec.dims}
    return Part(u, dec.slices, grid.shape, info)


def _check(u, dec, n, every):
    if every and (n + 1) % every == 0:
        bad = dec.allreduce(int(not np.all(np.isfinite(u))), "sum")
        if bad:
            raise NonFiniteError(f"the heat solution became non-finite after step {n + 1} on {bad} rank(s); "
                                 "reduce dt or check the source and boundary values")
