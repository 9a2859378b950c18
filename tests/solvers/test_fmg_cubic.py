"""FMG with cubic interpolation: tables reproduce cubics; one V-cycle per level leaves an
algebraic error below the discretisation error (exact discrete solution by SciPy DST-I)."""
import numpy as np
import pytest
import scipy.fft as sfft

from fieldgrad import Dirichlet, Grid
from fieldgrad.solvers import PoissonSolver
from fieldgrad.solvers.mg_fmg import cubic_tables
from fieldgrad.solvers.multigrid import coarse_nodes


@pytest.mark.parametrize("nf,mode,periodic", [(17, 1, False), (10, 2, False), (16, 1, True), (11, 2, True),
                                              (5, 1, False)])
def test_cubic_tables_reproduce_cubics(nf, mode, periodic):
    cf = coarse_nodes(nf, mode, periodic)
    ci, cw = cubic_tables(nf, cf, periodic)
    assert np.allclose(cw.sum(axis=1), 1.0)
    q = np.arange(nf, dtype=float)
    deg = 3 if cf.size >= 4 else 1
    for p in range(deg + 1):
        if periodic:  # a periodic function: check a trigonometric one to interpolation accuracy instead
            break
        vals = (cf.astype(float) / nf) ** p
        assert np.allclose((cw * vals[ci]).sum(axis=1), (q / nf) ** p, atol=1e-12)
    if periodic:
        vals = np.sin(2 * np.pi * cf / nf)
        err = np.abs((cw * vals[ci]).sum(axis=1) - np.sin(2 * np.pi * q / nf)).max()
        assert err < 0.05, err  # linear interpolation: about h^2/8 = 0.15 on the 11-node grid


def _problem(n):
    x = np.linspace(0.0, 1.0, n)
    gx = (x - x * x) * np.exp(x)
    d2 = (-x * x - 3 * x) * np.exp(x)
    u = gx[:, None, None] * gx[None, :, None] * gx[None, None, :]
    f = (d2[:, None, None] * gx[None, :, None] * gx[None, None, :]
         + gx[:, None, None] * d2[None, :, None] * gx[None, None, :]
         + gx[:, None, None] * gx[None, :, None] * d2[None, None, :])
    return Grid((n, n, n)), f, u


def _dst_solution(f, h):
    fi = f[1:-1, 1:-1, 1:-1]
    m = fi.shape[0]
    lam = -4.0 / h ** 2 * np.sin(np.pi * np.arange(1, m + 1) / (2 * (m + 1))) ** 2
    y = sfft.dstn(fi, type=1)
    y /= lam[:, None, None] + lam[None, :, None] + lam[None, None, :]
    return sfft.idstn(y, type=1)


@pytest.mark.parametrize("n", [33, 65])
def test_fmg_one_cycle_per_level_reaches_discretisation_accuracy(n):
    g, f, uex = _problem(n)
    ud = _dst_solution(f, g.spacing[0])
    e_disc = np.abs(ud - uex[1:-1, 1:-1, 1:-1]).max()
    errs = {}
    for interp in ("linear", "cubic"):
        s = PoissonSolver(g, Dirichlet(0.0), method="multigrid", fmg=True, nu1=2, nu2=1)
        s.hier.fmg_interp = interp
        u = s.solve(f, maxiter=1, raise_on_failure=False).u
        errs[interp] = (np.abs(u[1:-1, 1:-1, 1:-1] - ud).max() / e_disc, np.abs(u - uex).max() / e_disc)
    alg, tot = errs["cubic"]
    assert alg <= 0.75 and tot <= 1.6, errs  # algebraic error below the discretisation error
    assert alg <= 0.6 * errs["linear"][0], errs


def test_fmg_2d_one_cycle_per_level_reaches_discretisation_accuracy():
    n = 129
    g = Grid((n, n))
    x = np.linspace(0.0, 1.0, n)
    gx, d2 = (x - x * x) * np.exp(x), (-x * x - 3 * x) * np.exp(x)
    f = d2[:, None] * gx[None, :] + gx[:, None] * d2[None, :]
    uex = gx[:, None] * gx[None, :]
    m = n - 2
    lam = -4.0 * (n - 1) ** 2 * np.sin(np.pi * np.arange(1, m + 1) / (2 * (m + 1))) ** 2
    ud = sfft.idstn(sfft.dstn(f[1:-1, 1:-1], type=1) / (lam[:, None] + lam[None, :]), type=1)
    e_disc = np.abs(ud - uex[1:-1, 1:-1]).max()
    u = PoissonSolver(g, Dirichlet(0.0), method="multigrid", fmg=True, nu1=2, nu2=1).solve(
        f, maxiter=1, raise_on_failure=False).u
    assert np.abs(u[1:-1, 1:-1] - ud).max() <= 0.1 * e_disc
    assert np.abs(u - uex).max() <= 1.1 * e_disc
