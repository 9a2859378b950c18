"""Public differential operators on node-centred grids.

``grad``, ``div``, ``laplacian``, ``div_k_grad`` and ``curl`` run Numba-compiled sweeps
(:mod:`fieldgrad.kernels.cpu`); boundary conditions are turned into ghost nodes by
:mod:`fieldgrad.boundary` first.  Every operator accepts ``out=`` and keeps float32 as float32.

With ``bc=None`` no boundary condition is known: boundary nodes get one-sided differences of
the operator's order.  Periodic axes of the grid are always periodic.
"""
from __future__ import annotations

import functools
import warnings

import numba
import numpy as np

from . import boundary as _bnd
from .boundary.ghosts import held_sweep_inputs
from .errors import BackendError, BoundaryError, GridError, ParameterError, ParameterTypeError, describe
from .grid import Grid
from .kernels import cpu, points
from .validation import as_field, check_conductivity, output_array  # noqa: F401 - used and re-exported

__all__ = ["grad", "div", "laplacian", "div_k_grad", "curl"]

def _check_order(order):
    if order not in (2, 4):
        raise ParameterError(f"order must be 2 or 4; got {order!r}")


def _check_nodes(bcs, derivative, order):
    grid = bcs.grid
    need = _bnd.min_nodes(bcs, derivative) if order == 2 else [
        5 if grid.periodic[a] else 6 for a in range(grid.ndim)]
    for axis, (n, m) in enumerate(zip(grid.shape, need)):
        if n < m:
            raise GridError(
                f"axis {grid.axis_names[axis]} has {n} nodes; this stencil (order {order}) with its boundary "
                f"closures needs at least {m}"
            )


def _const(x, dtype):
    return dtype.type(x)


def _as2d(arr, grid):
    """1D data as a (1, n) view so the 2D sweeps serve it."""
    return arr.reshape(1, -1) if grid.ndim == 1 else arr


def _ghost_args(ghosts, grid, u2):
    """Flatten ghost pairs in kernel order; 1D gets the data row as dummy x ghosts."""
    if grid.ndim == 1:
        row = u2[0]
        lo, hi = ghosts[0]
        return [row, row, lo.reshape(1), hi.reshape(1)]
    return [g for pair in ghosts for g in pair]


def _inv(grid, power, dtype, scale=1.0):
    vals = [scale / h ** power for h in grid.spacing]
    if grid.ndim == 1:
        vals = [0.0] + vals
    return [_const(v, dtype) for v in vals]


def _cu_array(x):
    """True for a device array: Numba's (the simulator's too), CuPy's, anything with
    ``__cuda_array_interface__`` (:func:`fieldgrad.backends.cuda.is_device_array`)."""
    from .backends.cuda import is_device_array

    return is_device_array(x)


def _wants_gpu(backend, first):
    """True when ``backend`` (or the process default, or a device-array input ``first``) asks for
    the GPU (BackendError when it asks for CUDA and CUDA cannot run)."""
    on_device = _cu_array(first)
    if backend is None and not on_device:
        from .backends import get_backend

        if get_backend() == "cpu":
            return False
    from .backends import resolve_backend

    return resolve_backend("cuda" if (backend is None and on_device) else backend) == "cuda"


def _on_gpu(name, backend, first):
    """The CUDA implementation of operator ``name`` when ``backend`` (or the process default, or a
    device-array input) asks for the GPU; ``None`` for the CPU path."""
    if not _wants_gpu(backend, first):
        return None
    from .kernels import cuda_ops

    return getattr(cuda_ops, name)


def _cylindrical(grid, name, order=2):
    """True on a cylindrical grid where ``name`` has a cylindrical form; GridError where it has none."""
    if not getattr(grid, "cylindrical", False):
        return False
    if name not in ("laplacian", "div_k_grad", "div", "curl") or order != 2:
        raise GridError(f"{name}{'' if order == 2 else f'(order={order})'} is not available on a cylindrical (r, z) "
                        "grid; accepted there: laplacian, div_k_grad, div and curl (order 2), grad (the components "
                        "d/dr, d/dz are the Cartesian ones), solve_poisson, solve_heat and the fields")
    return True


