"""The heat operator with a heat-capacity field: ``rho_c du/dt = div(k grad u) + q``.

The spatial operator is the one of the Poisson solvers, :class:`fieldgrad.solvers.discretize.Problem`
with no screening: links ``Lx, Ly, Lz`` and diagonal ``D`` from ``Problem.links_diag()`` (the
homogeneous operator ``A0``), the Neumann/Robin data and the Dirichlet values from
``Problem.rhs``.  Whatever conductivity that class accepts (node arrays today) therefore reaches
the explicit sweeps and the implicit solves alike, through one discretisation.

At an unknown node the semi-discrete equation is ``du/dt = (A0 u + d(t) + q(t)) / rho_c`` with
``d(t) = -Problem.rhs(0, t)`` (the boundary data terms); nodes that ``Problem`` holds fixed keep
the value ``Problem.rhs`` gives them (``inv_rho_c`` is 0 there, so a sweep leaves them alone);
nodes outside a ``Cells`` domain are held at 0.
A Dirichlet ``bc["surface"]`` on the holes of a domain holds the surface nodes the way the Poisson
solvers do (:class:`fieldgrad.solvers.held.HeldProblem`): they are fixed nodes here too.
The implicit steppers solve ``div(k grad u) - (rho_c / dt) u = f`` with the same ``Problem``
(``screening = rho_c / dt``), so explicit and implicit methods discretise the same ODE system.

Example
-------
>>> g = fg.Grid((5, 5))
>>> op = CapacityOperator(g, fg.resolve_bc(fg.Neumann(0.0), g), 2.0, np.full(g.shape, 4.0))
>>> float(op.inv_rho_c.max()), bool(np.allclose(op.apply(np.ones(g.shape), 0.0), 0.0))
(0.25, True)
"""
from __future__ import annotations

import numpy as np

from ..solvers.discretize import pad3, unpad
from ..solvers.held import make_problem
from ..validation import check_coefficient

__all__ = ["CapacityOperator", "check_rho_c", "cells_rho_c"]


def cells_rho_c(rho_c, k, grid):
    """A heat capacity given as :class:`fieldgrad.Cells` turned into node values: the mean of the
    cells of each node's control volume (volume-weighted in ``r`` on a cylindrical grid), over
    the cells inside the domain of ``k`` (and of ``rho_c``'s own domain) only -- the capacity
    factor of a node with holes holds its inside fraction.  Anything else is returned as it is.

    Example
    -------
    >>> g = fg.Grid((3, 2))
    >>> cells_rho_c(fg.Cells([[1.0], [3.0]]), 1.0, g).tolist()
    [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    """
    from ..materials import Cells, Orthotropic, resolve_conductivity
    from ..materials.cells import cell_shape, check_cell_values
    from ..materials.faces import node_mean, radial_half_weights

    if not isinstance(rho_c, Cells):
        return rho_c
    vals = check_cell_values(rho_c.values, grid, "rho_c", domain=rho_c.domain)
    dom = rho_c.domain
    if isinstance(k, (Cells, Orthotropic)):
        kd = resolve_conductivity(k, grid, "k").domain3
        if kd is not None:
            kd = kd.reshape(cell_shape(grid))
            dom = kd if dom is None else (dom & kd)
    pad = (1,) * (3 - grid.ndim)
    cs = cell_shape(grid) + pad
    shape3, periodic3 = tuple(grid.shape) + pad, tuple(grid.periodic) + (False,) * (3 - grid.ndim)
    mean = lambda c: node_mean(c.reshape(cs), shape3, periodic3, radial_half_weights(grid))  # noqa: E731
    if dom is None:
        return np.ascontiguousarray(mean(vals).reshape(grid.shape))
    d = dom.astype(np.float64)
    num, den = mean(vals * d), mean(d)
    out = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)  # nodes with no cell inside: no unknowns
    return np.ascontiguousarray(out.reshape(grid.shape))


def check_rho_c(rho_c, grid):
    """``rho_c`` checked: a positive finite number (float) or a positive finite array of
    ``grid.shape`` (float64, C-contiguous); errors name ``rho_c``."""
    return check_coefficient(rho_c, grid, "rho_c", positive=True)


