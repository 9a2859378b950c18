"""What a Poisson solve returns, on the CPU and on the GPU: :class:`PoissonResult`, and the
:class:`CompatibilityWarning` of projected singular problems."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["PoissonResult", "CompatibilityWarning", "compatibility_shift", "warn_if_undetermined",
           "UNDETERMINED_MESSAGE"]

UNDETERMINED_MESSAGE = (
    "the problem has only flux conditions (Neumann/periodic faces, no screening) and, after any compatibility "
    "projection, zero data: every constant solves it, so the level is undetermined and 0 (the zero-mean "
    "solution) is returned; fix a value somewhere (a Dirichlet or Robin/convection face, or a fixed region) "
    "to set it")


class CompatibilityWarning(UserWarning):
    """A singular (pure Neumann/periodic) problem had incompatible data and was projected."""


def compatibility_shift(s, sabs, wsum, *, strict, integral, stacklevel=4):
    """The constant by which a singular problem's data are shifted to make them compatible
    (CPU and CUDA solvers alike): ``s / wsum``, with a :class:`CompatibilityWarning` when it is
    not round-off, or a ParameterError when ``strict``.

    Parameters
    ----------
    s, sabs : float -- weighted sums ``sum(w b)`` and ``sum(w |b|)`` of the right-hand side
    wsum : float -- ``sum(w m)``, the weight of a unit shift
    strict : bool -- raise instead of shifting incompatible data
    integral : float -- ``s`` in physical units (the integral of f minus the boundary flux), for the message

    Returns
    -------
    float

    Example
    -------
    >>> compatibility_shift(0.0, 1.0, 4.0, strict=True, integral=0.0)
    0.0
    """
    shift = s / wsum
    if abs(s) > 1e-10 * max(sabs, 1e-300):
        msg = (f"singular problem (no Dirichlet/Robin face, no screening): the data are incompatible; "
               f"integral of f minus boundary flux is off by {integral:.3e} (relative {abs(s) / sabs:.2e}); "
               f"f was shifted by {-shift:.3e} to make it compatible")
        if strict:
            from ..errors import ParameterError

            raise ParameterError(msg.replace("f was shifted", "strict=True forbids shifting f; it would be shifted"))
        warnings.warn(msg, CompatibilityWarning, stacklevel=stacklevel)
    return shift


def warn_if_undetermined(size_after, size_before, stacklevel=4):
    """Warn (:class:`~fieldgrad.errors.UndeterminedLevelWarning`) when a singular problem's data
    vanish after the compatibility shift (``size_after <= 1e-13 size_before``, also 0 <= 0).

    Example
    -------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     warn_if_undetermined(0.0, 0.0)
    >>> w[0].category.__name__
    'UndeterminedLevelWarning'
    """
    if size_after <= 1e-13 * size_before:
        from ..errors import UndeterminedLevelWarning

        warnings.warn(UNDETERMINED_MESSAGE, UndeterminedLevelWarning, stacklevel=stacklevel)


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