def _axis_without_flow(bcs):
    """The conditions of ``div``'s radial component on a grid whose ``r-`` face is the axis: no flow
    through the axis, i.e. the Dirichlet rule ``F_r = 0`` there (a regular field has no radial
    component on the axis), the other faces as given."""
    if not bcs.grid.on_axis:
        return bcs
    return _bnd.BoundaryConditions(bcs.grid, {**bcs.faces, "r-": _bnd.Dirichlet(0.0)})


def _add_radial_term(out, fr, ghost_lo, grid):
    """Turn the Cartesian ``dF_r/dr + dF_z/dz`` in ``out`` into the cylindrical divergence: add
    ``F_r / r`` off the axis and, on the axis (``F_r = 0`` held there), its regular limit
    ``dF_r/dr`` once more (``div F = 2 dF_r/dr + dF_z/dz`` at ``r = 0``, by L'Hopital).  ``fr`` is
    ``F_r`` with its held values, ``ghost_lo`` its ghost below the ``r-`` face."""
    r = grid.coords[0].reshape((-1,) + (1,) * (grid.ndim - 1))
    first = 1 if grid.on_axis else 0
    out[first:] += (fr[first:] / r[first:]).astype(out.dtype, copy=False)
    if grid.on_axis:  # the central difference across the axis, as the sweep took it
        out[0] += points.central_difference(ghost_lo, fr[1], 0.5 / grid.spacing[0]).astype(out.dtype, copy=False)


def _by_rows(name, u, grid, bc, k, t, out, backend, check_finite):
    """laplacian / div_k_grad by the solvers' finite-volume rows
    (:func:`fieldgrad.solvers.apply.apply_operator`; on the GPU
    :func:`fieldgrad.solvers.cuda_apply.apply_rows`): on cylindrical grids and for conductivities
    on cells or per axis, which have no stencil kernel.  A node on a Dirichlet face gets the
    balance of its half cell with that face closed.  ``k``: None for the Laplacian (the number 1),
    else the ``k`` of :func:`div_k_grad` (numbers and node arrays are checked)."""
    from .solvers.apply import apply_operator

    if _wants_gpu(backend, u):
        from .solvers.cuda_apply import apply_rows

        return apply_rows(u, grid, bc, k, t, out, check_finite)
    if _cu_array(u):
        raise BackendError(f"{name}: a device array u needs backend='cuda' (or None); got backend={backend!r}")
    u = as_field(u, grid, "u", check_finite=check_finite)
    if k is None:
        k = 1.0
    elif not _material_k(k):
        k = check_conductivity(k, grid, u.dtype)
    res = apply_operator(u, grid, bc, k, t).astype(u.dtype, copy=False)
    out = output_array(out, grid.shape, u.dtype, inputs={"u": u})
    out[...] = res
    return out


def _material_k(k):
    """True when ``k`` is marked as cell values or per-axis values (a bare array must have the
    node shape here: an operator's ``k`` of another shape is an error, not a guess)."""
    from .materials import Cells, Orthotropic

    return isinstance(k, (Cells, Orthotropic))


