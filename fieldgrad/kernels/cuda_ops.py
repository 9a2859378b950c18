"""The differential operators on the GPU, with the signatures of :mod:`fieldgrad.operators`.

Each function accepts NumPy arrays (copied to the device), Numba device arrays and CuPy arrays
(anything with ``__cuda_array_interface__``, wrapped without a copy) and returns a Numba device
array; :func:`to_host` (or ``.copy_to_host()``) brings a result back.  The discretisation is
the CPU one exactly: the same point formulas (:mod:`fieldgrad.kernels.points`) and the same
ghost nodes (:mod:`fieldgrad.boundary`), so results agree with the CPU operators to rounding.

Only the second-order stencils run on the GPU; ``order=4`` raises
:class:`~fieldgrad.errors.ParameterError` saying to use ``order=2`` or the CPU backend.

Example
-------
>>> if fg.backends.cuda_available():
...     g = fg.Grid((9, 9))
...     X, Y = g.mesh()
...     lap = to_host(laplacian(X**2 + Y**2, g))
"""
from __future__ import annotations

import numpy as np

from .. import boundary as _bnd
from ..errors import NonFiniteError, ParameterError
from ..validation import check_conductivity
from ..backends import cuda as _cu
from .cuda import kernels as _kernels
from .cuda_bc import check_nodes, dirichlet_plan, ghost_buffers, ghost_plan, view_shape
from .cuda import launch1, launch2, launch3

__all__ = ["laplacian", "grad", "div", "div_k_grad", "to_host", "to_device"]

to_host = _cu.to_host


def to_device(x, dtype=None):
    """Copy a host array to the device (device arrays are returned as they are).

    Parameters
    ----------
    x : array
    dtype : numpy dtype, optional

    Returns
    -------
    Numba device array
    """
    return _cu.as_device(x, "x", dtype=dtype)


def _view(d, shape):
    return d.reshape(*shape)


def _flat(d):
    return d.reshape(d.size)


def check_finite_device(d, name):
    """Raise :class:`NonFiniteError` if device array ``d`` holds NaN or inf."""
    ker = _kernels()
    flag = _cu.zeros(1, np.int32)
    blocks, threads = launch1(d.size, _cu.simulator())
    ker.nonfinite[blocks, threads](_flat(d), flag)
    if int(flag.copy_to_host()[0]):
        raise NonFiniteError(f"{name} holds non-finite values (NaN or inf); operators need finite data")


def check_positive_device(d, name="k"):
    """Raise :class:`ParameterError` unless every entry of device array ``d`` is positive and finite
    (one reduction kernel, one flag back to the host).

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     check_positive_device(_cu.as_device(np.ones(4)))
    """
    flag = _cu.zeros(1, np.int32)
    blocks, threads = launch1(d.size, _cu.simulator())
    _kernels().not_positive[blocks, threads](_flat(d), flag)
    if int(flag.copy_to_host()[0]):
        raise ParameterError(f"{name} (a device array) must be positive and finite everywhere; it holds values "
                             "<= 0, NaN or inf")


def device_copy(src, dst=None):
    """Device-to-device copy (flat kernel); allocates ``dst`` if not given."""
    if dst is None:
        dst = _cu.empty(src.shape, src.dtype)
    blocks, threads = launch1(src.size, _cu.simulator())
    _kernels().copy[blocks, threads](_flat(src), _flat(dst))
    return dst


def device_full(shape, value, dtype):
    """Device array filled with ``value``."""
    d = _cu.empty(shape, dtype)
    blocks, threads = launch1(d.size, _cu.simulator())
    _kernels().fill[blocks, threads](_flat(d), np.dtype(dtype).type(value))
    return d


def fill_ghosts(v, plan, bufs, axes=(0, 1, 2), k=None):
    """Fill the ghost buffers of the faces of the listed view axes: one generic ``fill_rule`` launch
    per face with that face's rule coefficients from ``plan`` (with ``k``, the rules of
    ``div(k grad u)``, :meth:`GhostPlan.weighted`, kept for this ``k``)."""
    if k is not None:
        plan = plan.weighted(k)
    ker = _kernels()
    sim = _cu.simulator()
    for va in axes:
        for spec in plan.faces[va]:
            if spec is None:
                continue
            axis, side, args = spec
            g = bufs[2 * axis + side]
            blocks, threads = launch2(g.shape, sim)
            ker.fill_rule[blocks, threads](v, axis, *args, g)


def fill_kghosts(k, plan, bufs):
    """Copy the ghost conductivities of ``plan`` weighted by ``k`` (the rule table's, computed on
    the host once per plan and ``k``) into ``bufs``."""
    kg = plan.weighted(k).kghosts
    for i in range(2 * plan.first, 6):  # the faces of the real axes
        device_copy(kg[i], bufs[i])


