"""The right-hand side of the distributed ``k`` / ``rho_c`` heat form: ``(A0 u + d(t) + m q(t)) / rho_c``.

Every rank builds the serial :class:`fieldgrad.heat.problem.HeatProblem` from the global inputs
(its :class:`~fieldgrad.heat.capacity.CapacityOperator` holds the links of
:class:`~fieldgrad.solvers.discretize.Problem`: cell values, ``Orthotropic``, ``contact=``), so
the explicit limit, the boundary data, the source forms and the fixed values are the serial ones.
A rank keeps its block: ``A0 u`` is :class:`~fieldgrad.distributed.links.BlockLinks` (one halo
layer, the serial row kernel), the forcing ``d(t) + m q(t)`` is the serial stepper's
(:meth:`fieldgrad.heat.explicit._LinksSweeper.forcing`), cut to the block.  Each node gets the
serial row arithmetic in the serial order, so the distributed steps equal the serial ones to
rounding.
"""
from __future__ import annotations

import numpy as np

from ..heat.explicit import _LinksSweeper
from ..heat.problem import HeatProblem
from .links import BlockLinks

__all__ = ["CapacityRhs"]


class CapacityRhs:
    """``v = (A0 u + g(t)) / rho_c`` on this rank's block (0 on fixed nodes), and their values.

    Parameters
    ----------
    dec : Decomposition
    u0, bc, alpha, source, t0, k, rho_c, contact : as for :func:`fieldgrad.solve_heat`
        (``alpha`` only together with ``contact``: it is then ``k``, as in the serial solver)

    Attributes
    ----------
    problem : the serial HeatProblem (global)
    dt_explicit : float -- the serial node-by-node explicit limit

    Example
    -------
    >>> rhs = CapacityRhs(dec, u0, bc, None, None, 0.0, k=Cells(kc), rho_c=2.0, contact=None)   # doctest: +SKIP
    >>> rhs(u_block, t, out_block)                                                              # doctest: +SKIP
    """

    def __init__(self, dec, u0, bc, alpha, source, t0, *, k, rho_c, contact):
        self.dec = dec
        self.problem = p = HeatProblem(u0, dec.grid, bc, alpha, source, t0, k=k, rho_c=rho_c, contact=contact)
        cap = p.capacity
        self.op = BlockLinks(dec, (*cap.links, cap.D), cap.problem.fixed1)
        self.sweeper = _LinksSweeper(p)
        self.irc = self.local(cap.inv_rho_c)
        held = np.zeros(cap.shape3, dtype=bool)
        held.flat[cap.fixed_index] = True  # Dirichlet nodes and the nodes of a Dirichlet hole surface
        self.fixed = dec.local3(held)
        self.dt_explicit = p.dt_explicit
        self._held = self._g = None

    def local(self, arr3):
        """This rank's block of a global array of the padded shape (a float64 copy)."""
        return self.dec.local3(arr3, np.float64)

    def initial_field(self, u0=None, t0=None):
        """This rank's block of the serial initial field (``u0`` and ``t0`` are the problem's; the
        arguments only match the alpha form's call)."""
        return np.ascontiguousarray(self.problem.initial_field()[self.dec.slices])

    def __call__(self, u, t, out):
        self.op.apply(u, out)
        if self._g is None or not self.sweeper.steady:
            self._g = self.local(self.sweeper.forcing(t))
        out += self._g
        out *= self.irc
        return out

    def impose(self, u, t):
        """Write the fixed nodes' values at time ``t`` into the block ``u`` (in place)."""
        cap = self.problem.capacity
        if not self.fixed.any():
            return u
        if self._held is None or cap.time_dependent:
            vals = np.zeros(cap.shape3)
            vals.flat[cap.fixed_index] = cap.data(t)[1]
            self._held = self.local(vals)[self.fixed]
        u[self.fixed] = self._held
        return u
