"""What a Poisson solve returns, on the CPU and on the GPU: :class:`PoissonResult`, and the
:class:`CompatibilityWarning` of projected singular problems."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["PoissonResult", "CompatibilityWarning"]


class CompatibilityWarning(UserWarning):
    """A singular (pure Neumann/periodic) problem had incompatible data and was projected."""


@dataclass
class PoissonResult:
    """Outcome of :func:`solve_poisson`.

    Attributes
    ----------
    u : ndarray of ``grid.shape`` in the dtype of ``f``
    method : str -- the method that ran ("multigrid", "cg", "spectral", "direct")
    iterations : int -- cycles (multigrid, FMG start counted as one) or CG iterations; 0 for direct solves
    residuals : list of float -- relative residual ``||b - A u|| / ||b_lifted||`` after each iteration
    converged : bool
    wall_time : float -- seconds
    info : dict -- extra facts (levels, compatibility shift ...)
    """

    u: np.ndarray
    method: str
    iterations: int
    residuals: list
    converged: bool
    wall_time: float
    info: dict = field(default_factory=dict)
