"""The solvers' finite-volume rows applied on the GPU: ``laplacian`` / ``div_k_grad`` on cylindrical
``(r, z)`` grids and with conductivities on cells or per axis, and the cylindrical ``div``.

:func:`apply_rows` is the device form of :func:`fieldgrad.solvers.apply.apply_operator`.  The host
builds the :class:`~fieldgrad.solvers.apply.RowsOperator` once per ``(grid, conditions, k, dtype)``
(cached by value, :class:`~fieldgrad.solvers.setup_cache.SetupCache`) and uploads its links
``Lx, Ly, Lz, D``, the axis tables and ``1 / capacity`` (0 on nodes outside a domain) in the
field's dtype; the boundary data ``b`` of the rows are uploaded once per time (once in all when
nothing depends on time).  One launch of the links heat kernel of
:mod:`fieldgrad.heat.cuda_links` -- the CPU sweep's off-diagonal sum compiled for the device --
in its stage mode 2 with the coefficients ``(0, 0, 0, 1, 0)``, whose update is then the rate
itself, computes at every node

``v = (sum of the links times the neighbours + D u - b) / capacity``

the row :meth:`RowsOperator.apply` computes on the CPU (there ``/ capacity``, here ``* (1 / capacity)``:
the two agree to rounding).  Dirichlet values are imposed on a device copy of ``u`` first (the
face plans of :mod:`fieldgrad.kernels.cuda_bc`, as the Cartesian CUDA operators do).

:func:`div_cylindrical` is the Cartesian CUDA ``div`` (:func:`fieldgrad.kernels.cuda_ops.div`) plus
the radial term ``F_r / r`` (on the axis, the central difference across it through the ghost of
the ``F_r = 0`` rule), added on the device -- the terms of
:func:`fieldgrad.operators._add_radial_term`.

Results are device arrays (as from every CUDA operator); float32 fields run in float32 (the links
are rounded to float32), float64 fields agree with the CPU to rounding.

Example
-------
>>> if fg.backends.cuda_available():
...     g = fg.Grid((9, 5), extent=[(0, 1), (0, 1)], coords="cylindrical")
...     r = g.mesh()[0]
...     v = apply_rows(r**2, g, None).copy_to_host()      # (1/r) d/dr (r d(r^2)/dr) = 4
"""
from __future__ import annotations

import numpy as np

from .. import boundary as _bnd
from ..backends import cuda as _cu
from ..kernels import cuda_ops as _ops
from ..kernels import points
from ..kernels.cuda import launch1
from ..kernels.cuda_bc import dirichlet_plan, ghost_buffers, ghost_plan, view_shape
from ..validation import check_conductivity
from .setup_cache import SetupCache

__all__ = ["apply_rows", "div_cylindrical", "DeviceRows"]

_SETUPS = SetupCache(4)
# the stage coefficients (au, ap, a0, al, ag) of mode 2 whose update is the rate v itself
_RATE = (0.0, 0.0, 0.0, 1.0, 0.0)


class DeviceRows:
    """A :class:`~fieldgrad.solvers.apply.RowsOperator` with its arrays on the device.

    Parameters
    ----------
    grid : Grid (Cartesian or cylindrical)
    bcs : resolved BoundaryConditions
    k : None, number, node array (host), Cells or Orthotropic
    dtype : float32 or float64 -- the dtype of the device arrays
    """

    def __init__(self, grid, bcs, k, dtype):
        from .apply import RowsOperator

        op = RowsOperator(grid, bcs, k)
        self.op, self.dtype, self.shape3 = op, np.dtype(dtype), op.problem.shape3
        dev = lambda a, name: _cu.as_device(np.ascontiguousarray(a, dtype=self.dtype), name)  # noqa: E731
        self.links = [dev(L, "link") for L in op.links[:3]]
        self.D = dev(op.links[3], "D")
        # tables: neighbour indices stay integers, weights take the field's dtype (as the heat sweep's)
        self.tables = [_cu.load().to_device(np.ascontiguousarray(t, dtype=np.int64 if n % 2 == 0 else self.dtype))
                       for n, t in enumerate(op.tables)]
        cap = np.broadcast_to(np.asarray(op.capacity, dtype=np.float64), self.shape3)
        inside = (cap > 0) & ~op.problem.fixed_mask()  # the CPU rows are 0 on fixed nodes and outside
        irc = np.zeros(self.shape3)
        np.divide(1.0, cap, out=irc, where=inside)
        self.irc = dev(irc, "1/capacity")
        self._data = {}
        self.sim = _cu.simulator()

    def data(self, t):
        """``-b`` (the rows' boundary data, negated) on the device, cached per time (one entry when
        nothing depends on time)."""
        key = t if self.op.problem.bcs.time_dependent else None
        if key not in self._data:
            if len(self._data) >= 2:
                self._data.pop(next(iter(self._data)))
            self._data[key] = _cu.as_device(np.ascontiguousarray(-self.op.data(t), dtype=self.dtype), "b")
        return self._data[key]

    def apply(self, u, t, out):
        """``out`` = the rows applied to the device field ``u`` (Dirichlet values imposed), per unit volume."""
        from ..heat.cuda_links import kernels

        f, s3 = self.dtype.type, self.shape3
        u3 = u.reshape(*s3)
        blocks, threads = launch1(u.size, self.sim)
        kernels().heat_links[blocks, threads](u3, *self.links, self.D, *self.tables, self.data(t), self.irc, 2,
                                              *[f(c) for c in _RATE], u3, u3, u3, out.reshape(*s3))
        return out


