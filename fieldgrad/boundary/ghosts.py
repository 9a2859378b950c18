"""Ghost-node and boundary-value fills for the conditions of :mod:`fieldgrad.boundary.conditions`.

Boundary handling is kept apart from the stencils: an operator asks this module for one
ghost value per boundary node and per axis (a face-shaped array), then runs a kernel that
reads those ghosts where a neighbour would fall outside the grid.  One kernel therefore
serves every kind of condition.

Face names are ``"x-", "x+", "y-", "y+", "z-", "z+"``; in a specification ``"x"`` means both
x faces and ``"*"`` every face not named otherwise.  Periodic axes come from the grid.

Ghost formulas (``h`` the spacing normal to the face, ``u_b`` the boundary node, ``u_1``,
``u_2``, ``u_3`` the next nodes inwards, ``g`` the outward normal derivative):

* Neumann ``du/dn = g``: ``G = u_1 + 2 h g`` (second order for first derivatives; the
  Laplacian at the boundary node is then first order pointwise, the solution second order).
* Robin ``alpha u + beta du/dn = v``: as Neumann with ``g = (v - alpha u_b) / beta``.
* Periodic: the node on the opposite side.
* Dirichlet and "no condition" (``None``): the boundary node is data; derivatives there use
  one-sided second-order formulas, written as a polynomial extrapolation ghost
  (``3u_b - 3u_1 + u_2`` for first derivatives, ``4u_b - 6u_1 + 4u_2 - u_3`` for second).
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, describe
from .conditions import Dirichlet, Neumann, Periodic, Robin, resolve_bc


# ---------------------------------------------------------------------------- boundary values
def dirichlet_faces(bcs):
    """Faces whose nodes carry a prescribed value (Dirichlet)."""
    return [f for f, c in bcs.faces.items() if isinstance(c, Dirichlet)]


def _face_slice(ndim, axis, index):
    sl = [slice(None)] * ndim
    sl[axis] = index
    return tuple(sl)


def apply_bc(u, grid, bc, t=0.0):
    """Write Dirichlet values into the boundary nodes of ``u`` in place.

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    grid : Grid
    bc : boundary specification (see :func:`resolve_bc`)
    t : float
        Time for time-dependent values.

    Returns
    -------
    ndarray
        ``u`` itself.

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid
    >>> u = apply_bc(np.zeros((3, 3)), Grid((3, 3)), {"x-": Dirichlet(1.0)})
    >>> u[0].tolist()
    [1.0, 1.0, 1.0]
    """
    bcs = resolve_bc(bc, grid)
    if not isinstance(u, np.ndarray) or u.dtype.kind != "f":
        raise ParameterError(f"u = {describe(u)} cannot take boundary values in place; accepted: a float32 or "
                             "float64 array (an integer array would truncate them)")
    grid.check_shape(u, "u")
    for face in dirichlet_faces(bcs):
        axis, side = grid.parse_face(face)
        u[_face_slice(grid.ndim, axis, 0 if side == 0 else -1)] = bcs[face].evaluate("value", grid, face, t, u.dtype)
    return u


def with_dirichlet(u, grid, bcs, t=0.0):
    """``u`` if its Dirichlet faces already hold the prescribed values, else a copy that does.

    The check touches only the faces, so the common case (a solution that satisfies its own
    conditions) costs no copy.
    """
    out = u
    for face in dirichlet_faces(bcs):
        axis, side = grid.parse_face(face)
        sl = _face_slice(grid.ndim, axis, 0 if side == 0 else -1)
        vals = bcs[face].evaluate("value", grid, face, t, u.dtype)
        if not np.array_equal(out[sl], vals):
            if out is u:
                out = u.copy()
            out[sl] = vals
    return out


def _outward_derivative(cond, grid, face, ub, t, dtype):
    """Outward normal derivative prescribed on a Neumann or Robin face (depends on ``ub`` for Robin)."""
    if isinstance(cond, Neumann):
        return cond.evaluate("flux", grid, face, t, dtype)
    alpha = cond.evaluate("alpha", grid, face, t, dtype)
    beta = cond.evaluate("beta", grid, face, t, dtype)
    value = cond.evaluate("value", grid, face, t, dtype)
    return (value - alpha * ub) / beta


def ghost_layers(u, grid, bcs, derivative, t=0.0, k=None):
    """Ghost values one node outside every face, for second-order operators.

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    grid : Grid
    bcs : BoundaryConditions
    derivative : {1, 2}
        Which extrapolation a Dirichlet / unconstrained face uses: one exact for quadratics
        (first derivatives) or for cubics (second derivatives).
    t : float
    k : ndarray or None
        Conductivity for ``div(k grad u)``.  With ``k`` the Neumann/Robin ghost is scaled so that
        the boundary flux is ``k_b * g``, and ghost conductivities are returned too.

    Returns
    -------
    list of (lo, hi) pairs
        Face-shaped ghost arrays per axis; with ``k`` given, a second list of the same form
        holding the ghost conductivities.
    """
    ghosts, kghosts = [], []
    nd = grid.ndim
    for axis in range(nd):
        pair, kpair = [], []
        n = grid.shape[axis]
        h = grid.spacing[axis]
        for side in (0, 1):
            face = grid.axis_names[axis] + "-+"[side]
            cond = bcs[face]
            layers = {}

            def take(arr, m, axis=axis, side=side, layers=layers):
                # the nodes inward from this face, gathered once per array in one fast pass
                if id(arr) not in layers:
                    layers[id(arr)] = inward_layers(arr, axis, side, min(4, arr.shape[axis]))
                return layers[id(arr)][m]
            edge = _edge_ghost(u, grid, cond, face, axis, side, derivative, t, k)
            if edge is not None:
                g, kg = edge, None
            elif isinstance(cond, Periodic):
                g = inward_layers(u, axis, 1 - side, 1)[0]  # the node on the opposite face
                kg = None if k is None else inward_layers(k, axis, 1 - side, 1)[0]
            elif isinstance(cond, (Neumann, Robin)):
                ub = take(u, 0)
                flux = _outward_derivative(cond, grid, face, ub, t, u.dtype)
                if k is None:
                    g = take(u, 1) + (2 * h) * flux
                    kg = None
                else:
                    kb, k1 = take(k, 0), take(k, 1)
                    khalf = 2 * kb * k1 / (kb + k1)
                    g = take(u, 1) + (2 * h) * flux * (kb / khalf)
                    kg = k1
            else:  # Dirichlet or no condition: polynomial extrapolation (one-sided formula)
                if derivative == 1:
                    g = 3 * take(u, 0) - 3 * take(u, 1) + take(u, 2)
                else:
                    g = 4 * take(u, 0) - 6 * take(u, 1) + 4 * take(u, 2) - take(u, 3)
                if k is None:
                    kg = None
                else:
                    # quadratic extrapolation keeps the ghost face conductivity O(h^3) accurate,
                    # so the boundary node stays second order; fall back to k_b at a jump
                    kb = take(k, 0)
                    kx = 3 * kb - 3 * take(k, 1) + take(k, 2)
                    kg = np.where(kx > 0, kx, kb)
            pair.append(np.ascontiguousarray(g, dtype=u.dtype))
            kpair.append(None if kg is None else np.ascontiguousarray(kg, dtype=u.dtype))
        ghosts.append(tuple(pair))
        kghosts.append(tuple(kpair))
    return (ghosts, kghosts) if k is not None else ghosts


_EXTRAPOLATION = {1: (3, -3, 1, 0), 2: (4, -6, 4, -1)}


def _edge_ghost(u, grid, cond, face, axis, side, derivative, t, k):
    """Ghosts of a face normal to the contiguous axis computed in one Numba pass over the row ends
    (the same formulas as :func:`ghost_layers`), for Dirichlet, unconstrained and Neumann faces
    without conductivity; ``None`` where the general path applies."""
    nd = u.ndim
    if axis != nd - 1 or nd < 2 or k is not None or not u.flags.c_contiguous:
        return None
    if isinstance(cond, Neumann):
        coef = (0, 1, 0, 0)
        add = (2 * grid.spacing[axis]) * cond.evaluate("flux", grid, face, t, u.dtype)
    elif cond is None or isinstance(cond, Dirichlet):
        coef = _EXTRAPOLATION[derivative]
        add = np.zeros(grid.face_shape(face), dtype=u.dtype)
    else:
        return None
    from ..kernels.cpu import edge_ghost

    n = u.shape[-1]
    out = np.empty(grid.face_shape(face), dtype=u.dtype)
    c = [u.dtype.type(x) for x in coef]
    edge_ghost(u.reshape(-1, n), side, *c, np.ascontiguousarray(add, dtype=u.dtype).reshape(-1), out.reshape(-1))
    return out


def inward_layers(arr, axis, side, count):
    """The first ``count`` node layers of ``arr`` inward from a face: a contiguous array of shape
    ``(count, *face_shape)`` for faces normal to the last axis, else a list of views.

    Faces normal to the contiguous last axis are gathered by a parallel Numba pass that reads
    each row's ends once; NumPy's strided slicing would stream the whole array per layer.
    """
    n = arr.shape[axis]
    idx = np.arange(count) if side == 0 else n - 1 - np.arange(count)
    if axis == arr.ndim - 1 and arr.ndim > 1:
        from ..kernels.cpu import gather_columns

        out = np.empty((count,) + arr.shape[:-1], dtype=arr.dtype)
        gather_columns(np.ascontiguousarray(arr).reshape(-1, n), idx, out.reshape(count, -1))
        return out
    return [arr[_face_slice(arr.ndim, axis, int(i))] for i in idx]  # views: no copy needed


def min_nodes(bcs, derivative):
    """Fewest nodes each non-periodic axis needs for the one-sided closures in use."""
    need = []
    for axis in range(bcs.grid.ndim):
        lo, hi = bcs.on_axis(axis)
        if isinstance(lo, Periodic):
            need.append(3)
        elif any(c is None or isinstance(c, Dirichlet) for c in (lo, hi)):
            need.append(3 if derivative == 1 else 4)
        else:
            need.append(2)
    return need


def _fourth_order_ghost_weights():
    """Weights of the two ghost nodes (s = -1, -2 in units of h) for the order-4 operators.

    ``"extrapolate"``: the degree-5 polynomial through u_0..u_5.
    ``"derivative"``: the degree-5 polynomial through u_0..u_4 with inward slope ``d`` (per unit
    ``s``) at the boundary node; the last weight multiplies ``d``.
    """
    powers = np.arange(6)
    targets = np.array([[(-1.0) ** p for p in powers], [(-2.0) ** p for p in powers]])
    m_ext = np.array([[float(s) ** p for p in powers] for s in range(6)])
    m_der = np.vstack([m_ext[:5], [0, 1, 0, 0, 0, 0]])
    return {"extrapolate": targets @ np.linalg.inv(m_ext), "derivative": targets @ np.linalg.inv(m_der)}


_W4 = _fourth_order_ghost_weights()


def padded_with_ghosts(u, grid, bcs, t=0.0):
    """``u`` padded with two ghost layers per side, filled for the fourth-order operators.

    Periodic axes wrap; Dirichlet and unconstrained faces extrapolate with a degree-5
    polynomial (fourth-order derivatives at and near the boundary); Neumann and Robin faces use
    the degree-5 polynomial that matches the prescribed normal derivative, so they stay fourth
    order too.  Only face layers are filled: the order-4 stencils are axis-aligned.

    Returns
    -------
    ndarray of shape ``grid.shape + 4`` per axis.
    """
    nd = grid.ndim
    p = np.zeros(tuple(n + 4 for n in grid.shape), dtype=u.dtype)
    p[tuple(slice(2, -2) for _ in range(nd))] = u
    inner = [slice(2, -2)] * nd
    for axis in range(nd):
        n, h = grid.shape[axis], grid.spacing[axis]
        for side in (0, 1):
            face = grid.axis_names[axis] + "-+"[side]
            cond = bcs[face]

            def node(m, side=side):  # m-th node inwards from this face
                return u[_face_slice(nd, axis, m if side == 0 else n - 1 - m)]

            for layer in (1, 2):  # ghost at s = -layer
                if isinstance(cond, Periodic):
                    g = u[_face_slice(nd, axis, n - layer if side == 0 else layer - 1)]
                elif isinstance(cond, (Neumann, Robin)):
                    w = _W4["derivative"][layer - 1]
                    d = -h * _outward_derivative(cond, grid, face, node(0), t, u.dtype)
                    g = sum(w[m] * node(m) for m in range(5)) + w[5] * d
                else:
                    w = _W4["extrapolate"][layer - 1]
                    g = sum(w[m] * node(m) for m in range(6))
                idx = list(inner)
                idx[axis] = 2 - layer if side == 0 else n + 1 + layer
                p[tuple(idx)] = g
    return p
