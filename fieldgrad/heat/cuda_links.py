"""The ``k`` / ``rho_c`` heat sweep on the GPU: the capacity operator's links on the device.

The host builds the arrays of :class:`fieldgrad.heat.capacity.CapacityOperator` once -- the links
``Lx, Ly, Lz`` of ``Problem.link_coefficients()``, the diagonal ``D``, the axis tables and
``1 / rho_c`` (with the cylindrical volume factor and the inside fraction of holes folded in) --
and uploads them in the field's dtype.  One kernel launch per FTCS step or RKL2 stage computes,
at every node,

``v = (sum of the links times the neighbours + D u + g) / rho_c``

with the off-diagonal sum of the CPU sweep (:func:`fieldgrad.solvers.mg_links._offdiag_shell`,
the same Python function compiled by ``cuda.jit(device=True)``) and finishes the integrator's
update with :func:`fieldgrad.heat.kernels.stage_value` (the update of the ``alpha`` kernel).  ``g``
is the boundary data plus the (volume-weighted) source, built on the host by the CPU sweep's own
:meth:`fieldgrad.heat.explicit._LinksSweeper.forcing` and uploaded once per distinct array (once
per run when nothing depends on time).  Fixed (Dirichlet) nodes take the values of
``CapacityOperator.data`` through a scatter kernel.

Example
-------
>>> from fieldgrad.heat.problem import HeatProblem
>>> if fg.backends.cuda_available():
...     p = HeatProblem(np.ones((9, 9)), fg.Grid((9, 9)), fg.Neumann(0.0), k=2.0, rho_c=3.0)
...     sweep = LinksSweep(p)
"""
from __future__ import annotations

import numpy as np

from ..backends import cuda as _cu
from ..kernels.cuda import launch1

__all__ = ["LinksSweep"]

cuda = None  # set by build()


def build(cuda_module):
    """The links heat kernel and the fixed-node scatter; returns a dict name -> kernel."""
    global cuda
    cuda = cuda_module
    from ..solvers import mg_links
    from .kernels import stage_value

    offdiag = cuda.jit(device=True)(mg_links._offdiag_shell.py_func)
    stage = cuda.jit(device=True)(stage_value)

    @cuda.jit
    def heat_links(u, Lx, Ly, Lz, D, nbx, wtx, nby, wty, nbz, wtz, g, irc, mode, au, ap, a0, al, ag, p2, q0, l0,
                   out):
        """``out`` = the stage update of ``v = (A0 u + g) * irc`` (``l0 = v`` in mode 1); padded 3D arrays."""
        nx, ny, nz = u.shape
        for m in range(cuda.grid(1), nx * ny * nz, cuda.gridsize(1)):
            k = m % nz
            j = (m // nz) % ny
            i = m // (ny * nz)
            off = offdiag(u, Lx, Ly, Lz, i, j, k, nbx, wtx, nby, wty, nbz, wtz)
            v = (off + D[i, j, k] * u[i, j, k] + g[i, j, k]) * irc[i, j, k]
            if mode == 1:
                l0[i, j, k] = v
            out[i, j, k] = stage(mode, u[i, j, k], v, p2[i, j, k], q0[i, j, k], l0[i, j, k], au, ap, a0, al, ag)

    @cuda.jit
    def scatter(flat_u, index, values):
        """``flat_u[index[m]] = values[m]``."""
        for m in range(cuda.grid(1), index.shape[0], cuda.gridsize(1)):
            flat_u[index[m]] = values[m]

    return {"heat_links": heat_links, "scatter": scatter}


class LinksSweep:
    """The device sweep of a ``k`` / ``rho_c`` :class:`~fieldgrad.heat.problem.HeatProblem`, called
    like the ``alpha`` sweep of :mod:`fieldgrad.heat.cuda` (same arguments, same modes).

    Parameters
    ----------
    problem : HeatProblem with ``capacity`` set

    Attributes
    ----------
    sweeps : int -- kernel launches so far
    """

    def __init__(self, problem):
        from .explicit import _LinksSweeper

        self.problem = problem
        op = problem.capacity
        self.dtype = np.dtype(problem.dtype)
        self.shape3 = op.shape3
        dev = lambda a, name: _cu.as_device(np.ascontiguousarray(a, dtype=self.dtype), name)  # noqa: E731
        self.links = [dev(L, "link") for L in op.links]
        self.D = dev(op.D, "D")
        self.irc = dev(op.inv_rho_c, "inv_rho_c")
        # tables: neighbour indices stay integers, weights take the field's dtype
        self.tables = [_cu.load().to_device(np.ascontiguousarray(t, dtype=np.int64 if n % 2 == 0 else self.dtype))
                       for n, t in enumerate(op.tables)]
        self.index = _cu.load().to_device(np.ascontiguousarray(op.fixed_index, dtype=np.int64))
        self.host = _LinksSweeper(problem)  # its forcing(t): boundary data plus source, float64
        self._g = (None, None)
        self._held = (None, None)
        self.sim = _cu.simulator()
        self.sweeps = 0

    def _forcing(self, t):
        g = self.host.forcing(t)
        if self._g[0] is not g:  # one upload per distinct host array
            self._g = (g, _cu.as_device(np.ascontiguousarray(g, dtype=self.dtype), "forcing"))
        return self._g[1]

    def impose(self, u, t):
        """Write the fixed nodes' values of time ``t`` into the device field ``u``; returns ``u``."""
        if self.index.size:
            vals = self.problem.capacity.data(t)[1]
            if self._held[0] is not vals:
                self._held = (vals, _cu.as_device(np.ascontiguousarray(vals, dtype=self.dtype), "fixed values"))
            blocks, threads = launch1(self.index.size, self.sim)
            kernels().scatter[blocks, threads](u.reshape(u.size), self.index, self._held[1])
        return u

    def __call__(self, u, t, mode, au, ap, a0, al, ag, p2, q0, l0, out):
        f, s3 = self.dtype.type, self.shape3
        v = lambda d: d.reshape(*s3)  # noqa: E731
        blocks, threads = launch1(u.size, self.sim)
        kernels().heat_links[blocks, threads](v(u), *self.links, self.D, *self.tables, self._forcing(t), self.irc,
                                              mode, f(au), f(ap), f(a0), f(al), f(ag), v(p2), v(q0), v(l0), v(out))
        self.sweeps += 1
        return out


kernels = _cu.kernel_set(build)