def _host_k(k, grid, dtype):
    """``k`` as the host rows need it, as the CPU operators pass it: None is the number 1 (the
    Laplacian), Cells and Orthotropic pass as they are, a device array is checked on the device
    (positive, finite) and copied back, numbers and host arrays become checked node arrays
    (:func:`~fieldgrad.validation.check_conductivity`)."""
    from ..materials import Cells, Orthotropic

    if k is None:
        return 1.0
    if isinstance(k, (Cells, Orthotropic)):
        return k
    if _cu.is_device_array(k):
        d = _cu.as_device(k, "k", shape=grid.shape)
        _ops.check_positive_device(d, "k")
        return d.copy_to_host()
    return check_conductivity(k, grid, dtype)


def apply_rows(u, grid, bc, k=None, t=0.0, out=None, check_finite=False):
    """``div(k grad u)`` per unit volume by the solvers' rows, on the GPU (see the module notes).

    Parameters
    ----------
    u : ndarray, Numba device array or CuPy array of ``grid.shape`` (float32/float64)
    grid : Grid (Cartesian or cylindrical)
    bc : boundary specification (Dirichlet faces: values imposed, then closed; faces without a
        condition insulated)
    k : None (the Laplacian), number, node array (host or device), Cells or Orthotropic
    t : float -- time of the boundary values
    out : device array of ``grid.shape`` and ``u``'s dtype, optional
    check_finite : bool

    Returns
    -------
    Numba device array of ``grid.shape``
    """
    d = _cu.as_device(u, "u", shape=grid.shape)
    if check_finite:
        _ops.check_finite_device(d, "u")
    dtype = np.dtype(d.dtype)
    bcs = _bnd.resolve_bc(bc, grid)
    kh = _host_k(k, grid, dtype)
    rows = _SETUPS.get((grid, bcs, kh, dtype.str), lambda g, b, kk, s: DeviceRows(g, b, kk, np.dtype(s)))
    d = _ops.with_dirichlet(d, view_shape(grid.shape), dirichlet_plan(grid, bcs, dtype, t))
    out = _cu.output(out, grid.shape, dtype)
    return rows.apply(d, t, out)


central_difference = None  # set by build(): the shared point formula compiled for the device
cuda = None  # set by build(): the kernel resolves ``cuda`` as a module global (needed by the simulator)


def build(cuda_module):
    """The radial term of the cylindrical divergence; returns a dict name -> kernel."""
    global cuda, central_difference
    cuda = cuda_module
    central_difference = cuda.jit(device=True)(points.central_difference)

    @cuda.jit
    def radial_term(fr, glo, r, first, half, out):
        """``out[i, m] += fr[i, m] / r[i]`` for ``i >= first``; on the axis (``first == 1``) the
        central difference across it, ``out[0, m] += (fr[1, m] - glo[m]) * half`` -- arrays
        ``(n_r, rest)``."""
        nr, nm = fr.shape
        for p in range(cuda.grid(1), nr * nm, cuda.gridsize(1)):
            i = p // nm
            m = p % nm
            if i >= first:
                out[i, m] += fr[i, m] / r[i]
            else:
                out[i, m] += central_difference(glo[m], fr[1, m], half)

    return {"radial_term": radial_term}


kernels = _cu.kernel_set(build)


def div_cylindrical(v, grid, bcs, t=0.0, out=None, check_finite=False):
    """The cylindrical ``div`` of ``v = (F_r, F_z)`` on the GPU: the Cartesian CUDA ``div`` with the
    conditions ``bcs`` (the ``r-`` face of an on-axis grid already holding ``F_r = 0``, as
    :func:`fieldgrad.operators.div` passes them), plus ``F_r / r`` -- on the axis the central
    difference across it once more (the regular limit ``2 dF_r/dr + dF_z/dz``).

    Returns
    -------
    Numba device array of ``grid.shape``
    """
    out = _ops.div(v, grid, bcs, t=t, out=out, check_finite=check_finite)
    d = _cu.as_device(v, "v", shape=(grid.ndim,) + grid.shape)
    dtype = np.dtype(d.dtype)
    vshape, first = view_shape(grid.shape), 3 - grid.ndim  # the view axis of r
    # F_r with its held values on the r faces, and its ghost below r- (the rule's, on the device)
    held_r = [f for f in dirichlet_plan(grid, bcs, dtype, t) if f[0] == first]
    fr = _ops.with_dirichlet(d[0], vshape, held_r)
    bufs = ghost_buffers(vshape, dtype, tag="radial")
    on_axis = bool(grid.on_axis)
    if on_axis:
        _ops.fill_ghosts(fr.reshape(*vshape), ghost_plan(grid, bcs, 1, dtype, t), bufs, axes=(first,))
    nr = grid.shape[0]
    rest = fr.size // nr
    r = _cu.as_device(np.ascontiguousarray(grid.coords[0], dtype=dtype), "r")
    blocks, threads = launch1(fr.size, _cu.simulator())
    kernels().radial_term[blocks, threads](fr.reshape(nr, rest), bufs[2 * first].reshape(rest), r, int(on_axis),
                                           dtype.type(0.5 / grid.spacing[0]), out.reshape(nr, rest))
    return out
