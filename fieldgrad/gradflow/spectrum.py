"""Eigenvalues of the discrete Laplacian, per-mode decay factors and step-size limits.

``mu`` denotes an eigenvalue of ``-lap_h`` (so ``mu >= 0``) restricted to the free nodes with
homogeneous boundary values.  The operator is a Kronecker sum over axes, so its eigenvalues are
sums of 1D eigenvalues.  On the node-centred grid with ``n`` nodes and spacing ``h``:

* Dirichlet at both ends (``n - 2`` free nodes, DST-I modes ``sin(pi k j / (n-1))``):
  ``mu_k = 4/h^2 sin^2(pi k / (2(n-1)))``, ``k = 1 .. n-2``.
* Neumann at both ends (ghost node ``u_{-1} = u_1``; ``n`` nodes, DCT-I modes
  ``cos(pi k j / (n-1))``): the same formula with ``k = 0 .. n-1``.  This matrix is not symmetric
  (its end rows carry a 2), but it is similar to a symmetric one, so these are real.
* Dirichlet at one end, Neumann at the other (``n - 1`` free nodes, modes
  ``sin(pi (2k+1) j / (2(n-1)))``): ``mu_k = 4/h^2 sin^2(pi (2k+1) / (4(n-1)))``, ``k = 0 .. n-2``.
* Periodic (``n`` distinct nodes, Fourier modes): ``mu_k = 4/h^2 sin^2(pi k / n)``, ``k = 0 .. n-1``.
* Robin at an end: no closed form (a transcendental equation); the 1D tridiagonal operator is
  symmetrised with the trapezoid weights and its eigenvalues are computed
  (:func:`scipy.linalg.eigh_tridiagonal`).  Needs ``alpha / beta`` constant on the face.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from ..errors import ParameterError
from ._common import Dirichlet, Periodic, Robin, free_slices, resolve_complete, robin_coefficient
from ..validation import check_count, check_nonneg, check_positive

__all__ = ["axis_eigenvalues", "laplacian_eigenvalues", "laplacian_matrix", "laplacian_diagonal", "mode_decay", "step_size_limits",
           "spectral_kind"]


def spectral_kind(lo, hi):
    """Name of the 1D boundary pair: ``"periodic"``, ``"DD"``, ``"NN"``, ``"DN"``, ``"ND"`` or
    ``"robin"``."""
    if isinstance(lo, Periodic):
        return "periodic"
    if isinstance(lo, Robin) or isinstance(hi, Robin):
        return "robin"
    return ("D" if isinstance(lo, Dirichlet) else "N") + ("D" if isinstance(hi, Dirichlet) else "N")


def _axis_kappa(grid, bcs, axis, side):
    face = grid.axis_names[axis] + "-+"[side]
    cond = bcs[face]
    if not isinstance(cond, Robin):
        return 0.0
    kap = robin_coefficient(cond, grid, face)
    if kap.size and not np.all(kap == kap.flat[0]):
        raise ParameterError(
            f"Robin alpha/beta varies along face {face}: the Laplacian is then not a Kronecker sum and has no "
            "per-axis eigenvalues; use exact_flow(..., method='expm') or a constant alpha/beta"
        )
    return float(kap.flat[0]) if kap.size else 0.0


def axis_eigenvalues(n, h, kind, kappa=(0.0, 0.0)):
    """Eigenvalues of the 1D ``-lap_h`` on the free nodes of one axis.

    Parameters
    ----------
    n : int
        Nodes on the axis (distinct nodes if periodic).
    h : float
        Spacing.
    kind : str
        From :func:`spectral_kind`.
    kappa : (float, float)
        ``alpha / beta`` of Robin ends (0 for Neumann ends).

    Returns
    -------
    ndarray
        In mode order (the order of the DST-I / DCT-I / FFT coefficient index); ascending for
        Robin axes.

    Example
    -------
    >>> axis_eigenvalues(5, 0.25, "DD") * 0.25 ** 2 / 4  # sin^2(pi k / 8), k = 1, 2, 3
    array([0.14644661, 0.5       , 0.85355339])
    """
    s = 4.0 / h ** 2
    if kind == "periodic":
        return s * np.sin(np.pi * np.arange(n) / n) ** 2
    if kind == "DD":
        return s * np.sin(np.pi * np.arange(1, n - 1) / (2 * (n - 1))) ** 2
    if kind == "NN":
        return s * np.sin(np.pi * np.arange(n) / (2 * (n - 1))) ** 2
    if kind in ("DN", "ND"):
        return s * np.sin(np.pi * (2 * np.arange(n - 1) + 1) / (4 * (n - 1))) ** 2
    if kind == "robin":
        d, e = _symmetric_tridiagonal(n, h, kappa)
        return scipy.linalg.eigh_tridiagonal(d, e, eigvals_only=True)
    raise ParameterError(f"kind must be periodic, DD, NN, DN, ND or robin; got {kind!r}")


def _symmetric_tridiagonal(n, h, kappa, dirichlet=(False, False)):
    """Diagonal and off-diagonal of ``W^{1/2} (-L) W^{-1/2}`` for a non-periodic axis whose ends
    are ghost-node (Neumann/Robin, ``kappa = alpha/beta``) unless flagged Dirichlet."""
    i2 = 1.0 / h ** 2
    ends = [not dirichlet[0], not dirichlet[1]]
    m = n - sum(dirichlet)
    d = np.full(m, 2 * i2)
    e = np.full(m - 1, -i2)
    if ends[0]:
        d[0] += 2 * kappa[0] / h
        e[0] = -np.sqrt(2) * i2
    if ends[1]:
        d[-1] += 2 * kappa[1] / h
        e[-1] = -np.sqrt(2) * i2
    return d, e


def laplacian_eigenvalues(grid, bc):
    """All eigenvalues ``mu`` of ``-lap_h`` on the free nodes, in closed form.

    Parameters
    ----------
    grid : Grid
    bc : boundary specification (a condition on every face)

    Returns
    -------
    ndarray
        Shape: the free nodes per axis (``n - 2`` for Dirichlet-Dirichlet, ``n - 1`` for
        Dirichlet-Neumann, ``n`` otherwise); entry ``[k0, k1, ...]`` is the eigenvalue of the
        separable mode with per-axis indices ``k`` in transform order.

    Example
    -------
    >>> mu = laplacian_eigenvalues(fg.Grid((33, 33)), fg.Dirichlet(0))
    >>> round(float(mu.min()) / (2 * np.pi ** 2), 4)  # -> the continuum value 2 pi^2
    0.9992
    """
    bcs = resolve_complete(bc, grid, "laplacian_eigenvalues")
    mu = np.zeros([1] * grid.ndim)
    for axis in range(grid.ndim):
        lo, hi = bcs.on_axis(axis)
        kind = spectral_kind(lo, hi)
        kap = (_axis_kappa(grid, bcs, axis, 0), _axis_kappa(grid, bcs, axis, 1))
        if kind == "robin":
            d, e = _symmetric_tridiagonal(grid.shape[axis], grid.spacing[axis], kap,
                                          (isinstance(lo, Dirichlet), isinstance(hi, Dirichlet)))
            vals = scipy.linalg.eigh_tridiagonal(d, e, eigvals_only=True)
        else:
            vals = axis_eigenvalues(grid.shape[axis], grid.spacing[axis], kind)
        shape = [1] * grid.ndim
        shape[axis] = -1
        mu = mu + vals.reshape(shape)
    return mu


def _rows(grid, bcs):
    """The operator's rows with k = 1: :class:`~fieldgrad.solvers.discretize.Problem`, the one
    discretisation of the boundary conditions (ghost reflections and Robin terms included), and
    the mask of its free (non-Dirichlet) nodes in C order of the padded grid."""
    from ..solvers.discretize import Problem

    prob = Problem(grid, bcs)
    return prob, ~prob.fixed_mask()


def laplacian_diagonal(grid, bc):
    """Diagonal of :func:`laplacian_matrix` as an array on the free box (no matrix is built).

    Example
    -------
    >>> float(laplacian_diagonal(fg.Grid(11), fg.Robin(3.0, 1.0)).min())  # -2/h^2 - 2 (alpha/beta)/h
    -260.0
    """
    bcs = resolve_complete(bc, grid, "laplacian_diagonal")
    prob, free = _rows(grid, bcs)
    sizes = [s.stop - s.start for s in free_slices(grid, bcs)]
    return prob.links_diag()[3][free].reshape(sizes)


def laplacian_matrix(grid, bc):
    """Sparse matrix of ``lap_h`` on the free nodes with homogeneous boundary data.

    ``laplacian(u)[free] == L @ u[free] + laplacian(u_D)[free]`` where ``u_D`` is zero except
    for the Dirichlet values (the affine part: Dirichlet values, Neumann fluxes, Robin values).

    Parameters
    ----------
    grid : Grid
    bc : boundary specification (a condition on every face)

    Returns
    -------
    scipy.sparse.csr_matrix
        Square, of size the number of free nodes, in C order of the free box.

    Example
    -------
    >>> laplacian_matrix(fg.Grid(4, extent=(0, 3)), fg.Neumann(0)).toarray()
    array([[-2.,  2.,  0.,  0.],
           [ 1., -2.,  1.,  0.],
           [ 0.,  1., -2.,  1.],
           [ 0.,  0.,  2., -2.]])
    """
    from ..solvers.matrix import _stencil_to_csr

    bcs = resolve_complete(bc, grid, "laplacian_matrix")
    prob, free = _rows(grid, bcs)
    coef, offs = prob.stencil7()
    A = _stencil_to_csr(coef, offs, prob.shape3, prob.periodic3)
    keep = np.flatnonzero(free.ravel())
    return sp.csr_matrix(A[keep][:, keep])


def mode_decay(grid, bc, step, steps=1, weight_decay=0.0, exact=False):
    """Factor by which each eigenmode's amplitude is multiplied.

    Parameters
    ----------
    grid, bc
        As for :func:`laplacian_eigenvalues`.
    step : float
        Learning rate / time step ``eta``.
    steps : int
        Number of steps ``n``.
    weight_decay : float
        ``lambda``.
    exact : bool
        False: gradient descent / FTCS, ``(1 - eta (mu + lambda))^n``.  True: the exact flow over
        time ``t = n eta``, ``exp(-t (mu + lambda))``.

    Returns
    -------
    ndarray of the shape of :func:`laplacian_eigenvalues`.

    Example
    -------
    >>> float(mode_decay(fg.Grid(8, periodic=True), fg.Periodic(), 0.001, 10, weight_decay=2.0)[0])  # mean mode
    0.980179...
    """
    eta = check_positive(step, "step")
    n = check_count(steps, "steps")
    lam = check_nonneg(weight_decay, "weight_decay")
    mu = laplacian_eigenvalues(grid, bc)
    if exact:
        return np.exp(-(n * eta) * (mu + lam))
    return (1.0 - eta * (mu + lam)) ** n


def step_size_limits(grid, bc, weight_decay=0.0):
    """Step sizes of gradient descent on ``E_lambda`` (= FTCS time steps) from the exact spectrum.

    Parameters
    ----------
    grid, bc
        As for :func:`laplacian_eigenvalues`.
    weight_decay : float
        ``lambda``.

    Returns
    -------
    dict
        ``"stable"``: ``2 / (mu_max + lambda)``; every mode decays iff ``eta`` is below it.
        ``"monotone"``: ``1 / max_i(-L_ii + lambda)`` (``1 / (2 sum_a 1/h_a^2 + lambda)``, smaller
        with Robin faces); at or below it the update has non-negative coefficients, so it keeps
        the maximum principle (non-negative data stay non-negative).
        ``"optimal"``: ``2 / (m + M)``, the step minimising the worst per-mode factor, with
        ``M = mu_max + lambda`` and ``m`` the smallest *positive* ``mu + lambda`` (a zero mode,
        the mean under Neumann/periodic conditions with ``lambda = 0``, is left untouched by any
        step and is excluded).
        ``"contraction"``: the factor ``(M - m) / (M + m) = (kappa - 1) / (kappa + 1)`` by which
        the optimal step contracts the error per step (a number, not a step).
        Also ``"mu_min"``, ``"mu_max"``, ``"kappa"`` and ``"zero_mode"`` (bool).

    Example
    -------
    >>> lim = step_size_limits(fg.Grid((16, 16), periodic=True), fg.Periodic())
    >>> lim["stable"] * 16 ** 2, lim["monotone"] * 16 ** 2  # both h^2 / 4 here
    (0.25, 0.25)
    """
    lam = check_nonneg(weight_decay, "weight_decay")
    mu = laplacian_eigenvalues(grid, bc).ravel() + lam
    big = float(mu.max())
    positive = mu[mu > 1e-12 * big]
    small = float(positive.min())
    diag = -laplacian_diagonal(grid, bc) + lam
    return {
        "stable": 2.0 / big,
        "monotone": 1.0 / float(diag.max()),
        "optimal": 2.0 / (big + small),
        "contraction": (big - small) / (big + small),
        "mu_min": float(mu.min()) - lam,
        "mu_max": big - lam,
        "kappa": big / small,
        "zero_mode": bool(positive.size < mu.size),
    }
