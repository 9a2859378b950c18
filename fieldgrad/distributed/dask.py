"""Dask operators for fields larger than memory: ``grad``, ``laplacian``, ``div``, ``div_k_grad``, ``curl``.

A dask array is processed chunk by chunk: each chunk gets one overlap layer from its neighbours
(``dask.array.overlap``, periodic axes wrap), chunks on the domain boundary take their ghost
from the boundary condition exactly as the serial operator does, and the serial Numba sweep
runs on the chunk (:mod:`fieldgrad.distributed.blocks`, shared with the MPI path).  Results are
identical to :func:`fieldgrad.grad` etc.  Chunks need at least 4 nodes per axis.  On a
cylindrical (r, z) grid, ``laplacian`` and ``div_k_grad`` apply the solvers' finite-volume rows
on each chunk grown by its halo, as the serial operators do there (:func:`_by_rows`); ``div``
adds the serial radial term with the chunk's radii.  ``curl`` applies the serial
:func:`fieldgrad.curl` to each chunk grown by its halo, as a grid of its own, and keeps the chunk
(:func:`fieldgrad.distributed.operators.curl_of_grown`, shared with the MPI path).

Reading and writing chunk by chunk: :func:`read_hdf5` / :func:`write_hdf5` (h5py) and
:func:`read_zarr` / :func:`write_zarr` (needs ``zarr``).
"""
from __future__ import annotations

import numpy as np

from .. import boundary as _bnd
from .. import operators as _ops
from ..errors import BackendError, GridError, ParameterError, ShapeError, describe
from ..grid import require_cartesian
from ..validation import check_coefficient
from . import blocks
from .decomposition import MIN_BLOCK
from .operators import apply_div, check_curl, curl_of_grown, cylindrical_block, div_conditions

__all__ = ["grad", "laplacian", "div", "div_k_grad", "curl", "read_hdf5", "write_hdf5", "read_zarr", "write_zarr"]


def _da():
    try:
        import dask.array as da
    except ImportError as exc:  # pragma: no cover
        raise BackendError("fieldgrad.distributed.dask needs dask: pip install 'dask[array]'") from exc
    return da


def _check(u, grid, name="u", cylindrical=False, leading=()):
    """``leading``: axes before the grid's, e.g. ``(ndim,)`` for a vector field (not checked for chunk sizes)."""
    if not cylindrical:
        require_cartesian(grid, "the Dask path (outside laplacian, grad, div, div_k_grad and curl)")
    da = _da()
    if not isinstance(u, da.Array):
        raise ParameterError(f"{name} must be a dask array (dask.array.from_array(...)); got {describe(u)}")
    want = tuple(leading) + grid.shape
    if tuple(u.shape) != want:
        raise ShapeError(f"{name} has shape {tuple(u.shape)}; this grid needs {want}")
    if grid.ndim not in (2, 3):
        raise GridError(f"the dask operators work on 2D and 3D grids; got {grid.ndim}D")
    if u.dtype.type not in (np.float32, np.float64):
        raise ParameterError(f"{name} has dtype {u.dtype}; accepted: float32, float64")
    for axis, c in enumerate(u.chunks[len(leading):]):
        if min(c) < MIN_BLOCK:
            raise GridError(f"{name} has a chunk of {min(c)} nodes along axis {grid.axis_names[axis]}; chunks need "
                            f"at least {MIN_BLOCK} nodes per axis (rechunk)")


