"""One logical HDF5 result under MPI, in the :mod:`fieldgrad.io` layout.

Each rank appends its blocks, frame by frame, to ``<path>.parts/rank<NNNNN>.h5``, each frame
stored axis-reversed as in :mod:`fieldgrad.io.layout` (datasets ``(time, *block[::-1])`` or
``(time, *block[::-1], ndim)``).  On :meth:`PartsWriter.close` rank 0 writes
``<path>`` with the :func:`fieldgrad.io.layout.create_layout` skeleton (coordinates as
dimension scales, ``/time``, ``/step``, CF and JSON root attributes) and one HDF5 *virtual
dataset* per field, of the global shape, mapping every rank's block; plus the XDMF sidecar.
:func:`fieldgrad.io.open`, ``fieldgrad info``, h5py, xarray (h5netcdf) and ParaView read it like
a serial file; keep the ``.parts`` folder next to it (the virtual datasets refer to it by a
relative path).  No parallel-HDF5 build of h5py is needed, no rank holds the global field, and
the ranks write at the same time.
"""
from __future__ import annotations

import json
import os
import shutil

import numpy as np

from ..closing import Closing
from ..errors import ParameterError, describe
from .gather import Block

__all__ = ["PartsWriter", "write_parts", "under_mpi", "world"]


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


def _kind(name, part, grid):
    if tuple(part.global_shape) == grid.shape:
        return "scalar"
    if tuple(part.global_shape) == (grid.ndim,) + grid.shape:
        return "vector"
    raise ParameterError(f"fields[{name!r}] has global shape {part.global_shape}; the grid accepts {grid.shape} "
                         f"(scalar) or {(grid.ndim,) + grid.shape} (vector)")


