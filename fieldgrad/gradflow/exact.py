"""The exact gradient flow ``du/dt = lap_h u - lambda u + f`` (time continuous, space discrete).

On the free nodes the flow is linear-affine, ``du/dt = A u + b`` with ``A = L - lambda I`` (``L``
of :func:`fieldgrad.gradflow.laplacian_matrix`) and ``b = f + lap_h(u_D)`` (the boundary data),
so ``u(t) = exp(tA) u0 + t phi1(tA) b`` with ``phi1(z) = (e^z - 1)/z``.  Since ``lambda I``
commutes with ``L``, ``exp(tA) = exp(-lambda t) exp(tL)``: decay and diffusion commute.

Methods: ``"spectral"`` diagonalises ``L`` with fast transforms when every axis is periodic (FFT),
Dirichlet-Dirichlet (DST-I) or Neumann-Neumann (DCT-I); ``"expm"`` uses
:func:`scipy.sparse.linalg.expm_multiply` on the sparse matrix augmented by ``b``, for any
boundary conditions.
"""
from __future__ import annotations

import numbers

import numpy as np
import scipy.fft as sfft
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply

from ..boundary import apply_bc
from ..errors import ParameterError
from ..operators import laplacian
from ._common import free_slices, resolve_complete
from ..validation import as_field, check_nonneg, check_source
from .spectrum import laplacian_eigenvalues, laplacian_matrix, spectral_kind

__all__ = ["exact_flow", "to_modes", "from_modes", "SPECTRAL_KINDS"]

SPECTRAL_KINDS = ("periodic", "DD", "NN")


def _kinds(grid, bcs):
    return [spectral_kind(*bcs.on_axis(a)) for a in range(grid.ndim)]


def to_modes(v, kinds):
    """Transform free-node values to mode coefficients (FFT / DST-I / DCT-I per axis, unnormalised).

    Parameters
    ----------
    v : ndarray on the free box
    kinds : list of str
        Per axis ``"periodic"``, ``"DD"`` or ``"NN"``.

    Returns
    -------
    ndarray (complex if an axis is periodic)
    """
    return _transform(v, kinds, {"periodic": sfft.fft, "DD": sfft.dst, "NN": sfft.dct})


def from_modes(c, kinds):
    """Inverse of :func:`to_modes` (real part returned)."""
    return np.real(_transform(c, kinds, {"periodic": sfft.ifft, "DD": sfft.idst, "NN": sfft.idct}))


def _transform(v, kinds, by_kind):
    """``v`` transformed along each axis by the transform ``by_kind[kind]`` of that axis (the
    sine and cosine transforms of type I)."""
    out = v
    for axis, kind in enumerate(kinds):
        if kind not in by_kind:
            raise ParameterError(f"axis {axis} has boundary pair {kind!r}; spectral transforms need {SPECTRAL_KINDS}")
        f = by_kind[kind]
        out = f(out, axis=axis) if kind == "periodic" else f(out, type=1, axis=axis)
    return out


def _phi1(a, t):
    """``(exp(a t) - 1) / a`` with the limit ``t`` at ``a = 0``."""
    a = np.asarray(a, dtype=float)
    safe = np.where(a == 0, 1.0, a)
    return np.where(a == 0, t, np.expm1(a * t) / safe)


def exact_flow(u0, grid, bc, t, weight_decay=0.0, source=None, method="auto"):
    """Solution at time ``t`` of ``du/dt = lap_h u - lambda u + f`` from ``u0``.

    Parameters
    ----------
    u0 : array of ``grid.shape``
        Start; Dirichlet faces are set to their values.
    grid : Grid
    bc : boundary specification (a condition on every face, time-independent)
    t : float or sequence of float
        Time(s) ``>= 0``.
    weight_decay : float
        ``lambda >= 0``.
    source : array or number, optional
        ``f``.
    method : {"auto", "spectral", "expm"}
        ``"auto"``: spectral when every axis is periodic, Dirichlet-Dirichlet or Neumann-Neumann,
        else expm.

    Returns
    -------
    ndarray
        ``grid.shape`` for a scalar ``t``; ``(len(t), *grid.shape)`` for a sequence.

    Example
    -------
    >>> g = fg.Grid((17, 17))
    >>> X, Y = g.mesh()
    >>> u0 = np.sin(np.pi * X) * np.sin(np.pi * Y)
    >>> mu = 2 * 4 * 16 ** 2 * np.sin(np.pi / 32) ** 2  # its discrete eigenvalue
    >>> u = exact_flow(u0, g, fg.Dirichlet(0), t=0.01, weight_decay=3.0)
    >>> bool(np.allclose(u, np.exp(-0.01 * (mu + 3.0)) * u0, rtol=1e-12, atol=1e-14))
    True
    """
    if method not in ("auto", "spectral", "expm"):
        raise ParameterError(f"method must be 'auto', 'spectral' or 'expm'; got {method!r}")
    bcs = resolve_complete(bc, grid, "exact_flow")
    scalar = isinstance(t, numbers.Real)
    times = np.atleast_1d(np.asarray(t, dtype=float))
    if times.ndim != 1 or not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ParameterError(f"t must be a number >= 0 or a 1D sequence of them; got {t!r}")
    lam = check_nonneg(weight_decay, "weight_decay")
    u = as_field(u0, grid, "u0", check_finite=True).astype(np.float64, copy=True)
    apply_bc(u, grid, bcs)
    f = check_source(source, grid, np.float64)
    fs = free_slices(grid, bcs)
    uD = np.zeros(grid.shape)
    apply_bc(uD, grid, bcs)
    b = laplacian(uD, grid, bcs)[fs]
    if f is not None:
        b = b + f[fs]
    u0f = u[fs]
    kinds = _kinds(grid, bcs)
    if method == "auto":
        method = "spectral" if all(k in SPECTRAL_KINDS for k in kinds) else "expm"
    results = []
    if method == "spectral":
        if not all(k in SPECTRAL_KINDS for k in kinds):
            raise ParameterError(f"method='spectral' needs periodic, Dirichlet-Dirichlet or Neumann-Neumann axes; "
                                 f"got {kinds} (use method='expm')")
        a = -(laplacian_eigenvalues(grid, bcs) + lam)
        c0, cb = to_modes(u0f, kinds), to_modes(b, kinds)
        for tt in times:
            results.append(from_modes(np.exp(a * tt) * c0 + _phi1(a, tt) * cb, kinds))
    else:
        A = laplacian_matrix(grid, bcs) - lam * sp.identity(u0f.size, format="csr")
        aug = sp.bmat([[A, sp.csr_matrix(b.reshape(-1, 1))], [None, sp.csr_matrix((1, 1))]], format="csr")
        vec = np.append(u0f.ravel(), 1.0)
        for tt in times:
            results.append(expm_multiply(aug * tt, vec)[:-1].reshape(u0f.shape) if tt > 0 else u0f.copy())
    out = np.repeat(u[None], len(times), axis=0)
    for i, r in enumerate(results):
        out[(i,) + fs] = r
    out = out.astype(np.asarray(u0).dtype if np.asarray(u0).dtype.kind == "f" else np.float64)
    return out[0] if scalar else out