class _Layout:
    """Where each chunk lies: global slices, physical faces, local grid and conditions."""

    def __init__(self, grid, bcs, chunks):
        self.grid, self.bcs, self.chunks = grid, bcs, chunks
        self.starts = [np.concatenate([[0], np.cumsum(c)]) for c in chunks]

    def slices(self, loc):
        """Global index range of chunk ``loc`` per axis."""
        return tuple(slice(int(self.starts[a][i]), int(self.starts[a][i + 1])) for a, i in enumerate(loc))

    def physical(self, loc):
        """Which faces of chunk ``loc`` are faces of the domain (non-periodic), per axis ``(lo, hi)``."""
        g = self.grid
        return [(not g.periodic[a] and loc[a] == 0, not g.periodic[a] and loc[a] == len(self.chunks[a]) - 1)
                for a in range(g.ndim)]

    def block(self, loc):
        slices, physical = self.slices(loc), self.physical(loc)
        lgrid = blocks.block_grid(self.grid, slices)
        return lgrid, blocks.local_conditions(self.bcs, slices, lgrid, physical), physical

    def split(self, x, physical):
        """Core of an overlapped chunk and its halos (``None`` on physical faces)."""
        nd = x.ndim
        core = tuple(slice(0 if physical[a][0] else 1, x.shape[a] - (0 if physical[a][1] else 1)) for a in range(nd))
        halos = []
        for a in range(nd):
            pair = []
            for side in (0, 1):
                if physical[a][side]:
                    pair.append(None)
                    continue
                sl = list(core)
                sl[a] = 0 if side == 0 else x.shape[a] - 1
                pair.append(np.ascontiguousarray(x[tuple(sl)]))
            halos.append(pair)
        return np.array(x[core], order="C", copy=True), halos


def _prepare(u, grid, bc, t, cylindrical=False, name="u"):
    da = _da()
    _check(u, grid, name, cylindrical=cylindrical)
    bcs = _bnd.resolve_bc(bc, grid)
    lay = _Layout(grid, bcs, u.chunks)

    def impose(x, block_info=None):
        lgrid, lbcs, _ = lay.block(block_info[0]["chunk-location"])
        return blocks.impose_dirichlet(x.copy(), lgrid, lbcs, t)

    if _bnd.dirichlet_faces(bcs):
        u = u.map_blocks(impose, dtype=u.dtype)
    boundary = {a: ("periodic" if grid.periodic[a] else "none") for a in range(grid.ndim)}
    return da.overlap.overlap(u, depth={a: 1 for a in range(grid.ndim)}, boundary=boundary), lay, bcs, boundary


def laplacian(u, grid, bc=None, *, t=0.0):
    """Second-order Laplacian of a dask array, equal to :func:`fieldgrad.laplacian`.

    Parameters
    ----------
    u : dask.array.Array of ``grid.shape`` (chunks of at least 4 nodes per axis)
    grid : Grid (2D or 3D)
    bc : boundary specification (see :func:`fieldgrad.resolve_bc`)
    t : float

    Returns
    -------
    dask.array.Array with the chunks of ``u`` (lazy; ``.compute()`` or :func:`write_hdf5`)

    Example
    -------
    >>> import dask.array as da
    >>> g = fg.Grid((16, 16))
    >>> X, Y = g.mesh()
    >>> lap = laplacian(da.from_array(X**2 + Y**2, chunks=8), g)
    >>> round(float(lap.compute()[5, 5]), 10)
    4.0
    """
    if grid.cylindrical:
        return _by_rows(u, grid, bc, None, t)
    ov, lay, bcs, _ = _prepare(u, grid, bc, t)
    _ops._check_nodes(bcs, 2, 2)

    def f(x, block_info=None):
        lgrid, lbcs, physical = lay.block(block_info[0]["chunk-location"])
        core, halos = lay.split(x, physical)
        impose_done = core
        ghosts = blocks.block_ghosts(impose_done, lgrid, lbcs, halos, 2, t)
        return blocks.apply_laplacian(core, ghosts, grid, np.empty_like(core))

    return ov.map_blocks(f, chunks=u.chunks, dtype=u.dtype)