class CapacityOperator:
    """``A0``, the boundary data and ``1 / rho_c`` of a heat problem, on arrays padded to 3 axes.

    Parameters
    ----------
    grid : Grid
    bcs : resolved BoundaryConditions (every face given)
    k : positive number or array accepted by :class:`~fieldgrad.solvers.discretize.Problem`
    rho_c : positive number or array of ``grid.shape`` (checked by the caller, :func:`check_rho_c`)
    contact : None or :class:`fieldgrad.Contact` -- interface resistances (series conductances)

    Attributes
    ----------
    problem : Problem
    links : (Lx, Ly, Lz); D : diagonal of ``A0``; tables : flat list of the axis tables
    inv_rho_c : float64 array of ``shape3``, ``1 / rho_c`` at unknown nodes (``1 / (rho_c m)`` on a
        cylindrical grid, ``m`` the volume factor), 0 at fixed nodes
    m : the volume factor of :meth:`Problem.volume_factor` (1.0 on a Cartesian grid): sources
        enter the sweeps as ``m * q``
    """

    def __init__(self, grid, bcs, k, rho_c, contact=None):
        self.grid = grid
        # a Dirichlet bc["surface"] holds the nodes on the holes' surface: the held-region problem
        # of the Poisson solvers (links to them cut, their values moved to the data term d)
        self.problem = prob = make_problem(grid, bcs, k, 0.0, contact)
        Lx, Ly, Lz, D, tables = prob.links_diag()
        self.links = (Lx, Ly, Lz)
        self.D = D
        self.tables = [x for nb_wt in tables for x in nb_wt]
        self.shape3 = prob.shape3
        fixed = prob.fixed_or_held_mask()
        # on a cylindrical grid the rows are volume-weighted by m (Problem.volume_factor): the
        # capacity of a node is rho_c * m and a source enters as m * q
        # (and with holes by the inside fraction phi3; nodes outside the domain are frozen)
        self.m = prob.capacity_factor()
        irc = np.empty(self.shape3)
        irc[...] = 1.0 / (rho_c if np.ndim(rho_c) == 0 else pad3(np.asarray(rho_c, dtype=np.float64), grid.ndim))
        if np.ndim(self.m):
            cf = np.broadcast_to(self.m, self.shape3)
            inside = cf > 0
            irc[inside] /= cf[inside]
            irc[~inside] = 0.0
        # nodes outside the domain (no cell inside) are no unknowns: held at 0 by every method,
        # as the Poisson solvers return them (a Dirichlet box face there included)
        outside = prob.outside3
        if outside is not None and outside.any():
            fixed = fixed | outside
        irc[fixed] = 0.0
        self.inv_rho_c = irc
        self.fixed_index = np.flatnonzero(fixed)
        self._outside_of_fixed = None if outside is None else outside.reshape(-1)[self.fixed_index]
        self.time_dependent = bool(prob.bcs.time_dependent)
        self._zero = np.zeros(grid.shape)
        self._cache = None  # (data, held) of data constant in time

    def data(self, t):
        """``(d, held)``: the boundary data term ``d`` (array of ``shape3``, 0 at fixed nodes) and
        the values of the fixed nodes at time ``t`` (cached when no condition depends on time)."""
        if self._cache is not None and not self.time_dependent:
            return self._cache
        b, ud = self.problem.rhs(self._zero, t)
        d = np.negative(b, out=b)
        d.reshape(-1)[self.fixed_index] = 0.0
        held = ud.reshape(-1)[self.fixed_index].copy()
        if self._outside_of_fixed is not None:
            held[self._outside_of_fixed] = 0.0
        out = (d, held)
        if not self.time_dependent:
            self._cache = out
        return out

    def impose(self, u, t):
        """Write the fixed nodes' values of time ``t`` into ``u`` (in place); returns ``u``."""
        if self.fixed_index.size:
            u.flat[self.fixed_index] = self.data(t)[1]
        return u

    def apply(self, u, t):
        """``div(k grad u)`` at the unknown nodes (``A0 u + d(t)``, 0 at fixed nodes), an array
        of ``grid.shape`` (float64)."""
        from ..solvers.mg_links import residual_links

        prob = self.problem
        u3 = pad3(np.ascontiguousarray(u), prob.ndim)
        r = np.empty(self.shape3)
        residual_links(u3, u3, r, *self.links, self.D, *prob.fixed1, *self.tables, False)
        r += self.data(t)[0]
        r.reshape(-1)[self.fixed_index] = 0.0  # held rows of a Dirichlet surface keep their own diagonal
        if np.ndim(self.m):
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(self.m > 0, r / self.m, 0.0)
        return unpad(r, self.grid.shape)

    def limit(self):
        """Explicit limit ``2 / max_i(sum_j |A0_ij| / rho_c_i)`` over the unknown nodes (Gershgorin)."""
        from ..solvers.mg_links import diag_from_links

        off = np.empty(self.shape3)
        diag_from_links(*self.links, *self.tables, off)  # -(sum of the off-diagonal entries)
        rate = float(np.max((np.abs(self.D) - off) * self.inv_rho_c, initial=0.0))
        return 2.0 / rate if rate > 0 else float("inf")
