"""Small Numba kernels of the distributed explicit steps: fused whole-block updates (no
temporaries).  Face ghosts come from the boundary rule table (:class:`fieldgrad.boundary.GhostPlan`).

The point formulas are plain Python functions (a CUDA target can wrap the same ones with
``cuda.jit(device=True)``); the sweeps wrap them with ``njit``.  Block kernels take C-contiguous blocks flattened
to 1D (prange over the single axis).
"""
from numba import njit, prange

__all__ = ["axpy_flat", "rkl2_stage_flat"]


def rkl2_point(ym1, ym2, y0, l1, l0, mu, nu, omu, mdt, gdt):
    """One RKL2 stage at a node: ``mu Y_{j-1} + nu Y_{j-2} + (1-mu-nu) Y_0 + mu~ dt L(Y_{j-1}) + g~ dt L(Y_0)``."""
    return (((mu * ym1 + nu * ym2) + omu * y0) + mdt * l1) + gdt * l0


_rkl2 = njit(inline="always", cache=True)(rkl2_point)


@njit(parallel=True, cache=True)
def axpy_flat(u, a, x):
    """``u += a * x`` in place on 1D (flattened C-contiguous) arrays."""
    for i in prange(u.shape[0]):
        u[i] += a * x[i]


@njit(parallel=True, cache=True)
def rkl2_stage_flat(out, ym1, ym2, y0, l1, l0, mu, nu, omu, mdt, gdt):
    """One RKL2 stage into ``out`` on 1D (flattened) arrays, no temporaries."""
    for i in prange(out.shape[0]):
        out[i] = _rkl2(ym1[i], ym2[i], y0[i], l1[i], l0[i], mu, nu, omu, mdt, gdt)
