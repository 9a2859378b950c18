"""Electric potential with Gauss's law: ``E = -grad phi``, ``D = eps E``, charges, energy and
capacitance between electrodes given as masks.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, ShapeError
from .base import Field
from .fluxes import box_indices

__all__ = ["PotentialField", "EPSILON_0"]

EPSILON_0 = 8.8541878128e-12
"""Vacuum permittivity (F/m)."""


def _mask(mask, grid, name):
    m = np.asarray(mask)
    if m.shape != grid.shape or m.dtype != bool:
        raise ShapeError(f"{name} must be a boolean mask of shape {grid.shape}; got shape {m.shape}, dtype {m.dtype}")
    if not m.any():
        raise ParameterError(f"{name} selects no node of the grid")
    return m


class PotentialField(Field):
    """An electrostatic potential with permittivity ``eps`` (F/m; an array for dielectrics).

    Parameters
    ----------
    grid : Grid
    data : array, optional
    permittivity : positive number or array (default vacuum, :data:`EPSILON_0`)
    bc : boundary specification (faces without one are ``D . n = 0``)
    charge_density : number or array, optional (C/m^3), the source of ``-div(eps grad phi) = rho``
    units : default ``"V"``

    Example
    -------
    >>> g = fg.Grid((11, 6), extent=[(0, 1e-3), (0, 1e-2)], periodic=[False, True])
    >>> X, _ = g.mesh()
    >>> phi, C = PotentialField.capacitor(g, X <= 0, X >= 1e-3, permittivity=EPSILON_0)
    >>> round(C / (EPSILON_0 * 1e-2 / 1e-3), 12)   # eps A / d per unit depth
    1.0
    """

    quantity = "potential"
    long_name = "electric potential"
    default_units = "V"
    coefficient_name = "permittivity"
    flux_name = "electric displacement"
    flux_units = "C/m^2"

    def __init__(self, grid, data=None, *, permittivity=EPSILON_0, bc=None, charge_density=None, units=None,
                 length_unit="m", name=None):
        super().__init__(grid, data, coefficient=permittivity, bc=bc, source=charge_density, units=units,
                         length_unit=length_unit, name=name)

    @property
    def permittivity(self):
        return self.coefficient

    def electric_field(self, t=0.0):
        """``E = -grad phi`` (V/m), shape ``(ndim, *shape)``; boundary values at ``t``."""
        return self.negative_gradient(t)

    def displacement(self, t=0.0):
        """``D = eps E`` (C/m^2); boundary values at ``t``."""
        return self.flux(t)

    def charge_from_field(self):
        """Charge density the potential implies, ``rho = -div(eps grad phi)`` (C/m^3; with Cells
        permittivity the solvers' rows, so an electrode on an interface gets its whole charge)."""
        return -self.div_c_grad()

    def flux_through_box(self, lo, hi):
        """Flux of ``D`` out of the closed box ``[lo, hi]``: by Gauss's law the enclosed charge."""
        return self.box_flow(lo, hi)

    def charge_in_box(self, density, lo, hi):
        """Charge of a density inside the box ``[lo, hi]`` (the cells of its nodes: their
        quadrature weights, rings on a cylindrical grid), for comparison with :meth:`flux_through_box`."""
        rho = np.broadcast_to(np.asarray(density, dtype=float), self.grid.shape)
        sel = tuple(slice(i0, i1 + 1) for i0, i1 in box_indices(self.grid, lo, hi))
        return float((rho[sel] * self.grid.quadrature_weights()[sel]).sum())

    def electrode_charge(self, mask):
        """Charge sitting on the nodes of ``mask`` (an electrode held at a fixed potential):
        ``-sum w div(eps grad phi)`` over its nodes, trapezoid weights ``w``."""
        m = _mask(mask, self.grid, "mask")
        w = self.grid.quadrature_weights()
        return float((w * self.charge_from_field())[m].sum())

    def energy(self):
        """Electrostatic energy ``1/2 int eps |E|^2`` (J, per unit depth in 2D)."""
        return super().energy()

    @classmethod
    def steady(cls, grid, bc, *, permittivity=EPSILON_0, charge_density=None, fixed=None, method="auto", **meta):
        """Solve ``div(eps grad phi) = -rho`` with optional fixed-potential regions.

        Returns
        -------
        PotentialField
        """
        from ._solve import complete_bc, solve_steady

        cls._check_steady_meta(meta, ("permittivity", "charge_density"))
        u = solve_steady(grid, bc, permittivity, source=0.0 if charge_density is None else charge_density,
                         fixed=fixed, method=method)
        return cls(grid, u, permittivity=permittivity, bc=complete_bc(bc, grid), charge_density=charge_density,
                   **meta).holding(fixed)

    @classmethod
    def capacitor(cls, grid, electrode, ground, *, permittivity=EPSILON_0, voltage=1.0, bc=None, method="auto",
                  **meta):
        """Potential and capacitance between two electrodes given as boolean masks.

        ``electrode`` is held at ``voltage``, ``ground`` at 0; the outer faces follow ``bc``
        (``D . n = 0`` where not given; make the sides periodic to remove fringing).

        Returns
        -------
        (PotentialField, float)
            The field and ``C = Q / V`` (F, per unit depth in 2D), ``Q`` the charge on ``electrode``.
        """
        a = _mask(electrode, grid, "electrode")
        b = _mask(ground, grid, "ground")
        if (a & b).any():
            raise ParameterError("electrode and ground masks overlap; they must be disjoint")
        if not float(voltage) != 0.0:
            raise ParameterError(f"voltage must be non-zero; got {voltage!r}")
        phi = cls.steady(grid, bc, permittivity=permittivity, fixed=[(a, float(voltage)), (b, 0.0)],
                         method=method, **meta)
        return phi, phi.electrode_charge(a) / float(voltage)
