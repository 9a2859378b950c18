"""Spectral (fast transform) solve of the constant-coefficient discrete system.

Per axis: Dirichlet on both faces -> DST-I over the interior nodes; Neumann on both faces ->
DCT-I over all nodes (the reflected-ghost operator is diagonal in that basis); periodic -> FFT.
The 1D eigenvalues are ``-4 k/h^2 sin^2(theta/2)`` with ``theta = pi m/(n-1)`` (DST-I, DCT-I) or
``2 pi m/n`` (FFT).  Inhomogeneous Dirichlet values are lifted into the right-hand side and
Neumann data are already there, so the result is exact to round-off for the discrete system.
"""
from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from .multigrid import Level


def spectral_kinds(prob):
    """Per-axis transform names, or None when the spectral method does not apply."""
    if prob.k_const is None or prob.s_const is None or prob.m3 is not None:
        return None
    kinds = []
    for a in range(prob.ndim):
        lo, hi = prob.kinds3[a]
        if lo == hi == "periodic":
            kinds.append("fft")
        elif lo == hi == "dirichlet" and prob.shape3[a] >= 3:
            kinds.append("dst")
        elif lo == hi == "neumann":
            kinds.append("dct")
        else:
            return None
    return kinds


def spectral_solve(prob, b, ud, workers=-1, overwrite=False):
    """Solve ``A u = b`` exactly (Dirichlet values ``ud`` on fixed nodes).

    Parameters
    ----------
    prob : Problem
    b, ud : padded float64 arrays (see :meth:`Problem.rhs`)
    workers : int
        Threads for scipy.fft.
    overwrite : bool
        Allow ``b`` to be used as scratch (it holds the lifted right-hand side afterwards) and
        ``ud`` to receive the solution (saves two grid-sized arrays).

    Returns
    -------
    float64 padded array ``u`` (``ud`` itself when ``overwrite``).

    Example
    -------
    See :func:`fieldgrad.solve_poisson` with ``method="spectral"``.
    """
    kinds = spectral_kinds(prob)
    if kinds is None:
        raise ValueError("spectral method does not apply")
    lev = Level(prob.shape3, prob.h3, prob.periodic3, prob.fixed1)
    lev.set_const([prob.k_const / h ** 2 for h in prob.h3], -prob.s_const, [np.zeros(n) for n in prob.shape3])
    r = b if overwrite else np.empty(prob.shape3)
    lev.residual(ud, b, r)  # lifted right-hand side, zero on fixed nodes (in place is safe: pointwise in f)
    nd = prob.ndim
    sl = tuple(slice(1, -1) if kd == "dst" else slice(None) for kd in kinds) + (0,) * (3 - nd)
    x = r[sl]
    lams = []
    for a, kd in enumerate(kinds):
        n, c = prob.shape3[a], prob.k_const / prob.h3[a] ** 2
        if kd == "dst":
            th = np.pi * np.arange(1, n - 1) / (n - 1)
        elif kd == "dct":
            th = np.pi * np.arange(n) / (n - 1)
        else:
            th = 2 * np.pi * np.arange(n) / n
        lams.append(-4 * c * np.sin(th / 2) ** 2)
    real_axes = [a for a, kd in enumerate(kinds) if kd != "fft"]
    fft_axes = [a for a, kd in enumerate(kinds) if kd == "fft"]
    y = x
    for a in real_axes:
        y = (sfft.dst if kinds[a] == "dst" else sfft.dct)(y, type=1, axis=a, workers=workers, overwrite_x=y is not x)
    if fft_axes:
        y = sfft.fftn(y, axes=fft_axes, workers=workers)
    # divide slab by slab (no grid-sized temporary); a zero eigenvalue (singular problem) -> 0
    rest = 0.0
    for a in range(1, nd):
        shp = [1] * (nd - 1)
        shp[a - 1] = -1
        rest = rest + lams[a].reshape(shp)
    rest = np.asarray(rest - prob.s_const, dtype=np.float64)
    for i in range(y.shape[0]):
        den = lams[0][i] + rest
        with np.errstate(divide="ignore"):
            inv = np.where(den == 0.0, 0.0, 1.0 / np.where(den == 0.0, 1.0, den))
        y[i] *= inv
    if fft_axes:
        y = sfft.ifftn(y, axes=fft_axes, workers=workers, overwrite_x=True).real
    for a in real_axes:
        y = (sfft.idst if kinds[a] == "dst" else sfft.idct)(y, type=1, axis=a, workers=workers, overwrite_x=True)
    u = ud if overwrite else np.array(ud, copy=True)
    u[sl] = y
    return u
