"""Gradient flow and weight decay: gradient descent with weight decay *is* heat diffusion with
absorption, shown with exact identities.

On a grid with the node inner product ``<u, v>_h`` (``h^d sum(u v)`` inside, trapezoid weights on
non-periodic faces) the energy ``E_lambda(u) = 1/2 |grad_h u|^2 + lambda/2 |u|^2 - <f, u>`` has
gradient ``-lap_h u + lambda u - f``.  One gradient-descent step of size ``eta`` is one FTCS step
of ``du/dt = lap_h u - lambda u + f`` with ``dt = eta``; its steady state solves the screened
Poisson equation ``(-lap_h + lambda) u = f``.

Nothing in the core of fieldgrad imports this module.
"""
from .descent import gradient_descent, heat_steps
from .energy import energy, energy_gradient, grid_inner
from .exact import exact_flow
from .least_squares import generalized_ridge_penalty, least_squares_path, spectral_filter
from .linear import LinearDescentResult, bowl_energy, conjugate_gradient, fixed_step_descent, steepest_descent
from .optimizers import SGD, Adam, run_optimizer
from .result import FlowResult
from .spectrum import laplacian_diagonal, laplacian_eigenvalues, laplacian_matrix, mode_decay, step_size_limits

__all__ = ["energy", "energy_gradient", "grid_inner", "gradient_descent", "heat_steps", "exact_flow", "FlowResult",
           "laplacian_eigenvalues", "laplacian_matrix", "laplacian_diagonal", "mode_decay", "step_size_limits",
           "least_squares_path", "spectral_filter", "generalized_ridge_penalty",
           "steepest_descent", "fixed_step_descent", "conjugate_gradient", "bowl_energy", "LinearDescentResult",
           "SGD", "Adam", "run_optimizer"]
