"""Each rank's part of a global array, and its assembly on one rank."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ParameterError, describe

__all__ = ["Block", "Part", "gather"]


class Block:
    """Where one rank's block of a global array sits: ``data``, ``slices`` (global index range
    per grid axis) and ``global_shape``.  :class:`Part` and the distributed solvers' results
    (:class:`~fieldgrad.distributed.results.HeatPart`,
    :class:`~fieldgrad.distributed.results.PoissonPart`) are blocks, so :func:`gather` takes
    any of them."""

    @property
    def index(self):
        """Index of the block in the global array (leading axes whole)."""
        lead = len(self.global_shape) - len(self.slices)
        return (slice(None),) * lead + tuple(self.slices)


@dataclass
class Part(Block):
    """One rank's block of a global result.

    Attributes
    ----------
    data : ndarray
        The block, shape ``leading + block shape`` (e.g. ``(ndim, nx, ny)`` for a gradient).
    slices : tuple of slice
        Global index range of the block per grid axis.
    global_shape : tuple of int
        Shape of the assembled array (leading axes included).
    info : dict
        Solver information (steps, iterations, residuals ...), the same on every rank.
    """

    data: np.ndarray
    slices: tuple
    global_shape: tuple
    info: dict = field(default_factory=dict)


def gather(part, comm=None, root=0):
    """Assemble the global array from every rank's :class:`Part` on ``root``.

    Parameters
    ----------
    part : Block (a :class:`Part`, or the result of a distributed solver)
    comm : mpi4py communicator, optional (``MPI.COMM_WORLD``)
    root : int

    Returns
    -------
    ndarray of ``part.global_shape`` on ``root``, ``None`` elsewhere.

    Example
    -------
    >>> part = fieldgrad.distributed.solve_poisson(f, grid, bc, comm=comm)   # doctest: +SKIP
    >>> u = gather(part, comm)            # the whole solution on rank 0     # doctest: +SKIP
    """
    if not isinstance(part, Block):
        raise ParameterError(f"part must be a fieldgrad.distributed.Part or a distributed solver's result; "
                             f"got {describe(part)}")
    if comm is None:
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
    pieces = comm.gather((part.index, np.ascontiguousarray(part.data)), root=root)
    if comm.Get_rank() != root:
        return None
    out = np.empty(part.global_shape, dtype=part.data.dtype)
    for index, data in pieces:
        out[index] = data
    return out
