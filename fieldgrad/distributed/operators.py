"""Distributed operators: ``laplacian``, ``grad``, ``div_k_grad`` on MPI-decomposed grids.

:class:`BlockOperators` evaluates the operators on this rank's block after a halo exchange;
the heat and Poisson solvers call it every step.  The functions :func:`laplacian`, :func:`grad`
and :func:`div_k_grad` take the serial operators' arguments plus ``comm=`` (the global field
given on every rank) and return this rank's :class:`~fieldgrad.distributed.gather.Part`.
"""
from __future__ import annotations

import numpy as np

from .. import boundary as _bnd
from .. import operators as _ops
from ..errors import ParameterError
from . import blocks
from .decomposition import Decomposition
from .gather import Part
from .halo import HaloExchange
from .rows import BlockRows

__all__ = ["BlockOperators", "laplacian", "grad", "div_k_grad"]


class BlockOperators:
    """Second-order operators on one rank's block, with halos exchanged before each sweep.

    Parameters
    ----------
    dec : Decomposition
    bc : boundary specification for the global grid
    dtype : numpy dtype
    k : positive number or global array, optional
        Conductivity for :meth:`div_k_grad` (its halos are exchanged once, here).

    Example
    -------
    >>> ops = BlockOperators(dec, {"*": Dirichlet(0)})   # doctest: +SKIP
    >>> lap = ops.laplacian(dec.local(u), t=0.0)        # doctest: +SKIP
    """

    def __init__(self, dec, bc, dtype=np.float64, k=None):
        self.dec = dec
        self.dtype = np.dtype(dtype)
        self.bcs = _bnd.resolve_bc(bc, dec.grid)
        self.lbcs = blocks.local_conditions(self.bcs, dec.slices, dec.local_grid, dec.physical)
        self.halo = HaloExchange(dec, self.dtype)
        lgrid, nd = dec.local_grid, len(dec.shape)
        # cut faces take the neighbour rule, fed by the halo; physical faces their condition's rule
        self.cut = {lgrid.axis_names[a] + "-+"[s] for a in range(nd) for s in (0, 1) if not dec.physical[a][s]}
        self.k = self.khalos = None
        if k is not None:
            kg = _ops.check_conductivity(k, dec.grid, self.dtype)
            self.k = dec.local(kg)
            self.khalos = self._by_face(self.halo.exchange_copy(self.k))
        self._plans = {}

    def _by_face(self, halos):
        names = self.dec.local_grid.axis_names
        return {names[a] + "-+"[s]: halos[a][s] for a in range(len(halos)) for s in (0, 1) if halos[a][s] is not None}

    def _plan(self, derivative):
        """The block's ghost plan (buffers preallocated once per closure, refilled every sweep)."""
        if derivative not in self._plans:
            self._plans[derivative] = _bnd.GhostPlan(self.dec.local_grid, self.lbcs, derivative, self.dtype,
                                                     k=self.k if derivative == 2 else None, hold=False,
                                                     skip_dirichlet=False, cut=self.cut, khalos=self.khalos)
        return self._plans[derivative]

    def impose(self, u, t=0.0):
        """Write the Dirichlet values into the block's physical Dirichlet faces (in place)."""
        return blocks.impose_dirichlet(u, self.dec.local_grid, self.lbcs, t)

    def ghosts(self, u, derivative, t=0.0, with_k=False):
        """Exchange halos and return the face ghosts per axis from the rule table: the neighbour rule
        (the halo) on cut faces, the condition's rule on physical faces (filled while messages
        travel).  The arrays are internal buffers, overwritten by the next call."""
        plan = self._plan(derivative)
        self.halo.start(u)
        plan.fill(u, t, halos={})  # physical faces now; cut faces once their halos arrive
        halos = self._by_face(self.halo.finish())
        for face in self.cut:
            plan.current[face] = halos[face]
        ghosts = plan.pairs()
        return (ghosts, plan.kpairs()) if with_k else ghosts

    def laplacian(self, u, t=0.0, out=None):
        """Laplacian of the block ``u`` (Dirichlet values imposed into ``u`` first)."""
        self.impose(u, t)
        out = np.empty_like(u) if out is None else out
        return blocks.apply_laplacian(u, self.ghosts(u, 2, t), self.dec.grid, out)

    def grad(self, u, t=0.0, out=None):
        """Gradient of the block, shape ``(ndim, *block)``."""
        self.impose(u, t)
        out = np.empty((u.ndim,) + u.shape, u.dtype) if out is None else out
        return blocks.apply_grad(u, self.ghosts(u, 1, t), self.dec.grid, out)

    def div_k_grad(self, u, t=0.0, out=None):
        """``div(k grad u)`` of the block with the conductivity given at construction."""
        if self.k is None:
            raise ParameterError("div_k_grad needs k: build BlockOperators(..., k=...)")
        self.impose(u, t)
        out = np.empty_like(u) if out is None else out
        ghosts, kghosts = self.ghosts(u, 2, t, with_k=True)
        return blocks.apply_div_k_grad(u, self.k, ghosts, kghosts, self.dec.grid, out)


