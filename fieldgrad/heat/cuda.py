"""Explicit heat steps on the GPU: fused FTCS and RKL2 stage kernels, and device steppers.

One kernel launch per step (FTCS) or per stage (RKL2) reads the stencil input once and writes
the new field once, with the update of :mod:`fieldgrad.heat.kernels` (same modes, same
arithmetic order, so the GPU agrees with the CPU steppers to rounding):

* mode 0 (FTCS): ``out = u + al * v``
* mode 1 (first RKL2 stage): ``l0 = v``; ``out = u + al * v``
* mode 2 (RKL2 stage j >= 2): ``out = au*u + ap*p2 + a0*q0 + al*v + ag*l0``

with ``v = div(alpha grad u) + source`` (the update is :func:`fieldgrad.heat.kernels.stage_value`).
:class:`CudaFTCS` and :class:`CudaRKL2` take a :class:`fieldgrad.heat.problem.HeatProblem` and keep every field on
the device between steps; Dirichlet faces are imposed after each stage at the stage time, as on
the CPU.  A problem given by ``k`` and ``rho_c`` (cells, contact resistances, holes, cylindrical
grids) runs the links sweep of :mod:`fieldgrad.heat.cuda_links` instead: same steps, same stage
coefficients, same explicit limit (``problem.dt_explicit``).

Example
-------
>>> from fieldgrad.heat.problem import HeatProblem
>>> if fg.backends.cuda_available():
...     p = HeatProblem(np.ones((9, 9)), fg.Grid((9, 9)), fg.Dirichlet(1.0), alpha=1.0)
...     st = CudaFTCS(p)
...     u = st.step(st.initial_field(), 0.0, p.dt_explicit)
"""
from __future__ import annotations

import numpy as np

from ..backends import cuda as _cu
from ..kernels.cuda_bc import check_nodes, dirichlet_plan, ghost_buffers, ghost_plan, view_shape
from ..kernels.cuda_ops import fill_ghosts, fill_kghosts, set_faces
from ..kernels.cuda import launch3
from .kernels import stage_value

__all__ = ["CudaFTCS", "CudaRKL2", "MODE_FTCS", "MODE_FIRST", "MODE_STAGE"]

MODE_FTCS, MODE_FIRST, MODE_STAGE = 0, 1, 2

cuda = None  # set by build()


def build(cuda_module):
    """The fused heat kernel; returns ``{"heat3": kernel}``."""
    global cuda, laplacian_point, k_flux_sum, yz, column, stage
    cuda = cuda_module
    from ..kernels import cuda as cs

    cs.kernels()  # builds the operators' device functions this kernel reuses

    laplacian_point, k_flux_sum, yz, column = cs.laplacian_point, cs.k_flux_sum, cs.yz, cs.column
    stage = cuda.jit(device=True)(stage_value)

    @cuda.jit
    def heat3(u, kk, has_k, gx0, gx1, gy0, gy1, gz0, gz1, kx0, kx1, ky0, ky1, kz0, kz1, cx, cy, cz,
              sc, sarr, has_sarr, mode, au, ap, a0, al, ag, p2, q0, l0, first, march, out):
        i0, j, k = column(march)
        nx = u.shape[0]
        if j < u.shape[1] and k < u.shape[2]:
            i1 = min(i0 + march, nx)
            xm = u[i0 - 1, j, k] if i0 > 0 else gx0[j, k]
            c = u[i0, j, k]
            kxm = kk[i0 - 1, j, k] if i0 > 0 else kx0[j, k]
            kc = kk[i0, j, k]
            for i in range(i0, i1):
                xp = u[i + 1, j, k] if i + 1 < nx else gx1[j, k]
                kxp = kk[i + 1, j, k] if i + 1 < nx else kx1[j, k]
                ym, yp, zm, zp = yz(u, gy0, gy1, gz0, gz1, i, j, k)
                if has_k:
                    kym, kyp, kzm, kzp = yz(kk, ky0, ky1, kz0, kz1, i, j, k)
                    o = k_flux_sum(c, xm, xp, ym, yp, zm, zp, kc, kxm, kxp, kym, kyp, kzm, kzp, cx, cy, cz, first)
                else:
                    o = laplacian_point(c, xm, xp, ym, yp, zm, zp, cx, cy, cz)
                if has_sarr:
                    o += sarr[i, j, k]
                v = o + sc
                if mode == 1:
                    l0[i, j, k] = v
                out[i, j, k] = stage(mode, c, v, p2[i, j, k], q0[i, j, k], l0[i, j, k], au, ap, a0, al, ag)
                xm = c
                c = xp
                kxm = kc
                kc = kxp

    return {"heat3": heat3}


