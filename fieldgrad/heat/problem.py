"""The heat problem ``rho_c du/dt = div(k grad u) + source``: inputs checked once, sources evaluated.

:class:`HeatProblem` holds the grid, the resolved boundary conditions, the coefficients and the
source, and answers the questions every integrator asks: the explicit stability limit and the
source at a given time.  The coefficients are given one of two ways:

* ``alpha`` alone (the diffusivity; ``k = alpha``, ``rho_c = 1``): ``du/dt = div(alpha grad u) + source``,
  stepped by the fused ghost-node sweeps of :mod:`fieldgrad.heat.kernels` (on CPU or CUDA);
* ``k`` and/or ``rho_c`` (each defaults to 1): ``rho_c du/dt = div(k grad u) + source``, stepped
  with the operator of the Poisson solvers (:mod:`fieldgrad.heat.capacity`; on CPU or CUDA).

Giving ``alpha`` together with ``k`` or ``rho_c`` is a ParameterError.

A source is ``None``, a number, an array of ``grid.shape``, a callable ``source(t)``, or a
callable of the node coordinates and time ``source(x, y[, z], t)``.  The two callables are told
apart by their number of positional parameters (1 = ``source(t)``; ``ndim + 1`` = coordinates
and time; ``ndim`` = coordinates only, constant in time).
"""
from __future__ import annotations

import inspect

import numbers

import numpy as np

from .. import boundary as _bnd
from ..errors import BoundaryError, GridError, ParameterError, ShapeError, describe
from ..grid import require_grid
from ..validation import as_field, check_coefficient, real_float, require_real
from .capacity import CapacityOperator, cells_rho_c, check_rho_c
from .stability import explicit_limit

__all__ = ["HeatProblem", "explicit_limit"]