class PartsWriter(Closing):
    """Write a time series of distributed fields as one logical fieldgrad output file.

    Collective: every rank constructs it, calls :meth:`write` for every frame and :meth:`close`.

    Parameters
    ----------
    path : str or PathLike -- the logical file (``<path>.parts/`` holds the rank files)
    grid : Grid -- the global grid
    comm : mpi4py communicator (default ``COMM_WORLD``)
    overwrite : bool -- replace an existing file and parts folder (else they are an error)
    bc : boundary specification, optional (recorded as ``boundary_conditions``)
    params : dict, optional -- JSON-ready run parameters (``parameters``)
    units, long_names : dict, optional -- as for :class:`fieldgrad.io.HDF5Writer`
    xdmf : bool -- write the ``.xmf`` sidecar
    attrs : dict, optional -- extra root attributes

    Example
    -------
    >>> w = PartsWriter("heat.h5", grid, comm)                      # doctest: +SKIP
    >>> w.write(0.0, 0, {"T": part}); w.close()                      # doctest: +SKIP
    >>> fieldgrad.io.open("heat.h5")["T"][-1]   # the global field   # doctest: +SKIP
    """

    def __init__(self, path, grid, comm=None, *, overwrite=False, bc=None, params=None, units=None,
                 long_names=None, xdmf=True, attrs=None):
        from ..io.files import as_path, check_new_file, clean_stale_temps
        from ..io.xdmf import xdmf_path

        self.comm = world() if comm is None else comm
        self.path = as_path(path)
        self.grid = grid
        self.parts_dir = self.path + ".parts"
        self.rank = self.comm.Get_rank()
        self.bc, self.params = bc, dict(params or {})
        self.units, self.long_names = dict(units or {}), dict(long_names or {})
        self.xdmf, self.attrs = bool(xdmf), dict(attrs or {})
        self.times, self.steps = [], []
        self._h5 = None
        self._specs = None
        err = None
        if self.rank == 0:
            try:
                check_new_file(self.path, overwrite)
                for target in (self.path, xdmf_path(self.path)):
                    clean_stale_temps(target)  # left by a killed run of this output
                if os.path.islink(self.parts_dir):
                    raise ParameterError(f"{self.parts_dir} is a symbolic link; fieldgrad does not write through "
                                         "links: remove it or choose another path")
                if os.path.exists(self.parts_dir):
                    if not overwrite:
                        raise ParameterError(f"{self.parts_dir} already exists; pass overwrite=True to replace it")
                    shutil.rmtree(self.parts_dir)
                os.makedirs(self.parts_dir)
            except Exception as exc:  # every rank raises it, none waits forever
                err = exc
        err = self.comm.bcast(err, root=0)
        if err is not None:
            raise err
        self.rank_file = os.path.join(self.parts_dir, f"rank{self.rank:05d}.h5")

    def write(self, t, step, parts):
        """Append one frame: ``parts`` maps field names to this rank's :class:`Part`."""
        import h5py

        for name, part in parts.items():
            if not isinstance(part, Block):
                raise ParameterError(f"parts[{name!r}] must be a fieldgrad.distributed.Part or a distributed solver's "
                                     f"result; got {describe(part)}")
        if self._h5 is None:
            self._specs = {n: (_kind(n, p, self.grid), p.data.dtype, p.index, p.data.shape, tuple(p.global_shape))
                           for n, p in parts.items()}
            from ..io.layout import LIBVER

            self._h5 = h5py.File(self.rank_file, "w", libver=LIBVER)
            for name, part in parts.items():
                stored = part.data.shape[::-1]
                self._h5.create_dataset(name, shape=(0,) + stored, maxshape=(None,) + stored,
                                        dtype=part.data.dtype, chunks=(1,) + stored)
        if set(parts) != set(self._specs):
            raise ParameterError(f"every frame must carry the fields {sorted(self._specs)}; got {sorted(parts)}")
        from ..io.layout import to_disk

        n = len(self.times)
        for name, part in parts.items():
            d = self._h5[name]
            d.resize(n + 1, axis=0)
            d[n] = to_disk(part.data)
        self._h5.flush()
        self.times.append(float(t))
        self.steps.append(int(step))

    @property
    def frames(self):
        return len(self.times)

    def close(self):
        """Close the rank files; rank 0 writes the logical file (collective, safe to call twice)."""
        if self._h5 is None and self._specs is None:
            return
        if self._h5 is not None:
            self._h5.close()
            self._h5 = None
        blocks = self.comm.gather({n: (s[2], s[3]) for n, s in self._specs.items()}, root=0)
        err = None
        if self.rank == 0:
            try:
                self._write_logical(blocks)
            except Exception as exc:
                err = exc
        self._specs = None
        err = self.comm.bcast(err, root=0)
        if err is not None:
            raise err

    # ------------------------------------------------------------------ rank 0
    def _write_logical(self, blocks):
        import socket
        import time as _time

        from ..boundary import resolve_bc
        from ..io import layout
        from ..io.files import commit_temp, create_temp, discard_temp
        from ..io.xdmf import write_xdmf, xdmf_path

        grid, n = self.grid, len(self.times)
        bc_desc = resolve_bc(self.bc, grid).describe() if self.bc is not None else None
        attrs = {"boundary_conditions": layout.to_json(bc_desc, "bc"),
                 "parameters": layout.to_json(self.params, "params"),
                 "title": "fieldgrad simulation output",
                 "history": f"{_time.strftime('%Y-%m-%dT%H:%M:%S')} created by fieldgrad.distributed.PartsWriter "
                            f"on {self.comm.Get_size()} MPI ranks",
                 "writer_host": socket.gethostname(), "writer_pid": os.getpid(),
                 "fieldgrad_distributed_ranks": self.comm.Get_size(),
                 "fieldgrad_parts": os.path.basename(self.parts_dir)}
        attrs.update({k: (v if isinstance(v, (str, int, float)) else json.dumps(v)) for k, v in self.attrs.items()})
        specs = {name: (s[0], np.dtype(s[1])) for name, s in self._specs.items()}
        tmp = create_temp(self.path)  # umask mode, never through a link, cleaned if killed
        try:
            self._fill_logical(tmp, grid, n, attrs, specs, blocks)
            commit_temp(tmp, self.path)
        except BaseException:
            discard_temp(tmp)
            raise
        if self.xdmf:
            write_xdmf(xdmf_path(self.path), os.path.basename(self.path), grid, specs, np.asarray(self.times))

    def _fill_logical(self, tmp, grid, n, attrs, specs, blocks):
        import h5py

        from ..io import layout

        with h5py.File(tmp, "w", libver=layout.LIBVER) as h5:
            layout.create_layout(h5, grid, {}, attrs=attrs, units=self.units, long_names=self.long_names)
            h5.attrs["field_names"] = json.dumps(list(specs))
            for key, values in (("time", self.times), ("step", self.steps)):
                h5[key].resize(n, axis=0)
                h5[key][:] = values
            if any(kind == "vector" for kind, _ in specs.values()):
                layout.component_scale(h5, grid)
            here = os.path.dirname(os.path.abspath(self.path))
            for name, (kind, dtype) in specs.items():
                gshape = self._specs[name][4][::-1]  # stored axis-reversed, as every rank's block
                vl = h5py.VirtualLayout(shape=(n,) + gshape, dtype=dtype)
                for rank, info in enumerate(blocks):
                    index, bshape = info[name]
                    src_file = os.path.relpath(os.path.join(self.parts_dir, f"rank{rank:05d}.h5"), here)
                    vl[(slice(0, n),) + tuple(index)[::-1]] = h5py.VirtualSource(
                        src_file, name, shape=(n,) + tuple(bshape)[::-1])
                d = h5.create_virtual_dataset(name, vl, fillvalue=np.nan)
                layout.describe_field(h5, d, name, kind, grid, self.units, self.long_names)


def write_parts(path, grid, fields, comm=None, attrs=None, *, t=0.0, overwrite=True, units=None, long_names=None,
                params=None, bc=None):
    """Write every rank's blocks of some fields as one logical fieldgrad output file (one frame).

    Parameters
    ----------
    path : str or PathLike
        The logical file (rank 0 writes it; ``<path>.parts/`` holds the rank files).
    grid : Grid, the global grid
    fields : dict name -> Part
        This rank's parts (scalar or vector fields, as returned by the distributed solvers).
    comm : mpi4py communicator (default ``COMM_WORLD``)
    attrs : dict, optional extra root attributes (JSON-ready values)
    t : float, the frame's time
    overwrite : bool, replace an existing file (default True, as before)
    units, long_names, params, bc : as for :class:`PartsWriter`

    Returns
    -------
    str, the logical file's path (on every rank).

    Example
    -------
    >>> part = solve_heat(u0, grid, bc, steps=100, comm=comm)      # doctest: +SKIP
    >>> write_parts("heat.h5", grid, {"T": part}, comm)            # doctest: +SKIP
    >>> fieldgrad.io.load("heat.h5").fields["T"][0]   # the whole field  # doctest: +SKIP
    """
    w = PartsWriter(path, grid, comm, overwrite=overwrite, attrs=attrs, units=units, long_names=long_names,
                    params=params, bc=bc)
    try:
        w.write(t, 0, fields)
    finally:
        w.close()
    return w.path
