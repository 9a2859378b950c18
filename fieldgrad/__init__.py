"""fieldgrad: physical gradient fields on uniform 2D/3D grids.

Grids and boundary conditions (:class:`Grid`, :class:`Dirichlet`, :class:`Neumann`,
:class:`Robin`, :class:`Convection`, :class:`Periodic`), Numba-compiled operators (:func:`grad`, :func:`div`,
:func:`laplacian`, :func:`div_k_grad`, :func:`curl`, the NumPy drop-in :func:`gradient`).
"""
from . import errors, io
from .boundary import Convection, Dirichlet, Neumann, Periodic, Robin, apply_bc, resolve_bc
from .boundary import ConvectionOfT, Radiation
from .grid import Grid

__version__ = "0.1.0"

__all__ = ["Grid", "Dirichlet", "Neumann", "Robin", "Convection", "Periodic", "apply_bc", "resolve_bc", "errors", "io",
           "Radiation", "ConvectionOfT"]
from .operators import curl, div, div_k_grad, grad, laplacian  # noqa: E402
from .numpy_gradient import gradient  # noqa: E402
from .backends import get_backend, set_backend, use_backend  # noqa: E402
from .fields import PotentialField, PressureField, TemperatureField  # noqa: E402
from .heat import HeatResult, solve_heat  # noqa: E402
from .simulation import Simulation  # noqa: E402
from .solvers import PoissonResult, PoissonSolver, poisson_matrix, poisson_rhs, solve_poisson  # noqa: E402
from .nonlinear import (ConductivityOfT, NonlinearHeatResult, NonlinearResult, PropertyOfT,  # noqa: E402
                        solve_nonlinear, solve_nonlinear_heat)
from .materials import Cells, Contact, Orthotropic  # noqa: E402

__all__ += ["grad", "div", "laplacian", "div_k_grad", "curl", "gradient",
            "solve_poisson", "PoissonSolver", "PoissonResult", "poisson_matrix", "poisson_rhs",
            "TemperatureField", "PotentialField", "PressureField",
            "set_backend", "get_backend", "use_backend",
            "solve_heat", "HeatResult", "Simulation",
            "ConductivityOfT", "PropertyOfT", "solve_nonlinear", "NonlinearResult", "solve_nonlinear_heat",
            "NonlinearHeatResult", "Cells", "Orthotropic", "Contact"]