def laplacian(u, grid, bc=None, *, order=2, t=0.0, out=None, check_finite=False, backend=None):
    """Laplacian of a scalar field.

    Parameters
    ----------
    u : array of ``grid.shape`` (float32 or float64; integers become float64)
    grid : Grid
    bc : boundary specification, optional
        See :func:`fieldgrad.resolve_bc`.  Dirichlet faces are evaluated with their values
        imposed on the boundary nodes; Neumann/Robin through ghost nodes; ``None`` faces with
        one-sided differences.
    order : {2, 4}
        5/7-point second-order stencil, or the fourth-order (9/13-point) stencil.
    t : float
        Time for time-dependent boundary values.
    out : ndarray, optional
        Where to write the result (same shape and dtype as ``u``).
    check_finite : bool
        Raise :class:`~fieldgrad.errors.NonFiniteError` on NaN/inf input (off by default: the
        check costs a pass over the data).
    backend : None, "cpu" or "cuda"
        ``None`` uses :func:`fieldgrad.backends.get_backend` (GPU arrays go to CUDA).  On CUDA
        the result is a device array (see :mod:`fieldgrad.backends`).

    Returns
    -------
    ndarray of ``grid.shape``

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid
    >>> g = Grid((5, 5))
    >>> X, Y = g.mesh()
    >>> float(laplacian(X**2 + Y**2, g)[2, 2])
    4.0
    """
    if _cylindrical(grid, "laplacian", order):
        _check_order(order)
        return _by_rows("laplacian", u, grid, bc, None, t, out, backend, check_finite)
    gpu = _on_gpu("laplacian", backend, u)
    if gpu is not None:
        return gpu(u, grid, bc, order=order, t=t, out=out, check_finite=check_finite)
    _check_order(order)
    u = as_field(u, grid, "u", check_finite=check_finite)
    bcs = _bnd.resolve_bc(bc, grid)
    _check_nodes(bcs, 2, order)
    out = output_array(out, grid.shape, u.dtype, inputs={"u": u})
    if order == 4:
        u = _bnd.with_dirichlet(u, grid, bcs, t)
        p = _bnd.padded_with_ghosts(u, grid, bcs, t)
        if grid.ndim == 3:
            cpu.laplacian4_3d(p, *_inv(grid, 2, u.dtype), out)
        else:
            cpu.laplacian4_2d(_as2d(p, grid) if grid.ndim == 2 else np.pad(p.reshape(1, -1), ((2, 2), (0, 0)), mode="edge"),
                              *_inv(grid, 2, u.dtype), _as2d(out, grid))
        return out
    # Dirichlet faces are read through their held values: the field is neither copied nor written
    args = held_sweep_inputs(u, grid, bcs, t, 2, numba.get_num_threads())
    ih2 = [_const(0.0, u.dtype)] * (3 - grid.ndim) + _inv(grid, 2, u.dtype)[-grid.ndim:]
    cpu.laplacian_held_3d(*args, *ih2, out.reshape(args[0].shape))
    return out


def grad(u, grid, bc=None, *, order=2, t=0.0, out=None, check_finite=False, backend=None):
    """Gradient of a scalar field, shape ``(ndim, *grid.shape)`` (component 0 is x).

    Parameters (``backend`` too) are as for :func:`laplacian`; at a Neumann face the normal component equals the
    prescribed derivative exactly (central difference through the ghost node).

    Example
    -------
    >>> g = fg.Grid((5, 4))
    >>> X, Y = g.mesh()
    >>> np.allclose(grad(3 * X - Y, g), [3 * np.ones(g.shape), -np.ones(g.shape)])
    True
    """
    gpu = _on_gpu("grad", backend, u)
    if gpu is not None:
        return gpu(u, grid, bc, order=order, t=t, out=out, check_finite=check_finite)
    _check_order(order)
    u = as_field(u, grid, "u", check_finite=check_finite)
    bcs = _bnd.resolve_bc(bc, grid)
    _check_nodes(bcs, 1, order)
    out = output_array(out, (grid.ndim,) + grid.shape, u.dtype, inputs={"u": u})
    u = _bnd.with_dirichlet(u, grid, bcs, t)
    if order == 4:
        p = _bnd.padded_with_ghosts(u, grid, bcs, t)
        ih = [_const(1.0 / h, u.dtype) for h in grid.spacing]
        if grid.ndim == 3:
            cpu.grad4_3d(p, *ih, out[0], out[1], out[2])
        elif grid.ndim == 2:
            cpu.grad4_2d(p, *ih, out[0], out[1])
        else:
            scratch = np.empty((1, grid.shape[0]), dtype=u.dtype)
            pp = np.pad(p.reshape(1, -1), ((2, 2), (0, 0)), mode="edge")
            cpu.grad4_2d(pp, _const(0.0, u.dtype), ih[0], scratch, out[0].reshape(1, -1))
        return out
    ghosts = _bnd.ghost_layers(u, grid, bcs, 1, t)
    half = _inv(grid, 1, u.dtype, 0.5)
    if grid.ndim == 3:
        cpu.grad_3d(u, *_ghost_args(ghosts, grid, u), *half, out[0], out[1], out[2])
    elif grid.ndim == 2:
        cpu.grad_2d(u, *_ghost_args(ghosts, grid, u), *half, out[0], out[1])
    else:
        u2 = _as2d(u, grid)
        scratch = np.empty_like(u2)
        cpu.grad_2d(u2, *_ghost_args(ghosts, grid, u2), *half, scratch, out[0].reshape(1, -1))
    return out


