"""Nonlinear heat conduction: temperature-dependent conductivity ``k(T)``, radiation and ``h(T)``
convection faces (:class:`fieldgrad.Radiation`, :class:`fieldgrad.ConvectionOfT`).

:func:`solve_nonlinear` finds steady states by Newton or Picard outer iterations with multigrid /
MG-CG inner solves; :func:`solve_nonlinear_heat` steps the transient by backward Euler linearised
about the previous step.  :class:`ConductivityOfT` / :class:`PropertyOfT` hold ``k(T)`` and
``h(T)`` as callables or tables.
"""
from .exchange import exchange_flux, linearised_bc
from .property import ConductivityOfT, PropertyOfT, as_property
from .steady import NonlinearResult, solve_nonlinear
from .transient import NonlinearHeatResult, solve_nonlinear_heat

__all__ = ["ConductivityOfT", "PropertyOfT", "as_property", "solve_nonlinear", "NonlinearResult",
           "solve_nonlinear_heat", "NonlinearHeatResult", "exchange_flux", "linearised_bc"]
