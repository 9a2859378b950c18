"""What the distributed solvers return: the serial result types, for this rank's block.

:class:`HeatPart` is a :class:`fieldgrad.HeatResult` and :class:`PoissonPart` a
:class:`fieldgrad.PoissonResult` whose ``u`` is this rank's block of the solution; both are
:class:`~fieldgrad.distributed.gather.Block` objects (``slices``, ``global_shape``, ``index``,
``data`` = ``u``), so :func:`fieldgrad.distributed.gather` assembles the global field.

Example
-------
>>> r = HeatPart(np.zeros((2, 3)), 1.0, 4, "ftcs", 0.25, 4, 0, "t_end", 0.0, {},
...              slices=(slice(2, 4), slice(0, 3)), global_shape=(4, 3))
>>> r.data is r.u, r.index
(True, (slice(2, 4, None), slice(0, 3, None)))
"""
from __future__ import annotations

from dataclasses import dataclass

from ..heat.front import HeatResult
from ..solvers.result import PoissonResult
from .gather import Block

__all__ = ["Placed", "HeatPart", "PoissonPart"]


@dataclass
class Placed(Block):
    """The part every distributed result adds to its serial result type: ``u`` is this rank's
    block, ``slices`` and ``global_shape`` place it in the global field."""

    slices: tuple = ()
    global_shape: tuple = ()

    @property
    def data(self):
        """The block (``u``), as :class:`~fieldgrad.distributed.Part` names it."""
        return self.u


@dataclass
class HeatPart(Placed, HeatResult):
    """:class:`fieldgrad.HeatResult` of :func:`fieldgrad.distributed.solve_heat` on one rank:
    ``u`` is the rank's block; ``slices`` and ``global_shape`` place it in the global field."""


@dataclass
class PoissonPart(Placed, PoissonResult):
    """:class:`fieldgrad.PoissonResult` of :func:`fieldgrad.distributed.solve_poisson` on one
    rank: ``u`` is the rank's block; ``slices`` and ``global_shape`` place it."""
