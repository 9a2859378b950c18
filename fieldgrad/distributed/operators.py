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
from . import blocks, kernels
from .decomposition import Decomposition
from .gather import Part
from .halo import HaloExchange

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
        # one preallocated ghost buffer per physical face, refilled in place every sweep
        self._gbuf = [[None, None] for _ in range(nd)]
        self._tmp = [[None, None] for _ in range(nd)]
        for axis in range(nd):
            fshape = dec.shape[:axis] + dec.shape[axis + 1:]
            for side in (0, 1):
                if dec.physical[axis][side]:
                    self._gbuf[axis][side] = np.empty(fshape, self.dtype)
                    self._tmp[axis][side] = np.empty(fshape, self.dtype)
        self.k = None
        self._flux_coef = {}
        if k is not None:
            kg = _ops.check_conductivity(k, dec.grid, self.dtype)
            self.k = dec.local(kg)
            self.khalos = self.halo.exchange_copy(self.k)
            # ghost conductivities depend on k only: computed once
            self.kghosts = blocks.block_ghosts(np.zeros(dec.shape, self.dtype), lgrid, self.lbcs, self.khalos, 2, 0.0,
                                               self.k, self.khalos)[1]
            self.kghosts = [[np.ascontiguousarray(g, dtype=self.dtype) for g in pair] for pair in self.kghosts]
        for axis in range(nd):
            h = lgrid.spacing[axis]
            for side in (0, 1):
                cond = self.lbcs[lgrid.axis_names[axis] + "-+"[side]]
                if isinstance(cond, (_bnd.Neumann, _bnd.Robin)):
                    # ghost = u_1 + c * (outward derivative), c = 2h (times k_b / k_half with k)
                    c = np.full(self._gbuf[axis][side].shape, 2.0 * h)
                    if self.k is not None:
                        kb, k1 = self._layer(self.k, axis, side, 0), self._layer(self.k, axis, side, 1)
                        c = 2.0 * h * (kb / (2 * kb * k1 / (kb + k1)))
                    self._flux_coef[axis, side] = np.ascontiguousarray(c, dtype=self.dtype)

    @staticmethod
    def _layer(u, axis, side, m):
        sl = [slice(None)] * u.ndim
        sl[axis] = m if side == 0 else u.shape[axis] - 1 - m
        return u[tuple(sl)]

    def impose(self, u, t=0.0):
        """Write the Dirichlet values into the block's physical Dirichlet faces (in place)."""
        return blocks.impose_dirichlet(u, self.dec.local_grid, self.lbcs, t)

    def _fill_physical(self, u, derivative, t):
        """Ghosts of the physical faces into the preallocated buffers (no grid-sized temporaries)."""
        lgrid = self.dec.local_grid
        for axis in range(u.ndim):
            for side in (0, 1):
                g = self._gbuf[axis][side]
                if g is None:
                    continue
                face = lgrid.axis_names[axis] + "-+"[side]
                cond = self.lbcs[face]
                u0, u1 = self._layer(u, axis, side, 0), self._layer(u, axis, side, 1)
                if isinstance(cond, _bnd.Neumann):
                    flux = cond.evaluate("flux", lgrid, face, t, u.dtype)
                    kernels.affine_face(g, u1, self._flux_coef[axis, side], flux)
                elif isinstance(cond, _bnd.Robin):
                    tmp = self._tmp[axis][side]
                    np.multiply(cond.evaluate("alpha", lgrid, face, t, u.dtype), u0, out=tmp)
                    np.subtract(cond.evaluate("value", lgrid, face, t, u.dtype), tmp, out=tmp)
                    np.divide(tmp, cond.evaluate("beta", lgrid, face, t, u.dtype), out=tmp)
                    kernels.affine_face(g, u1, self._flux_coef[axis, side], tmp)
                else:  # Dirichlet / unconstrained: one-sided polynomial ghost (as boundary.ghost_layers)
                    u2 = self._layer(u, axis, side, 2)
                    if derivative == 1:
                        kernels.combine4_face(g, u0, u1, u2, u2, 3.0, -3.0, 1.0, 0.0)
                    else:
                        kernels.combine4_face(g, u0, u1, u2, self._layer(u, axis, side, 3), 4.0, -6.0, 4.0, -1.0)

    def ghosts(self, u, derivative, t=0.0, with_k=False):
        """Exchange halos (physical ghosts are filled while messages travel) and return the face
        ghosts per axis: neighbour layers on cut faces, boundary ghosts on physical faces.  The
        arrays are internal buffers, overwritten by the next call."""
        self.halo.start(u)
        self._fill_physical(u, derivative, t)
        halos = self.halo.finish()
        ghosts = [[halos[a][s] if halos[a][s] is not None else self._gbuf[a][s] for s in (0, 1)]
                  for a in range(u.ndim)]
        return (ghosts, self.kghosts) if with_k else ghosts

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
    dec = Decomposition(grid, comm, dims)
    ops = BlockOperators(dec, bc, u.dtype, k=k)
    _ops._check_nodes(ops.bcs, derivative, 2)
    return u, dec, ops


def laplacian(u, grid, bc=None, *, t=0.0, comm=None, dims=None):
    """Distributed second-order Laplacian; the same values as :func:`fieldgrad.laplacian`.

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
    u, dec, ops = _setup(u, grid, bc, comm, dims)
    return Part(ops.laplacian(dec.local(u), t), dec.slices, grid.shape)


def grad(u, grid, bc=None, *, t=0.0, comm=None, dims=None):
    """Distributed second-order gradient; the same values as :func:`fieldgrad.grad`.

    Returns a :class:`Part` with data of shape ``(ndim, *block)``.
    """
    u, dec, ops = _setup(u, grid, bc, comm, dims, derivative=1)
    return Part(ops.grad(dec.local(u), t), dec.slices, (grid.ndim,) + grid.shape)


@_ops.k_keyword
def div_k_grad(u, grid, bc=None, *, k=None, t=0.0, comm=None, dims=None):
    """Distributed ``div(k grad u)``; the same arguments and values as :func:`fieldgrad.div_k_grad`."""
    k = 1.0 if k is None else k
    u, dec, ops = _setup(u, grid, bc, comm, dims, k=k)
    return Part(ops.div_k_grad(dec.local(u), t), dec.slices, grid.shape)
