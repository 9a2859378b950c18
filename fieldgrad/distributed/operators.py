"""Distributed operators: ``laplacian``, ``grad``, ``div``, ``div_k_grad``, ``curl`` on MPI-decomposed grids.

:class:`BlockOperators` evaluates the operators on this rank's block after a halo exchange;
the heat and Poisson solvers call it every step.  The functions :func:`laplacian`, :func:`grad`,
:func:`div`, :func:`div_k_grad` and :func:`curl` take the serial operators' arguments plus
``comm=`` (the global field given on every rank) and return this rank's
:class:`~fieldgrad.distributed.gather.Part`.

``div`` runs the serial sweep (:func:`fieldgrad.kernels.cpu.div_2d` / ``div_3d``) on the block
with each component's normal ghosts from the rule table (halos on cut faces), and on a
cylindrical grid adds the serial radial term (:func:`fieldgrad.operators._add_radial_term`) with
the block's radii.  ``curl`` (and the Dask ``div`` / ``curl``, :mod:`.dask`, which share the
helpers here) applies the serial :func:`fieldgrad.curl` to the block grown by its halo layer, as
a grid of its own, and keeps the block: a node's differences read its face neighbours only.
"""
from __future__ import annotations

import numpy as np

from .. import boundary as _bnd
from .. import operators as _ops
from ..errors import BoundaryError, GridError, ParameterError, describe
from ..grid import Grid
from ..kernels import cpu
from . import blocks
from .decomposition import Decomposition
from .gather import Part
from .halo import HaloExchange
from .rows import BlockRows

__all__ = ["BlockOperators", "laplacian", "grad", "div", "div_k_grad", "curl"]