def div(v, grid, bc=None, *, order=2, t=0.0, out=None, check_finite=False, backend=None):
    """Divergence of a vector field ``v`` of shape ``(ndim, *grid.shape)``.

    ``bc`` applies to the normal component on each face (e.g. ``Dirichlet(0)`` on a wall
    through which nothing flows, ``Neumann(g)`` for its normal derivative); only component
    ``a`` is differentiated along axis ``a``, so that is the only ghost needed.  ``order`` is 2
    or 4 (other parameters as for :func:`laplacian`).

    Example
    -------
    >>> g = fg.Grid((6, 6))
    >>> X, Y = g.mesh()
    >>> float(div(np.stack([X, 2 * Y]), g).mean())
    3.0

    On a cylindrical ``(r, z)`` grid (order 2, CPU or CUDA) the components are ``(F_r, F_z)`` and the result
    is ``(1/r) d(r F_r)/dr + dF_z/dz``, taken as ``dF_r/dr + F_r/r + dF_z/dz`` with the
    order-2 differences of the Cartesian form (central inside, the boundary rules at the faces).  When ``r`` starts at 0 the ``r-`` face is the
    axis: it takes no condition (as everywhere on such grids); nothing flows through it, so
    ``F_r`` is held at 0 there (the Dirichlet rule; a regular field has no radial component on
    the axis, and the given ``F_r(0)`` is not read) and the axis row is the regular limit
    ``2 dF_r/dr + dF_z/dz`` (L'Hopital), with ``dF_r/dr`` the central difference across the
    axis through that rule's ghost -- second order too.

    >>> gc = fg.Grid((6, 4), extent=[(0, 1), (0, 1)], coords="cylindrical")
    >>> R, Z = gc.mesh()
    >>> bool(np.allclose(div(np.stack([R, Z]), gc), 3.0))   # (1/r) d(r^2)/dr + 1, the axis row too
    True
    """
    cyl = getattr(grid, "cylindrical", False)
    if cyl:
        _check_order(order)
        _cylindrical(grid, "div", order)
        if _wants_gpu(backend, v):
            from .solvers.cuda_apply import div_cylindrical

            return div_cylindrical(v, grid, _axis_without_flow(_bnd.resolve_bc(bc, grid)), t=t, out=out,
                                   check_finite=check_finite)
        if _cu_array(v):
            raise BackendError(f"div: a device array v needs backend='cuda' (or None); got backend={backend!r}")
    else:
        gpu = _on_gpu("div", backend, v)
        if gpu is not None:
            if order != 2:
                raise ParameterError(f"order={order!r} is not available on the CUDA backend; use order=2 or the CPU")
            return gpu(v, grid, bc, t=t, out=out, check_finite=check_finite)
    _check_order(order)
    v = as_field(v, grid, "v", leading=(grid.ndim,), check_finite=check_finite)
    bcs = _bnd.resolve_bc(bc, grid)
    if cyl:
        bcs = _axis_without_flow(bcs)
    _check_nodes(bcs, 1, order)
    out = output_array(out, grid.shape, v.dtype, inputs={"v": v})
    comps, ghosts, normals = [], [], []
    for a in range(grid.ndim):
        # component a is differentiated along axis a only: its conditions are the axis-a faces
        normal = _bnd.BoundaryConditions(grid, {f: (c if grid.parse_face(f)[0] == a else None)
                                                for f, c in bcs.faces.items()})
        normals.append(normal)
        comps.append(_bnd.with_dirichlet(v[a], grid, normal, t))
        if order == 2:
            ghosts.append(_bnd.ghost_layers(comps[a], grid, normal, 1, t)[a])
    if order == 4:
        pads = [_bnd.padded_with_ghosts(comps[a], grid, normals[a], t) for a in range(grid.ndim)]
        ih = [_const(1.0 / h, v.dtype) for h in grid.spacing]
        if grid.ndim == 3:
            cpu.div4_3d(*pads, *ih, out)
        elif grid.ndim == 2:
            cpu.div4_2d(*pads, *ih, out)
        else:
            px = np.pad(pads[0].reshape(1, -1), ((2, 2), (0, 0)), mode="edge")
            cpu.div4_2d(px, px, ih[0], _const(0.0, v.dtype), out.reshape(1, -1))
        return out
    half = _inv(grid, 1, v.dtype, 0.5)
    if grid.ndim == 3:
        cpu.div_3d(comps[0], comps[1], comps[2], *[g for pair in ghosts for g in pair], *half, out)
    elif grid.ndim == 2:
        cpu.div_2d(comps[0], comps[1], *[g for pair in ghosts for g in pair], *half, out)
    else:
        c2 = comps[0].reshape(1, -1)
        lo, hi = ghosts[0]
        zero = np.zeros_like(c2)
        cpu.div_2d(zero, c2, zero[0], zero[0], lo.reshape(1), hi.reshape(1), *half, out.reshape(1, -1))
    if cyl:
        _add_radial_term(out, comps[0], ghosts[0][0], grid)
    return out


