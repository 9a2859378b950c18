"""``mg_2d.prolong2d`` (coarse rows interpolated along y once per chunk) against the direct
bilinear formula at every fine node, on standard, non-uniform, uncoarsened and periodic axes."""
import numpy as np
import pytest

from fieldgrad.solvers import mg_2d as M2
from fieldgrad.solvers.active_segments import full_segments
from fieldgrad.solvers.multigrid import _transfer_tables, coarse_nodes


def _direct(e, u, pix, pwx, piy, pwy, fx, fy, assign):
    out = u.copy()
    for i in range(u.shape[0]):
        if fx[i]:
            continue
        a0, a1 = pix[i, 0], pix[i, 1] if pix[i, 1] >= 0 else pix[i, 0]
        for j in range(u.shape[1]):
            if fy[j]:
                continue
            b0, b1 = piy[j, 0], piy[j, 1] if piy[j, 1] >= 0 else piy[j, 0]
            v = (pwx[i, 0] * (pwy[j, 0] * e[a0, b0] + pwy[j, 1] * e[a0, b1])
                 + pwx[i, 1] * (pwy[j, 0] * e[a1, b0] + pwy[j, 1] * e[a1, b1]))
            out[i, j] = v if assign else out[i, j] + v
    return out


@pytest.mark.parametrize("nx, ny, px, py, mx, my", [(9, 7, False, False, 1, 1), (8, 10, True, True, 1, 1),
                                                    (10, 9, False, False, 2, 1), (9, 8, False, False, 1, 2),
                                                    (7, 9, False, False, 0, 1), (9, 9, False, True, 1, 2),
                                                    (203, 17, False, False, 1, 1)])
@pytest.mark.parametrize("assign", [True, False])
def test_prolong2d_matches_direct_formula(nx, ny, px, py, mx, my, assign):
    rng = np.random.default_rng(nx * ny)
    cx, cy = coarse_nodes(nx, mx, px).size, coarse_nodes(ny, my, py).size
    _, _, pix, pwx = _transfer_tables(nx, cx, mx, px)
    _, _, piy, pwy = _transfer_tables(ny, cy, my, py)
    e = rng.random((cx, cy))
    fx, fy = np.zeros(nx, bool), np.zeros(ny, bool)
    fx[0], fy[-1] = True, True
    u = rng.random((nx, ny))
    want = _direct(e, u, pix, pwx, piy, pwy, fx, fy, assign)
    M2.prolong2d(e, u, pix, pwx, piy, pwy, fx, fy, *full_segments(nx, ny), assign)
    np.testing.assert_allclose(u, want, rtol=1e-15, atol=0)
    assert np.array_equal(u[0], want[0])  # a fixed row is left alone
