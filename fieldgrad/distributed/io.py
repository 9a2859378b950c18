"""One logical HDF5 result under MPI: per-rank files joined by an HDF5 virtual dataset.

Each rank writes its block to ``<path>.parts/rank<NNNNN>.h5``; rank 0 writes ``<path>`` with one
virtual dataset per field, of the global shape, mapping every block to its rank's file, plus the
node coordinates ``/x``, ``/y`` [``/z``] and the grid as JSON in the ``grid`` attribute.  h5py
(and any HDF5 >= 1.10 reader) reads ``<path>`` like an ordinary file; keep the ``.parts`` folder
next to it.  No parallel-HDF5 build of h5py is needed.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..errors import ParameterError, describe
from .gather import Part

__all__ = ["write_parts", "under_mpi", "world"]


def under_mpi():
    """True when this process was started by ``mpiexec`` with more than one rank.

    Looks at the launcher's environment first (MPICH/Hydra ``PMI_SIZE``, Open MPI
    ``OMPI_COMM_WORLD_SIZE``, Slurm ``SLURM_NTASKS`` with ``PMI_RANK``/``PMIX_RANK``) so that
    a plain serial run never imports mpi4py (and never initialises MPI).
    """
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS", "PMIX_SIZE"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]) > 1
    if "PMIX_RANK" in os.environ or "PMI_RANK" in os.environ:
        try:
            return world().Get_size() > 1
        except Exception:  # pragma: no cover
            return False
    return False


def world():
    """``MPI.COMM_WORLD`` (imports mpi4py)."""
    from mpi4py import MPI

    return MPI.COMM_WORLD


def write_parts(path, grid, fields, comm=None, attrs=None):
    """Write every rank's blocks of some fields as one logical HDF5 file.

    Parameters
    ----------
    path : str or PathLike
        The logical file (rank 0 writes it; ``<path>.parts/`` holds the rank files).
    grid : Grid, the global grid
    fields : dict name -> Part
        This rank's parts (scalar or vector fields, as returned by the distributed solvers).
    comm : mpi4py communicator (default ``COMM_WORLD``)
    attrs : dict, optional extra root attributes (JSON-ready values)

    Returns
    -------
    str, the logical file's path (on every rank).

    Example
    -------
    >>> part = solve_heat(u0, grid, bc, steps=100, comm=comm)      # doctest: +SKIP
    >>> write_parts("heat.h5", grid, {"T": part}, comm)            # doctest: +SKIP
    >>> h5py.File("heat.h5")["T"][...]      # the whole field       # doctest: +SKIP
    """
    import h5py

    comm = world() if comm is None else comm
    path = os.fspath(path)
    for name, part in fields.items():
        if not isinstance(part, Part):
            raise ParameterError(f"fields[{name!r}] must be a Part; got {describe(part)}")
    parts_dir = path + ".parts"
    if comm.Get_rank() == 0:
        os.makedirs(parts_dir, exist_ok=True)
    comm.Barrier()
    rank_file = os.path.join(parts_dir, f"rank{comm.Get_rank():05d}.h5")
    with h5py.File(rank_file, "w") as f:
        for name, part in fields.items():
            f.create_dataset(name, data=part.data)
    layout_info = comm.gather({name: (part.index, part.data.shape, part.global_shape, part.data.dtype.str)
                               for name, part in fields.items()}, root=0)
    comm.Barrier()
    if comm.Get_rank() == 0:
        tmp = path + ".tmp"
        with h5py.File(tmp, "w") as f:
            for axis, name in enumerate(grid.axis_names):
                f.create_dataset(name, data=grid.coords[axis])
            f.attrs["grid"] = json.dumps(grid.to_dict())
            f.attrs["fieldgrad_distributed_ranks"] = comm.Get_size()
            for key, value in (attrs or {}).items():
                f.attrs[key] = value if isinstance(value, (str, int, float)) else json.dumps(value)
            for name in fields:
                _, _, gshape, dtype = layout_info[0][name]
                layout = h5py.VirtualLayout(shape=tuple(gshape), dtype=np.dtype(dtype))
                for rank, info in enumerate(layout_info):
                    index, bshape, _, _ = info[name]
                    src = h5py.VirtualSource(os.path.relpath(os.path.join(parts_dir, f"rank{rank:05d}.h5"),
                                                             os.path.dirname(os.path.abspath(path))),
                                             name, shape=tuple(bshape))
                    layout[index] = src
                f.create_virtual_dataset(name, layout, fillvalue=np.nan)
        os.replace(tmp, path)
    comm.Barrier()
    return path
