"""Heat diffusion in time: ``du/dt = div(alpha grad u) + source``, or with a heat capacity field
``rho_c du/dt = div(k grad u) + source`` (``k=`` / ``rho_c=`` instead of ``alpha=``;
:mod:`fieldgrad.heat.capacity`).

Integrators (``method=``): ``"ftcs"`` (forward Euler, refused above its stability limit),
``"rkl2"`` (Runge--Kutta--Legendre super-time-stepping), ``"backward_euler"`` and
``"crank_nicolson"`` (one multigrid solve per step, Rannacher start), ``"auto"``.
The run loop is :class:`fieldgrad.Simulation`; :func:`solve_heat` is the one-call front door.
``backend="cuda"`` (or :func:`fieldgrad.backends.set_backend`) runs FTCS / RKL2 on the GPU and
the implicit methods with their linear solves there (:mod:`fieldgrad.heat.gpu`), both forms.
The explicit limit counts the boundary terms (:mod:`fieldgrad.heat.stability`); the run loop's
guard stops NaN/inf and runaway growth before any writer sees them (:mod:`fieldgrad.heat.guard`).
"""
from .explicit import FTCS, RKL2, rkl2_coefficients, rkl2_stages
from .front import HeatResult, solve_heat
from .implicit import BackwardEuler, CrankNicolson
from .methods import METHODS, choose_method, make_stepper
from .problem import HeatProblem
from .stability import capacity_limit, explicit_limit

__all__ = ["solve_heat", "HeatResult", "HeatProblem", "explicit_limit", "capacity_limit", "FTCS", "RKL2",
           "BackwardEuler",
           "CrankNicolson", "rkl2_stages", "rkl2_coefficients", "METHODS", "choose_method", "make_stepper"]
