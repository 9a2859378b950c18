"""Ghost nodes for the time-stepping sweeps: the operators' ghost plan with buffers that live as
long as the stepper.

The rules are those of :mod:`fieldgrad.boundary.rules` through :class:`~fieldgrad.boundary.ghosts.GhostPlan`,
so a fused step equals ``u + dt * div_k_grad(u, grid, bc, k=alpha)`` at every node that is not on
a Dirichlet face.  The steppers write Dirichlet values into the field after each sweep
(:meth:`GhostFiller.impose`), so Dirichlet faces get no ghost work: their boundary node is
overwritten, its ghost unused (a constant zero buffer is passed).  Nothing is allocated per step
for conditions that do not depend on time.
"""
from __future__ import annotations

import numpy as np

from ..boundary import apply_bc, dirichlet_faces
from ..boundary.ghosts import GhostPlan

__all__ = ["GhostFiller"]


class GhostFiller(GhostPlan):
    """Face-shaped ghost buffers for one grid, condition set, diffusivity and dtype.

    Parameters
    ----------
    grid : Grid
    bcs : BoundaryConditions (resolved, complete)
    alpha : float or ndarray
        Scalar diffusivity (no ghost conductivities) or the array (ghost conductivities built).
    dtype : numpy dtype

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid, Neumann, resolve_bc
    >>> g = Grid((4, 5))
    >>> gf = GhostFiller(g, resolve_bc(Neumann(1.0), g), 1.0, np.float64)
    >>> u = np.zeros(g.shape)
    >>> float(gf.fill(u, 0.0)[0][0][0])  # u_1 + 2 h g with h = 1/3
    0.6666666666666666
    """

    def __init__(self, grid, bcs, alpha, dtype):
        k = None if np.ndim(alpha) == 0 else np.ascontiguousarray(alpha, dtype=dtype)
        super().__init__(grid, bcs, 2, dtype, k=k, hold=False)
        self.kscalar = k is None
        self.has_dirichlet = bool(dirichlet_faces(bcs))

    def impose(self, u, t):
        """Write the Dirichlet values of time ``t`` into ``u`` (no-op without Dirichlet faces)."""
        if self.has_dirichlet:
            apply_bc(u, self.grid, self.bcs, t)
        return u
