"""The energy whose gradient is minus the discrete Laplacian plus weight decay.

On a grid with the node inner product ``<u, v>_h = sum(w u v)`` (``w = h^d`` at interior nodes,
the trapezoid weights of :meth:`fieldgrad.Grid.quadrature_weights` on non-periodic faces),

    E_lambda(u) = 1/2 |grad_h u|^2 + lambda/2 |u|_h^2 - <f, u>_h + (boundary terms)

has gradient ``-lap_h u + lambda u - f`` on every free node, exactly, where ``lap_h`` is
:func:`fieldgrad.laplacian` with the same boundary conditions.  ``|grad_h u|^2`` is the sum over
grid edges of ``((u_j - u_i) / h_a)^2`` times the edge's weight ``h_a * prod_{b != a} w_b``.  The
boundary terms come from the ghost nodes: ``-g u`` on a Neumann face (outward derivative ``g``),
``alpha/(2 beta) u^2 - value/beta u`` on a Robin face, each integrated over the face with its
trapezoid weights.  Dirichlet nodes are data: the energy is a function of the free nodes.

Why trapezoid weights: the ghost-node Neumann operator is not symmetric in the plain sum
``h^d sum(u v)``; it is symmetric in the trapezoid inner product, which is the one in which
it is a gradient.  On periodic axes and on the free nodes next to Dirichlet faces every weight
is ``h^d``, so there the inner product is exactly ``h^d sum(u v)``.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, Robin, with_dirichlet
from ..errors import ParameterError
from ..operators import laplacian
from ._common import axis_weights, free_mask, node_weights, resolve_complete
from ..validation import as_field, check_nonneg, check_source
from ..grid import axis_slice as _face_slice

__all__ = ["energy", "energy_gradient", "grid_inner", "INNER_PRODUCTS"]

INNER_PRODUCTS = ("grid", "euclidean")


def _perp_weights(grid, bcs, axis):
    """Broadcastable product of the 1D trapezoid weights of every axis but ``axis``."""
    w = np.ones([1] * grid.ndim)
    for b in range(grid.ndim):
        if b == axis:
            continue
        shape = [1] * grid.ndim
        shape[b] = -1
        w = w * axis_weights(grid, bcs, b).reshape(shape)
    return w



def grid_inner(u, v, grid):
    """The grid inner product ``<u, v>_h = sum(w u v)`` with trapezoid node weights ``w``.

    Example
    -------
    >>> g = fg.Grid((5, 5))
    >>> float(grid_inner(np.ones(g.shape), np.ones(g.shape), g))  # area of the unit square
    1.0
    """
    return float(np.sum(node_weights(grid) * u * v))


def energy(u, grid, bc, weight_decay=0.0, source=None):
    """The energy ``E_lambda(u)`` of the module docstring.

    Parameters
    ----------
    u : array of ``grid.shape``
        Field; values on Dirichlet faces are replaced by the prescribed ones.
    grid : Grid
    bc : boundary specification
        A condition on every face (see :func:`fieldgrad.resolve_bc`).
    weight_decay : float
        ``lambda >= 0``.
    source : array of ``grid.shape`` or number, optional
        ``f``.

    Returns
    -------
    float

    Example
    -------
    >>> g = fg.Grid((5, 5))
    >>> X, Y = g.mesh()
    >>> round(energy(X, g, {"x-": fg.Dirichlet(0), "x+": fg.Dirichlet(1), "y": fg.Dirichlet(g.coords[0])}), 12)  # 1/2 int |grad x|^2
    0.5
    """
    bcs = resolve_complete(bc, grid, "energy")
    u = as_field(u, grid, check_finite=True)
    lam = check_nonneg(weight_decay, "weight_decay")
    f = check_source(source, grid, np.float64)
    u = with_dirichlet(u, grid, bcs).astype(np.float64, copy=False)
    total = 0.0
    for axis in range(grid.ndim):
        h = grid.spacing[axis]
        if grid.periodic[axis]:
            d = np.roll(u, -1, axis=axis) - u
        else:
            d = np.diff(u, axis=axis)
        total += 0.5 / h * float(np.sum(_perp_weights(grid, bcs, axis) * d * d))
    free = free_mask(grid, bcs)
    w = node_weights(grid) * free
    if lam:
        total += 0.5 * lam * float(np.sum(w * u * u))
    if f is not None:
        total -= float(np.sum(w * f * u))
    for face, cond in bcs.faces.items():
        if not isinstance(cond, (Neumann, Robin)):
            continue
        axis, side = grid.parse_face(face)
        ub = u[_face_slice(grid.ndim, axis, 0 if side == 0 else -1)]
        fw = np.take(_perp_weights(grid, bcs, axis), 0, axis=axis)
        if isinstance(cond, Neumann):
            g = cond.evaluate("flux", grid, face)
            total -= float(np.sum(fw * g * ub))
        else:
            a, b, v = (cond.evaluate(k, grid, face) for k in ("alpha", "beta", "value"))
            total += float(np.sum(fw * (0.5 * a / b * ub * ub - v / b * ub)))
    return total


def energy_gradient(u, grid, bc, weight_decay=0.0, source=None, inner="grid", out=None):
    """Gradient of :func:`energy` with respect to the free nodes (zero on Dirichlet nodes).

    Parameters
    ----------
    u, grid, bc, weight_decay, source
        As for :func:`energy`.
    inner : {"grid", "euclidean"}
        ``"grid"``: the gradient in the grid inner product, ``-lap_h u + lambda u - f``.
        ``"euclidean"``: the gradient in the plain dot product of node values, which is the grid
        gradient times the node weights ``w`` (``h^d`` inside).  A gradient step of size ``lr`` in
        the Euclidean geometry is therefore an FTCS step with ``dt = lr * h^d`` (``lr * h^d / 2``
        on Neumann/Robin face nodes).
    out : ndarray, optional
        Where to write the result (same shape and dtype as ``u``).

    Returns
    -------
    ndarray of ``grid.shape``

    Example
    -------
    >>> g = fg.Grid(8, periodic=True)
    >>> u = np.cos(2 * np.pi * g.coords[0])
    >>> mu = 4 / g.spacing[0] ** 2 * np.sin(np.pi / 8) ** 2  # eigenvalue of -lap_h for this mode
    >>> bool(np.allclose(energy_gradient(u, g, fg.Periodic()), mu * u))
    True
    """
    if inner not in INNER_PRODUCTS:
        raise ParameterError(f"inner must be one of {INNER_PRODUCTS}; got {inner!r}")
    bcs = resolve_complete(bc, grid, "energy_gradient")
    u = as_field(u, grid, check_finite=True)
    lam = check_nonneg(weight_decay, "weight_decay")
    f = check_source(source, grid, u.dtype)
    out = descent_direction(u, grid, bcs, lam, f, out=out)
    if inner == "euclidean":
        out *= node_weights(grid).astype(u.dtype)
    return out


def descent_direction(u, grid, bcs, lam, f, out=None, tmp=None):
    """``-lap u + lam u - f`` on free nodes, 0 on Dirichlet nodes (internal; no checks).

    The operations are ordered so that ``-descent_direction`` is bitwise the FTCS right-hand
    side ``lap u - lam u + f`` computed by :func:`fieldgrad.gradflow.descent.heat_rhs`.
    """
    out = laplacian(u, grid, bcs, out=out)
    np.negative(out, out=out)
    if lam:
        out += lam * u if tmp is None else np.multiply(u, lam, out=tmp)
    if f is not None:
        out -= f
    _zero_dirichlet(out, grid, bcs)
    return out


def _zero_dirichlet(arr, grid, bcs):
    for face, cond in bcs.faces.items():
        if isinstance(cond, Dirichlet):
            axis, side = grid.parse_face(face)
            arr[_face_slice(grid.ndim, axis, 0 if side == 0 else -1)] = 0
    return arr