def k_keyword(func):
    """Let ``func(u, grid, bc, *, k=...)`` also take the old order ``func(u, k, grid, bc)``.

    The old order still works and warns with a :class:`DeprecationWarning`; ``inspect.signature``
    shows the new one.  Used by :func:`div_k_grad` and its distributed and Dask versions.
    """
    @functools.wraps(func)
    def wrapper(u, *args, **kwargs):
        if len(args) >= 2 and not isinstance(args[0], Grid) and isinstance(args[1], Grid):
            if "k" in kwargs:
                raise ParameterTypeError(f"{func.__name__}() got k both by position and as k=")
            warnings.warn(f"{func.__name__}(u, k, grid, bc) is deprecated; call {func.__name__}(u, grid, bc, k=k)",
                          DeprecationWarning, stacklevel=2)
            return func(u, *args[1:], k=args[0], **kwargs)
        return func(u, *args, **kwargs)

    return wrapper


@k_keyword
def div_k_grad(u, grid, bc=None, *, k=None, t=0.0, out=None, check_finite=False, backend=None):
    """Conservative ``div(k grad u)`` with harmonic-mean face conductivities.

    The harmonic mean makes the flux across a material interface continuous, so a jump of
    ``k`` by orders of magnitude is handled correctly.  At Neumann/Robin faces the boundary
    node's row is the half-cell balance with boundary flux ``k_b * g``.

    Parameters
    ----------
    u : array of ``grid.shape``
    grid, bc : as for :func:`laplacian`
    k : None (1), positive number or array of ``grid.shape`` -- the conductivity (any
        coefficient of ``div(k grad u)``: permittivity, permeability / viscosity ...); or
        values on the cells (:class:`~fieldgrad.Cells`) or per axis (:class:`~fieldgrad.Orthotropic`): then each face takes the mean of the cells
        around it, exactly the rows :func:`fieldgrad.solve_poisson` solves (CPU and CUDA; a node on
        a Dirichlet face gets the balance of its half cell with that face closed; with a
        ``Cells(..., domain=)`` the hole surfaces are insulated, a row is the balance per unit
        volume of the part of the node's cell inside the domain, and nodes outside hold 0)
    t, out, check_finite, backend : as for :func:`laplacian`

    The old order ``div_k_grad(u, k, grid, bc)`` still works, with a ``DeprecationWarning``.

    Returns
    -------
    ndarray of ``grid.shape``

    Example
    -------
    >>> g = fg.Grid((9, 9))
    >>> X, Y = g.mesh()
    >>> float(div_k_grad(X**2, g, k=2.0)[4, 4])
    4.0
    """
    if k is None:
        k = 1.0
    if _material_k(k) or _cylindrical(grid, "div_k_grad"):
        return _by_rows("div_k_grad", u, grid, bc, k, t, out, backend, check_finite)
    gpu = _on_gpu("div_k_grad", backend, u)
    if gpu is not None:
        return gpu(u, k, grid, bc, t=t, out=out, check_finite=check_finite)
    u = as_field(u, grid, "u", check_finite=check_finite)
    k = check_conductivity(k, grid, u.dtype)
    bcs = _bnd.resolve_bc(bc, grid)
    _check_nodes(bcs, 2, 2)
    out = output_array(out, grid.shape, u.dtype, inputs={"u": u, "k": k})
    u = _bnd.with_dirichlet(u, grid, bcs, t)
    ghosts, kghosts = _bnd.ghost_layers(u, grid, bcs, 2, t, k=k)
    ih2 = _inv(grid, 2, u.dtype)
    if grid.ndim == 3:
        cpu.div_k_grad_3d(u, k, *_ghost_args(ghosts, grid, u), *_ghost_args(kghosts, grid, k), *ih2, out)
    else:
        u2, k2 = _as2d(u, grid), _as2d(k, grid)
        cpu.div_k_grad_2d(u2, k2, *_ghost_args(ghosts, grid, u2), *_ghost_args(kghosts, grid, k2), *ih2,
                          _as2d(out, grid))
    return out


