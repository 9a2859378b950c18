"""Boundary conditions: the kinds, the per-face specification, and ghost-node fills.

:mod:`.conditions` holds the kinds and face parsing; :mod:`.ghosts` turns a resolved
specification into ghost values and boundary-node values for the stencils.
"""
from .conditions import (BoundaryConditions, Condition, Convection, Dirichlet, Neumann, Periodic, Robin,  # noqa: F401
                         resolve_bc)
from .conditions import STEFAN_BOLTZMANN, ConvectionOfT, Radiation, SurfaceExchange  # noqa: F401
from .ghosts import (  # noqa: F401
    GhostPlan,
    _outward_derivative,
    apply_bc,
    dirichlet_faces,
    ghost_layers,
    inward_layers,
    node_layers,
    min_nodes,
    padded_with_ghosts,
    with_dirichlet,
)

__all__ = ["Dirichlet", "Neumann", "Robin", "Convection", "Periodic", "BoundaryConditions", "resolve_bc", "apply_bc",
           "Radiation", "ConvectionOfT", "SurfaceExchange", "STEFAN_BOLTZMANN"]
