"""Exceptions raised by fieldgrad.

Every error derives from :class:`FieldgradError`.  The more specific classes also derive from
the matching built-in (``ValueError``, ``RuntimeError`` ...) so that generic handlers keep
working.  Messages say what was wrong, the value seen, and what would be accepted.

Example
-------
>>> from fieldgrad.errors import ShapeError, FieldgradError
>>> issubclass(ShapeError, FieldgradError) and issubclass(ShapeError, ValueError)
True
"""
from __future__ import annotations


class FieldgradError(Exception):
    """Base class of every exception raised on purpose by fieldgrad."""


class ParameterError(FieldgradError, ValueError):
    """An argument has a value outside what is accepted (wrong type, sign, choice)."""


class ShapeError(FieldgradError, ValueError):
    """An array has a shape that does not fit the grid or the other arguments."""


class GridError(FieldgradError, ValueError):
    """A grid cannot be built as asked, or is too small for the stencil in use."""


class BoundaryError(FieldgradError, ValueError):
    """A boundary condition is malformed, names a missing face, or contradicts the grid."""


class NonFiniteError(FieldgradError, ValueError):
    """An input or a running solution holds NaN or infinity."""


class StabilityError(FieldgradError, ValueError):
    """A requested time step exceeds the stability limit of an explicit scheme."""


class ConvergenceError(FieldgradError, RuntimeError):
    """An iterative solver did not reach its tolerance.

    Attributes
    ----------
    residuals : list of float
        The relative residual after each iteration, so the caller can see how it went.
    result : object or None
        The partial result object, when the solver has one.
    """

    def __init__(self, message, residuals=None, result=None):
        super().__init__(message)
        self.residuals = list(residuals) if residuals is not None else []
        self.result = result


class BackendError(FieldgradError, RuntimeError):
    """A compute backend (e.g. CUDA, MPI) was asked for but is not available."""


class FileFormatError(FieldgradError, ValueError):
    """A file is not a fieldgrad file, is truncated, or cannot be written as asked."""


class CaseFileError(FieldgradError, ValueError):
    """A case file has an unknown key, a wrong type or a value outside what is allowed."""


class TooLargeError(FieldgradError, MemoryError):
    """A grid or array would not fit in the memory available (checked before allocating)."""


class ParameterTypeError(ParameterError, TypeError):
    """An argument of the wrong kind or count (where NumPy raises ``TypeError``)."""


try:  # NumPy >= 1.25
    from numpy.exceptions import AxisError as _AxisError
except ImportError:  # pragma: no cover
    from numpy import AxisError as _AxisError


class AxisParameterError(ParameterError, _AxisError):
    """An axis out of range (where NumPy raises ``AxisError``, an IndexError and ValueError)."""


class FieldgradWarning(UserWarning):
    """Base class of the warnings fieldgrad issues on purpose."""


class UndeterminedLevelWarning(FieldgradWarning):
    """A steady problem with only flux conditions (Neumann/periodic, no screening) and zero data:
    every constant solves it, so the level returned (0, the zero-mean choice) is arbitrary."""


def describe(value, limit=80):
    """Short printable description of a value for error messages.

    Parameters
    ----------
    value : object
        Anything.
    limit : int
        Longest text returned.

    Returns
    -------
    str

    Example
    -------
    >>> describe(3.5)
    '3.5'
    """
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return f"array of shape {value.shape} and dtype {value.dtype}"
    except ImportError:  # pragma: no cover
        pass
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
