"""Steady-state solvers: Poisson, Laplace and screened Poisson with variable coefficients."""
from .matrix import poisson_matrix, poisson_rhs

__all__ = ["poisson_matrix", "poisson_rhs"]
