"""Point formulas of the finite-difference stencils, written once.

They are self-contained (no calls between them) so both Numba targets compile them as they are.

Each function takes neighbour values (not arrays), so the same source compiles for the CPU
(``numba.njit``) and for CUDA (``numba.cuda.jit(device=True)``).  ``ih`` is an inverse
spacing, ``ih2`` an inverse squared spacing.

Example
-------
>>> second_difference(1.0, 0.0, 1.0, 1.0)
2.0
"""


def second_difference(um, uc, up, ih2):
    """``(u[i-1] - 2 u[i] + u[i+1]) / h^2``."""
    return ((um + up) - 2.0 * uc) * ih2


def central_difference(um, up, half_ih):
    """``(u[i+1] - u[i-1]) / (2 h)`` with ``half_ih = 1 / (2 h)``."""
    return (up - um) * half_ih


def laplacian_point(uc, xm, xp, ym, yp, zm, zp, ihx2, ihy2, ihz2):
    """7-point Laplacian at one node (pass ``ihz2 = 0`` and any finite ``zm = zp`` in 2D)."""
    return (((xm + xp) - 2.0 * uc) * ihx2 + ((ym + yp) - 2.0 * uc) * ihy2
            + ((zm + zp) - 2.0 * uc) * ihz2)


def laplacian_point_2d(uc, xm, xp, ym, yp, ihx2, ihy2):
    """5-point Laplacian at one node."""
    return ((xm + xp) - 2.0 * uc) * ihx2 + ((ym + yp) - 2.0 * uc) * ihy2


def flux_difference(um, uc, up, km, kc, kp, ih2):
    """``(k_{i+1/2} (u[i+1] - u[i]) - k_{i-1/2} (u[i] - u[i-1])) / h^2`` with harmonic face ``k``."""
    # harmonic means written out: point functions call no other function, so they compile
    # unchanged for both targets
    return ((2.0 * kc * kp / (kc + kp)) * (up - uc) - (2.0 * km * kc / (km + kc)) * (uc - um)) * ih2


def fourth_order_second_difference(umm, um, uc, up, upp, ih2):
    """``(-u[i-2] + 16 u[i-1] - 30 u[i] + 16 u[i+1] - u[i+2]) / (12 h^2)``."""
    return (16.0 * (um + up) - (umm + upp) - 30.0 * uc) * (ih2 / 12.0)


def fourth_order_central_difference(umm, um, up, upp, ih):
    """``(u[i-2] - 8 u[i-1] + 8 u[i+1] - u[i+2]) / (12 h)``."""
    return (8.0 * (up - um) - (upp - umm)) * (ih / 12.0)
