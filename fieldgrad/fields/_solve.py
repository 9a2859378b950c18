"""Steady solves with fixed-value regions (electrodes, held temperatures) inside the domain.

The discrete operator is the Poisson issue's assembled matrix
(:func:`fieldgrad.solvers.poisson_matrix`, the same stencil as :func:`fieldgrad.div_k_grad`);
this module adds interior fixed-value nodes (masks), which a plain Poisson solve does not
have, eliminates every fixed node, symmetrises the rows with the trapezoid weights and solves
the reduced system (sparse direct for moderate sizes, conjugate gradients beyond).
"""
from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..boundary import Dirichlet, Neumann, resolve_bc
from ..errors import ConvergenceError, ParameterError, ShapeError, UndeterminedLevelWarning, describe

__all__ = ["complete_bc", "solve_steady"]

DIRECT_LIMIT = 400_000


def complete_bc(bc, grid):
    """Resolve ``bc`` and give every face without a condition an insulating ``Neumann(0)``.

    Fields treat an unspecified face as insulated (no flux through it): the natural condition
    of the finite-volume balance.
    """
    bcs = resolve_bc(bc, grid)
    faces = {f: (Neumann(0.0) if c is None else c) for f, c in bcs.faces.items()}
    return resolve_bc({f: c for f, c in faces.items() if not grid.periodic[grid.parse_face(f)[0]]}, grid)


def _masks(fixed, grid):
    """Normalise ``fixed`` to a list of (bool mask, value array)."""
    out = []
    for m, (mask, value) in enumerate(fixed or []):
        mask = np.asarray(mask)
        if mask.shape != grid.shape:
            raise ShapeError(f"fixed[{m}] mask has shape {mask.shape}; the grid needs {grid.shape}")
        if mask.dtype != bool:
            raise ParameterError(f"fixed[{m}] mask must be boolean; got dtype {mask.dtype}")
        vals = np.broadcast_to(np.asarray(value, dtype=float), grid.shape)
        if not np.all(np.isfinite(vals[mask])):
            raise ParameterError(f"fixed[{m}] value is not finite on its mask")
        out.append((mask, vals))
    return out


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
        Nodes held at a value (electrodes, heaters); ``value`` a number or an array.
    rtol : float
        Relative residual for the iterative path.
    method : {"auto", "direct", "cg"}
        ``"auto"`` is a sparse direct solve up to 400 000 unknowns, else CG.
    t : float
        Time for time-dependent boundary values.

    Returns
    -------
    ndarray of ``grid.shape`` -- with only flux conditions and no fixed values the zero-mean
    solution; when its data are zero too, an :class:`~fieldgrad.errors.UndeterminedLevelWarning`
    (the level is arbitrary)

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid, Dirichlet
    >>> g = Grid((5, 3))
    >>> u = solve_steady(g, {"x-": Dirichlet(0.0), "x+": Dirichlet(1.0)})
    >>> np.allclose(u[:, 1], np.linspace(0, 1, 5))
    True
    """
    from ..solvers import poisson_matrix, poisson_rhs

    if method not in ("auto", "direct", "cg"):
        raise ParameterError(f"method must be 'auto', 'direct' or 'cg'; got {method!r}")
    bcs = complete_bc(bc, grid)
    f = -np.broadcast_to(np.asarray(source, dtype=float), grid.shape)
    A = poisson_matrix(grid, bcs, k, screening).tocsr()
    b = poisson_rhs(np.ascontiguousarray(f), grid, bcs, k, t=t).ravel()
    dirichlet = np.zeros(grid.shape, dtype=bool)
    for face, cond in bcs.faces.items():
        if isinstance(cond, Dirichlet):
            axis, side = grid.parse_face(face)
            sl = [slice(None)] * grid.ndim
            sl[axis] = 0 if side == 0 else -1
            dirichlet[tuple(sl)] = True
    fixed_mask = dirichlet.copy()
    values = np.where(dirichlet, b.reshape(grid.shape), 0.0)
    for mask, vals in _masks(fixed, grid):
        fixed_mask |= mask
        values[mask] = vals[mask]
    fixed_flat = fixed_mask.ravel()
    free = np.flatnonzero(~fixed_flat)
    u = values.ravel().copy()
    if free.size == 0:
        return u.reshape(grid.shape)
    w = grid.quadrature_weights().ravel()[free]
    Aff = sp.diags(w) @ A[free][:, free]
    rhs = w * (b[free] - A[free][:, np.flatnonzero(fixed_flat)] @ u[fixed_flat])
    singular = not fixed_flat.any() and np.ndim(screening) == 0 and float(screening) == 0.0
    if singular:
        imbalance = rhs.sum()
        scale = np.abs(rhs).sum()
        if abs(imbalance) > 1e-8 * max(scale, 1e-300):
            raise ParameterError(
                f"no fixed values anywhere (only flux conditions) and the sources do not balance the "
                f"boundary flux (net {imbalance:.3e}); a steady state exists only when they balance, "
                "so fix a value somewhere (a Dirichlet face or a fixed region)")
        if not np.any(rhs):
            from ..solvers.result import UNDETERMINED_MESSAGE

            warnings.warn(UNDETERMINED_MESSAGE, UndeterminedLevelWarning, stacklevel=3)
        Aff = Aff.tolil()
        Aff[0, :] = 0.0
        Aff[0, 0] = 1.0
        rhs[0] = 0.0
    Aff = sp.csr_matrix(Aff)
    use_direct = method == "direct" or (method == "auto" and free.size <= DIRECT_LIMIT)
    if use_direct:
        x = spla.spsolve(Aff.tocsc(), rhs)
    else:
        # the weighted rows are symmetric and (after the sign flip) positive definite
        diag = -Aff.diagonal()
        M = sp.diags(1.0 / diag)
        resid = []
        x, info = spla.cg(-Aff, -rhs, rtol=rtol, maxiter=20 * int(np.sqrt(free.size)) + 1000, M=M,
                          callback=lambda xk: resid.append(0.0))
        if info != 0:
            raise ConvergenceError(f"conjugate gradients did not reach rtol={rtol!r} in {len(resid)} "
                                   "iterations; try method='direct'", residuals=resid)
    if not np.all(np.isfinite(x)):
        raise ParameterError(f"the steady problem is singular or ill-posed (bc={describe(bc)}); fix a value somewhere")
    u[free] = x
    u = u.reshape(grid.shape)
    if singular:
        u -= grid.integrate(u) / grid.integrate(np.ones(grid.shape))
    return u
