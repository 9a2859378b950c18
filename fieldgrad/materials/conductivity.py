"""Conductivity descriptions and their resolution against a grid.

A conductivity ``k`` is one of

* a number (uniform material);
* a node array of ``grid.shape`` -- *node-sampled*: the link between two nodes takes the
  harmonic mean of their values, so an interface lying on a grid line is first-order accurate
  (a node on it carries one side's value);
* cell values: :class:`~fieldgrad.materials.Cells` ``(values)`` of the cell shape, or a bare
  array of the cell shape where that differs from ``grid.shape`` (i.e. unless every axis is
  periodic, where the two shapes coincide and a bare array means nodes); face conductances are
  the mean of the cells around each face, second order at an interface on a grid line;
* :class:`Orthotropic` ``(kx, ky[, kz])``: one of the above per axis.

Example
-------
>>> g = fg.Grid((3, 3))
>>> r = resolve_conductivity(Orthotropic(2.0, Cells(np.ones((2, 2)))), g)
>>> [kind for kind, _ in r.components], r.const
(['const', 'cells', 'const'], None)
"""
from __future__ import annotations

import numbers

import numpy as np

from ..errors import ParameterError, ShapeError, describe
from ..validation import check_coefficient
from .cells import Cells, cell_shape, check_cell_values
from .faces import node_mean, radial_half_weights

__all__ = ["Orthotropic", "Conductivity", "resolve_conductivity"]


class Orthotropic:
    """Orthotropic conductivity: ``kx`` along x, ``ky`` along y (``kz`` along z).

    The flux is ``-(kx du/dx, ky du/dy, kz du/dz)``; each component is a number, a node array
    or :class:`Cells`, and sets the links (face conductances) of its own axis.  Give one
    component per grid axis.

    Parameters
    ----------
    kx, ky : number, node array or Cells
    kz : number, node array or Cells, optional (3D grids)

    Example
    -------
    >>> Orthotropic(4.0, 1.0).components
    (4.0, 1.0)
    """

    def __init__(self, kx, ky=None, kz=None):
        comps = [kx] + [c for c in (ky, kz) if c is not None]
        if ky is None and kz is not None:
            raise ParameterError("Orthotropic(kx, ky, kz): kz given without ky")
        self.components = tuple(_frozen(c) for c in comps)

    def __eq__(self, other):
        return isinstance(other, Orthotropic) and len(other.components) == len(self.components) and all(
            _same(a, b) for a, b in zip(self.components, other.components))

    __hash__ = None

    def __repr__(self):
        return "Orthotropic(" + ", ".join(describe(c) for c in self.components) + ")"


def _frozen(c):
    """A component that later in-place changes of the caller's array cannot reach."""
    if isinstance(c, (Cells, numbers.Number)) or c is None:
        return c
    arr = np.array(c, copy=True)
    arr.flags.writeable = False
    return arr


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and bool(np.array_equal(a, b)))
    return type(a) is type(b) and a == b


class Conductivity:
    """A conductivity resolved against a grid, padded to three axes.

    Attributes
    ----------
    components : list of 3 ``(kind, value)`` -- per axis ``("const", float)``,
        ``("node", array of shape3)`` or ``("cells", array of the padded cell shape)``
        (padded axes repeat the x component)
    const : float or None -- the number for a uniform isotropic conductivity, else None
    isotropic : bool -- the same component on every axis
    domain3 : bool array of the padded cell shape, or None -- the cells inside the domain
        (outside ones have conductivity 0 in every component)
    """

    def __init__(self, components, isotropic, shape3, periodic3, domain3=None, radial=None):
        self.radial = radial  # the r weights of a cylindrical grid (faces.radial_half_weights)
        self.components = components
        self.isotropic = isotropic
        self.shape3, self.periodic3 = shape3, periodic3
        self.domain3 = domain3
        kind, v = components[0]
        self.const = v if (isotropic and kind == "const") else None
        self._node = {}

    def volume_fraction(self):
        """Fraction of each node's control volume inside the domain (array of ``shape3``), or
        None without a domain."""
        if self.domain3 is None:
            return None
        return node_mean(self.domain3.astype(np.float64), self.shape3, self.periodic3, self.radial)

    def node_k3(self, a):
        """Node conductivity of axis ``a`` (array of ``shape3``): the value that multiplies
        Neumann/Robin data on a face normal to ``a`` -- the node value, or for cells the mean
        of the cells touching the node."""
        key = 0 if self.isotropic else a
        if key not in self._node:
            kind, v = self.components[key]
            if kind == "const":
                arr = np.full(self.shape3, v)
            elif kind == "node":
                arr = v
            else:
                arr = node_mean(v, self.shape3, self.periodic3, self.radial)
            self._node[key] = arr
        return self._node[key]

    def node_k3_face(self, a, side):
        """``node_k3(a)`` on the box face normal to axis ``a`` (``side`` 0: the first node plane,
        1: the last), an array of the other axes' shape, equal to the face of the full array;
        cell values are averaged from the one layer of cells at the face unless the full
        array is already at hand."""
        key = 0 if self.isotropic else a
        idx = 0 if side == 0 else -1
        sl = tuple(idx if b == a else slice(None) for b in range(3))
        kind, v = self.components[key]
        if key in self._node or kind == "node" or self.periodic3[a] or (self.radial is not None and a == 0):
            return self.node_k3(a)[sl]
        if kind == "const":
            return np.full(tuple(n for b, n in enumerate(self.shape3) if b != a), v)
        # a node on the face touches cells of the adjacent layer only, counted once along ``a``
        end = slice(-1, None) if side else slice(0, 1)
        layer = v[tuple(end if b == a else slice(None) for b in range(3))]
        shape3 = tuple(1 if b == a else n for b, n in enumerate(self.shape3))
        return node_mean(layer, shape3, self.periodic3, self.radial)[sl]


