"""The surface of a domain's holes: the staircase of cell faces between an inside and an outside
cell (arrays padded to three axes, as in :mod:`fieldgrad.solvers.discretize`).

Each such face (an edge of length ``h`` in 2D, a face ``h^2`` in 3D) is split equally among
its corner nodes, and its conductance weight is the conductivity of the inside cell -- for
:class:`~fieldgrad.materials.Orthotropic` the component normal to that face.  Summed per node
this is ``sum k_cell A``, the factor that multiplies a surface flux ``du/dn`` in the node's
finite-volume balance.  The condition's data are read once per node, so a node where faces of
different directions meet (a hole's corner) applies its one ``du/dn`` to all of them: data
taken from a known field should there be the ``k A``-weighted mean of the faces' derivatives
(the plain mean for an isotropic ``k``).

The staircase is the geometry.  On a hole aligned with grid lines a smooth condition is second
order.  On a curved surface with unit normal ``n`` the staircase's area is ``|n_x| + |n_y|
(+ |n_z|)`` times the true area (4/pi on average round a circle), so Neumann/Robin data reach
the curved body's solution only when divided by that sum at each surface node (a Convection
``h`` or a Neumann flux given as such a callable): then about first order.  A Dirichlet surface
holds the nodes touching the staircase at the data's values there: second order for a circle.

Example
-------
>>> dom = np.ones((4, 4, 1), bool); dom[1:3, 1:3] = False     # 5 x 5 nodes, a 2 x 2 cell hole
>>> ka = surface_conductance([dom.astype(float)] * 3, dom, (5, 5, 1), (0.5, 0.5, 1.0), (False,) * 3)
>>> [float(v) for v in (ka.sum(), ka[2, 2, 0], ka[1, 1, 0], ka[1, 2, 0])]   # perimeter: 8 edges of 0.5
[4.0, 0.0, 0.5, 0.5]
"""
from __future__ import annotations

import numpy as np

from .faces import _to_nodes

__all__ = ["surface_conductance"]


def surface_conductance(k_cells3, domain3, shape3, h3, periodic3):
    """Per node, ``sum k_cell A`` over the surface faces touching it (each face's area shared
    equally by its corners).

    Parameters
    ----------
    k_cells3 : 3 float arrays of the padded cell shape -- the conductivity component of each axis
        (only the values of inside cells are read)
    domain3 : bool array of the padded cell shape -- the cells inside the domain
    shape3, h3, periodic3 : padded node shape, spacings, periodic flags

    Returns
    -------
    float64 array of ``shape3`` (0 away from the surface)
    """
    out = np.zeros(shape3)
    for a, F in _faces(domain3, k_cells3, shape3, h3, periodic3):
        out += _scatter(F, a, shape3, periodic3)
    return out


def _faces(domain3, k_cells3, shape3, h3, periodic3):
    """Per axis ``a``: ``(a, F)`` with ``F`` the inside cell's ``k`` times the face area per corner
    on the faces between cell ``i`` and ``i + 1`` along ``a`` that cut the surface (0 elsewhere)."""
    for a in range(3):
        na = domain3.shape[a]
        if shape3[a] == 1 or (na < 2 and not periodic3[a]):
            continue
        nxt = np.roll(domain3, -1, axis=a)
        knext = np.roll(k_cells3[a], -1, axis=a)
        cut = domain3 != nxt
        kin = np.where(domain3, k_cells3[a], knext)
        area = 1.0
        corners = 1
        for b in range(3):
            if b != a and shape3[b] > 1:
                area *= h3[b]
                corners *= 2
        yield a, np.where(cut, kin, 0.0) * (area / corners)


def _scatter(F, a, shape3, periodic3):
    """Face values (between cells ``i`` and ``i + 1`` along ``a``) summed onto their corner nodes."""
    na = F.shape[a]
    node = np.zeros(tuple(shape3[a] if b == a else F.shape[b] for b in range(3)))
    if periodic3[a]:
        node += np.roll(F, 1, axis=a)  # the face between cells i and i + 1 lies on node plane i + 1
    else:
        src, dst = [slice(None)] * 3, [slice(None)] * 3
        src[a], dst[a] = slice(0, na - 1), slice(1, na)
        node[tuple(dst)] = F[tuple(src)]
    for b in range(3):
        if b != a:
            node = _to_nodes(node, b, shape3[b], periodic3[b])
    return node
