"""Operators on one block of a decomposed grid, shared by the MPI and the Dask paths.

A block is a contiguous piece of the global grid.  Each of its faces is either *physical* (a
non-periodic face of the global domain: the ghost comes from the boundary condition, exactly as
:mod:`fieldgrad.boundary.rules` gives it for the whole grid) or *cut* (the "neighbour" rule: the
ghost is the neighbouring block's first layer, delivered by a halo exchange or by Dask's overlap).  Then
the serial Numba sweeps of :mod:`fieldgrad.kernels.cpu` run on the block unchanged, so every
node gets the same arithmetic as in the serial operator.
"""
from __future__ import annotations

import copy

import numpy as np

from .. import boundary as _bnd
from ..errors import GridError, ParameterError
from ..grid import Grid
from ..kernels import cpu

__all__ = ["block_grid", "local_conditions", "block_ghosts", "impose_dirichlet", "apply_laplacian", "apply_grad",
           "apply_div_k_grad", "stencil_spacing"]


def _localise(cond, slices, axis):
    """A copy of ``cond`` whose face-shaped array values are cut to this block's part of the face."""
    face_index = tuple(s for a, s in enumerate(slices) if a != axis)
    new = copy.copy(cond)
    new._cache = {}
    for field in cond._fields:
        value = getattr(cond, field)
        if isinstance(value, np.ndarray) and value.ndim > 0:
            setattr(new, field, np.ascontiguousarray(value[face_index]))
    return new


def block_grid(grid, slices):
    """The block ``slices`` of ``grid`` as a non-periodic Grid whose node coordinates are exactly
    the global ones (so boundary callables see the same numbers as in the serial operator)."""
    shape = tuple(s.stop - s.start for s in slices)
    origin = tuple(float(c[s.start]) for c, s in zip(grid.coords, slices))
    lgrid = Grid(shape, spacing=grid.spacing, origin=origin)
    lgrid.coords = tuple(c[s] for c, s in zip(grid.coords, slices))
    return lgrid


def local_conditions(bcs, slices, local_grid, physical):
    """Boundary conditions of a block: the global condition on physical faces, ``None`` on cut faces.

    Parameters
    ----------
    bcs : BoundaryConditions
        Resolved against the global grid.
    slices : tuple of slice
        The block's global index range per axis.
    local_grid : Grid
        The block as a non-periodic grid (global spacing, shifted origin).
    physical : list of (bool, bool)
        Which faces of the block are physical.

    Returns
    -------
    BoundaryConditions on ``local_grid``.
    """
    faces = {}
    for axis in range(local_grid.ndim):
        for side in (0, 1):
            name = local_grid.axis_names[axis] + "-+"[side]
            cond = bcs[bcs.grid.axis_names[axis] + "-+"[side]]  # (r, z) on a cylindrical global grid
            faces[name] = _localise(cond, slices, axis) if physical[axis][side] and cond is not None else None
    return _bnd.BoundaryConditions(local_grid, faces)


def impose_dirichlet(u, local_grid, local_bcs, t=0.0):
    """Write Dirichlet values into the block's physical Dirichlet faces (in place)."""
    for face in _bnd.dirichlet_faces(local_bcs):
        axis, side = local_grid.parse_face(face)
        sl = [slice(None)] * local_grid.ndim
        sl[axis] = 0 if side == 0 else -1
        u[tuple(sl)] = local_bcs[face].evaluate("value", local_grid, face, t, u.dtype)
    return u


def block_ghosts(u, local_grid, local_bcs, halos, derivative, t=0.0, k=None, khalos=None):
    """Face ghosts of a block: halos on cut faces, boundary-condition ghosts on physical faces.

    Parameters
    ----------
    u : ndarray, the block (Dirichlet values already imposed)
    local_grid, local_bcs : from :func:`local_conditions`
    halos : list of [lo, hi] per axis
        Neighbour layers (face-shaped arrays) on cut faces, ``None`` on physical faces.
    derivative : {1, 2}
        Which closure physical Dirichlet / unconstrained faces use (see ``ghost_layers``).
    t : float
    k, khalos : conductivity block and its halos, for ``div(k grad u)``

    Returns
    -------
    ghosts (list of (lo, hi)), and with ``k`` also the ghost conductivities.
    """
    names = local_grid.axis_names
    by_face = {names[a] + "-+"[s]: halos[a][s] for a in range(local_grid.ndim) for s in (0, 1)
               if halos[a][s] is not None}
    kby_face = None if k is None else {names[a] + "-+"[s]: khalos[a][s] for a in range(local_grid.ndim)
                                       for s in (0, 1) if khalos[a][s] is not None}
    plan = _bnd.GhostPlan(local_grid, local_bcs, derivative, u.dtype, k=k, hold=False, skip_dirichlet=False,
                          cut=set(by_face), khalos=kby_face)
    ghosts = plan.fill(u, t, halos=by_face)
    return (ghosts, plan.kpairs()) if k is not None else ghosts


def stencil_spacing(grid, power, dtype, scale=1.0):
    """Inverse spacings ``scale / h**power`` as kernel constants of ``dtype``."""
    return [np.dtype(dtype).type(scale / h ** power) for h in grid.spacing]


def _check_ndim(ndim):
    if ndim not in (2, 3):
        raise GridError(f"the distributed operators work on 2D and 3D grids; got {ndim}D")


def _flat(ghosts):
    return [np.ascontiguousarray(g) for pair in ghosts for g in pair]


def apply_laplacian(u, ghosts, grid, out):
    """Second-order Laplacian of a block given its face ghosts (``grid`` gives the spacing)."""
    _check_ndim(u.ndim)
    ih2 = stencil_spacing(grid, 2, u.dtype)
    (cpu.laplacian_3d if u.ndim == 3 else cpu.laplacian_2d)(u, *_flat(ghosts), *ih2, out)
    return out


def apply_grad(u, ghosts, grid, out):
    """Second-order gradient of a block, ``out`` of shape ``(ndim, *u.shape)``."""
    _check_ndim(u.ndim)
    half = stencil_spacing(grid, 1, u.dtype, 0.5)
    (cpu.grad_3d if u.ndim == 3 else cpu.grad_2d)(u, *_flat(ghosts), *half, *out)
    return out


def apply_div_k_grad(u, k, ghosts, kghosts, grid, out):
    """Conservative ``div(k grad u)`` of a block given ghosts of ``u`` and of ``k``."""
    _check_ndim(u.ndim)
    if k.shape != u.shape:
        raise ParameterError(f"k block has shape {k.shape}; the u block has {u.shape}")
    ih2 = stencil_spacing(grid, 2, u.dtype)
    (cpu.div_k_grad_3d if u.ndim == 3 else cpu.div_k_grad_2d)(u, k, *_flat(ghosts), *_flat(kghosts), *ih2, out)
    return out
