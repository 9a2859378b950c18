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
    if prob.k_const is None or prob.s_const is None:
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


def spectral_solve(prob, b, ud, workers=-1):
    """Solve ``A u = b`` exactly (Dirichlet values ``ud`` on fixed nodes).

    Parameters
    ----------
    prob : Problem
    b, ud : padded float64 arrays (see :meth:`Problem.rhs`)
    workers : int
        Threads for scipy.fft.

    Returns
    -------
    float64 padded array ``u``.
    """
    kinds = spectral_kinds(prob)
    if kinds is None:
        raise ValueError("spectral method does not apply")
    lev = Level(prob.shape3, prob.h3, prob.periodic3, prob.fixed1)
    lev.set_const([prob.k_const / h ** 2 for h in prob.h3], -prob.s_const, [np.zeros(n) for n in prob.shape3])
    r = np.empty(prob.shape3)
    lev.residual(ud, b, r)  # lifted right-hand side, zero on fixed nodes
    nd = prob.ndim
    sl = tuple(slice(1, -1) if kd == "dst" else slice(None) for kd in kinds)
    x = r[sl + (0,) * (3 - nd)] if nd < 3 else r[sl]
    lam = 0.0
    for a, kd in enumerate(kinds):
        n, c = prob.shape3[a], prob.k_const / prob.h3[a] ** 2
        if kd == "dst":
            th = np.pi * np.arange(1, n - 1) / (n - 1)
        elif kd == "dct":
            th = np.pi * np.arange(n) / (n - 1)
        else:
            th = 2 * np.pi * np.arange(n) / n
        shp = [1] * nd
        shp[a] = -1
        lam = lam + (-4 * c * np.sin(th / 2) ** 2).reshape(shp)
    lam = lam - prob.s_const
    real_axes = [a for a, kd in enumerate(kinds) if kd != "fft"]
    fft_axes = [a for a, kd in enumerate(kinds) if kd == "fft"]
    y = np.array(x, copy=True)
    for a in real_axes:
        y = (sfft.dst if kinds[a] == "dst" else sfft.dct)(y, type=1, axis=a, workers=workers, overwrite_x=True)
    if fft_axes:
        y = sfft.fftn(y, axes=fft_axes, workers=workers)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(lam == 0.0, 0.0, 1.0 / np.where(lam == 0.0, 1.0, lam))
    y *= inv
    if fft_axes:
        y = sfft.ifftn(y, axes=fft_axes, workers=workers).real
    for a in real_axes:
        y = (sfft.idst if kinds[a] == "dst" else sfft.idct)(y, type=1, axis=a, workers=workers, overwrite_x=True)
    u = np.array(ud, copy=True)
    if nd < 3:
        u[sl + (0,) * (3 - nd)] = y
    else:
        u[sl] = y
    return u
