"""Two routes to the same numbers: gradient descent on ``E_lambda`` and FTCS for the heat
equation with absorption.

``gradient_descent`` steps ``u <- u - lr * grad E_lambda(u)`` with ``grad E_lambda = -lap_h u +
lambda u - f`` (grid inner product).  ``heat_steps`` steps ``u <- u + dt * (lap_h u - lambda u +
f)``: forward Euler (FTCS) for ``du/dt = lap_h u - lambda u + f``, the same update as the heat
module's FTCS (``du/dt = div(alpha grad u) + source`` with ``alpha = 1``) plus an absorption term.
Both call :func:`fieldgrad.laplacian` and order their floating-point operations so that with
``dt = lr`` the two trajectories agree bit for bit.
"""
from __future__ import annotations

import numpy as np

from ..boundary import apply_bc
from ..errors import NonFiniteError, ParameterError
from ..operators import laplacian
from ._common import node_weights, resolve_complete
from ..validation import as_field, check_count, check_nonneg, check_positive, check_source
from .energy import INNER_PRODUCTS, _zero_dirichlet, descent_direction, energy
from .result import FlowResult
from .spectrum import step_size_limits

__all__ = ["gradient_descent", "heat_steps", "heat_rhs"]


def heat_rhs(u, grid, bcs, absorption, f, out=None, tmp=None):
    """``lap u - absorption u + f`` on free nodes, 0 on Dirichlet nodes (internal; no checks)."""
    out = laplacian(u, grid, bcs, out=out)
    if absorption:
        out -= absorption * u if tmp is None else np.multiply(u, absorption, out=tmp)
    if f is not None:
        out += f
    _zero_dirichlet(out, grid, bcs)
    return out


def _prepare(u0, grid, bc, source, what):
    bcs = resolve_complete(bc, grid, what)
    u = as_field(u0, grid, "u0", check_finite=True).copy()
    apply_bc(u, grid, bcs)
    f = check_source(source, grid, u.dtype)
    return bcs, u, f


class _Recorder:
    def __init__(self, grid, bcs, lam, f, dt, record_every):
        self.grid, self.bcs, self.lam, self.f, self.dt = grid, bcs, lam, f, dt
        self.every = record_every
        self.w = node_weights(grid)
        self.snaps, self.steps, self.E, self.G, self.M = [], [], [], [], []
        self.buf = None

    def __call__(self, u, step, force=False):
        if not force and (self.every == 0 or step % self.every):
            return
        if not np.all(np.isfinite(u)):
            raise NonFiniteError(
                f"the field became non-finite at step {step}: the step is far above the stability limit")
        self.buf = descent_direction(u, self.grid, self.bcs, self.lam, self.f, out=self.buf)
        self.snaps.append(u.copy())
        self.steps.append(step)
        self.E.append(energy(u, self.grid, self.bcs, self.lam, self.f))
        self.G.append(float(np.sqrt(np.sum(self.w * self.buf.astype(np.float64) ** 2))))
        self.M.append(float(np.sum(self.w * u)))

    def result(self, u, step_size, lam, limits, method, info):
        steps = np.array(self.steps, dtype=int)
        return FlowResult(u=u, snapshots=np.array(self.snaps), steps=steps, times=steps * self.dt,
                          energy=np.array(self.E), grad_norm=np.array(self.G), mass=np.array(self.M),
                          stable=bool(self.dt < limits["stable"]), step=step_size, dt=self.dt,
                          weight_decay=lam, limits=limits, method=method, info=info)


def _run(u, steps, update, rec):
    rec(u, 0)
    for n in range(1, steps + 1):
        update(u)
        rec(u, n)
    if not rec.steps or rec.steps[-1] != steps:
        rec(u, steps, force=True)


