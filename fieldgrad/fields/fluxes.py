"""Conservative fluxes of ``-k grad u``: through a boundary face, through a box, and the energy.

These are the discrete quantities that the finite-volume reading of
:func:`fieldgrad.div_k_grad` conserves exactly, so balances close to round-off:

* :func:`face_flows` -- outward flow through each boundary face.  On a Neumann/Robin face it is
  the prescribed ``-k_b du/dn`` integrated with trapezoid weights.  On a Dirichlet face (or a
  face without a condition) it is read from the half cells next to the face: the flow that
  leaves them through the face is what the operator (with that face closed) and the source
  leave unbalanced.  Nodes on several such faces share their imbalance equally.  The flows of
  all faces add up to the integral of the source for a steady solution (to solver accuracy).
* :func:`box_flow` -- outward flow through the surface of a box of nodes, the surface lying
  half a spacing outside the box's outer nodes: telescoping makes it equal to
  ``-sum(h^d * div_k_grad(u))`` over the box nodes (Gauss's law, discretely exact).
* :func:`edge_energy` -- ``1/2 sum k_{i+1/2} |u_{i+1} - u_i|^2 / h^2 * dV`` over edges, the
  discrete ``1/2 int k |grad u|^2`` consistent with the operator (``W = Q V / 2`` for a capacitor).

On a cylindrical ``(r, z)`` grid all three work on the solid of revolution: areas and volumes
carry the ``2 pi r`` (the node weights of :meth:`fieldgrad.Grid.quadrature_weights`, an ``r``
face the ring at its radius), and the identities above hold with the solvers' finite-volume rows.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, Periodic, _outward_derivative, resolve_bc
from ..errors import GridError, ParameterError
from ..operators import div_k_grad
from ..validation import check_conductivity
from ..grid import axis_slice as _sl, radial_volumes
from ..materials import Cells, resolve_conductivity

__all__ = ["face_flows", "box_flow", "box_indices", "edge_energy", "cell_flux"]


def cell_flux(u, k, grid, bc=None, t=0.0):
    """``-k grad u`` at the nodes for cell values ``k`` (:class:`fieldgrad.Cells`, isotropic).

    At a node inside axis ``a`` (every node of a periodic axis) component ``a`` is the mean of
    the face fluxes ``-k_face (u_(i+1) - u_i) / h`` of its two links -- the face conductances of
    the solvers' rows -- so a flux that is uniform across an interface on a grid line is exact
    there (the node-sampled product, the cells' mean times the central difference, is not).  At
    the box-face nodes of a non-periodic axis it is ``-k_node du/dx`` from :func:`fieldgrad.grad`
    with ``bc`` (``k_node`` the mean of the cells touching the node).

    Example
    -------
    >>> g = fg.Grid((5, 3), extent=[(0, 4), (0, 2)])
    >>> u = np.repeat([0.0, 1.0, 2.0, 2.5, 3.0], 3).reshape(5, 3)   # slope 1 in k = 1, 1/2 in k = 2
    >>> cell_flux(u, fg.Cells(np.repeat([1.0, 1.0, 2.0, 2.0], 2).reshape(4, 2)), g)[0, :, 1].tolist()
    [-1.0, -1.0, -1.0, -1.0, -1.0]
    """
    from ..materials.faces import cell_links, radial_half_weights
    from ..operators import grad
    from ..solvers.discretize import pad3, unpad

    res = resolve_conductivity(k, grid)
    out = grad(u, grid, bc, t=t)
    out *= -res.node_k3(0).reshape(grid.shape)
    kind, c3 = res.components[0]
    if kind != "cells":
        return out
    nd = grid.ndim
    shape3 = tuple(grid.shape) + (1,) * (3 - nd)
    h3 = tuple(grid.spacing) + (1.0,) * (3 - nd)
    periodic3 = tuple(grid.periodic) + (False,) * (3 - nd)
    u3 = pad3(np.asarray(u, dtype=np.float64), nd)
    for a in range(nd):
        L = cell_links(c3, a, shape3, h3, periodic3, radial_half_weights(grid))  # k_face / h^2
        F = -L * h3[a] * (np.roll(u3, -1, axis=a) - u3)    # face i + 1/2 (0 past the last node)
        mean = unpad(0.5 * (F + np.roll(F, 1, axis=a)), grid.shape)
        inner = _sl(nd, a, slice(None) if grid.periodic[a] else slice(1, -1))
        out[a][inner] = mean[inner]
    return out



def _ring_area(grid, index, r_face):
    """Factor that turns the quadrature weights of the nodes at ``index`` along a cylindrical
    grid's ``r`` axis into the area of their patch of the surface ``r = r_face``: ``2 pi r_face``
    times the ``z`` weights (the weights hold ``2 pi`` times the ring's ``r dr`` integral)."""
    return r_face / radial_volumes(grid.coords[0], grid.spacing[0])[index]


def face_flows(u, k, grid, bc, source=None, t=0.0):
    """Outward flow of ``-k grad u`` through every non-periodic face.

    Parameters
    ----------
    u : ndarray of ``grid.shape`` (Dirichlet faces holding their values)
    k : positive number, node array or :class:`fieldgrad.Cells` (then the half-cell balances use
        the cell face conductances of the solvers, and the flux data of a node the mean of the
        cells touching it)
    grid : Grid
    bc : boundary specification (flows through faces without a condition are measured from
        the data, as on Dirichlet faces)
    source : number or array, optional
        Volumetric source ``Q`` of the steady balance ``div(k grad u) + Q = 0``; the half cells
        next to Dirichlet faces include it.
    t : float

    Returns
    -------
    dict face -> float
        Outward flow (per unit depth in 2D; on a cylindrical grid through the whole surface of
        revolution, ``2 pi r`` included); negative means inflow.

    Example
    -------
    >>> g = fg.Grid((5, 3), extent=[(0, 2), (0, 1)])
    >>> u = g.mesh()[0] * 3.0          # dT/dx = 3, k = 2: heat flows towards -x
    >>> fl = face_flows(u, 2.0, g, {"x": fg.Dirichlet(lambda x, y: 3.0 * x), "y": fg.Neumann(0.0)})
    >>> round(fl["x-"], 12), round(fl["x+"], 12)
    (6.0, -6.0)
    """
    bcs = resolve_bc(bc, grid)
    cells = isinstance(k, Cells)
    kk = (resolve_conductivity(k, grid).node_k3(0).reshape(grid.shape) if cells
          else check_conductivity(k, grid, np.float64))
    u = np.asarray(u, dtype=np.float64)
    nd = grid.ndim
    closed = {}
    open_faces = []
    for face, cond in bcs.faces.items():
        if isinstance(cond, Periodic):
            continue
        if cond is None or isinstance(cond, Dirichlet):
            closed[face] = Neumann(0.0)
            open_faces.append(face)
        else:
            closed[face] = cond
    w = grid.quadrature_weights()
    flows = {}
    if open_faces:
        if cells:
            from ..solvers import poisson_matrix, poisson_rhs

            lstar = (poisson_matrix(grid, closed, k) @ u.ravel()
                     - poisson_rhs(np.zeros(grid.shape), grid, closed, k, t=t).ravel()).reshape(grid.shape)
        else:
            lstar = div_k_grad(u, grid, closed, k=kk, t=t)
        imbalance = w * (lstar + (0.0 if source is None else np.broadcast_to(source, grid.shape)))
        count = np.zeros(grid.shape)
        for face in open_faces:
            axis, side = grid.parse_face(face)
            count[_sl(nd, axis, 0 if side == 0 else -1)] += 1
        share = imbalance / np.maximum(count, 1)
    for face, cond in bcs.faces.items():
        if isinstance(cond, Periodic):
            continue
        axis, side = grid.parse_face(face)
        sl = _sl(nd, axis, 0 if side == 0 else -1)
        if cond is None or isinstance(cond, Dirichlet):
            flows[face] = float(share[sl].sum())
        else:  # Neumann / Robin: -k_b * du/dn over the face, trapezoid weights
            g = _outward_derivative(cond, grid, face, u[sl], t, np.float64)
            if grid.cylindrical and axis == 0:  # 2 pi r_face times the z weights: the ring's area
                end = 0 if side == 0 else -1
                wface = w[sl] * _ring_area(grid, end, grid.coords[0][end])
            else:
                wface = w[sl] * (2.0 / grid.spacing[axis]) if grid.shape[axis] > 1 else w[sl]
            flows[face] = float(-(wface * kk[sl] * g).sum())
    return flows


def box_indices(grid, lo, hi):
    """Node index ranges ``[(i0, i1), ...]`` (inclusive) of the nodes with ``lo <= x <= hi``.

    The box's surface lies half a spacing outside; it must stay inside the grid.  On a
    cylindrical grid whose ``r`` starts at 0 the range of ``r`` may start on the axis (the axis
    is not a surface: the box is then a solid cylinder, without an inner face).
    """
    lo = np.broadcast_to(np.asarray(lo, dtype=float), (grid.ndim,))
    hi = np.broadcast_to(np.asarray(hi, dtype=float), (grid.ndim,))
    out = []
    for a in range(grid.ndim):
        c = grid.coords[a]
        tol = 1e-9 * grid.spacing[a]
        idx = np.flatnonzero((c >= lo[a] - tol) & (c <= hi[a] + tol))
        if idx.size == 0:
            raise ParameterError(f"box {grid.axis_names[a]} range [{lo[a]}, {hi[a]}] holds no node; "
                                 f"nodes lie in [{c[0]}, {c[-1]}] with spacing {grid.spacing[a]}")
        i0, i1 = int(idx[0]), int(idx[-1])
        first = 0 if (a == 0 and getattr(grid, "on_axis", False)) else 1
        if i0 < first or i1 > grid.shape[a] - 2:
            raise GridError(f"box {grid.axis_names[a]} range [{lo[a]}, {hi[a]}] reaches the boundary; "
                            f"a closed box must keep at least one node between it and the faces "
                            f"(nodes {c[first]}..{c[-2]})")
        out.append((i0, i1))
    return out


def box_flow(u, k, grid, lo, hi):
    """Outward flow of ``-k grad u`` through the closed surface around the nodes in ``[lo, hi]``.

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    k : positive number or array
    grid : Grid
    lo, hi : sequence of float (one per axis)
        Physical corners of the box; the surface passes half a spacing outside its outer nodes.

    Returns
    -------
    float
        Per unit depth in 2D.  On a cylindrical ``(r, z)`` grid the flow through the whole surface
        of revolution (``2 pi r`` included): the box is a ring (a solid cylinder when its ``r``
        range starts on the axis, which is not a surface), its ``r`` faces have the area
        ``2 pi r_face dz``, its ``z`` faces the areas of the nodes' rings.  In both systems the
        flow equals ``-sum(w * div_k_grad(u))`` over the box nodes (``w`` the
        :meth:`~fieldgrad.Grid.quadrature_weights`) to round-off.

    Example
    -------
    >>> g = fg.Grid((9, 9))
    >>> X, Y = g.mesh()
    >>> # div(-grad u) = 1: the flow out is the area of the 5 x 5 cells around the box nodes
    >>> round(box_flow(-(X**2 + Y**2) / 4, 1.0, g, (0.25, 0.25), (0.75, 0.75)), 12)
    0.390625
    >>> gc = fg.Grid((9, 9), coords="cylindrical")
    >>> R, Z = gc.mesh()
    >>> # div(-grad u) = 1 again ((1/r) d(r du/dr)/dr = -2/3, d2u/dz2 = -1/3): the flow out is the
    >>> # volume of the solid cylinder of radius 0.375 + h/2 = 0.4375 and height 0.5 + h = 0.625
    >>> bool(np.isclose(box_flow(-(R**2 + Z**2) / 6, 1.0, gc, (0, 0.25), (0.375, 0.75)),
    ...                 np.pi * 0.4375 ** 2 * 0.625))
    True
    """
    kk = check_conductivity(k, grid, np.float64)
    u = np.asarray(u, dtype=np.float64)
    rng = box_indices(grid, lo, hi)
    w = grid.quadrature_weights()
    total = 0.0
    for a in range(grid.ndim):
        h = grid.spacing[a]
        sel = [slice(i0, i1 + 1) for i0, i1 in rng]
        i0, i1 = rng[a]
        for inner, outer in ((i0, i0 - 1), (i1, i1 + 1)):
            if outer < 0:  # the box starts on the axis r = 0: no surface there
                continue
            si = list(sel)
            so = list(sel)
            si[a] = inner
            so[a] = outer
            si, so = tuple(si), tuple(so)
            ki, ko = kk[si], kk[so]
            kh = 2 * ki * ko / (ki + ko)
            # the face's area per node: the node's weight over its extent along a (the box nodes
            # are interior), on a cylindrical grid's r axis the ring at the face radius
            if grid.cylindrical and a == 0:
                area = w[si] * _ring_area(grid, inner, 0.5 * (grid.coords[0][inner] + grid.coords[0][outer]))
            else:
                area = w[si] / h
            # outward flux -k du/dn with du/dn = (u_outer - u_inner) / h
            total += float((-kh * (u[so] - u[si]) / h * area).sum())
    return total


def edge_energy(u, k, grid):
    """Discrete ``1/2 int k |grad u|^2 dV`` over grid edges (trapezoid weights across them).

    On a cylindrical ``(r, z)`` grid ``dV = 2 pi r dr dz``: an ``r`` edge carries the ring of its
    midpoint radius, a ``z`` edge the ring of its nodes (the ``r`` weights of
    :meth:`~fieldgrad.Grid.quadrature_weights`); then ``edge_energy(u) = -1/2 sum(w * u *
    div_k_grad(u))`` with every face insulated (``bc=None``), to round-off.

    Example
    -------
    >>> g = fg.Grid((5, 5))
    >>> round(edge_energy(g.mesh()[0], 2.0, g), 12)   # 1/2 * 2 * 1 * area 1
    1.0
    >>> gc = fg.Grid((5, 5), coords="cylindrical")
    >>> bool(np.isclose(edge_energy(gc.mesh()[0], 2.0, gc), np.pi))   # 1/2 * 2 * 1 * volume pi
    True
    """
    kk = check_conductivity(k, grid, np.float64)
    u = np.asarray(u, dtype=np.float64)
    w = grid.quadrature_weights()
    total = 0.0
    for a in range(grid.ndim):
        h = grid.spacing[a]
        if grid.periodic[a]:
            up, kp = np.roll(u, -1, axis=a), np.roll(kk, -1, axis=a)
            wt = w  # the weight along a is h on every node of a periodic axis
            du, ka, kb = up - u, kk, kp
        else:
            lo, hi = _sl(grid.ndim, a, slice(0, -1)), _sl(grid.ndim, a, slice(1, None))
            du, ka, kb = u[hi] - u[lo], kk[lo], kk[hi]
            if grid.cylindrical and a == 0:  # the ring at the edge's midpoint radius, times h
                r = grid.coords[0]
                idx = np.arange(grid.shape[0] - 1)
                ring = (_ring_area(grid, idx, 0.5 * (r[:-1] + r[1:])) * h).reshape((-1,) + (1,) * (grid.ndim - 1))
                wt = w[lo] * ring
            else:
                # tangential trapezoid weight times h along the edge: full weight of an interior node
                wt = np.take(w, [1], axis=a) if grid.shape[a] > 2 else np.take(w, [0], axis=a) * 2
                wt = np.broadcast_to(wt, du.shape)
        kh = 2 * ka * kb / (ka + kb)
        total += 0.5 * float((wt * kh * (du / h) ** 2).sum())
    return total
