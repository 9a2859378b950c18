"""Explicit integrators: forward Euler (FTCS) and Runge--Kutta--Legendre super-time-stepping (RKL2).

Both run the fused sweeps of :mod:`fieldgrad.heat.kernels`: one pass over memory per FTCS step
and per RKL2 stage.  Dirichlet faces are re-imposed after every sweep at the time the new values
belong to (``t + dt`` for FTCS, the stage time ``t + c_j dt`` for RKL2); the 3D FTCS step with a
scalar diffusivity (:func:`~fieldgrad.heat.kernels.ftcs_rows_3d`) writes them, and applies its z
ghosts, inside the sweep.  A problem given by
``k`` and ``rho_c`` runs :func:`~fieldgrad.heat.kernels.sweep_links` on the operator of
:mod:`fieldgrad.heat.capacity` instead (same steps, same stage coefficients).

RKL2 (Meyer, Balsara & Aslam, J. Comput. Phys. 257 (2014) 594) with ``s`` stages is stable for
``dt <= dt_explicit * (s^2 + s - 2) / 4``; the stepper takes the smallest such ``s`` for the
requested step, so the number of sweeps grows like ``sqrt(dt / dt_explicit)`` instead of
linearly.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError, StabilityError
from ..solvers.discretize import pad3
from . import kernels as K
from .ghosts import GhostFiller

__all__ = ["FTCS", "RKL2", "rkl2_stages", "rkl2_coefficients"]


def rkl2_stages(dt, dt_explicit):
    """Fewest RKL2 stages (at least 2) stable for ``dt``: ``dt <= dt_explicit (s^2 + s - 2) / 4``.

    Example
    -------
    >>> rkl2_stages(1.0, 1.0), rkl2_stages(27.0, 1.0), rkl2_stages(27.01, 1.0)
    (2, 10, 11)
    """
    r = dt / dt_explicit
    s = max(2, math.ceil((-1.0 + math.sqrt(9.0 + 16.0 * r)) / 2.0 - 1e-12))
    while (s * s + s - 2) / 4.0 < r * (1.0 - 1e-12):
        s += 1
    return s


def rkl2_coefficients(s):
    """Stage coefficients of RKL2 with ``s`` stages.

    Returns
    -------
    dict of lists indexed by stage ``j = 0..s``: ``mu``, ``nu``, ``mt`` (``mu~``), ``gt``
    (``gamma~``) and ``c`` (stage times as fractions of the step, ``c[s] == 1``).
    """
    if s < 2:
        raise ParameterError(f"RKL2 needs at least 2 stages; got {s}")
    b = [1.0 / 3.0] * 3 + [(j * j + j - 2.0) / (2.0 * j * (j + 1.0)) for j in range(3, s + 1)]
    a = [1.0 - x for x in b]
    w1 = 4.0 / (s * s + s - 2.0)
    mu, nu, mt, gt, c = [0.0] * (s + 1), [0.0] * (s + 1), [0.0] * (s + 1), [0.0] * (s + 1), [0.0] * (s + 1)
    mt[1] = b[1] * w1
    c[1] = mt[1]
    for j in range(2, s + 1):
        mu[j] = (2.0 * j - 1.0) / j * b[j] / b[j - 1]
        nu[j] = -(j - 1.0) / j * b[j] / b[j - 2]
        mt[j] = mu[j] * w1
        gt[j] = -a[j - 1] * mt[j]
        c[j] = mu[j] * c[j - 1] + nu[j] * c[j - 2] + mt[j] + gt[j]
    return {"mu": mu, "nu": nu, "mt": mt, "gt": gt, "c": c}


class _Sweeper:
    """Calls the fused sweep of the right kind (scalar/array alpha, 2D/3D) with fresh ghosts."""

    def __init__(self, problem):
        p = self.problem = problem
        g = p.grid
        self.ghosts = GhostFiller(g, p.bcs, p.alpha, p.dtype)
        self.kp = self.ghosts.kpairs()
        self.f = p.dtype.type
        if p.alpha_scalar:
            self.coef = [self.f(p.alpha / h ** 2) for h in g.spacing]
        else:
            self.coef = [self.f(1.0 / h ** 2) for h in g.spacing]
        self.sweeps = 0
        # the FTCS step of a 3D problem with scalar alpha and a source that is not an array runs
        # ftcs_rows_3d in blocks of 16 y rows (measured, CPU time vs the copy: 257^3 the same for
        # 16-63 rows, 129^3 2.89 with 16 rows vs 3.50 with whole planes; benchmarks/results/ftcs-h7.md)
        self.rows3d = g.ndim == 3 and p.alpha_scalar and p.source_kind in ("none", "scalar", "time")
        self.jb = 16

    def source_args(self, t, u, s=None):
        s = self.problem.source_at(t) if s is None else s
        if isinstance(s, np.ndarray):
            return self.f(0.0), s, True
        return self.f(s), u, False

    def ftcs_step(self, u, t, dt, out):
        """One whole FTCS step into ``out``, Dirichlet values of ``t + dt`` included.

        A 3D problem with scalar diffusivity and a number source runs
        :func:`~fieldgrad.heat.kernels.ftcs_rows_3d`: x/y ghosts filled into the stepper's buffers,
        z ghosts applied and Dirichlet faces written inside the sweep (one pass over memory); any
        other runs the general sweep and :meth:`impose`.
        """
        src = None
        if self.rows3d and u.flags.c_contiguous and out.flags.c_contiguous:
            src = self.problem.source_at(t)
            if np.ndim(src) == 0:
                gf = self.ghosts
                zw0, zd0, zw1, zd1, skip = gf.z_inputs(t)
                (gx0, gx1), (gy0, gy1), _ = gf.fill(u, t, skip=skip)
                hold = gf.held_inputs(t + dt)
                one = hold is None
                if one:
                    hold = gf.held_inputs_none
                K.ftcs_rows_3d(u, gx0, gx1, gy0, gy1, zw0, zd0, zw1, zd1, *hold, *self.coef, self.f(src), self.f(dt),
                               self.jb, out)
                self.sweeps += 1
                return self.impose(out, t + dt) if one else out
        self(u, t, K.MODE_FTCS, 1.0, 0.0, 0.0, dt, 0.0, u, u, u, out, src)
        return self.impose(out, t + dt)

    def __call__(self, u, t, mode, au, ap, a0, al, ag, p2, q0, l0, out, src=None):
        gh = [x for pair in self.ghosts.fill(u, t) for x in pair]
        sc, sarr, has = self.source_args(t, u, src)
        f = self.f
        tail = (sc, sarr, has, mode, f(au), f(ap), f(a0), f(al), f(ag), p2, q0, l0, out)
        if self.problem.alpha_scalar and mode == K.MODE_FTCS and not has:
            kern = K.ftcs_const_3d if u.ndim == 3 else K.ftcs_const_2d
            kern(u, *gh, *self.coef, sc, f(al), out)
        elif self.problem.alpha_scalar:
            kern = K.sweep_const_3d if u.ndim == 3 else K.sweep_const_2d
            kern(u, *gh, *self.coef, *tail)
        else:
            kg = [x for pair in self.kp for x in pair]
            kern = K.sweep_var_3d if u.ndim == 3 else K.sweep_var_2d
            kern(u, self.problem.alpha, *gh, *kg, *self.coef, *tail)
        self.sweeps += 1
        return out

    def impose(self, u, t):
        return self.ghosts.impose(u, t)


class _LinksSweeper:
    """The sweep of the ``k`` / ``rho_c`` form: ``v = (A0 u + d(t) + q(t)) / rho_c`` on padded views."""

    def __init__(self, problem):
        self.problem = problem
        self.op = problem.capacity
        self.f = problem.dtype.type
        self.nd = problem.grid.ndim
        self.steady = not (self.op.time_dependent or problem.source_kind in ("time", "space_time"))
        self._g = None
        self.sweeps = 0

    def forcing(self, t):
        """``d(t) + q(t)`` as a float64 array of the padded shape (cached when constant in time)."""
        if self._g is not None and self.steady:
            return self._g
        g = self.op.data(t)[0].copy()
        q = self.problem.source_at(t)
        q = q if np.ndim(q) == 0 else pad3(np.asarray(q, dtype=np.float64), self.nd)
        g += q if np.ndim(self.op.m) == 0 else q * self.op.m
        self._g = g
        return g

    def __call__(self, u, t, mode, au, ap, a0, al, ag, p2, q0, l0, out):
        op, f, nd = self.op, self.f, self.nd
        kern = K.sweep_links_flat if nd == 2 else K.sweep_links
        kern(pad3(u, nd), *op.links, op.D, *op.tables, self.forcing(t), op.inv_rho_c, mode, f(au), f(ap), f(a0),
             f(al), f(ag), pad3(p2, nd), pad3(q0, nd), pad3(l0, nd), pad3(out, nd))
        self.sweeps += 1
        return out

    def impose(self, u, t):
        return self.op.impose(u, t)


class _ExplicitBase:
    solver_iterations = 0

    def __init__(self, problem):
        self.problem = problem
        self.sweep = _Sweeper(problem) if problem.capacity is None else _LinksSweeper(problem)
        self._bufs = [np.empty_like(problem.u0) for _ in range(self.nbuf)]

    @property
    def sweeps(self):
        return self.sweep.sweeps

    def _others(self, u, n):
        return [b for b in self._bufs if b is not u][:n]


class FTCS(_ExplicitBase):
    """Forward Euler in time, centred in space: ``u_new = u + dt (div(alpha grad u) + s(t))``.

    Parameters
    ----------
    problem : HeatProblem

    The step is refused above ``problem.dt_explicit`` (:class:`~fieldgrad.errors.StabilityError`).

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid, Dirichlet
    >>> from fieldgrad.heat.problem import HeatProblem
    >>> p = HeatProblem(np.ones((9, 9)), Grid((9, 9)), Dirichlet(1.0), alpha=1.0)
    >>> float(FTCS(p).step(p.initial_field(), 0.0, p.dt_explicit).max())
    1.0
    """

    name = "ftcs"
    nbuf = 2

    def check_dt(self, dt):
        lim = self.problem.dt_explicit
        if dt > lim * (1.0 + 1e-12):
            if self.problem.capacity is not None:
                raise StabilityError(
                    f"dt = {dt!r} exceeds the FTCS stability limit {lim!r} = 2 / max over nodes of (|row sum| of "
                    "div(k grad .) / rho_c), Robin terms included (fieldgrad.heat.stability.capacity_limit); use "
                    f"dt <= {lim!r}, method='rkl2' or an implicit method, or ask for automatic step reduction "
                    "(reduce_dt=True)")
            raise StabilityError(
                f"dt = {dt!r} exceeds the FTCS stability limit {lim!r} = 2 / (4 alpha_max sum(1/h^2) + Robin "
                f"terms 2 alpha a / (b h)) (alpha_max = {self.problem.alpha_max!r}, see fieldgrad.heat.stability); "
                f"use dt <= {lim!r}, method='rkl2' or an implicit "
                "method, or ask for automatic step reduction (reduce_dt=True)")

    def stages(self, dt):
        return 1

    def step(self, u, t, dt, n=0):
        """One step from ``(u, t)``; returns the new field (a stepper buffer, never ``u``)."""
        self.check_dt(dt)
        out = self._others(u, 1)[0]
        if isinstance(self.sweep, _Sweeper):
            return self.sweep.ftcs_step(u, t, dt, out)
        self.sweep(u, t, K.MODE_FTCS, 1.0, 0.0, 0.0, dt, 0.0, u, u, u, out)
        self.sweep.impose(out, t + dt)
        return out


class RKL2(_ExplicitBase):
    """Second-order Runge--Kutta--Legendre super-time-stepping with fused stage sweeps.

    Each stage ``Y_j = mu Y_{j-1} + nu Y_{j-2} + (1-mu-nu) Y_0 + mt dt L(Y_{j-1}) + gt dt L(Y_0)``
    is one sweep that reads ``Y_{j-1}`` (stencil), ``Y_{j-2}``, ``Y_0``, ``L(Y_0)`` and writes
    ``Y_j`` (three rotating buffers besides ``Y_0`` and ``L(Y_0)``).

    Parameters
    ----------
    problem : HeatProblem
    stages : int, optional
        A fixed stage count (checked against the stability bound of each step); by default the
        fewest stable stages for the step.  The error constant of RKL2 depends on ``s``, so
        convergence studies in ``dt`` hold ``s`` fixed.

    Example
    -------
    >>> from fieldgrad.heat.explicit import rkl2_stages
    >>> rkl2_stages(100.0, 1.0)
    20
    """

    name = "rkl2"
    nbuf = 4

    def __init__(self, problem, stages=None):
        super().__init__(problem)
        if stages is not None and (int(stages) != stages or stages < 2):
            raise ParameterError(f"stages must be an integer >= 2 or None; got {stages!r}")
        self.fixed_stages = None if stages is None else int(stages)
        self._coef = {}
        self._l0 = np.empty_like(problem.u0)

    def check_dt(self, dt):
        pass

    def stages(self, dt):
        need = rkl2_stages(dt, self.problem.dt_explicit)
        if self.fixed_stages is None:
            return need
        if self.fixed_stages < need:
            lim = self.problem.dt_explicit * (self.fixed_stages ** 2 + self.fixed_stages - 2) / 4
            raise StabilityError(f"dt = {dt!r} needs at least {need} RKL2 stages; stages={self.fixed_stages} is "
                                 f"stable up to dt = {lim!r}")
        return self.fixed_stages

    def step(self, u, t, dt, n=0):
        """One super-step from ``(u, t)``; returns the new field (a stepper buffer, never ``u``)."""
        s = self.stages(dt)
        if s not in self._coef:
            self._coef[s] = rkl2_coefficients(s)
        cf = self._coef[s]
        mu, nu, mt, gt, c = cf["mu"], cf["nu"], cf["mt"], cf["gt"], cf["c"]
        impose = self.sweep.impose
        l0 = self._l0
        bufs = self._others(u, 3)
        a = bufs[0]
        # stage 1: Y1 = Y0 + mt1 dt L(Y0), storing L(Y0)
        self.sweep(u, t, K.MODE_FIRST, 1.0, 0.0, 0.0, mt[1] * dt, 0.0, u, u, l0, a)
        impose(a, t + c[1] * dt)
        prev2, prev = u, a  # Y_{j-2}, Y_{j-1}
        for j in range(2, s + 1):
            out = next(x for x in bufs if x is not prev and x is not prev2)
            self.sweep(prev, t + c[j - 1] * dt, K.MODE_STAGE, mu[j], nu[j], 1.0 - mu[j] - nu[j], mt[j] * dt,
                       gt[j] * dt, prev2, u, l0, out)
            impose(out, t + c[j] * dt)
            prev2, prev = prev, out
        return prev