def curl(v, grid, bc=None, *, order=2, out=None, check_finite=False):
    """Curl of a vector field: shape ``(3, *shape)`` in 3D, the scalar ``dv_y/dx - dv_x/dy`` in 2D.

    Boundary nodes use one-sided differences (periodic axes wrap); ``bc`` must be ``None``
    because a scalar condition does not say what the tangential components do.

    On a cylindrical ``(r, z)`` grid (order 2) ``v = (F_r, F_z)`` is an axisymmetric field
    without swirl, whose curl has one component, the azimuthal one: the result is the scalar
    field (``grid.shape``, like the 2D Cartesian curl) ``curl_phi = dF_r/dz - dF_z/dr``.  As the
    2D Cartesian scalar is the ``z`` component of the right-handed ``(x, y, z)``, this is the
    ``phi`` component of the right-handed ``(r, phi, z)`` -- hence the order of the terms, the
    reverse of the Cartesian formula applied to ``(r, z)``.  No ``1/r`` term enters.  On the axis
    ``dF_z/dr`` is 0 (the regularity condition of :func:`grad` there) and ``dF_r/dz`` is read
    from the data (0 for a regular field, whose ``F_r`` vanishes on the axis).

    Example
    -------
    >>> g = fg.Grid((5, 5))
    >>> X, Y = g.mesh()
    >>> np.allclose(curl(np.stack([-Y, X]), g), 2.0)
    True
    >>> gc = fg.Grid((5, 5), coords="cylindrical")
    >>> R, Z = gc.mesh()
    >>> np.allclose(curl(np.stack([R * Z, R ** 2]), gc), -R)   # d(rz)/dz - d(r^2)/dr = r - 2r
    True
    """
    if bc is not None:
        raise BoundaryError("curl takes bc=None (one-sided differences; periodic axes come from the grid); "
                            f"got {describe(bc)}")
    if grid.ndim not in (2, 3):
        raise GridError(f"curl needs a 2D or 3D grid; got {grid.ndim}D")
    cyl = getattr(grid, "cylindrical", False)
    if cyl:
        _check_order(order)
        _cylindrical(grid, "curl", order)
    v = as_field(v, grid, "v", leading=(grid.ndim,), check_finite=check_finite)
    d = [grad(v[a], grid, order=order) for a in range(grid.ndim)]  # d[a][b] = dv_a / dx_b
    if grid.ndim == 2:
        out = output_array(out, grid.shape, v.dtype, inputs={"v": v})
        if cyl:  # the phi component of (r, phi, z): dF_r/dz - dF_z/dr
            np.subtract(d[0][1], d[1][0], out=out)
        else:
            np.subtract(d[1][0], d[0][1], out=out)
        return out
    out = output_array(out, (3,) + grid.shape, v.dtype, inputs={"v": v})
    np.subtract(d[2][1], d[1][2], out=out[0])
    np.subtract(d[0][2], d[2][0], out=out[1])
    np.subtract(d[1][0], d[0][1], out=out[2])
    return out