def set_faces(v, dplan):
    """Write the Dirichlet values of ``dplan`` into the 3D view ``v`` in place."""
    ker = _kernels()
    sim = _cu.simulator()
    for axis, side, vals in dplan:
        blocks, threads = launch2(vals.shape, sim)
        ker.set_face[blocks, threads](v, axis, side, vals)


def faces_differ(u, vshape, dplan):
    """True when a Dirichlet face of ``u`` does not hold its prescribed values."""
    ker = _kernels()
    sim = _cu.simulator()
    flag = _cu.zeros(1, np.int32)
    uv = _view(u, vshape)
    for axis, side, vals in dplan:
        blocks, threads = launch2(vals.shape, sim)
        ker.face_differs[blocks, threads](uv, axis, side, vals, flag)
    return bool(flag.copy_to_host()[0])


def with_dirichlet(u, vshape, dplan):
    """``u`` if its Dirichlet faces hold the prescribed values, else a device copy that does."""
    if not dplan or not faces_differ(u, vshape, dplan):
        return u
    c = device_copy(u)
    set_faces(_view(c, vshape), dplan)
    return c


def _prepare(u, grid, bc, derivative, t, check_finite, name="u", leading=()):
    d = _cu.as_device(u, name, shape=tuple(leading) + grid.shape)
    if check_finite:
        check_finite_device(d, name)
    bcs = _bnd.resolve_bc(bc, grid)
    check_nodes(bcs, derivative)
    return d, bcs


def _scalar_input(u, grid, bc, derivative, t, check_finite, out, out_shape):
    """The device form of a scalar input: its 3D view with the Dirichlet values imposed, the
    ghost plan of the ``derivative``-th derivative, the output array of ``out_shape`` (``out``
    checked or allocated) and the 3D view shape."""
    d, bcs = _prepare(u, grid, bc, derivative, t, check_finite)
    dtype = np.dtype(d.dtype)
    vshape = view_shape(grid.shape)
    d = with_dirichlet(d, vshape, dirichlet_plan(grid, bcs, dtype, t))
    out = _cu.output(out, out_shape, dtype)
    return _view(d, vshape), ghost_plan(grid, bcs, derivative, dtype, t), out, vshape


def _filled_ghosts(uv, plan):
    """Ghost buffers of the 3D view ``uv`` filled by the rules of ``plan``."""
    bufs = ghost_buffers(uv.shape, np.dtype(uv.dtype))
    fill_ghosts(uv, plan, bufs)
    return bufs


def _inv(grid, power, dtype, scale=1.0):
    vals = [0.0] * (3 - grid.ndim) + [scale / h ** power for h in grid.spacing]
    return [np.dtype(dtype).type(v) for v in vals]


def _check_order(order):
    if order == 4:
        raise ParameterError("order=4 is not available with backend 'cuda': the GPU kernels are the "
                             "second-order stencils only. Use order=2 on the GPU, or backend='cpu' for "
                             "order=4 (fieldgrad.operators with a NumPy array)")
    if order != 2:
        raise ParameterError(f"order must be 2 or 4; got {order!r}")


def laplacian(u, grid, bc=None, *, order=2, t=0.0, out=None, check_finite=False):
    """Laplacian on the GPU; see :func:`fieldgrad.operators.laplacian`.

    Parameters
    ----------
    u : ndarray, Numba device array or CuPy array of ``grid.shape`` (float32/float64)
    grid : Grid
    bc : boundary specification, optional
    order : 2
    t : float
    out : device array, optional
    check_finite : bool

    Returns
    -------
    Numba device array of ``grid.shape``

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     r = to_host(laplacian(np.ones((5, 5)), fg.Grid((5, 5))))
    """
    _check_order(order)
    uv, plan, out, vshape = _scalar_input(u, grid, bc, 2, t, check_finite, out, grid.shape)
    blocks, threads, march = launch3(vshape, _cu.simulator())
    _kernels().laplacian3[blocks, threads](uv, *_filled_ghosts(uv, plan), *_inv(grid, 2, out.dtype), 3 - grid.ndim,
                                           march, _view(out, vshape))
    return out


def grad(u, grid, bc=None, *, order=2, t=0.0, out=None, check_finite=False):
    """Gradient on the GPU, shape ``(ndim, *grid.shape)``; see :func:`fieldgrad.operators.grad`.

    Returns
    -------
    Numba device array

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     r = to_host(grad(np.ones((5, 5)), fg.Grid((5, 5))))
    """
    _check_order(order)
    uv, plan, out, vshape = _scalar_input(u, grid, bc, 1, t, check_finite, out, (grid.ndim,) + grid.shape)
    blocks, threads, march = launch3(vshape, _cu.simulator())
    _kernels().grad3[blocks, threads](uv, *_filled_ghosts(uv, plan), *_inv(grid, 1, out.dtype, 0.5), 3 - grid.ndim,
                                      march, out.reshape(grid.ndim, *vshape))
    return out


