"""Closed-form fields for checking what viewers show (tests/vtkread.py) -- plain NumPy, so MPI
ranks can write them without importing VTK."""
import numpy as np


def field_T(x, y, z, t):
    """A scalar with a different slope along every axis and in time: a mirrored or transposed
    axis, a shifted origin or a wrong frame changes the value."""
    return 1.0 + x + 10.0 * y + 100.0 * z + 1000.0 * t


def field_q(x, y, z, t):
    """A vector field: component c is (c + 1) * field_T."""
    base = field_T(x, y, z, t)
    return np.stack([base, 2.0 * base, 3.0 * base])


def grid_fields(grid, t):
    """``{"T": ..., "q": ...}`` on ``grid`` (2D grids are the plane z = 0) in fieldgrad's order."""
    pts = np.meshgrid(*grid.coords, indexing="ij")
    x, y = pts[0], pts[1]
    z = pts[2] if grid.ndim == 3 else np.zeros_like(x)
    T = field_T(x, y, z, t)
    return {"T": T, "q": field_q(x, y, z, t)[: grid.ndim]}