def _finite_time(value, name):
    """``float(value)`` of a real, finite time argument, else a ParameterError naming ``name``."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(float(value)):
        raise ParameterError(f"{name} must be a finite number (a time); got {describe(value)}")
    return float(value)


def _positional_count(func):
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return None
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty)


def _summary(k, arr):
    """JSON-ready summary of a conductivity: the number, or what kind of field it is."""
    if isinstance(k, numbers.Real):
        return float(k)
    if isinstance(k, np.ndarray):
        return arr
    return f"{type(k).__name__}{getattr(k, 'shape', '')}"


class HeatProblem:
    """A checked heat problem.

    Parameters
    ----------
    u0 : array of ``grid.shape``
        Initial temperature (float32/float64 kept; integers become float64).  Dirichlet faces
        are overwritten with their values at ``t0``.
    grid : Grid (2D or 3D)
    bc : boundary specification; every non-periodic face needs a condition.
    alpha : positive number or positive array of ``grid.shape`` (the diffusivity); or None when
        ``k`` / ``rho_c`` are given
    source : None, number, array, ``source(t)`` or ``source(x, y[, z], t)`` (a heat source
        ``q``: with ``rho_c`` the rate of change is ``q / rho_c``)
    t0 : float
    check : bool
        Check ``u0`` for NaN/inf (default True).
    k : positive number or array, optional -- the conductivity (default 1 when ``rho_c`` is given)
    rho_c : positive number or positive array of ``grid.shape``, optional -- the volumetric heat
        capacity (default 1 when ``k`` is given)

    Attributes
    ----------
    capacity : CapacityOperator or None -- the operator of the ``k`` / ``rho_c`` form (None for ``alpha``)
    dt_explicit : float -- the explicit limit (:func:`~fieldgrad.heat.stability.explicit_limit`,
        or :func:`~fieldgrad.heat.stability.capacity_limit` for ``k`` / ``rho_c``)

    Example
    -------
    >>> p = HeatProblem(np.zeros((11, 11)), fg.Grid((11, 11)), fg.Dirichlet(0), alpha=1.0)
    >>> round(p.dt_explicit, 12)
    0.0025
    >>> q = HeatProblem(np.zeros((11, 11)), fg.Grid((11, 11)), fg.Dirichlet(0), k=2.0, rho_c=2.0)
    >>> round(q.dt_explicit, 12)
    0.0025
    """

    def __init__(self, u0, grid, bc, alpha=None, source=None, t0=0.0, check=True, *, k=None, rho_c=None,
                 contact=None):
        require_grid(grid)
        if grid.ndim not in (2, 3):
            raise GridError(f"heat diffusion runs on 2D or 3D grids; got a {grid.ndim}D grid")
        self.grid = grid
        self.u0 = as_field(u0, grid, "u0", check_finite=check)
        self.dtype = self.u0.dtype
        self.bcs = _bnd.resolve_bc(bc, grid, allow_surface=True)
        self.bcs.require_complete("heat diffusion")
        self.t0 = _finite_time(t0, "t0")
        self.capacity = None
        self.contact = contact
        if (grid.cylindrical or contact is not None) and k is None and rho_c is None and alpha is not None:
            # an axisymmetric problem, or one with contact resistances, steps with the solvers'
            # finite-volume rows (the r of the revolution, the series conductances)
            k, alpha = alpha, None
        if self.bcs.surface is not None and k is None and rho_c is None:
            raise BoundaryError("bc['surface'] (the surface of holes) needs the k / rho_c form of the heat equation "
                                "with k=Cells(values, domain=mask); got alpha only (no holes to put it on)")
        if k is None and rho_c is None:
            if alpha is None:
                raise ParameterError("alpha (the diffusivity) or k (the conductivity, with rho_c) is required: "
                                     "a positive number or array")
            self.alpha = check_coefficient(alpha, grid, "alpha", dtype=self.dtype)
            self.alpha_scalar = np.ndim(self.alpha) == 0
            self.alpha_max = self.alpha if self.alpha_scalar else float(self.alpha.max())
            self.source_rate = 1.0  # a source s changes u at the rate s
            self.dt_explicit = explicit_limit(grid, self.alpha, self.bcs, t=self.t0)
        else:
            if alpha is not None:
                given = " and ".join(n for n, v in (("k", k), ("rho_c", rho_c)) if v is not None)
                raise ParameterError(f"give either alpha (the diffusivity, meaning k = alpha and rho_c = 1) or k and "
                                     f"rho_c, not both; got alpha = {describe(alpha, 40)} together with {given}")
            self.k = 1.0 if k is None else k
            # a Cells heat capacity: each node's the mean over its control volume (inside the domain)
            self.rho_c = check_rho_c(1.0 if rho_c is None else cells_rho_c(rho_c, self.k, grid), grid)
            try:
                self.capacity = cap = CapacityOperator(grid, self.bcs, self.k, self.rho_c, contact)
            except BoundaryError as exc:
                raise BoundaryError("the k / rho_c form of the heat equation steps with the Poisson solvers' "
                                    f"operator, which refuses these conditions: {exc}") from exc
            self.alpha = None
            self.alpha_scalar = False
            # for the growth guard: the largest face conductance over the smallest rho_c
            kmax = max(float(L.max()) * h ** 2 for L, h in zip(cap.links, cap.problem.h3))
            self.alpha_max = kmax / float(np.min(self.rho_c))
            self.source_rate = 1.0 / float(np.min(self.rho_c))  # a heat source q changes u at the rate q / rho_c
            self.dt_explicit = cap.limit()
        self._set_source(source)

    # ------------------------------------------------------------------ sources
    def _set_source(self, source):
        grid = self.grid
        self.source = source
        self.source_kind = "none"
        self._src_const = None
        self.source_peak = 0.0  # largest |source| seen so far (the growth guard's rate bound)
        if source is None:
            return
        if callable(source):
            n = _positional_count(source)
            if n == 1:
                self.source_kind = "time"
            elif n == grid.ndim + 1:
                self.source_kind = "space_time"
            elif n == grid.ndim:
                self.source_kind = "array"
                self._src_const = self._peak(self._check_source_value(source(*grid.mesh()), "source(x, ...)"))
            else:
                raise ParameterError(
                    f"source callable takes {n} positional parameters; accepted: source(t) or "
                    f"source({', '.join(grid.axis_names)}, t) (or source({', '.join(grid.axis_names)}) constant in time)")
            return
        if np.ndim(source) == 0:
            v = real_float(source, "source")
            if not np.isfinite(v):
                raise ParameterError(f"source must be finite; got {source!r}")
            self.source_kind = "scalar"
            self._src_const = self._peak(v)
            return
        self.source_kind = "array"
        self._src_const = self._peak(self._check_source_value(source, "source"))

    def _peak(self, value):
        """Record ``max|value|`` in ``source_peak``; returns ``value``."""
        m = abs(float(value)) if np.ndim(value) == 0 else float(np.max(np.abs(value), initial=0.0))
        if m > self.source_peak:
            self.source_peak = m
        return value

    def _check_source_value(self, value, what):
        require_real(value, what)
        if np.ndim(value) == 0:
            v = real_float(value, what)
            if not np.isfinite(v):
                raise ParameterError(f"{what} evaluated to a non-finite value {v!r}")
            return v
        arr = np.asarray(value)
        if arr.shape != self.grid.shape:
            try:
                arr = np.broadcast_to(arr, self.grid.shape)
            except ValueError:
                raise ShapeError(f"{what} has shape {arr.shape}; the grid needs {self.grid.shape} "
                                 "(or a number)") from None
        arr = np.ascontiguousarray(arr, dtype=self.dtype)
        if not np.all(np.isfinite(arr)):
            raise ParameterError(f"{what} holds non-finite values")
        return arr

    def source_at(self, t):
        """The source at time ``t``: ``0.0``, a float, or an array of ``grid.shape``."""
        if self.source_kind == "none":
            return 0.0
        if self.source_kind == "time":
            return self._peak(self._check_source_value(self.source(t), f"source(t={t!r})"))
        if self.source_kind == "space_time":
            return self._peak(self._check_source_value(self.source(*self.grid.mesh(), t), f"source(x, ..., t={t!r})"))
        return self._src_const

    # ------------------------------------------------------------------ helpers
    def initial_field(self):
        """A fresh copy of ``u0`` with the Dirichlet values of ``t0`` imposed (with ``k`` / ``rho_c``:
        every fixed node's value, 0 outside a domain)."""
        u = np.array(self.u0, dtype=self.dtype, order="C", copy=True)
        u = _bnd.apply_bc(u, self.grid, self.bcs.faces_only(), self.t0)
        if self.capacity is not None:
            self.capacity.impose(u, self.t0)  # held nodes, and 0 outside a domain's cells
        return u

    def params(self):
        """JSON-ready description of the problem (arrays and callables summarised)."""
        arr = f"array{self.grid.shape}"
        if self.capacity is None:
            out = {"alpha": self.alpha if self.alpha_scalar else arr}
        else:
            out = {"k": _summary(self.k, arr), "rho_c": self.rho_c if np.ndim(self.rho_c) == 0 else arr}
            if self.contact is not None:
                out["contact"] = repr(self.contact)
        out.update({"dt_explicit": self.dt_explicit, "bc": self.bcs.describe(), "dtype": str(self.dtype)})
        if self.source_kind == "scalar":
            out["source"] = self._src_const
        elif self.source_kind != "none":
            out["source"] = f"{self.source_kind} {describe(self.source, 40)}"
        return out