def grad(u, grid, bc=None, *, t=0.0):
    """Second-order gradient of a dask array, shape ``(ndim, *grid.shape)``, equal to :func:`fieldgrad.grad`.

    Example
    -------
    >>> import dask.array as da
    >>> g = fg.Grid((12, 12))
    >>> X, Y = g.mesh()
    >>> round(float(grad(da.from_array(3 * X, chunks=6), g).compute()[0].mean()), 10)
    3.0
    """
    ov, lay, bcs, _ = _prepare(u, grid, bc, t, cylindrical=True)  # d/dr, d/dz are the Cartesian ones
    _ops._check_nodes(bcs, 1, 2)

    def f(x, block_info=None):
        lgrid, lbcs, physical = lay.block(block_info[0]["chunk-location"][-grid.ndim:])
        core, halos = lay.split(x, physical)
        ghosts = blocks.block_ghosts(core, lgrid, lbcs, halos, 1, t)
        return blocks.apply_grad(core, ghosts, grid, np.empty((grid.ndim,) + core.shape, core.dtype))

    return ov.map_blocks(f, chunks=((grid.ndim,),) + u.chunks, new_axis=0, dtype=u.dtype)


@_ops.k_keyword
def div_k_grad(u, grid, bc=None, *, k=None, t=0.0):
    """Conservative ``div(k grad u)`` of a dask array, equal to :func:`fieldgrad.div_k_grad`.

    Parameters
    ----------
    u : dask.array.Array of ``grid.shape``
    grid, bc : as for :func:`laplacian`
    k : None (1), positive number, or dask/NumPy array of ``grid.shape`` (rechunked like ``u``)
    t : as for :func:`laplacian`
    """
    da = _da()
    k = 1.0 if k is None else k
    if np.ndim(k) == 0:
        k = check_coefficient(k, grid, "k")
        k = da.full(grid.shape, float(k), dtype=u.dtype, chunks=u.chunks)
    else:
        k = (k if isinstance(k, da.Array) else da.from_array(np.asarray(k))).astype(u.dtype).rechunk(u.chunks)
        if tuple(k.shape) != grid.shape:
            raise ShapeError(f"k has shape {tuple(k.shape)}; this grid needs {grid.shape}")
    if grid.cylindrical:
        return _by_rows(u, grid, bc, k, t)
    ov, lay, bcs, boundary = _prepare(u, grid, bc, t)
    _ops._check_nodes(bcs, 2, 2)
    kov = da.overlap.overlap(k, depth={a: 1 for a in range(grid.ndim)}, boundary=boundary)

    def f(x, kx, block_info=None):
        lgrid, lbcs, physical = lay.block(block_info[0]["chunk-location"])
        core, halos = lay.split(x, physical)
        kcore, khalos = lay.split(kx, physical)
        check_coefficient(kcore, lgrid, "k")
        ghosts, kghosts = blocks.block_ghosts(core, lgrid, lbcs, halos, 2, t, kcore, khalos)
        return blocks.apply_div_k_grad(core, kcore, ghosts, kghosts, grid, np.empty_like(core))

    return da.map_blocks(f, ov, kov, chunks=u.chunks, dtype=u.dtype)


def div(v, grid, bc=None, *, t=0.0):
    """Second-order divergence of a dask vector field, equal to :func:`fieldgrad.div` (order 2),
    also on a cylindrical (r, z) grid.

    Each component gets its own overlap layer after the Dirichlet values of its normal faces are
    imposed; on each chunk the serial sweep runs with component ``a``'s ghosts along axis ``a``
    (halos on cut faces, the condition's rule on the domain's faces), as the serial operator.

    Parameters
    ----------
    v : dask.array.Array of shape ``(ndim, *grid.shape)`` (chunks of at least 4 nodes per grid axis;
        the leading axis may be chunked in any way)
    grid : Grid (2D or 3D)
    bc : boundary specification, optional
        The condition of the normal component on each face (as for :func:`fieldgrad.div`).
    t : float

    Returns
    -------
    dask.array.Array of ``grid.shape`` with the grid-axis chunks of ``v`` (lazy)

    Example
    -------
    >>> import dask.array as da
    >>> g = fg.Grid((12, 12))
    >>> X, Y = g.mesh()
    >>> d = div(da.from_array(np.stack([X, 2 * Y]), chunks=(2, 6, 6)), g)
    >>> bool(np.allclose(d.compute(), 3.0))
    True
    """
    da = _da()
    _check(v, grid, "v", cylindrical=True, leading=(grid.ndim,))
    bcs, normals = div_conditions(bc, grid)
    _ops._check_nodes(bcs, 1, 2)
    parts = [_prepare(v[a], grid, normals[a], t, cylindrical=True, name="v") for a in range(grid.ndim)]
    lays = [lay for _, lay, _, _ in parts]

    def f(*xs, block_info=None):
        loc = block_info[0]["chunk-location"]
        cores, ghosts = [], []
        for a, (x, lay) in enumerate(zip(xs, lays)):
            lgrid, lbcs, physical = lay.block(loc)
            core, halos = lay.split(x, physical)
            cores.append(core)
            ghosts.append(blocks.block_ghosts(core, lgrid, lbcs, halos, 1, t)[a])
        radial = cylindrical_block(grid, lays[0].slices(loc)) if grid.cylindrical else None
        return apply_div(cores, ghosts, grid, np.empty_like(cores[0]), radial)

    return da.map_blocks(f, *[ov for ov, _, _, _ in parts], chunks=v.chunks[1:], dtype=v.dtype)