def _component(value, grid, name, domain=None):
    """``(kind, value)`` of one component; ``domain`` (cell shape): the domain of the whole
    conductivity, whose outside values a Cells component without its own domain may leave NaN."""
    nd = grid.ndim
    pad = (1,) * (3 - nd)
    if isinstance(value, Cells):
        _check_domain_shape(value, grid, name)
        dom = value.domain if value.domain is not None else domain
        if dom is not None and value.shape != dom.shape:
            dom = None  # (the values' shape is refused next, naming the argument)
        return "cells", check_cell_values(value.values, grid, name, domain=dom).reshape(cell_shape(grid) + pad)
    if value is not None and not isinstance(value, numbers.Number) and np.ndim(value) != 0:
        shp = np.shape(value)
        if shp != grid.shape and shp == cell_shape(grid):
            return "cells", check_cell_values(value, grid, name).reshape(cell_shape(grid) + pad)
        if shp != grid.shape:
            raise ShapeError(f"{name} has shape {shp}; accepted: a number, node values of the grid's shape "
                             f"{grid.shape}, or cell values of shape {cell_shape(grid)} (or Cells(values))")
    kk = check_coefficient(value, grid, name, positive=True)
    if kk is None:
        return "const", 1.0
    if isinstance(kk, float):
        return "const", kk
    return "node", np.ascontiguousarray(kk).reshape(grid.shape + pad)


def resolve_conductivity(k, grid, name="k"):
    """Check ``k`` against ``grid`` and resolve it to a :class:`Conductivity`.

    Parameters
    ----------
    k : None (1), number > 0, positive node array, Cells / cell-shaped array, or Orthotropic
    grid : Grid
    name : str -- the argument's name in error messages

    Returns
    -------
    Conductivity

    Raises
    ------
    ParameterError, ShapeError, NonFiniteError (naming ``name``)

    Example
    -------
    >>> resolve_conductivity(2.0, fg.Grid((4,))).const
    2.0
    """
    shape3 = tuple(grid.shape) + (1,) * (3 - grid.ndim)
    periodic3 = tuple(grid.periodic) + (False,) * (3 - grid.ndim)
    if isinstance(k, Orthotropic):
        comps = k.components
        if len(comps) != grid.ndim:
            raise ParameterError(f"{name} = {k!r} gives {len(comps)} components; this {grid.ndim}D grid needs "
                                 f"{grid.ndim} (one per axis: {', '.join('k' + a for a in grid.axis_names)})")
        names = [f"{name}{grid.axis_names[a]} (component {a} of Orthotropic)" for a in range(grid.ndim)]
    else:
        comps, names = [k], [name]
    domain3 = _common_domain(comps, names, grid)
    dom = None if domain3 is None else domain3.reshape(cell_shape(grid))
    res = [_component(c, grid, nm, dom) for c, nm in zip(comps, names)]
    if domain3 is not None:
        # every component conducts only inside: numbers become cell values, Cells given without
        # the domain lose their outside cells, node arrays cannot say
        for i, ((kind, v), nm) in enumerate(zip(res, names)):
            if kind == "node":
                raise ParameterError(f"{nm} is a node array, but the conductivity has a domain (Cells(..., domain=)); "
                                     "accepted with a domain: numbers or Cells")
            if kind in ("const", "cells"):
                res[i] = ("cells", np.where(domain3, v, 0.0))
    if isinstance(k, Orthotropic):
        res += [res[0]] * (3 - grid.ndim)
        return Conductivity(res, False, shape3, periodic3, domain3, radial_half_weights(grid))
    return Conductivity(res * 3, True, shape3, periodic3, domain3, radial_half_weights(grid))


def _check_domain_shape(c, grid, name):
    if c.domain is not None and c.domain.shape != cell_shape(grid):
        raise ShapeError(f"{name} (Cells domain) has shape {c.domain.shape}; this grid's cells need "
                         f"{cell_shape(grid)}")


def _common_domain(comps, names, grid):
    """The one domain the Cells components give (padded), or None; different domains are refused."""
    found = None
    for c, nm in zip(comps, names):
        if isinstance(c, Cells) and c.domain is not None:
            _check_domain_shape(c, grid, nm)
            if found is not None and not np.array_equal(found[0], c.domain):
                raise ParameterError(f"{nm} has another domain than {found[1]}; the components of Orthotropic must "
                                     "share one domain (give it to each Cells, or to one only)")
            found = (c.domain, nm)
    if found is None:
        return None
    if not found[0].any():
        raise ParameterError(f"{found[1]} has an empty domain (no cell inside); accepted: a domain of at least "
                             "one cell")
    return found[0].reshape(cell_shape(grid) + (1,) * (3 - grid.ndim))
