"""Cartesian domain decomposition of a :class:`~fieldgrad.grid.Grid` over MPI ranks.

The ranks form a Cartesian communicator (``MPI.Compute_dims`` then ``Create_cart``, periodic
along the grid's periodic axes).  Each rank owns a contiguous block of nodes; when an axis of
``n`` nodes is split into ``p`` parts that do not divide evenly, the first ``n % p`` parts get
one node more.  Blocks need at least :data:`MIN_BLOCK` nodes per axis, because the one-sided
boundary closures (polynomial ghosts through nodes 0..3) must stay inside one rank.
"""
from __future__ import annotations

import numpy as np

from ..errors import BackendError, GridError, ParameterError, describe
from ..grid import Grid, require_cartesian

__all__ = ["Decomposition", "split_axis", "MIN_BLOCK"]

#: fewest nodes per axis in one rank's block
MIN_BLOCK = 4


def split_axis(n, parts):
    """Start/stop of ``parts`` contiguous pieces of ``range(n)`` (the first ``n % parts`` one larger).

    Example
    -------
    >>> split_axis(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    base, extra = divmod(n, parts)
    out, start = [], 0
    for p in range(parts):
        stop = start + base + (1 if p < extra else 0)
        out.append((start, stop))
        start = stop
    return out


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendError("fieldgrad.distributed needs mpi4py and an MPI library: "
                           "pip install 'fieldgrad[mpi]' (mpi4py + mpich)") from exc
    return MPI


class Decomposition:
    """One rank's view of a Cartesian decomposition of ``grid``.

    Parameters
    ----------
    grid : Grid
        The global grid.
    comm : mpi4py communicator, optional
        Defaults to ``MPI.COMM_WORLD``.
    dims : sequence of int, optional
        Ranks per axis (0 entries are filled by ``MPI.Compute_dims``).  By default axes are
        chosen so every block keeps at least :data:`MIN_BLOCK` nodes per axis.
    cylindrical : bool
        Accept a cylindrical grid: only the consumers that take their rows from the serial
        :class:`~fieldgrad.solvers.discretize.Problem` (the links paths of ``solve_poisson`` and
        ``solve_heat``, whose rows carry the ring volumes) pass True; ``local_grid`` stays a
        Cartesian block of the same nodes and is not used by them.

    Attributes
    ----------
    grid : Grid
        The global grid.
    cart : mpi4py Cartcomm
    dims, coords : tuple of int
        Ranks per axis and this rank's position.
    slices : tuple of slice
        This rank's global index range per axis.
    shape : tuple of int
        Local block shape.
    neighbours : list of (int, int)
        Rank of the low/high neighbour per axis (``MPI.PROC_NULL`` at a physical face).
    physical : list of (bool, bool)
        Whether the low/high face of the block is a face of the global domain (non-periodic).
    local_grid : Grid
        The block as a non-periodic grid with the global spacing and shifted origin.

    Example
    -------
    >>> from mpi4py import MPI                              # doctest: +SKIP
    >>> d = Decomposition(Grid((64, 64)), MPI.COMM_WORLD)   # doctest: +SKIP
    >>> u_local = u_global[d.slices]                        # doctest: +SKIP
    """

    def __init__(self, grid, comm=None, dims=None, *, cylindrical=False):
        if not isinstance(grid, Grid):
            raise ParameterError(f"grid must be a fieldgrad Grid; got {describe(grid)}")
        if not cylindrical:
            require_cartesian(grid, "the MPI decomposition (outside the links paths of solve_poisson/solve_heat)")
        MPI = _mpi()
        self.MPI = MPI
        comm = MPI.COMM_WORLD if comm is None else comm
        size = comm.Get_size()
        nd = grid.ndim
        if dims is None:
            dims = self._choose_dims(grid, size)
        else:
            dims = list(dims)
            if len(dims) != nd:
                raise ParameterError(f"dims must have one entry per axis ({nd}); got {describe(dims)}")
            dims = list(MPI.Compute_dims(size, dims))
        for axis, (n, p) in enumerate(zip(grid.shape, dims)):
            if n // p < MIN_BLOCK:
                raise GridError(
                    f"axis {grid.axis_names[axis]} has {n} nodes split over {p} ranks; every block needs at "
                    f"least {MIN_BLOCK} nodes per axis (use fewer ranks or a finer grid)")
        self.grid = grid
        self.comm = comm
        self.cart = comm.Create_cart(dims, periods=list(grid.periodic), reorder=False)
        self.dims = tuple(int(d) for d in dims)
        self.rank = self.cart.Get_rank()
        self.size = size
        self.coords = tuple(int(c) for c in self.cart.Get_coords(self.rank))
        self.ranges = [split_axis(n, p) for n, p in zip(grid.shape, self.dims)]
        self.slices = tuple(slice(*self.ranges[a][self.coords[a]]) for a in range(nd))
        self.shape = tuple(s.stop - s.start for s in self.slices)
        self.neighbours = [tuple(self.cart.Shift(a, 1)) for a in range(nd)]
        self.physical = [
            (not grid.periodic[a] and self.coords[a] == 0,
             not grid.periodic[a] and self.coords[a] == self.dims[a] - 1) for a in range(nd)]
        from .blocks import block_grid

        self.local_grid = block_grid(grid, self.slices)

    @staticmethod
    def _choose_dims(grid, size):
        MPI = _mpi()
        dims = list(MPI.Compute_dims(size, grid.ndim))
        # Compute_dims ignores the shape: give the most ranks to the longest axis
        order = np.argsort([-n for n in grid.shape], kind="stable")
        dims = [d for d in sorted(dims, reverse=True)]
        out = [1] * grid.ndim
        for d, axis in zip(dims, order):
            out[axis] = d
        return out

    # ------------------------------------------------------------------ helpers
    def local(self, u, leading=0):
        """This rank's block of a global array (a C-contiguous copy).

        ``leading`` axes (e.g. 1 for a vector field ``(ndim, *shape)``) are kept whole.
        """
        u = np.asarray(u)
        return np.array(u[(slice(None),) * leading + self.slices], order="C", copy=True)

    def local3(self, arr3, dtype=None):
        """This rank's block of an array on the solvers' 3D shape (the grid's shape padded with
        axes of one node, as :class:`fieldgrad.solvers.discretize.Problem` stores its arrays), as a
        C-contiguous copy of the block's shape (``dtype``: converted, default kept).

        Example
        -------
        >>> from fieldgrad.distributed.decomposition import Decomposition
        >>> dec = Decomposition(fg.Grid((4, 6)))
        >>> dec.local3(np.arange(24.0).reshape(4, 6, 1)).shape
        (4, 6)
        """
        block = self.slices + (slice(None),) * (np.ndim(arr3) - len(self.slices))
        return np.array(np.asarray(arr3)[block], dtype=dtype, order="C").reshape(self.shape)

    def allreduce(self, value, op="sum"):
        """Global sum/max/min of a number over the ranks."""
        MPI = self.MPI
        return self.cart.allreduce(value, op={"sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}[op])

    def __repr__(self):
        return (f"Decomposition(rank {self.rank}/{self.size}, dims={self.dims}, coords={self.coords}, "
                f"slices={[(s.start, s.stop) for s in self.slices]})")
