"""Physical fields with their laws.

* :class:`TemperatureField` -- Fourier's law ``q = -k grad T``, heat flows, steady/transient solves.
* :class:`PotentialField` -- ``E = -grad phi``, ``D = eps E``, Gauss's law, energy, capacitance.
* :class:`PressureField` -- ``-grad p``, Darcy velocity ``-(kappa/mu) grad p``, flow rates.

Each wraps a :class:`~fieldgrad.Grid`, its node values (``.data``, a NumPy array), boundary
conditions, a material coefficient (a number or an array) and units.
"""
from .base import Field
from .fluxes import box_flow, edge_energy, face_flows
from .potential import EPSILON_0, PotentialField
from .pressure import PressureField
from .temperature import TemperatureField
from ._solve import solve_steady

__all__ = ["Field", "TemperatureField", "PotentialField", "PressureField", "EPSILON_0", "face_flows", "box_flow",
           "edge_energy", "solve_steady"]