class _DeviceSweep:
    """Fills ghosts on the device and launches the fused kernel for a HeatProblem."""

    def __init__(self, problem):
        p = self.problem = problem
        g = p.grid
        self.dtype = np.dtype(p.dtype)
        check_nodes(p.bcs, 2)
        self.vshape = view_shape(g.shape)
        self.first = 3 - g.ndim
        f = self.dtype.type
        self.has_k = not p.alpha_scalar
        pad = [f(0.0)] * self.first
        if self.has_k:
            self.coef = pad + [f(1.0 / h ** 2) for h in g.spacing]
            self.k = _cu.as_device(p.alpha, "alpha").reshape(*self.vshape)
        else:
            self.coef = pad + [f(p.alpha / h ** 2) for h in g.spacing]
            self.k = None
        self.bufs = ghost_buffers(self.vshape, self.dtype, "heat")
        self.kbufs = ghost_buffers(self.vshape, self.dtype, "heatk")
        self._kfilled = False
        self._src = (None, None)
        self.sweeps = 0

    def view(self, d):
        return d.reshape(*self.vshape)

    def source_args(self, t, u):
        s = self.problem.source_at(t)
        if isinstance(s, np.ndarray):
            if self._src[0] is not s:  # copy a host source once per distinct array
                self._src = (s, _cu.as_device(s, "source", dtype=self.dtype).reshape(*self.vshape))
            return self.dtype.type(0.0), self._src[1], True
        return self.dtype.type(s), u, False

    def impose(self, u, t):
        set_faces(self.view(u), dirichlet_plan(self.problem.grid, self.problem.bcs, self.dtype, t))

    def __call__(self, u, t, mode, au, ap, a0, al, ag, p2, q0, l0, out):
        p, f = self.problem, self.dtype.type
        uv = self.view(u)
        plan = ghost_plan(p.grid, p.bcs, 2, self.dtype, t)
        fill_ghosts(uv, plan, self.bufs, k=self.k)
        if self.has_k and not self._kfilled:
            fill_kghosts(self.k, plan, self.kbufs)
            self._kfilled = True
        sc, sarr, has = self.source_args(t, uv)
        blocks, threads, march = launch3(self.vshape, _cu.simulator())
        kernels().heat3[blocks, threads](
            uv, uv if self.k is None else self.k, self.has_k, *self.bufs, *self.kbufs, *self.coef,
            sc, sarr, has, mode, f(au), f(ap), f(a0), f(al), f(ag),
            self.view(p2), self.view(q0), self.view(l0), self.first, march, self.view(out))
        self.sweeps += 1
        return out


class _CudaExplicit:
    nbuf = 2

    def __init__(self, problem):
        self.problem = problem
        if problem.capacity is None:
            self.sweep = _DeviceSweep(problem)
        else:
            from .cuda_links import LinksSweep

            self.sweep = LinksSweep(problem)
        self._bufs = [_cu.empty(problem.grid.shape, problem.dtype) for _ in range(self.nbuf)]

    @property
    def sweeps(self):
        return self.sweep.sweeps

    def initial_field(self):
        """The problem's initial field (Dirichlet faces imposed) on the device."""
        return _cu.as_device(self.problem.initial_field(), "u0")

    def _others(self, u, n):
        return [b for b in self._bufs if b is not u][:n]

    def run(self, u, t, dt, steps):
        """``steps`` steps of size ``dt`` from ``(u, t)``; the field stays on the device.

        Returns
        -------
        (device array, float)
            The field (a copy-free buffer of the stepper) and the final time.
        """
        u = _cu.as_device(u, "u", dtype=self.problem.dtype, shape=self.problem.grid.shape)
        for _ in range(int(steps)):
            u = self.step(u, t, dt)
            t += dt
        return u, t


class CudaFTCS(_CudaExplicit):
    """FTCS on the device: ``u_new = u + dt (div(alpha grad u) + s(t))``, one fused kernel per step.

    Parameters
    ----------
    problem : HeatProblem

    Raises :class:`~fieldgrad.errors.StabilityError` above ``problem.dt_explicit`` like the CPU
    stepper.
    """

    name = "ftcs"

    def check_dt(self, dt):
        from .explicit import FTCS

        FTCS.check_dt(self, dt)

    def step(self, u, t, dt):
        """One step from ``(u, t)`` (``u`` host or device); returns a device buffer, never ``u``."""
        self.check_dt(dt)
        u = _cu.as_device(u, "u", dtype=self.problem.dtype, shape=self.problem.grid.shape)
        out = self._others(u, 1)[0]
        self.sweep(u, t, MODE_FTCS, 1.0, 0.0, 0.0, dt, 0.0, u, u, u, out)
        self.sweep.impose(out, t + dt)
        return out


class CudaRKL2(_CudaExplicit):
    """RKL2 super-time-stepping on the device, one fused kernel per stage.

    Parameters
    ----------
    problem : HeatProblem
    """

    name = "rkl2"
    nbuf = 4

    def __init__(self, problem):
        super().__init__(problem)
        self._coef = {}
        self._l0 = _cu.empty(problem.grid.shape, problem.dtype)

    def stages(self, dt):
        from .explicit import rkl2_stages

        return rkl2_stages(dt, self.problem.dt_explicit)

    def step(self, u, t, dt):
        """One super-step from ``(u, t)``; returns a device buffer, never ``u``."""
        from .explicit import rkl2_coefficients

        u = _cu.as_device(u, "u", dtype=self.problem.dtype, shape=self.problem.grid.shape)
        s = self.stages(dt)
        if s not in self._coef:
            self._coef[s] = rkl2_coefficients(s)
        cf = self._coef[s]
        mu, nu, mt, gt, c = cf["mu"], cf["nu"], cf["mt"], cf["gt"], cf["c"]
        l0 = self._l0
        bufs = self._others(u, 3)
        a = bufs[0]
        self.sweep(u, t, MODE_FIRST, 1.0, 0.0, 0.0, mt[1] * dt, 0.0, u, u, l0, a)
        self.sweep.impose(a, t + c[1] * dt)
        prev2, prev = u, a
        for j in range(2, s + 1):
            out = next(x for x in bufs if x is not prev and x is not prev2)
            self.sweep(prev, t + c[j - 1] * dt, MODE_STAGE, mu[j], nu[j], 1.0 - mu[j] - nu[j], mt[j] * dt,
                       gt[j] * dt, prev2, u, l0, out)
            self.sweep.impose(out, t + c[j] * dt)
            prev2, prev = prev, out
        return prev


kernels = _cu.kernel_set(build)