def _setup(u, grid, bc, comm, dims, k=None, derivative=2, leading=()):
    u = _ops.as_field(u, grid, "u", leading=leading)
    dec = Decomposition(grid, comm, dims, cylindrical=derivative == 1)  # grad: d/dr, d/dz are Cartesian
    ops = BlockOperators(dec, bc, u.dtype, k=k)
    _ops._check_nodes(ops.bcs, derivative, 2)
    return u, dec, ops


def _by_rows(u, grid, bc, k, t, comm, dims):
    """The block of the serial operators' row path (cylindrical grids, Cells / Orthotropic k)."""
    u = _ops.as_field(u, grid, "u")
    dec = Decomposition(grid, comm, dims, cylindrical=True)
    rows = BlockRows(dec, _bnd.resolve_bc(bc, grid), k)
    return Part(rows.apply(dec.local(u), t).astype(u.dtype, copy=False), dec.slices, grid.shape)


def laplacian(u, grid, bc=None, *, t=0.0, comm=None, dims=None):
    """Distributed second-order Laplacian; the same values as :func:`fieldgrad.laplacian`
    (on a cylindrical (r, z) grid by the solvers' finite-volume rows, :mod:`.rows`).

    Parameters
    ----------
    u : array of ``grid.shape``, the global field (on every rank)
    grid, bc, t : as for :func:`fieldgrad.laplacian`
    comm : mpi4py communicator (default ``COMM_WORLD``)
    dims : ranks per axis (default: chosen by ``MPI.Compute_dims``)

    Returns
    -------
    Part
        This rank's block; :func:`~fieldgrad.distributed.gather` assembles it.

    Example
    -------
    >>> part = laplacian(u, grid, {"*": Dirichlet(0)}, comm=MPI.COMM_WORLD)   # doctest: +SKIP
    """
    if grid.cylindrical:
        return _by_rows(u, grid, bc, 1.0, t, comm, dims)
    u, dec, ops = _setup(u, grid, bc, comm, dims)
    return Part(ops.laplacian(dec.local(u), t), dec.slices, grid.shape)


def grad(u, grid, bc=None, *, t=0.0, comm=None, dims=None):
    """Distributed second-order gradient; the same values as :func:`fieldgrad.grad` (also on a
    cylindrical grid, where the components d/dr, d/dz are the Cartesian ones).

    Returns a :class:`Part` with data of shape ``(ndim, *block)``.
    """
    u, dec, ops = _setup(u, grid, bc, comm, dims, derivative=1)
    return Part(ops.grad(dec.local(u), t), dec.slices, (grid.ndim,) + grid.shape)


@_ops.k_keyword
def div_k_grad(u, grid, bc=None, *, k=None, t=0.0, comm=None, dims=None):
    """Distributed ``div(k grad u)``; the same arguments and values as :func:`fieldgrad.div_k_grad`
    (``k`` on cells or per axis, and cylindrical grids, by the solvers' rows, :mod:`.rows`)."""
    k = 1.0 if k is None else k
    if grid.cylindrical or _ops._material_k(k):
        if not _ops._material_k(k):
            k = _ops.check_conductivity(k, grid, _ops.as_field(u, grid, "u").dtype)
        return _by_rows(u, grid, bc, k, t, comm, dims)
    u, dec, ops = _setup(u, grid, bc, comm, dims, k=k)
    return Part(ops.div_k_grad(dec.local(u), t), dec.slices, grid.shape)