def div(v, grid, bc=None, *, t=0.0, out=None, check_finite=False):
    """Divergence on the GPU of ``v`` with shape ``(ndim, *grid.shape)``; see :func:`fieldgrad.operators.div`.

    Returns
    -------
    Numba device array of ``grid.shape``

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     r = to_host(div(np.ones((2, 5, 5)), fg.Grid((5, 5))))
    """
    d, bcs = _prepare(v, grid, bc, 1, t, check_finite, "v", (grid.ndim,))
    dtype = np.dtype(d.dtype)
    vshape = view_shape(grid.shape)
    first = 3 - grid.ndim
    dplan = dirichlet_plan(grid, bcs, dtype, t)
    # component a is differentiated along axis a only: its conditions are the axis-a faces
    normal = [[f for f in dplan if f[0] == a + first] for a in range(grid.ndim)]
    if any(normal[a] and faces_differ(d[a], vshape, normal[a]) for a in range(grid.ndim)):
        d = device_copy(d)  # impose the face values on a copy
        for a in range(grid.ndim):
            set_faces(_view(d[a], vshape), normal[a])
    out = _cu.output(out, grid.shape, dtype)
    v4 = d.reshape(grid.ndim, *vshape)
    bufs = ghost_buffers(vshape, dtype)
    plan = ghost_plan(grid, bcs, 1, dtype, t)
    for a in range(grid.ndim):
        fill_ghosts(_view(d[a], vshape), plan, bufs, axes=(a + first,))
    blocks, threads, march = launch3(vshape, _cu.simulator())
    _kernels().div3[blocks, threads](v4, *bufs, *_inv(grid, 1, dtype, 0.5), first, march, _view(out, vshape))
    return out


def device_conductivity(k, grid, dtype, check_finite=False, with_host=False):
    """A conductivity on the device: numbers are broadcast on the device, host arrays checked
    (positive, finite) with :func:`fieldgrad.validation.check_conductivity` then copied; device
    arrays are checked on the device (positive and finite, one reduction kernel) and used as
    they are.  ``with_host``: return ``(device k, host k or None)``, the host form (number or
    checked array) being what the ghost rules read without a device round trip."""
    if np.ndim(k) == 0 and not _cu.is_device_array(k):
        kv = float(k)
        if not np.isfinite(kv) or kv <= 0:
            raise ParameterError(f"k must be positive and finite; got {k!r}")
        kd, kh = device_full(grid.shape, kv, dtype), kv
    elif _cu.is_device_array(k):
        kd, kh = _cu.as_device(k, "k", dtype=dtype, shape=grid.shape), None
        check_positive_device(kd, "k")  # one reduction kernel: positive and finite
    else:
        kh = check_conductivity(k, grid, dtype)
        kd = _cu.as_device(kh, "k")
    return (kd, kh) if with_host else kd


def div_k_grad(u, k, grid, bc=None, *, t=0.0, out=None, check_finite=False):
    """``div(k grad u)`` on the GPU with harmonic face conductivities; see
    :func:`fieldgrad.operators.div_k_grad`.

    Parameters
    ----------
    u : array of ``grid.shape`` (host or device)
    k : positive number, or array of ``grid.shape`` (host arrays are checked on the host, device
        arrays by one reduction kernel on the device: positive and finite)
    grid, bc, t, out, check_finite : as for :func:`laplacian`

    Returns
    -------
    Numba device array of ``grid.shape``

    Example
    -------
    >>> if fg.backends.cuda_available():
    ...     r = to_host(div_k_grad(np.ones((5, 5)), 2.0, fg.Grid((5, 5))))
    """
    uv, plan, out, vshape = _scalar_input(u, grid, bc, 2, t, check_finite, out, grid.shape)
    kd, kh = device_conductivity(k, grid, out.dtype, check_finite, with_host=True)
    # an array k may change in place between calls: its weighted rules are re-read each time
    plan = plan.weighted(kd if kh is None else kh, keep=False)
    blocks, threads, march = launch3(vshape, _cu.simulator())
    _kernels().div_k_grad3[blocks, threads](uv, _view(kd, vshape), *_filled_ghosts(uv, plan), *plan.kghosts,
                                            *_inv(grid, 2, out.dtype), 3 - grid.ndim, march, _view(out, vshape))
    return out
