"""The common part of the physical fields: a grid, node data, boundary conditions, a material
coefficient and units, with the conservative flux machinery of :mod:`fieldgrad.fields.fluxes`.

Arithmetic on the raw values is one attribute away: ``field.data`` is a plain NumPy array.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, describe
from ..grid import Grid
from ..materials import Cells, Orthotropic, resolve_conductivity
from ..operators import grad
from ..validation import as_field, check_conductivity
from . import fluxes
from ..boundary import Dirichlet, resolve_bc
from ._solve import complete_bc, solve_steady

__all__ = ["Field"]


class Field:
    """A scalar field on a grid with physical meaning (base class).

    Subclasses set ``quantity`` (the data's name), ``long_name``, ``default_units``,
    ``coefficient_name`` (the material coefficient, e.g. ``"conductivity"``) and
    ``flux_name`` (the name of ``-coefficient * grad``).

    Parameters
    ----------
    grid : Grid
    data : array of ``grid.shape``, optional
        Node values (zeros when omitted).  Stored as given (float32/float64), not copied when
        already a contiguous float array.
    coefficient : positive number, node array of ``grid.shape`` or :class:`fieldgrad.Cells`
        The material coefficient (two materials, an inclusion: give an array).  Cell values are
        what :meth:`steady` solves with (face conductances from the cells, second order at an
        interface on a grid line); ``self.coefficient`` then holds their node-sampled view (the
        mean of the cells touching each node), which the nodal fluxes, ``box_flow``,
        ``energy`` and a transient ``evolve`` use, and ``self.material`` the Cells (the face
        flows and ``balance`` use the cells' face conductances).
    bc : boundary specification, optional
        Used by the derivatives and the balances.  Steady solves treat faces without a
        condition as insulated; derivatives there are one-sided and flows through them are
        measured from the data.
    source : number or array, optional
        Volumetric source of the steady balance ``div(c grad u) + source = 0``.
    units : str, optional
        Units of the data.
    length_unit : str
        Units of the coordinates (for labels), default ``"m"``.
    name : str, optional
    """

    quantity = "u"
    long_name = "field"
    default_units = "1"
    coefficient_name = "coefficient"
    flux_name = "flux"
    flux_units = "1"

    def __init__(self, grid, data=None, *, coefficient=1.0, bc=None, source=None, units=None,
                 length_unit="m", name=None):
        if not isinstance(grid, Grid):
            raise ParameterError(f"grid must be a fieldgrad.Grid; got {describe(grid)}")
        self.grid = grid
        self.data = grid.zeros() if data is None else as_field(data, grid, "data")
        self.material = coefficient
        self.held = None  # the held regions of a steady(fixed=...) solve (bool mask), for balance()
        if isinstance(coefficient, Orthotropic):
            raise ParameterError(f"{self.coefficient_name} = {coefficient!r}: the fields take an isotropic coefficient "
                                 "(a number, a node array or Cells); an Orthotropic one works in "
                                 "fieldgrad.solve_poisson and poisson_matrix")
        if isinstance(coefficient, Cells) and coefficient.domain is not None:
            raise ParameterError(f"{self.coefficient_name} = {coefficient!r} has a domain (holes): the fields' fluxes "
                                 "and balances do not handle holes yet; solve it with fieldgrad.solve_poisson")
        if isinstance(coefficient, Cells):
            coefficient = resolve_conductivity(coefficient, grid, self.coefficient_name).node_k3(0).reshape(grid.shape)
        self.coefficient = check_conductivity(coefficient, grid, np.float64, self.coefficient_name)
        self.bc = resolve_bc(bc, grid)
        if source is not None:
            source = np.broadcast_to(np.asarray(source, dtype=np.float64), grid.shape)
        self.source = source
        self.units = self.default_units if units is None else str(units)
        self.length_unit = str(length_unit)
        self.name = self.quantity if name is None else str(name)

    # ------------------------------------------------------------------ plumbing
    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    @property
    def label(self):
        """``"long name [units]"`` for plots."""
        return f"{self.long_name} [{self.units}]"

    def with_data(self, data):
        """A field of the same kind, grid, material and conditions holding ``data``."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.data = as_field(data, self.grid, "data")
        return new

    def copy(self):
        """A copy with its own data array."""
        return self.with_data(self.data.copy())

    def min(self):
        return float(np.min(self.data))

    def max(self):
        return float(np.max(self.data))

    def integrate(self):
        """Trapezoid integral of the data over the domain."""
        return self.grid.integrate(self.data)

    def __repr__(self):
        return (f"{type(self).__name__}({self.grid!r}, {self.quantity} in [{self.min():.4g}, {self.max():.4g}] "
                f"{self.units})")

    # ------------------------------------------------------------------ derivatives and laws
    def gradient(self, t=0.0):
        """``grad u`` (shape ``(ndim, *shape)``), with the field's boundary conditions at time ``t``."""
        return grad(self.data, self.grid, self.bc, t=t)

    def negative_gradient(self, t=0.0):
        """``-grad u`` (the electric field of a potential, the force density of a pressure) at time ``t``."""
        g = self.gradient(t)
        g *= -1.0
        return g

    def flux(self, t=0.0):
        """``-coefficient * grad u`` at the nodes (heat flux, displacement, Darcy velocity) at time ``t``;
        for a :class:`fieldgrad.Cells` material the mean of each node's two face fluxes
        (:func:`fluxes.cell_flux`), exact across an interface on a grid line."""
        if isinstance(self.material, Cells):
            return fluxes.cell_flux(self.data, self.material, self.grid, self.bc, t).astype(self.data.dtype,
                                                                                           copy=False)
        g = self.gradient(t)
        g *= -self.coefficient
        return g

    def face_flows(self, t=0.0):
        """Outward flow of the flux through every face (dict); see :func:`fluxes.face_flows`."""
        k = self.material if isinstance(self.material, Cells) else self.coefficient
        return fluxes.face_flows(self.data, k, self.grid, self.bc, self.source, t)

    def face_flow(self, face, t=0.0):
        """Outward flow of the flux through one face (per unit depth in 2D)."""
        flows = self.face_flows(t)
        self.grid.parse_face(face)
        if face not in flows:
            raise ParameterError(f"face {face!r} is periodic: nothing flows through it; faces: {sorted(flows)}")
        return flows[face]

    def box_flow(self, lo, hi):
        """Outward flow of the flux through the surface of the box ``[lo, hi]`` (see
        :func:`fluxes.box_flow`)."""
        return fluxes.box_flow(self.data, self.coefficient, self.grid, lo, hi)

    def region_flow(self, mask, t=0.0):
        """Flow leaving the nodes of ``mask`` (a region held at fixed values) into the rest:
        ``-sum w div(c grad u)`` over its nodes (trapezoid weights ``w``; with Cells the rows of
        the solvers, :meth:`div_c_grad`)."""
        m = np.asarray(mask, dtype=bool)
        self.grid.check_shape(m, "mask")
        w = self.grid.quadrature_weights()
        return float(-(w * self.div_c_grad(t))[m].sum())

    def div_c_grad(self, t=0.0):
        """``div(c grad u)`` at every node with the rows a steady solve used: for a
        :class:`fieldgrad.Cells` material their face conductances (an interface on a grid line
        exact), else the node coefficient's; nodes on faces without a condition keep the
        one-sided differences of the node coefficient."""
        from ..operators import div_k_grad

        out = div_k_grad(self.data, self.grid, self.bc, k=self.coefficient, t=t)
        if isinstance(self.material, Cells):
            rows = div_k_grad(self.data, self.grid, self.bc, k=self.material, t=t)
            out = np.where(self._face_nodes(lambda cond: cond is None), out, rows)
        return out

    def _face_nodes(self, which):
        """Boolean mask of the nodes on the faces whose condition ``which(cond)`` accepts."""
        mask = np.zeros(self.grid.shape, dtype=bool)
        for face, cond in self.bc.faces.items():
            if which(cond):
                axis, side = self.grid.parse_face(face)
                mask[tuple(-side if b == axis else slice(None) for b in range(self.grid.ndim))] = True
        return mask

    def balance(self, t=0.0):
        """Steady balance: outward flow per face, their total, the source integral and the
        imbalance ``total_out - source - held`` (zero for a steady solution); ``held`` (a key only
        for a field from ``steady(fixed=...)``) is what the held regions give the rest, the flow
        out of their nodes less the source on them.

        Returns
        -------
        dict with keys ``faces``, ``out``, ``in``, ``net_out``, ``source``, ``imbalance``,
        ``relative`` (imbalance over the larger of inflow+source and outflow).
        """
        flows = self.face_flows(t)
        out = sum(v for v in flows.values() if v > 0)
        inflow = -sum(v for v in flows.values() if v < 0)
        src = 0.0 if self.source is None else self.grid.integrate(self.source)
        net = out - inflow
        held = self._held_flow(t)
        imb = net - src - held
        scale = max(out, inflow + max(src, 0.0) + max(held, 0.0), abs(src), abs(held), 1e-300)
        res = {"faces": flows, "out": out, "in": inflow, "net_out": net, "source": src,
               "imbalance": imb, "relative": abs(imb) / scale}
        if self.held is not None:
            res["held"] = held
        return res

    def _held_flow(self, t):
        """What the held regions of a steady solve give the rest: the flow out of their nodes
        less the source on them, ``-sum w (div(c grad u) + source)`` over the held nodes that
        are not on a Dirichlet face (those count in that face's flow); 0 without held regions."""
        if self.held is None or not self.held.any():
            return 0.0
        m = self.held & ~self._face_nodes(lambda cond: cond is None or isinstance(cond, Dirichlet))
        r = self.div_c_grad(t)
        if self.source is not None:
            r = r + np.broadcast_to(self.source, self.grid.shape)
        return float(-(self.grid.quadrature_weights() * r)[m].sum())

    def energy(self):
        """Discrete ``1/2 int coefficient |grad u|^2 dV`` (consistent with the operator)."""
        return fluxes.edge_energy(self.data, self.coefficient, self.grid)

    # ------------------------------------------------------------------ steady states
    @classmethod
    def _check_steady_meta(cls, meta, named, internal=()):
        """Refuse keywords of ``steady()`` that the constructor would not take (before the solve,
        with a ParameterError naming them, not a TypeError after it); ``named``: the arguments
        ``steady()`` takes itself; ``internal``: constructor arguments ``steady()`` derives."""
        import inspect

        taken = ("self", "grid", "data", "bc") + tuple(named) + tuple(internal)
        accepted = [p for p in inspect.signature(cls.__init__).parameters if p not in taken]
        unknown = sorted(set(meta) - set(accepted))
        if unknown:
            hint = ("; contact resistance: fieldgrad.solve_poisson(..., contact=fieldgrad.Contact(...))"
                    if "contact" in unknown else "")
            raise ParameterError(f"{cls.__name__}.steady() got unknown keyword argument(s) {unknown}; accepted "
                                 f"besides grid, bc, {', '.join(named)}, fixed, method: {accepted}{hint}")

    @classmethod
    def _solve(cls, grid, bc, coefficient, source, fixed, method, **meta):
        cls._check_steady_meta(meta, (cls.coefficient_name, "source"))
        u = solve_steady(grid, bc, coefficient, source=0.0 if source is None else source, fixed=fixed,
                         method=method)
        out = cls(grid, u, bc=complete_bc(bc, grid), source=source, **{cls.coefficient_name: coefficient}, **meta)
        return out.holding(fixed)

    def holding(self, fixed):
        """Remember the held regions of ``fixed`` (list of ``(mask, value)``) for :meth:`balance`;
        returns ``self``."""
        if fixed:
            self.held = np.zeros(self.grid.shape, dtype=bool)
            for region, _ in fixed:
                self.held |= np.asarray(region, dtype=bool)
        return self