def gradient_descent(u0, grid, bc, lr, steps, weight_decay=0.0, source=None, decoupled=False, inner="grid",
                     record_every=1):
    """Gradient descent on the energy ``E_lambda`` of :func:`fieldgrad.gradflow.energy`.

    Parameters
    ----------
    u0 : array of ``grid.shape``
        Start; Dirichlet faces are set to their values.
    grid : Grid
    bc : boundary specification (a condition on every face)
    lr : float
        Learning rate ``eta > 0``.
    steps : int
        Number of steps.
    weight_decay : float
        ``lambda >= 0``.
    source : array or number, optional
        ``f`` (the linear term ``-<f, u>`` of the energy).
    decoupled : bool
        False: the decay is part of the gradient, ``u <- u - lr (grad E_0(u) + lambda u)``.  True:
        it is applied apart from the gradient (AdamW style), ``u <- u - lr grad E_0(u) - lr lambda
        u``; for plain gradient descent the two are the same map (equal to round-off).
    inner : {"grid", "euclidean"}
        Inner product of the gradient.  ``"euclidean"`` multiplies the gradient by the node weights,
        so the equivalent heat time step is ``lr * h^d`` (halved on Neumann/Robin face nodes).
    record_every : int
        Record a snapshot, the energy, gradient norm and mass every this many steps (0: only the
        start and the end).  The final step is always recorded.

    Returns
    -------
    FlowResult
        ``dt = lr`` (grid) or ``lr * h^d`` (Euclidean); ``stable`` compares ``dt`` with the exact
        limit ``2 / (mu_max + lambda)`` (for Euclidean with Neumann/Robin faces that comparison
        uses the interior weight and is approximate).

    Example
    -------
    >>> g = fg.Grid((17, 17))
    >>> r = gradient_descent(np.random.default_rng(0).random(g.shape), g, fg.Dirichlet(0), lr=2e-4, steps=20,
    ...                      weight_decay=1.0)
    >>> r.stable, r.energy_decreasing
    (True, True)
    """
    if inner not in INNER_PRODUCTS:
        raise ParameterError(f"inner must be one of {INNER_PRODUCTS}; got {inner!r}")
    bcs, u, f = _prepare(u0, grid, bc, source, "gradient_descent")
    eta = check_positive(lr, "lr")
    n = check_count(steps, "steps")
    every = check_count(record_every, "record_every")
    lam = check_nonneg(weight_decay, "weight_decay")
    decoupled = bool(decoupled)
    w = node_weights(grid).astype(u.dtype) if inner == "euclidean" else None
    dt = eta * grid.cell_volume if inner == "euclidean" else eta
    g = np.empty_like(u)
    tmp = np.empty_like(u)

    def update(u):
        if decoupled:
            descent_direction(u, grid, bcs, 0.0, f, out=g)
            if w is not None:
                np.multiply(g, w, out=g)
            decay = lam * u
            _zero_dirichlet(decay, grid, bcs)
            if w is not None:
                decay *= w
            u -= eta * g
            u -= eta * decay
        else:
            descent_direction(u, grid, bcs, lam, f, out=g, tmp=tmp)
            if w is not None:
                np.multiply(g, w, out=g)
            u -= np.multiply(g, eta, out=tmp)

    rec = _Recorder(grid, bcs, lam, f, dt, every)
    _run(u, n, update, rec)
    return rec.result(u, eta, lam, step_size_limits(grid, bcs, lam), "gradient_descent",
                      {"inner": inner, "decoupled": decoupled})


def heat_steps(u0, grid, bc, dt, steps, absorption=0.0, source=None, record_every=1):
    """FTCS (forward Euler) for ``du/dt = lap_h u - absorption * u + source``.

    The same update as the heat module's FTCS for ``du/dt = div(grad u) + source`` (diffusivity 1)
    with an absorption term added; with ``dt = lr`` and ``absorption = weight_decay`` it gives the
    same numbers, bit for bit, as :func:`gradient_descent`.

    Parameters
    ----------
    u0 : array of ``grid.shape``
    grid : Grid
    bc : boundary specification (a condition on every face)
    dt : float
        Time step.
    steps : int
    absorption : float
        ``lambda >= 0``.
    source : array or number, optional
    record_every : int
        As for :func:`gradient_descent`.

    Returns
    -------
    FlowResult

    Example
    -------
    >>> g, u0 = fg.Grid((9, 9)), np.ones((9, 9))
    >>> a = heat_steps(u0, g, fg.Dirichlet(0), dt=1e-3, steps=5, absorption=2.0).u
    >>> b = gradient_descent(u0, g, fg.Dirichlet(0), lr=1e-3, steps=5, weight_decay=2.0).u
    >>> bool(np.array_equal(a, b))
    True
    """
    bcs, u, f = _prepare(u0, grid, bc, source, "heat_steps")
    dt = check_positive(dt, "dt")
    n = check_count(steps, "steps")
    every = check_count(record_every, "record_every")
    lam = check_nonneg(absorption, "absorption")
    r = np.empty_like(u)
    tmp = np.empty_like(u)

    def update(u):
        heat_rhs(u, grid, bcs, lam, f, out=r, tmp=tmp)
        u += np.multiply(r, dt, out=tmp)

    rec = _Recorder(grid, bcs, lam, f, dt, every)
    _run(u, n, update, rec)
    return rec.result(u, dt, lam, step_size_limits(grid, bcs, lam), "heat_steps", {})
