"""27-point Galerkin coarse levels (3D, variable coefficients): an unrolled 8-colour Gauss-Seidel.

The generic explicit-stencil smoother loops over a table of offsets; here the offsets are the
fixed 3x3x3 box in the order ``Hierarchy._rap`` stores them (centre first, then the other 26 in
``(dx+1)*9 + (dy+1)*3 + dz+1`` order), so the interior loop is fully unrolled with plain
indices.  Nodes on the boundary shell use the generic neighbour-map formula.

Example
-------
Internal; ``Level.smooth`` calls :func:`smooth27` for 3D stencil levels with 27 entries.
"""
from __future__ import annotations

from numba import njit, prange

from .mg_kernels import stencil_offdiag


@njit(inline="always")
def _offdiag27(u, cr, i, j, k):
    acc = 0.0
    for dx in range(-1, 2):
        for dy in range(-1, 2):
            ur = u[i + dx, j + dy]
            base = (dx + 1) * 9 + (dy + 1) * 3 + 1
            for dz in range(-1, 2):
                d = base + dz
                if d != 13:
                    acc += cr[d + 1 if d < 13 else d] * ur[k + dz]
    return acc


@njit(parallel=True, cache=True)
def smooth27(u, f, coef, offs, nbr, fx, fy, fz, color):
    """One colour (index parity ``(i%2, j%2, k%2)`` = bits of ``color``) of 8-colour Gauss-Seidel
    for the point-major 27-point stencil ``coef[i, j, k, s]`` (offsets ``offs``, centre first)."""
    nx, ny, nz = u.shape
    ci, cj, ck = color // 4, (color // 2) % 2, color % 2
    for ii in prange((nx - ci + 1) // 2):
        i = ci + 2 * ii
        if fx[i]:
            continue
        iin = 0 < i < nx - 1
        for j in range(cj, ny, 2):
            if fy[j]:
                continue
            ij = iin and 0 < j < ny - 1
            for k in range(ck, nz, 2):
                if fz[k]:
                    continue
                cr = coef[i, j, k]
                if ij and 0 < k < nz - 1:
                    off = _offdiag27(u, cr, i, j, k)
                else:
                    off = stencil_offdiag(u, coef, offs, nbr, i, j, k)
                u[i, j, k] = (f[i, j, k] - off) / cr[0]