def curl(v, grid, bc=None):
    """Second-order curl of a dask vector field, equal to :func:`fieldgrad.curl` (order 2):
    ``(3, *shape)`` in 3D, the scalar ``dv_y/dx - dv_x/dy`` in 2D, the azimuthal component
    ``dF_r/dz - dF_z/dr`` on a cylindrical (r, z) grid.

    Parameters
    ----------
    v : dask.array.Array of shape ``(ndim, *grid.shape)`` (chunks of at least 4 nodes per grid axis)
    grid : Grid (2D or 3D)
    bc : must be None (one-sided differences at boundary nodes; periodic axes wrap)

    Returns
    -------
    dask.array.Array: ``grid.shape`` in 2D, ``(3, *grid.shape)`` in 3D, with the grid-axis chunks of ``v``

    Example
    -------
    >>> import dask.array as da
    >>> g = fg.Grid((12, 12))
    >>> X, Y = g.mesh()
    >>> c = curl(da.from_array(np.stack([-Y, X]), chunks=(2, 6, 6)), g)
    >>> bool(np.allclose(c.compute(), 2.0))
    True
    """
    check_curl(bc, grid)
    da = _da()
    _check(v, grid, "v", cylindrical=True, leading=(grid.ndim,))
    _ops._check_nodes(_bnd.resolve_bc(None, grid), 1, 2)
    v = v.rechunk({0: grid.ndim})
    lay = _Layout(grid, None, v.chunks[1:])
    nd = grid.ndim
    ov = da.overlap.overlap(v, depth={0: 0, **{a + 1: 1 for a in range(nd)}},
                            boundary={0: "none", **{a + 1: ("periodic" if grid.periodic[a] else "none")
                                                    for a in range(nd)}})

    def f(x, block_info=None):
        loc = block_info[0]["chunk-location"][1:]
        physical = lay.physical(loc)
        starts = [int(lay.starts[a][i]) - (0 if physical[a][0] else 1) for a, i in enumerate(loc)]
        return curl_of_grown(x, grid, starts, physical)

    if nd == 2:
        return ov.map_blocks(f, chunks=v.chunks[1:], drop_axis=0, dtype=v.dtype)
    return ov.map_blocks(f, chunks=v.chunks, dtype=v.dtype)


