"""The explicit stability limit of the discrete heat operator, boundary terms included.

The explicit steppers advance ``du/dt = A u + b`` where ``A`` is the assembled operator
``div(alpha grad .) - screening`` (the rows of :func:`fieldgrad.solvers.poisson_matrix`).  Its
eigenvalues are real and (for dissipative data) not positive: ``A`` is similar to a symmetric
matrix through the trapezoid weights.  Forward Euler is stable iff ``dt * |lambda| <= 2`` for every
eigenvalue, so the limit is ``dt_explicit = 2 / rho(A)``, and RKL2 with ``s`` stages is stable up
to ``dt_explicit (s^2 + s - 2) / 4``.

``rho(A)`` is bounded by Gershgorin's theorem: every eigenvalue lies in a disc around a diagonal
entry ``a_ii`` with radius ``sum_{j != i} |a_ij|``, so ``rho(A) <= max_i sum_j |a_ij|``, the
largest absolute row sum.  For the stencil used here the row sums are:

* an interior node, per axis of spacing ``h``: ``|a_ii| = 2 alpha / h^2`` and two neighbours of
  ``alpha / h^2`` each, so ``4 alpha / h^2`` (with an array ``alpha`` the face values are harmonic
  means, each at most ``alpha_max``);
* a Neumann or periodic boundary node: the ghost node mirrors the first interior node, so the
  row is ``-2 alpha / h^2`` on the diagonal and ``2 alpha / h^2`` to that node: again
  ``4 alpha / h^2`` (the checkerboard attains it, so the classic limit is exact there);
* a Robin node ``a u + b du/dn = v``: the ghost ``u_1 + 2 h (v - a u_b) / b`` adds
  ``2 alpha_b a / (b h)`` to the diagonal (``alpha_b`` the diffusivity at the boundary node), so
  the row sum per such axis is ``4 alpha / h^2 + 2 alpha_b a / (b h)``;
* screening ``s`` adds ``s`` to the diagonal.

A corner node lies on one face of each axis, so the largest row sum is at most

    ``rho_bound = 4 alpha_max sum_i 1/h_i^2 + sum_i max_faces(2 alpha_b max(a/b, 0) / h_i) + max(s)``

and ``dt_explicit = 2 / rho_bound``.  For a scalar ``alpha`` and equal Robin data on all faces this
is the exact largest row sum (the corner's); it exceeds the true ``rho(A)`` by at most the
neighbour couplings' share (a few percent for large Biot numbers ``a h / b``, nothing for
Neumann).  Without the Robin term the limit can be far too large: a plastic plate (k = 0.2 W/m/K)
cooled by water (h = 5000 W/m^2/K) on a 1 mm grid has ``a h / b = 25``, so the true limit is
about 13 times smaller than ``h^2 / (2 d alpha)``.

Robin coefficients that change in time are taken at the time given (the problem's ``t0``);
the growth guard of the run loop (:mod:`fieldgrad.heat.guard`) is the backstop for those.

With a heat capacity field (``rho_c du/dt = div(k grad u) + q``, :mod:`fieldgrad.heat.capacity`)
the steppers advance ``du/dt = R^-1 (A0 u + b)`` with ``R = diag(rho_c)`` and ``A0`` the
assembled operator of :class:`fieldgrad.solvers.discretize.Problem`.  ``R^-1 A0`` is similar to a
symmetric matrix (through ``(W R)^(1/2)``), and Gershgorin's bound on its rows is taken node by
node, :func:`capacity_limit`: ``dt_explicit = 2 / max_i(sum_j |A0_ij| / rho_c_i)`` over the
unknown nodes, Robin diagonals included.  A node of small ``rho_c`` and large ``k`` sets the
limit, not the largest ``k`` over the smallest ``rho_c`` anywhere.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..grid import axis_slice as _sl

__all__ = ["explicit_limit", "robin_rates", "capacity_limit"]



def robin_rates(grid, bcs, alpha, t=0.0):
    """Per axis, the largest Robin diagonal term ``2 alpha_b max(a/b, 0) / h`` over both faces.

    Parameters
    ----------
    grid : Grid
    bcs : BoundaryConditions (resolved) or None
    alpha : number or array of ``grid.shape``
    t : float -- time at which callable Robin coefficients are evaluated

    Returns
    -------
    list of float, one per axis (0.0 where no Robin face)

    Example
    -------
    >>> g = fg.Grid((11, 11))
    >>> robin_rates(g, fg.resolve_bc({"x-": fg.Robin(3.0, 2.0, 0.0), "*": fg.Robin(0.0, 1.0)}, g), 1.0)
    [30.0, 0.0]
    """
    rates = [0.0] * grid.ndim
    if bcs is None:
        return rates
    for face, cond in bcs.faces.items():
        if cond is None or cond.kind != "robin":
            continue
        axis, side = grid.parse_face(face)
        h = grid.spacing[axis]
        a = np.asarray(cond.evaluate("alpha", grid, face, t, np.float64))
        b = np.asarray(cond.evaluate("beta", grid, face, t, np.float64))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.maximum(a / b, 0.0)
        # beta == 0 is refused where the condition is built; a zero inside an array gives a
        # non-finite ratio here, which says nothing about the step and is left to that check
        ratio = np.where(np.isfinite(ratio), ratio, 0.0)
        ab = alpha if np.ndim(alpha) == 0 else np.asarray(alpha)[_sl(grid.ndim, axis, 0 if side == 0 else -1)]
        term = float(np.max(2.0 * ab * ratio / h)) if ratio.size else 0.0
        rates[axis] = max(rates[axis], term)
    return rates


def explicit_limit(grid, alpha, bc=None, *, screening=0.0, t=0.0):
    """Largest stable forward-Euler step ``2 / rho_bound`` of the discrete heat operator.

    Parameters
    ----------
    grid : Grid
    alpha : positive number or array of ``grid.shape`` (a number is taken as ``alpha_max``)
    bc : None, a boundary specification or resolved BoundaryConditions
        Robin faces add ``2 alpha_b a / (b h)`` to the diagonal of their nodes (see the module
        notes); None, Dirichlet, Neumann and periodic faces add nothing.
    screening : number >= 0 or array (absorption ``- screening * u``)
    t : float -- time of callable Robin coefficients

    Returns
    -------
    float

    Example
    -------
    >>> g = fg.Grid((11, 11))  # h = 0.1
    >>> round(explicit_limit(g, 1.0), 12)
    0.0025
    >>> round(explicit_limit(g, 1.0, fg.Robin(10.0, 1.0, 0.0)), 12)  # 2 / (800 + 2 * 200)
    0.001666666667
    """
    from ..boundary import BoundaryConditions, resolve_bc

    amax = float(np.max(alpha))
    if not (np.isfinite(amax) and amax > 0):
        raise ParameterError(f"alpha must be positive and finite; got a largest value of {amax!r}")
    smax = float(np.max(screening)) if np.size(screening) else 0.0
    if not (np.isfinite(smax) and smax >= 0):
        raise ParameterError(f"screening must be >= 0 and finite; got a largest value of {smax!r}")
    bcs = bc if (bc is None or isinstance(bc, BoundaryConditions)) else resolve_bc(bc, grid)
    rho = 4.0 * amax * sum(1.0 / h ** 2 for h in grid.spacing) + sum(robin_rates(grid, bcs, alpha, t)) + smax
    return 2.0 / rho


def capacity_limit(grid, bc, *, k, rho_c):
    """Largest stable forward-Euler step of ``rho_c du/dt = div(k grad u) + q``.

    ``2 / max_i(sum_j |A0_ij| / rho_c_i)`` over the nodes that are not held (module notes), with
    ``A0`` the operator of :class:`fieldgrad.solvers.discretize.Problem` (Robin rows included).

    Parameters
    ----------
    grid : Grid
    bc : boundary specification or resolved BoundaryConditions (every face given)
    k : positive number or array (the conductivity)
    rho_c : positive number or array of ``grid.shape`` (the volumetric heat capacity)

    Returns
    -------
    float

    Example
    -------
    >>> g = fg.Grid((11, 11))  # h = 0.1: rows sum to 8 k / h^2 = 1600
    >>> round(capacity_limit(g, fg.Neumann(0.0), k=2.0, rho_c=4.0), 12)  # 2 / (1600 / 4)
    0.005
    """
    from ..boundary import resolve_bc
    from .capacity import CapacityOperator, check_rho_c

    return CapacityOperator(grid, resolve_bc(bc, grid), k, check_rho_c(rho_c, grid)).limit()
