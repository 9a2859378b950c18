"""The result object of the gradient-flow routes (:func:`gradient_descent`, :func:`heat_steps`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["FlowResult"]


@dataclass
class FlowResult:
    """Trajectory of a gradient descent / FTCS run and what was measured along it.

    Attributes
    ----------
    u : ndarray
        The final field.
    snapshots : ndarray, shape ``(m, *grid.shape)``
        The field at the recorded steps (step 0 included).
    steps : ndarray of int, shape ``(m,)``
        Which steps were recorded.
    times : ndarray, shape ``(m,)``
        ``steps * dt`` (for gradient descent ``dt = lr`` in the grid inner product,
        ``lr * h^d`` in the Euclidean one).
    energy : ndarray, shape ``(m,)``
        :func:`fieldgrad.gradflow.energy` of each snapshot.
    grad_norm : ndarray, shape ``(m,)``
        Grid norm ``sqrt(<g, g>_h)`` of the energy gradient of each snapshot.
    mass : ndarray, shape ``(m,)``
        ``grid.integrate(u)`` (trapezoid) of each snapshot.
    stable : bool
        Whether the step is below the exact stability limit ``2 / (mu_max + lambda)``.
    step : float
        ``lr`` or ``dt`` as given.
    dt : float
        The equivalent time step of the heat equation.
    weight_decay : float
    limits : dict
        :func:`fieldgrad.gradflow.step_size_limits` of the problem.
    method : str
        ``"gradient_descent"`` or ``"heat_steps"``.
    info : dict
        Anything else (inner product, decoupled flag).

    Example
    -------
    >>> from fieldgrad.gradflow import gradient_descent
    >>> r = gradient_descent(np.ones((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(0), lr=1e-3, steps=4)
    >>> r.snapshots.shape, bool(np.all(np.diff(r.energy) < 0))
    ((5, 9, 9), True)
    """

    u: np.ndarray
    snapshots: np.ndarray
    steps: np.ndarray
    times: np.ndarray
    energy: np.ndarray
    grad_norm: np.ndarray
    mass: np.ndarray
    stable: bool
    step: float
    dt: float
    weight_decay: float
    limits: dict = field(default_factory=dict)
    method: str = ""
    info: dict = field(default_factory=dict)

    @property
    def energy_decreasing(self):
        """True when the recorded energy strictly decreases from record to record."""
        return bool(np.all(np.diff(self.energy) < 0))

    def __repr__(self):
        return (f"FlowResult(method={self.method!r}, steps={int(self.steps[-1]) if len(self.steps) else 0}, "
                f"dt={self.dt:.4g}, weight_decay={self.weight_decay:g}, stable={self.stable}, "
                f"energy={self.energy[-1] if len(self.energy) else float('nan'):.6g})")