def _by_rows(u, grid, bc, k, t):
    """laplacian / div_k_grad on a cylindrical (r, z) grid, chunk by chunk: the solvers'
    finite-volume rows (:class:`fieldgrad.solvers.apply.RowsOperator`, what the serial operators
    apply there) on each chunk grown by one halo layer, as its own (r, z) grid with the node
    coordinates of the global one; a cut face is closed, and its layer's rows are dropped."""
    from ..solvers.apply import RowsOperator

    da = _da()
    ov, lay, bcs, boundary = _prepare(u, grid, bc, t, cylindrical=True)
    _ops._check_nodes(bcs, 2, 2)
    kov = None if k is None else da.overlap.overlap(k, depth={a: 1 for a in range(grid.ndim)}, boundary=boundary)

    def f(x, kx=None, block_info=None):
        loc = block_info[0]["chunk-location"]
        _, _, physical = lay.block(loc)
        lo = [0 if physical[a][0] else 1 for a in range(grid.ndim)]
        start = [int(lay.starts[a][i]) - lo[a] for a, i in enumerate(loc)]
        slices = tuple(slice(s0, s0 + n) for s0, n in zip(start, x.shape))
        egrid = cylindrical_block(grid, slices)
        ebcs = blocks.local_conditions(bcs, slices, egrid, physical)  # a cut face has none: closed
        xe = _bnd.with_dirichlet(np.asarray(x, dtype=np.float64), egrid, ebcs, t)
        kk = 1.0 if kx is None else check_coefficient(np.ascontiguousarray(kx, dtype=np.float64), egrid, "k")
        rows = RowsOperator(egrid, ebcs, kk).apply(xe, t)
        core = tuple(slice(lo[a], x.shape[a] - (0 if physical[a][1] else 1)) for a in range(grid.ndim))
        return rows[core].astype(x.dtype, copy=False)

    if kov is None:
        return ov.map_blocks(f, chunks=u.chunks, dtype=u.dtype)
    return da.map_blocks(f, ov, kov, chunks=u.chunks, dtype=u.dtype)


# ---------------------------------------------------------------------- chunked storage
class _HDF5Source:
    """Array-like view of an HDF5 dataset that opens the file for each read (picklable, so a
    distributed scheduler can ship it to workers)."""

    def __init__(self, path, dataset):
        import h5py

        self.path, self.dataset = str(path), dataset
        with h5py.File(self.path, "r") as f:
            d = f[dataset]
            self.shape, self.dtype, self.chunks = d.shape, d.dtype, d.chunks
        self.ndim = len(self.shape)

    def __getitem__(self, index):
        import h5py

        with h5py.File(self.path, "r") as f:
            return f[self.dataset][index]


def read_hdf5(path, dataset, chunks=None):
    """A dask array reading ``dataset`` of an HDF5 file lazily, chunk by chunk.

    ``chunks`` defaults to the dataset's own HDF5 chunking (or dask's ``"auto"``).  Each task
    opens the file, reads its chunk and closes it, so the array works with distributed workers.

    Example
    -------
    >>> T = read_hdf5("big.h5", "T")              # doctest: +SKIP
    >>> write_hdf5(grad(T, grid, bc), "q.h5", "gradT")   # doctest: +SKIP
    """
    src = _HDF5Source(path, dataset)
    return _da().from_array(src, chunks=chunks or src.chunks or "auto", lock=False, asarray=True)


class _HDF5Target:
    """Writable view of an existing HDF5 dataset that opens the file for each write (picklable)."""

    def __init__(self, path, dataset):
        self.path, self.dataset = str(path), dataset

    def __setitem__(self, index, value):
        import h5py

        with h5py.File(self.path, "r+") as f:
            f[self.dataset][index] = value


def write_hdf5(arr, path, dataset, compression=None):
    """Write a dask array into ``path[dataset]`` chunk by chunk.

    The dataset is created (HDF5 chunks = the dask chunks) in ``path`` (appended to if the file
    exists); then each task writes its own chunk, serialised by a lock, so memory stays one chunk
    per worker thread.
    """
    import h5py

    with h5py.File(str(path), "a") as f:
        if dataset in f:
            del f[dataset]
        f.create_dataset(dataset, shape=arr.shape, dtype=arr.dtype, chunks=tuple(c[0] for c in arr.chunks),
                         compression=compression)
    from dask.utils import SerializableLock

    _da().store(arr, _HDF5Target(path, dataset), lock=SerializableLock())


def read_zarr(url, component=None):
    """A dask array over a Zarr store (needs ``zarr``)."""
    return _da().from_zarr(url, component=component)


def write_zarr(arr, url, component=None, overwrite=False):
    """Write a dask array to a Zarr store chunk by chunk (needs ``zarr``)."""
    _da().to_zarr(arr, url, component=component, overwrite=overwrite)
