"""Small Numba kernels of the distributed explicit steps: face ghosts into preallocated buffers and
fused whole-block updates (no temporaries).

The point formulas are plain Python functions (a CUDA target can wrap the same ones with
``cuda.jit(device=True)``); the sweeps wrap them with ``njit``.  Face kernels take 1D (2D grid)
or 2D (3D grid) face views, which may be strided; block kernels take C-contiguous blocks
flattened to 1D (prange over the single axis).
"""
from numba import njit, prange

__all__ = ["combine4_face", "affine_face", "axpy_flat", "rkl2_stage_flat"]


def combine4(a0, a1, a2, a3, c0, c1, c2, c3):
    """``c0 a0 + c1 a1 + c2 a2 + c3 a3`` (one-sided polynomial ghost through four nodes)."""
    return ((c0 * a0 + c1 * a1) + c2 * a2) + c3 * a3


def affine(x, c, y):
    """``x + c y`` (Neumann/Robin ghost: inner neighbour plus ``2 h`` times the outward flux)."""
    return x + c * y


def rkl2_point(ym1, ym2, y0, l1, l0, mu, nu, omu, mdt, gdt):
    """One RKL2 stage at a node: ``mu Y_{j-1} + nu Y_{j-2} + (1-mu-nu) Y_0 + mu~ dt L(Y_{j-1}) + g~ dt L(Y_0)``."""
    return (((mu * ym1 + nu * ym2) + omu * y0) + mdt * l1) + gdt * l0


_combine4 = njit(inline="always", cache=True)(combine4)
_affine = njit(inline="always", cache=True)(affine)
_rkl2 = njit(inline="always", cache=True)(rkl2_point)


@njit(cache=True)
def _combine4_1d(out, a0, a1, a2, a3, c0, c1, c2, c3):
    for i in range(out.shape[0]):
        out[i] = _combine4(a0[i], a1[i], a2[i], a3[i], c0, c1, c2, c3)


@njit(cache=True)
def _combine4_2d(out, a0, a1, a2, a3, c0, c1, c2, c3):
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = _combine4(a0[i, j], a1[i, j], a2[i, j], a3[i, j], c0, c1, c2, c3)


@njit(cache=True)
def _affine_1d(out, x, c, y):
    for i in range(out.shape[0]):
        out[i] = _affine(x[i], c[i], y[i])


@njit(cache=True)
def _affine_2d(out, x, c, y):
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = _affine(x[i, j], c[i, j], y[i, j])


def combine4_face(out, a0, a1, a2, a3, c0, c1, c2, c3):
    """``out = c0 a0 + c1 a1 + c2 a2 + c3 a3`` on face arrays (scalar coefficients).

    Example
    -------
    >>> import numpy as np
    >>> out = np.empty(2); one = np.ones(2)
    >>> combine4_face(out, one, one, one, one, 4.0, -6.0, 4.0, -1.0)
    array([1., 1.])
    """
    (_combine4_1d if out.ndim == 1 else _combine4_2d)(out, a0, a1, a2, a3, c0, c1, c2, c3)
    return out


def affine_face(out, x, c, y):
    """``out = x + c * y`` on face arrays (``c`` and ``y`` face arrays, possibly broadcast views)."""
    (_affine_1d if out.ndim == 1 else _affine_2d)(out, x, c, y)
    return out


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
