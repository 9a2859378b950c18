"""Pressure with Darcy's law: force density ``-grad p``, Darcy velocity ``-(kappa/mu) grad p``,
volumetric flow through faces.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..materials import Cells, resolve_conductivity
from ..validation import check_conductivity
from .base import Field


def _permeability(permeability, grid, viscosity):
    """``(node permeability, mobility)``: Cells give their node view (the mean of the cells
    touching each node) and a mobility on the cells, ``Cells(kappa / mu)``."""
    if isinstance(permeability, Cells):
        node = resolve_conductivity(permeability, grid, "permeability").node_k3(0).reshape(grid.shape)
        return node, Cells(permeability.values / viscosity, domain=permeability.domain)
    perm = check_conductivity(permeability, grid, np.float64, "permeability")
    return perm, perm / viscosity

__all__ = ["PressureField"]


class PressureField(Field):
    """A pressure field in a porous medium with permeability ``kappa`` and viscosity ``mu``.

    The mobility ``kappa / mu`` is the material coefficient.  With gravity, solve for the
    piezometric pressure ``p + rho g z`` (its gradient drives the flow) and convert.

    Parameters
    ----------
    grid : Grid
    data : array, optional
    permeability : positive number, node array or :class:`fieldgrad.Cells` (m^2; Cells: the
        face conductances of the cells, ``self.permeability`` their node view)
    viscosity : positive number (Pa s)
    bc : boundary specification (impermeable where not given)
    source : number or array, optional -- injected volume per volume and time (1/s)
    units : default ``"Pa"``

    Example
    -------
    >>> g = fg.Grid((11, 3), extent=[(0, 10.0), (0, 1.0)])
    >>> p = PressureField.steady(g, {"x-": fg.Dirichlet(2e5), "x+": fg.Dirichlet(1e5)}, permeability=1e-12,
    ...                          viscosity=1e-3)
    >>> round(p.flow_rate("x+") * 1e6, 9)    # kappa/mu * dp/L * A = 1e-9 * 1e4 * 1 m^2/s per depth
    10.0
    """

    quantity = "pressure"
    long_name = "pressure"
    default_units = "Pa"
    coefficient_name = "mobility"
    flux_name = "Darcy velocity"
    flux_units = "m/s"

    def __init__(self, grid, data=None, *, permeability=1.0, viscosity=1.0, bc=None, source=None, units=None,
                 length_unit="m", name=None, mobility=None):
        if np.ndim(viscosity) != 0 or not float(viscosity) > 0 or not np.isfinite(viscosity):
            raise ParameterError(f"viscosity must be a positive number; got {viscosity!r}")
        self.viscosity = float(viscosity)
        self.permeability, mob = _permeability(permeability, grid, self.viscosity)
        mob = mob if mobility is None else mobility
        super().__init__(grid, data, coefficient=mob, bc=bc, source=source, units=units,
                         length_unit=length_unit, name=name)

    def force_density(self, t=0.0):
        """``-grad p`` (N/m^3); boundary values at ``t``."""
        return self.negative_gradient(t)

    def darcy_velocity(self, t=0.0):
        """``-(kappa / mu) grad p`` (m/s); boundary values at ``t``."""
        return self.flux(t)

    def flow_rate(self, face=None, t=0.0):
        """Volumetric flow out through ``face`` (m^3/s, per unit depth in 2D); a dict of all
        faces when ``face`` is None."""
        return self.face_flows(t) if face is None else self.face_flow(face, t)

    @classmethod
    def steady(cls, grid, bc, *, permeability=1.0, viscosity=1.0, source=None, fixed=None, method="auto", **meta):
        """Steady Darcy flow ``div((kappa/mu) grad p) + source = 0``.

        Returns
        -------
        PressureField
        """
        if np.ndim(viscosity) != 0 or not float(viscosity) > 0:
            raise ParameterError(f"viscosity must be a positive number; got {viscosity!r}")
        cls._check_steady_meta(meta, ("permeability", "viscosity", "source"), internal=("mobility",))
        perm, mob = _permeability(permeability, grid, float(viscosity))
        if isinstance(permeability, Cells):
            perm = permeability
        from ._solve import complete_bc, solve_steady
        u = solve_steady(grid, bc, mob, source=0.0 if source is None else source, fixed=fixed,
                         method=method)
        return cls(grid, u, permeability=perm, viscosity=viscosity, bc=complete_bc(bc, grid), source=source,
                   **meta).holding(fixed)
