"""Temperature with Fourier's law: heat flux ``q = -k grad T``, heat flows, steady and transient
solves.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from .base import Field

__all__ = ["TemperatureField"]


class TemperatureField(Field):
    """A temperature field with conductivity ``k`` and volumetric heat capacity ``rho c``.

    Parameters
    ----------
    grid : Grid
    data : array of ``grid.shape``, optional
    conductivity : positive number or array (W/(m K))
    heat_capacity : positive number or positive array of ``grid.shape`` (J/(m^3 K)), volumetric
        ``rho * c``; an array (regions of different materials) makes :meth:`evolve` step
        ``rho_c dT/dt = div(k grad T) + source`` directly
    bc : boundary specification (insulated where not given)
    source : number or array, optional -- heat generation (W/m^3)
    units : str, default ``"K"``
    length_unit, name : see :class:`~fieldgrad.fields.base.Field`

    Example
    -------
    >>> g = fg.Grid((11, 5), extent=[(0, 0.1), (0, 0.02)])
    >>> T = TemperatureField.steady(g, {"x-": fg.Dirichlet(100.0), "x+": fg.Dirichlet(0.0)}, conductivity=50.0)
    >>> round(T.heat_flow("x+"), 6)   # k A dT / L per unit depth = 50 * 0.02 * 100 / 0.1
    1000.0
    """

    quantity = "temperature"
    long_name = "temperature"
    default_units = "K"
    coefficient_name = "conductivity"
    flux_name = "heat flux"
    flux_units = "W/m^2"

    def __init__(self, grid, data=None, *, conductivity=1.0, heat_capacity=1.0, bc=None, source=None,
                 units=None, length_unit="m", name=None):
        super().__init__(grid, data, coefficient=conductivity, bc=bc, source=source, units=units,
                         length_unit=length_unit, name=name)
        if np.ndim(heat_capacity) != 0:
            from ..heat.capacity import check_rho_c

            self.heat_capacity = check_rho_c(heat_capacity, grid)
        elif not float(heat_capacity) > 0 or not np.isfinite(heat_capacity):
            raise ParameterError(f"heat_capacity must be a positive number or array (rho * c); got {heat_capacity!r}")
        else:
            self.heat_capacity = float(heat_capacity)

    @property
    def conductivity(self):
        return self.coefficient

    def heat_flux(self, t=0.0):
        """``q = -k grad T`` at the nodes, shape ``(ndim, *shape)`` (W/m^2); boundary values at ``t``."""
        return self.flux(t)

    def heat_flow(self, face=None, t=0.0):
        """Heat leaving through ``face`` (W, per unit depth in 2D); all faces as a dict if
        ``face`` is None.  Negative values are heat entering."""
        return self.face_flows(t) if face is None else self.face_flow(face, t)

    def heat_flow_box(self, lo, hi):
        """Heat leaving the box ``[lo, hi]`` through its closed surface."""
        return self.box_flow(lo, hi)

    def thermal_energy(self):
        """``int rho c T dV`` (J, per unit depth in 2D) relative to T = 0."""
        if np.ndim(self.heat_capacity):
            return self.grid.integrate(self.heat_capacity * self.data)
        return self.heat_capacity * self.integrate()

    @classmethod
    def steady(cls, grid, bc, *, conductivity=1.0, source=None, fixed=None, method="auto", **meta):
        """Steady conduction ``div(k grad T) + source = 0``.

        Parameters
        ----------
        grid, bc, conductivity, source : as for the constructor
        fixed : list of (mask, value), optional -- regions held at a temperature
        method : {"auto", "direct", "cg"}
        **meta : units, length_unit, name, heat_capacity

        Returns
        -------
        TemperatureField
        """
        return cls._solve(grid, bc, conductivity, source, fixed, method, **meta)

    def evolve(self, t_end=None, *, steps=None, dt=None, method="auto", output=None, output_every=None,
               output_overwrite=False, progress=None):
        """Transient conduction ``rho c dT/dt = div(k grad T) + source`` from this field.

        Uses :func:`fieldgrad.heat.solve_heat` with ``alpha = k / (rho c)`` and
        ``source / (rho c)`` when the heat capacity is a number, and with ``k=`` and ``rho_c=``
        (the heat capacity field) when it is an array; ``t_end``, ``steps``, ``dt``, ``method``,
        ``output``, ``output_every``, ``output_overwrite`` and ``progress`` are those of
        :func:`fieldgrad.solve_heat`.

        Returns
        -------
        (TemperatureField, result)
            The field at ``t_end`` and the solver's result (``.t``, ``.steps``).
        """
        from ..heat import solve_heat

        if np.ndim(self.heat_capacity):
            coef, src = {"k": self.coefficient, "rho_c": self.heat_capacity}, self.source
        else:
            coef = {"alpha": self.coefficient / self.heat_capacity}
            src = None if self.source is None else self.source / self.heat_capacity
        res = solve_heat(self.data, self.grid, self.bc, **coef, t_end=t_end, steps=steps, dt=dt, method=method,
                         source=src, output=output, output_every=output_every, output_overwrite=output_overwrite,
                         progress=progress)
        return self.with_data(res.u), res
