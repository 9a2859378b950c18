"""Steady-state solvers: Poisson, Laplace and screened Poisson with variable coefficients.

``solve_poisson`` (front door), ``PoissonSolver`` (reusable setup), ``PoissonResult``,
``poisson_matrix`` / ``poisson_rhs`` (the assembled system).
"""
from .matrix import poisson_matrix, poisson_rhs
from .poisson import PoissonResult, PoissonSolver, solve_poisson
from .result import CompatibilityWarning

__all__ = ["solve_poisson", "PoissonSolver", "PoissonResult", "CompatibilityWarning", "poisson_matrix",
           "poisson_rhs"]
