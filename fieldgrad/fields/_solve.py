"""Steady solves with fixed-value regions (electrodes, held temperatures) inside the domain.

The fields' ``steady()`` and steady case runs come here: the list of ``(mask, value)`` regions
becomes one held mask and value array for :class:`fieldgrad.solvers.PoissonSolver` (the same
stencil as :func:`fieldgrad.div_k_grad`; held nodes eliminated inside the multigrid operator,
:mod:`fieldgrad.solvers.held`), with insulating faces where ``bc`` says nothing.
"""
from __future__ import annotations

import numpy as np

from ..boundary import Neumann, resolve_bc
from ..errors import ParameterError, ShapeError

__all__ = ["complete_bc", "solve_steady"]


def complete_bc(bc, grid):
    """Resolve ``bc`` and give every face without a condition an insulating ``Neumann(0)``.

    Fields treat an unspecified face as insulated (no flux through it): the natural condition
    of the finite-volume balance.
    """
    bcs = resolve_bc(bc, grid)
    faces = {f: (Neumann(0.0) if c is None else c) for f, c in bcs.faces.items()}
    return resolve_bc({f: c for f, c in faces.items() if not grid.periodic[grid.parse_face(f)[0]]}, grid)


def _held(fixed, grid):
    """Several ``(mask, value)`` pairs as one mask and one value array (a later pair wins where
    masks overlap), or ``(None, None)`` without pairs."""
    mask, values = None, None
    for m, (region, value) in enumerate(fixed or []):
        region = np.asarray(region)
        if region.shape != grid.shape:
            raise ShapeError(f"fixed[{m}] mask has shape {region.shape}; the grid needs {grid.shape}")
        if region.dtype != bool:
            raise ParameterError(f"fixed[{m}] mask must be boolean; got dtype {region.dtype}")
        vals = np.broadcast_to(np.asarray(value, dtype=float), grid.shape)
        if not np.all(np.isfinite(vals[region])):
            raise ParameterError(f"fixed[{m}] value is not finite on its mask")
        if mask is None:
            mask, values = np.zeros(grid.shape, dtype=bool), np.zeros(grid.shape)
        mask |= region
        values[region] = vals[region]
    return mask, values


def solve_steady(grid, bc, k=1.0, *, source=0.0, screening=0.0, fixed=None, rtol=1e-12, method="auto", t=0.0):
    """Solve ``div(k grad u) - screening*u + source = 0`` with fixed-value regions.

    Parameters
    ----------
    grid : Grid
    bc : boundary specification; faces without a condition are insulating (``Neumann(0)``).
    k : positive number, node array of ``grid.shape``, :class:`fieldgrad.Cells` or
        :class:`fieldgrad.Orthotropic` -- conductivity / permittivity / mobility (the forms of
        :func:`fieldgrad.solve_poisson`; the field classes take the isotropic ones).
    source : number or array of ``grid.shape``
        Volumetric source (heat generation, charge density, injected flow).
    screening : number >= 0 or array
    fixed : list of (mask, value) pairs, optional
        Nodes held at a value (electrodes, heaters); ``value`` a number or an array.  Where
        masks overlap the later pair wins; on a Dirichlet face the region's value wins.
    rtol : float
        Relative residual of the iterative solve.
    method : {"auto", "direct", "cg"}
        Of :func:`fieldgrad.solve_poisson`: ``"auto"`` is its choice (MG-CG with fixed regions,
        :mod:`fieldgrad.solvers.held`), ``"cg"`` MG-CG, ``"direct"`` a sparse direct solve.
    t : float
        Time for time-dependent boundary values.

    Returns
    -------
    ndarray of ``grid.shape`` -- with only flux conditions and no fixed values the zero-mean
    solution; when its data are zero too, an :class:`~fieldgrad.errors.UndeterminedLevelWarning`
    (the level is arbitrary)

    Example
    -------
    >>> g = fg.Grid((5, 3))
    >>> u = solve_steady(g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0)})
    >>> np.allclose(u[:, 1], np.linspace(0, 1, 5))
    True
    """
    from ..solvers import PoissonSolver

    if method not in ("auto", "direct", "cg"):
        raise ParameterError(f"method must be 'auto', 'direct' or 'cg'; got {method!r}")
    bcs = complete_bc(bc, grid)
    f = -np.broadcast_to(np.asarray(source, dtype=float), grid.shape)
    mask, values = _held(fixed, grid)
    solver = PoissonSolver(grid, bcs, k, screening, method, fixed=mask)
    try:
        res = solver.solve(np.ascontiguousarray(f), t=t, rtol=rtol, strict=True, fixed_value=values)
    except ParameterError as err:
        if not solver.prob.singular:
            raise
        raise ParameterError(
            "no fixed values anywhere (only flux conditions) and the sources do not balance the boundary flux; "
            f"a steady state exists only when they balance, so fix a value somewhere (a Dirichlet face or a fixed "
            f"region): {err}") from err
    return res.u