class BlockOperators:
    """Second-order operators on one rank's block, with halos exchanged before each sweep.

    Parameters
    ----------
    dec : Decomposition
    bc : boundary specification for the global grid (for :meth:`div` the condition of the normal
        component on each face; :meth:`curl` needs ``None``)
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
        self.bc_given = bc is not None
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
        self._div = None

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

    def div(self, v, t=0.0, out=None):
        """Divergence of the block ``v`` (shape ``(ndim, *block)``), the values of :func:`fieldgrad.div`.

        The condition given at construction is that of the normal component on each face; the
        Dirichlet values of each component's normal faces are imposed into ``v`` first (in place,
        as :meth:`laplacian` does with ``u``).  Cylindrical grids as :func:`fieldgrad.div`.

        Parameters
        ----------
        v : ndarray of shape ``(ndim, *block)``, C-contiguous
        t : float
        out : ndarray of the block shape, optional

        Returns
        -------
        ndarray of the block shape

        Example
        -------
        >>> ops = BlockOperators(dec, {"x": Dirichlet(0.0)})          # doctest: +SKIP
        >>> d = ops.div(dec.local(np.stack([vx, vy]), leading=1))    # doctest: +SKIP
        """
        grid = self.dec.grid
        if self._div is None:  # one operator per component: its normal faces' conditions, its halos
            _, normals = div_conditions(self.bcs, grid)
            self._div = ([BlockOperators(self.dec, n, self.dtype) for n in normals],
                         cylindrical_block(grid, self.dec.slices) if grid.cylindrical else None)
        ops, radial = self._div
        ghosts = []
        for a, op in enumerate(ops):
            op.impose(v[a], t)
            ghosts.append(op.ghosts(v[a], 1, t)[a])
        out = np.empty(v.shape[1:], v.dtype) if out is None else out
        return apply_div(list(v), ghosts, grid, out, radial)

    def curl(self, v, out=None):
        """Curl of the block ``v`` (shape ``(ndim, *block)``), the values of :func:`fieldgrad.curl`:
        ``(3, *block)`` in 3D, the block shape in 2D (the azimuthal component on a cylindrical grid).

        Needs operators built with ``bc=None`` (:class:`~fieldgrad.errors.BoundaryError` otherwise,
        as the serial curl).  The block, grown by the halo layer on its cut faces, goes through the
        serial :func:`fieldgrad.curl` as a grid of its own (:func:`curl_of_grown`).

        Example
        -------
        >>> BlockOperators(dec, None).curl(dec.local(v, leading=1))   # doctest: +SKIP
        """
        if self.bc_given:
            raise BoundaryError("curl takes bc=None (one-sided differences; periodic axes come from the grid); "
                                "build BlockOperators(dec, None) for it")
        dec = self.dec
        grown = np.stack([grow(v[a], self.halo.exchange(v[a]), dec.physical) for a in range(len(v))])
        starts = [s.start - (0 if dec.physical[a][0] else 1) for a, s in enumerate(dec.slices)]
        res = curl_of_grown(grown, dec.grid, starts, dec.physical)
        if out is None:
            return res
        out[...] = res
        return out


# ---------------------------------------------------------------------- div and curl on a block
def div_conditions(bc, grid):
    """The conditions :func:`fieldgrad.div` reads: ``bc`` resolved on ``grid`` (``F_r`` held at 0
    on the axis of a cylindrical grid, :func:`fieldgrad.operators._axis_without_flow`), and per
    axis ``a`` those of component ``a``: the axis-``a`` faces only (it is differentiated along
    axis ``a`` alone, so that is its only ghost).

    Returns
    -------
    (BoundaryConditions, list of BoundaryConditions per component)
    """
    bcs = _bnd.resolve_bc(bc, grid)
    if grid.cylindrical:
        bcs = _ops._axis_without_flow(bcs)
    return bcs, [_bnd.BoundaryConditions(grid, {f: (c if grid.parse_face(f)[0] == a else None)
                                                for f, c in bcs.faces.items()}) for a in range(grid.ndim)]


def apply_div(comps, ghosts, grid, out, radial=None):
    """Second-order divergence of a block: the serial sweep (:func:`fieldgrad.kernels.cpu.div_2d` /
    ``div_3d``) on the components ``comps`` (their normal faces' Dirichlet values imposed), with
    ``ghosts[a]`` the ``(lo, hi)`` ghosts of component ``a`` along axis ``a``.

    Parameters
    ----------
    comps : list of ndarray of the block shape
    ghosts : list of (lo, hi) per axis
    grid : Grid (the spacing)
    out : ndarray of the block shape
    radial : Grid, optional
        On a cylindrical grid, the block as a cylindrical grid (:func:`cylindrical_block`): its
        radii give the serial ``F_r / r`` term and the axis row (:func:`fieldgrad.operators._add_radial_term`).

    Returns
    -------
    out
    """
    blocks._check_ndim(len(comps))
    half = blocks.stencil_spacing(grid, 1, comps[0].dtype, 0.5)
    (cpu.div_3d if len(comps) == 3 else cpu.div_2d)(*comps, *[np.ascontiguousarray(g) for pair in ghosts for g in pair],
                                                     *half, out)
    if radial is not None:
        _ops._add_radial_term(out, comps[0], ghosts[0][0], radial)
    return out


def cylindrical_block(grid, slices):
    """The nodes ``slices`` of the cylindrical ``grid`` as a non-periodic (r, z) grid with exactly
    the global node coordinates (on the axis when the block starts at r = 0)."""
    shape = tuple(sl.stop - sl.start for sl in slices)
    origin = tuple(float(c[sl.start]) for c, sl in zip(grid.coords, slices))
    egrid = Grid(shape, spacing=grid.spacing, origin=origin, coords="cylindrical")
    egrid.coords = tuple(c[sl] for c, sl in zip(grid.coords, slices))
    return egrid


def grow(block, halos, physical):
    """The block with its halo layers (``halos[a] = [lo, hi]``, ``None`` on physical faces) around it,
    as Dask's overlap gives a chunk; edges and corners, which no second-order difference reads, are 0."""
    lo = [0 if p[0] else 1 for p in physical]
    x = np.zeros([n + lo[a] + (0 if physical[a][1] else 1) for a, n in enumerate(block.shape)], block.dtype)
    core = tuple(slice(lo[a], lo[a] + n) for a, n in enumerate(block.shape))
    x[core] = block
    for a, pair in enumerate(halos):
        for side, layer in enumerate(pair):
            if layer is not None:
                sl = list(core)
                sl[a] = 0 if side == 0 else -1
                x[tuple(sl)] = layer
    return x


def check_curl(bc, grid):
    """Refuse what :func:`fieldgrad.curl` refuses before reading ``v`` (MPI and Dask): a condition
    (:class:`~fieldgrad.errors.BoundaryError`), a grid that is not 2D or 3D (:class:`~fieldgrad.errors.GridError`)."""
    if bc is not None:
        raise BoundaryError("curl takes bc=None (one-sided differences; periodic axes come from the grid); got "
                            + describe(bc))
    if grid.ndim not in (2, 3):
        raise GridError(f"curl needs a 2D or 3D grid; got {grid.ndim}D")


def curl_of_grown(x, grid, starts, physical):
    """The serial :func:`fieldgrad.curl` of a block grown by one layer on its cut faces, cut back to the block.

    The grown block is a non-periodic grid of its own (the spacing and coordinate system of
    ``grid``, its first node at the global index ``starts``, -1 past a periodic seam): its inner
    nodes take the central differences of the global grid, its physical faces the same one-sided
    closures (on a cylindrical grid the axis rule where it starts at r = 0); the layer's own
    values, differenced one-sidedly, are dropped.

    Parameters
    ----------
    x : ndarray ``(ndim, *grown)``
    grid : Grid, the global grid
    starts : global index of the first node of ``x`` per axis
    physical : list of (bool, bool), the block's physical faces (not grown)

    Returns
    -------
    ndarray, the block's curl (``(3, *block)`` in 3D, the block shape in 2D)
    """
    shape = x.shape[1:]
    origin = tuple(o + s * h for o, s, h in zip(grid.origin, starts, grid.spacing))
    res = _ops.curl(x, Grid(shape, spacing=grid.spacing, origin=origin, coords=grid.coordinate_system))
    core = tuple(slice(0 if p[0] else 1, n - (0 if p[1] else 1)) for p, n in zip(physical, shape))
    return np.ascontiguousarray(res[(Ellipsis,) + core])


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


def div(v, grid, bc=None, *, t=0.0, comm=None, dims=None):
    """Distributed second-order divergence; the same arguments, errors and values as :func:`fieldgrad.div`
    (order 2), also on a cylindrical (r, z) grid.

    Parameters
    ----------
    v : array of shape ``(ndim, *grid.shape)``, the global vector field (on every rank)
    grid : Grid (2D or 3D)
    bc : boundary specification, optional
        The condition of the normal component on each face (as for :func:`fieldgrad.div`).
    t : float
    comm : mpi4py communicator (default ``COMM_WORLD``)
    dims : ranks per axis (default: chosen by ``MPI.Compute_dims``)

    Returns
    -------
    Part
        This rank's block of ``div v``; :func:`~fieldgrad.distributed.gather` assembles it.

    Example
    -------
    >>> part = div(np.stack([X, 2 * Y]), grid, comm=MPI.COMM_WORLD)   # doctest: +SKIP
    >>> np.allclose(part.data, 3.0)                                     # doctest: +SKIP
    True
    """
    v = _ops.as_field(v, grid, "v", leading=(grid.ndim,))
    blocks._check_ndim(grid.ndim)
    _ops._check_nodes(div_conditions(bc, grid)[0], 1, 2)
    dec = Decomposition(grid, comm, dims, cylindrical=True)
    ops = BlockOperators(dec, bc, v.dtype)
    return Part(ops.div(dec.local(v, leading=1), t), dec.slices, grid.shape)


def curl(v, grid, bc=None, *, comm=None, dims=None):
    """Distributed second-order curl; the same arguments, errors and values as :func:`fieldgrad.curl`
    (order 2): ``(3, *shape)`` in 3D, the scalar ``dv_y/dx - dv_x/dy`` in 2D, the azimuthal
    component ``dF_r/dz - dF_z/dr`` on a cylindrical (r, z) grid.

    Parameters
    ----------
    v : array of shape ``(ndim, *grid.shape)``, the global vector field (on every rank)
    grid : Grid (2D or 3D)
    bc : must be None (one-sided differences at boundary nodes; periodic axes wrap)
    comm, dims : as for :func:`div`

    Returns
    -------
    Part
        This rank's block, data of shape ``(3, *block)`` in 3D, the block shape in 2D.

    Example
    -------
    >>> part = curl(np.stack([-Y, X]), grid, comm=MPI.COMM_WORLD)   # doctest: +SKIP
    >>> np.allclose(part.data, 2.0)                                   # doctest: +SKIP
    True
    """
    check_curl(bc, grid)
    v = _ops.as_field(v, grid, "v", leading=(grid.ndim,))
    _ops._check_nodes(_bnd.resolve_bc(None, grid), 1, 2)
    dec = Decomposition(grid, comm, dims, cylindrical=True)
    res = BlockOperators(dec, None, v.dtype).curl(dec.local(v, leading=1))
    return Part(res, dec.slices, res.shape[:-grid.ndim] + grid.shape)


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
