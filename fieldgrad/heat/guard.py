"""The run loop's guard: NaN/inf and growth beyond any physical bound stop a run, naming the step.

The heat equation ``du/dt = div(alpha grad u) + s`` obeys a maximum principle.  With Dirichlet
values, Robin ambients ``v / a`` (``a / b > 0``), Neumann fluxes ``g`` and a source ``s``, the
solution satisfies

    ``max|u(t)| <= M + G L + (t - t0) R``

with ``M`` the largest of ``|u0|``, ``|Dirichlet value|`` and ``|Robin v / a|``; ``G`` the largest
Neumann flux ``|g|`` (and ``|v / b|`` where a Robin ``a`` is 0); ``L`` the sum of the box's edge
lengths (a flux can hold a gradient ``G`` across the box); and ``R = max|s| + 2 alpha_max G sum 1/h``
(the fastest a source or a boundary flux can heat a node of the grid; with a heat capacity field
``max|s| / min(rho_c)`` and ``alpha_max`` the largest face conductance over the smallest ``rho_c``).  A stable scheme stays
within this bound up to its own overshoot (Crank--Nicolson and RKL2 are not monotone; their
overshoot of rough data stays of the order of the data), so the guard allows
:data:`GROWTH_FACTOR` ``= 1e3`` times the bound: far above what a stable run reaches, far below the
``1e74`` of an unstable one, which passes it within a few tens of steps (an unstable mode grows by
a factor ``|1 - dt lambda| > 1`` per step).  Sources are taken at their largest seen so far (every
evaluation counts); time-dependent boundary values are evaluated at each check (every
``nan_check_every`` steps and before every frame), so a boundary spike shorter than that and over
a thousand times the other data could be mistaken for growth.

Anti-dissipative Robin faces (``a / b < 0``) let the exact solution grow exponentially; the growth
bound is then off (the NaN/inf check stays).

Example
-------
>>> from fieldgrad.heat.problem import HeatProblem
>>> p = HeatProblem(np.zeros((5, 5)), fg.Grid((5, 5)), fg.Dirichlet(2.0), alpha=1.0)
>>> GrowthGuard(p).bound(0.0)  # 1e3 * max(|u0|, |fg.Dirichlet|)
2000.0
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import NonFiniteError, StabilityError

__all__ = ["GROWTH_FACTOR", "GrowthGuard"]

#: multiple of the maximum-principle bound at which a run is stopped as unstable
GROWTH_FACTOR = 1e3


class GrowthGuard:
    """Checks a field for NaN/inf and for growth past ``factor`` times the physical bound.

    Parameters
    ----------
    problem : HeatProblem
    factor : float or None
        Multiple of the maximum-principle bound (module notes); None checks NaN/inf only.
    """

    def __init__(self, problem, factor=GROWTH_FACTOR):
        self.problem = p = problem
        grid = p.grid
        self.factor = None if factor is None else float(factor)
        self.m_seen = float(np.max(np.abs(p.initial_field()), initial=0.0))
        self.g_seen = 0.0
        self.enabled = self.factor is not None
        lengths = [h * (n if per else n - 1) for h, n, per in zip(grid.spacing, grid.shape, grid.periodic)]
        self.length = float(sum(lengths))
        self.inv_h = float(sum(1.0 / h for h in grid.spacing))
        self._timed = [(f, c) for f, c in p.bcs.faces.items() if c is not None and c.time_dependent]
        surface = getattr(p.bcs, "surface", None)
        if surface is not None:  # the hole surface's data bound the solution like a face's
            if surface.time_dependent:
                self._timed.append(("surface", surface))
            self._note("surface", surface, p.t0)
        for face, cond in p.bcs.faces.items():
            if cond is not None:
                self._note(face, cond, p.t0)

    def _note(self, face, cond, t):
        """Take the magnitudes of a face's data at time ``t`` into ``m_seen`` / ``g_seen``."""
        grid = self.problem.grid
        if face == "surface":  # the values at the surface nodes
            on = self.problem.capacity.problem.surface_nodes()
            get = lambda name: cond.evaluate_nodes(name, grid, t, at=on)[on]  # noqa: E731
        else:
            get = lambda name: cond.evaluate(name, grid, face, t, np.float64)  # noqa: E731
        ev = lambda name: np.abs(np.asarray(get(name)))  # noqa: E731
        if cond.kind == "dirichlet":
            self.m_seen = max(self.m_seen, float(np.max(ev("value"))))
        elif cond.kind == "neumann":
            self.g_seen = max(self.g_seen, float(np.max(ev("flux"))))
        elif cond.kind == "robin":
            a = np.asarray(get("alpha"))
            b = np.asarray(get("beta"))
            v = ev("value")
            if np.any(a * b < 0):
                self.enabled = False  # anti-dissipative: exponential growth is the true solution
                return
            with np.errstate(divide="ignore", invalid="ignore"):
                amb = np.where(a != 0, v / np.abs(a), 0.0)
                flux = np.where(a == 0, v / np.abs(b), 0.0)
            self.m_seen = max(self.m_seen, float(np.max(amb)))
            self.g_seen = max(self.g_seen, float(np.max(flux)))

    def bound(self, t):
        """``factor * (M + G L + (t - t0) R)`` with the data seen up to time ``t`` (inf when off)."""
        if not self.enabled:
            return math.inf
        for face, cond in self._timed:
            self._note(face, cond, t)
        p = self.problem
        rate = p.source_peak * p.source_rate + 2.0 * p.alpha_max * self.g_seen * self.inv_h
        base = self.m_seen + self.g_seen * self.length + max(t - p.t0, 0.0) * rate
        return self.factor * max(base, np.finfo(p.dtype).tiny)

    def check(self, u, step, t, detail=""):
        """Raise NonFiniteError (NaN/inf) or StabilityError (growth past the bound) for ``u``.

        Parameters
        ----------
        u : host ndarray
        step, t : where the run is (named in the message)
        detail : str -- appended to the message (method, dt, limit ...)
        """
        hi, lo = float(np.max(u)), float(np.min(u))
        if not (math.isfinite(hi) and math.isfinite(lo)):
            bad = int(u.size - np.count_nonzero(np.isfinite(u)))
            raise NonFiniteError(f"NaN at step {step}, t = {t!r}: the solution became non-finite ({bad} NaN/inf "
                                 f"values){detail}")
        peak = max(abs(hi), abs(lo))
        if self.enabled:
            lim = self.bound(t)
            if peak > lim:
                raise StabilityError(
                    f"unstable at step {step}, t = {t!r}: max|u| = {peak:.3e} exceeds {self.factor:g} times the "
                    f"maximum-principle bound of the data ({lim / self.factor:.3e}; initial, boundary and source "
                    f"values, see fieldgrad.heat.guard){detail}; the step is too large for the method or the "
                    "problem is ill-posed")
