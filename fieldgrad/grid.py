"""Uniform node-centred grids in 1, 2 and 3 dimensions.

A non-periodic axis with ``n`` nodes spans ``[lo, hi]`` with both end nodes included and
spacing ``h = (hi - lo) / (n - 1)``.  A periodic axis has ``n`` distinct nodes and spacing
``(hi - lo) / n``: the node at ``hi`` is the first node again and is not stored.
"""
from __future__ import annotations

import json
import math
import numbers

import numpy as np

from .errors import GridError, ParameterTypeError, ShapeError, describe
from .validation import require_memory

AXIS_NAMES = ("x", "y", "z")
CYLINDRICAL_NAMES = ("r", "z")
COORDINATE_SYSTEMS = ("cartesian", "cylindrical")


# Spacings whose square or reciprocal square leaves float64 (h < 1e-154 or h > 1e154) break
# every stencil (1/h^2 overflows to inf, or underflows to 0): refused when the grid is built.
SPACING_RANGE = (1e-150, 1e150)


def half_ring_radii(r, h):
    """Mean radii ``(r - h/4, r + h/4)`` of the lower and upper halves of each node's dual cell on a
    radial axis (nodes ``r``, spacing ``h``): a half's ``r dr`` integral is ``h/2`` times its
    mean radius.  The one place this geometry is written (ring volumes, the solvers' volume
    factors, cell means around a node).

    Example
    -------
    >>> lo, hi = half_ring_radii(np.array([0.0, 1.0]), 1.0)
    >>> lo.tolist(), hi.tolist()
    ([-0.25, 0.75], [0.25, 1.25])
    """
    r = np.asarray(r, dtype=np.float64)
    return r - 0.25 * h, r + 0.25 * h


def radial_volumes(r, h):
    """Integral of ``r dr`` over each node's dual cell on a radial axis (nodes ``r``, spacing ``h``):
    ``r_i h`` inside, ``(h/2)(r_0 + h/4)`` and ``(h/2)(r_n - h/4)`` at the ends (the half cells).

    Example
    -------
    >>> v = radial_volumes(np.array([0.0, 0.5, 1.0]), 0.5)
    >>> float(v.sum()) == 0.5   # integral of r dr over [0, 1]
    True
    """
    lo, hi = half_ring_radii(r, h)
    v = np.asarray(r, dtype=np.float64) * h
    v[0] = 0.5 * h * hi[0]
    v[-1] = 0.5 * h * lo[-1]
    return v


def require_cartesian(grid, what):
    """Raise :class:`GridError` when ``grid`` is cylindrical and ``what`` has no cylindrical form.

    Example
    -------
    >>> require_cartesian(Grid((3, 3)), "this")   # nothing happens on a Cartesian grid
    """
    if getattr(grid, "coordinate_system", "cartesian") != "cartesian":
        raise GridError(f"{what} runs on Cartesian grids only; got {grid!r} (axisymmetric problems: "
                        "solve_poisson, solve_heat, the fields' steady() and fluxes, laplacian, div_k_grad, div "
                        "and curl; on CUDA too: solve_poisson, solve_heat, laplacian, div_k_grad and div)")


def axis_slice(ndim, axis, index):
    """Index tuple selecting ``index`` along ``axis`` and everything along the other axes.

    Parameters
    ----------
    ndim : int
    axis : int
    index : int or slice

    Returns
    -------
    tuple

    Example
    -------
    >>> axis_slice(3, 1, -1)
    (slice(None, None, None), -1, slice(None, None, None))
    """
    sl = [slice(None)] * ndim
    sl[axis] = index
    return tuple(sl)


def require_grid(grid, name="grid"):
    """Return ``grid`` if it is a :class:`Grid`, else raise :class:`ParameterTypeError`.

    Example
    -------
    >>> require_grid((5, 5))
    Traceback (most recent call last):
    ...
    fieldgrad.errors.ParameterTypeError: grid = (5, 5) is a tuple; accepted: a fieldgrad.Grid, e.g. Grid((5, 5))
    """
    if not isinstance(grid, Grid):
        hint = f", e.g. Grid({grid!r})" if isinstance(grid, (tuple, list, int)) and not isinstance(grid, bool) else ""
        raise ParameterTypeError(f"{name} = {describe(grid)} is a {type(grid).__name__}; accepted: a fieldgrad.Grid{hint}")
    return grid


def _periodic_flags(periodic, ndim):
    """``periodic`` as one bool per axis; only booleans are accepted (``"no"`` is not false)."""
    def ok(p):
        return isinstance(p, (bool, np.bool_))

    if ok(periodic):
        return (bool(periodic),) * ndim
    if isinstance(periodic, (list, tuple, np.ndarray)) and all(ok(p) for p in periodic):
        per = _per_axis(tuple(periodic), ndim, "periodic")
        return tuple(bool(p) for p in per)
    raise GridError(f"periodic = {describe(periodic)} is not allowed; accepted: True/False or one bool per axis "
                    f"({ndim})")


def _seq(value):
    """``value`` as a tuple when it is a sequence (list, tuple, array with axes), else None."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        return tuple(value)
    return None


def _per_axis(value, ndim, name):
    """Broadcast a scalar to one entry per axis, or check a sequence has one entry per axis."""
    seq = _seq(value)
    if seq is None:
        return (value,) * ndim
    if len(seq) != ndim:
        raise GridError(f"{name} must have one entry per axis ({ndim}); got {len(seq)}: {describe(value)}")
    return seq


def _real(value, name):
    """A real number as float, or :class:`GridError` (complex, strings and the like are refused)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise GridError(f"{name} holds {describe(value)}; accepted: real numbers")
    try:
        return float(value)
    except OverflowError:
        raise GridError(f"{name} holds {describe(value)}, which is not a finite float64; accepted: real numbers "
                        "below 1.8e308 in magnitude") from None


class Grid:
    """A uniform, node-centred grid.

    Parameters
    ----------
    shape : int or sequence of int
        Number of nodes per axis (1 to 3 axes).  Non-periodic axes need at least 2 nodes,
        periodic axes at least 3.
    extent : sequence of (lo, hi) pairs, optional
        Physical interval of each axis.  Defaults to ``(0, 1)`` per axis unless ``spacing`` is
        given.  For a 1D grid a single pair ``(lo, hi)`` is accepted.
    spacing : float or sequence of float, optional
        Node spacing per axis; used with ``origin`` instead of ``extent``.
    origin : float or sequence of float, optional
        Coordinate of the first node per axis (default 0).
    periodic : bool or sequence of bool
        Which axes are periodic.
    coords : {"cartesian", "cylindrical"}
        The coordinate system (stored as :attr:`coordinate_system`; :attr:`coords` holds the
        node coordinates).  ``"cylindrical"`` is an axisymmetric ``(r, z)`` grid (1 or 2 axes,
        named ``r`` and ``z``; faces ``"r-"``, ``"r+"``, ``"z-"``, ``"z+"``): ``r`` must start at
        ``r >= 0`` and not be periodic; when it starts at 0 the ``r-`` face is the symmetry axis
        (no condition there: regularity, zero flux).  Fields are independent of the angle;
        :meth:`quadrature_weights` and :meth:`integrate` include the ``2 pi r`` of the revolution.

    Examples
    --------
    >>> g = Grid((5, 3), extent=[(0, 1), (0, 2)])
    >>> g.spacing
    (0.25, 1.0)
    >>> g.coords[1]
    array([0., 1., 2.])
    >>> Grid(4, extent=(0, 1), periodic=True).spacing
    (0.25,)
    """

    def __init__(self, shape, extent=None, spacing=None, origin=None, periodic=False, coords="cartesian"):
        if coords not in COORDINATE_SYSTEMS:
            raise GridError(f"coords must be one of {COORDINATE_SYSTEMS}; got {describe(coords)}")
        self.coordinate_system = coords
        shape = (shape,) if isinstance(shape, numbers.Integral) else _seq(shape)
        if shape is None or not 1 <= len(shape) <= 3:
            raise GridError(f"shape must have 1, 2 or 3 axes; got {describe(shape)}")
        for n in shape:
            if not isinstance(n, numbers.Integral) or isinstance(n, bool):
                raise GridError(f"shape entries must be integers; got {describe(shape)}")
        ndim = len(shape)
        self.shape = tuple(int(n) for n in shape)
        self.ndim = ndim
        self.periodic = _periodic_flags(periodic, ndim)
        for axis, (n, p) in enumerate(zip(self.shape, self.periodic)):
            need = 3 if p else 2
            if n < need:
                kind = "periodic" if p else "non-periodic"
                raise GridError(
                    f"shape[{axis}] = {n} is too small: a {kind} axis needs at least {need} nodes"
                )
        # the coordinate arrays are allocated here; the fields are checked where they are made
        require_memory(8 * sum(self.shape), f"the coordinates of shape {self.shape}", "shape")
        if extent is not None and spacing is not None:
            raise GridError("give either extent or spacing (with origin), not both")
        if extent is not None:
            seq = _seq(extent)
            if ndim == 1 and seq is not None and len(seq) == 2 and all(_seq(v) is None for v in seq):
                seq = (seq,)
            if seq is None:
                raise GridError(f"extent must be a sequence of (lo, hi) pairs; got {describe(extent)}")
            ext = _per_axis(seq, ndim, "extent")
            pairs = []
            for axis, pair in enumerate(ext):
                pair = _seq(pair)
                if pair is None or len(pair) != 2:
                    raise GridError(f"extent[{axis}] must be a (lo, hi) pair; got {describe(ext[axis])}")
                lo, hi = (_real(v, f"extent[{axis}]") for v in pair)
                if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
                    raise GridError(
                        f"extent[{axis}] = {describe(pair)} is invalid: need finite lo < hi"
                    )
                pairs.append((lo, hi))
            orig = tuple(lo for lo, _ in pairs)
            h = tuple((hi - lo) / (n if p else n - 1)
                      for (lo, hi), n, p in zip(pairs, self.shape, self.periodic))
        else:
            if spacing is None:
                spacing = [1.0 / (n if p else n - 1) for n, p in zip(self.shape, self.periodic)]
            h = tuple(_real(s, "spacing") for s in _per_axis(spacing, ndim, "spacing"))
            orig = tuple(_real(o, "origin") for o in _per_axis(0.0 if origin is None else origin, ndim, "origin"))
        lo_h, hi_h = SPACING_RANGE
        for axis, s in enumerate(h):
            if not np.isfinite(s) or s <= 0:
                raise GridError(f"spacing[{axis}] = {s!r} is invalid: spacing must be finite and > 0")
            if not lo_h <= s <= hi_h:
                raise GridError(f"spacing[{axis}] = {s!r} is out of range: 1/h^2 and h^2 must stay finite float64 "
                                f"numbers; accepted: {lo_h:g} <= spacing <= {hi_h:g} (rescale the units)")
        if not all(np.isfinite(orig)):
            raise GridError(f"origin must be finite; got {describe(orig)}")
        for axis, (o, s, n, p) in enumerate(zip(orig, h, self.shape, self.periodic)):
            if not np.isfinite(o + s * n):
                raise GridError(f"axis {axis} ends at {o} + {s} * {n}, which is not a finite float64; "
                                "accepted: coordinates below 1.8e308 in magnitude")
        self.spacing = h
        self.origin = orig
        self.extent = tuple(
            (o, o + s * (n if p else n - 1)) for o, s, n, p in zip(orig, h, self.shape, self.periodic)
        )
        self.coords = tuple(o + s * np.arange(n) for o, s, n in zip(orig, h, self.shape))
        for c in self.coords:
            c.flags.writeable = False
        if coords == "cylindrical":
            if ndim > 2:
                raise GridError(f"a cylindrical (axisymmetric) grid has the axes (r, z): 1 or 2 axes; got shape {self.shape}")
            if self.periodic[0]:
                raise GridError("the r axis of a cylindrical grid cannot be periodic")
            if orig[0] < -1e-12 * h[0]:
                raise GridError(f"the r axis of a cylindrical grid must start at r >= 0 (the axis); got r = {orig[0]!r}")

    @property
    def cylindrical(self):
        """True on an axisymmetric ``(r, z)`` grid."""
        return self.coordinate_system == "cylindrical"

    @property
    def on_axis(self):
        """True when a cylindrical grid's ``r`` starts at 0 (its ``r-`` face is the symmetry axis)."""
        return self.cylindrical and abs(self.origin[0]) <= 1e-12 * self.spacing[0]

    # ------------------------------------------------------------------ geometry
    @property
    def size(self):
        """Total number of nodes (a Python int: exact however large)."""
        return math.prod(self.shape)

    def require_memory(self, fields=1, dtype=np.float64, what="a field"):
        """Raise :class:`~fieldgrad.errors.TooLargeError` unless ``fields`` arrays of this grid
        (``dtype``) fit in the memory available now; called before large allocations.

        Example
        -------
        >>> Grid((10**6, 10**6, 10**6)).require_memory(what="the solver")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        fieldgrad.errors.TooLargeError: grid: the solver on Grid(shape=(1000000, 1000000, 1000000), ...) needs 7.45e+09 GiB ...
        """
        nbytes = fields * self.size * np.dtype(dtype).itemsize
        require_memory(nbytes, f"{what} on {self!r}", "grid")

    @property
    def axis_names(self):
        """Names of the axes, ``("x", "y", "z")[:ndim]`` (``("r", "z")[:ndim]`` on a cylindrical grid)."""
        return (CYLINDRICAL_NAMES if self.coordinate_system == "cylindrical" else AXIS_NAMES)[: self.ndim]

    @property
    def faces(self):
        """Names of the boundary faces, e.g. ``("x-", "x+", "y-", "y+")``."""
        return tuple(f"{a}{s}" for a in self.axis_names for s in "-+")

    @property
    def cell_volume(self):
        """Product of the spacings (the volume of one cell)."""
        return float(np.prod(self.spacing))

    def mesh(self):
        """Coordinate arrays of every node (``numpy.meshgrid(..., indexing="ij")``).

        Returns
        -------
        tuple of ndarray
            One array of ``self.shape`` per axis.

        Example
        -------
        >>> X, Y = Grid((3, 2)).mesh()
        >>> X.shape
        (3, 2)
        """
        self.require_memory(self.ndim, what="mesh()")
        return tuple(np.meshgrid(*self.coords, indexing="ij"))

    def quadrature_weights(self):
        """Trapezoid weights per node, so ``(w * u).sum()`` integrates ``u`` over the domain.

        Periodic axes get the full spacing on every node.  On a cylindrical grid the ``r`` weight of
        a node is ``2 pi`` times the integral of ``r dr`` over its dual cell (the volume of the ring).

        Returns
        -------
        ndarray of ``self.shape``
        """
        self.require_memory(2, what="quadrature_weights()")
        w = np.ones(self.shape)
        for axis, (h, p) in enumerate(zip(self.spacing, self.periodic)):
            wa = np.full(self.shape[axis], h)
            if not p:
                wa[0] = wa[-1] = h / 2
            if axis == 0 and self.cylindrical:
                wa = 2.0 * np.pi * radial_volumes(self.coords[0], h)
            shape = [1] * self.ndim
            shape[axis] = -1
            w = w * wa.reshape(shape)
        return w

    def integrate(self, u):
        """Trapezoid integral of node values ``u`` over the domain.

        Example
        -------
        >>> g = Grid((11, 11))
        >>> round(g.integrate(np.ones(g.shape)), 12)
        1.0
        """
        u = np.asarray(u)
        self.check_shape(u, "u")
        return float(np.sum(self.quadrature_weights() * u))

    # ------------------------------------------------------------------ faces
    def parse_face(self, face):
        """Return ``(axis, side)`` for a face name; side 0 is the low face, 1 the high face."""
        if not isinstance(face, str) or len(face) != 2 or face[0] not in self.axis_names or face[1] not in "-+":
            raise GridError(f"face {face!r} does not exist on a {self.ndim}D grid; faces are {list(self.faces)}")
        return self.axis_names.index(face[0]), (0 if face[1] == "-" else 1)

    def face_shape(self, face):
        """Shape of the node array on a face (the grid shape without the face's axis)."""
        axis, _ = self.parse_face(face)
        return self.shape[:axis] + self.shape[axis + 1:]

    def face_mesh(self, face):
        """Coordinates of the nodes on a face: one array of ``face_shape`` per axis (all axes,
        the normal one constant).
        """
        axis, side = self.parse_face(face)
        coords = list(self.coords)
        coords[axis] = np.array([self.coords[axis][0] if side == 0 else
                                 self.extent[axis][1] if self.periodic[axis] else self.coords[axis][-1]])
        mesh = np.meshgrid(*coords, indexing="ij")
        return tuple(np.take(m, 0, axis=axis) for m in mesh)

    # ------------------------------------------------------------------ checks and misc
    def check_shape(self, u, name="u", leading=()):
        """Raise :class:`ShapeError` unless ``u.shape == leading + self.shape``."""
        want = tuple(leading) + self.shape
        if np.shape(u) != want:
            raise ShapeError(f"{name} has shape {np.shape(u)}; this grid needs {want}")

    def zeros(self, dtype=np.float64, leading=()):
        """A zero field on this grid (``leading`` prepends axes, e.g. ``(ndim,)`` for vectors)."""
        self.require_memory(math.prod(leading), dtype, "zeros()")
        return np.zeros(tuple(leading) + self.shape, dtype=dtype)

    def coarsen(self):
        """The grid with every other node (node count ``(n + 1) // 2`` on non-periodic axes with
        odd ``n``); used by multigrid.  Raises :class:`GridError` where an axis cannot coarsen."""
        shape = []
        for axis, (n, p) in enumerate(zip(self.shape, self.periodic)):
            if p:
                if n % 2 or n < 6:
                    raise GridError(f"periodic axis {axis} with {n} nodes cannot be coarsened")
                shape.append(n // 2)
            else:
                if n % 2 == 0 or n < 3:
                    raise GridError(f"axis {axis} with {n} nodes cannot be coarsened (needs an odd count)")
                shape.append((n + 1) // 2)
        return Grid(shape, spacing=[2 * h for h in self.spacing], origin=self.origin, periodic=self.periodic,
                    coords=self.coordinate_system)

    def to_dict(self):
        """Plain-data description (JSON-serialisable) that :meth:`from_dict` turns back into a grid."""
        d = {"shape": list(self.shape), "spacing": list(self.spacing), "origin": list(self.origin),
             "periodic": list(self.periodic)}
        if self.cylindrical:
            d["coords"] = self.coordinate_system
        return d

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict` (also accepts a JSON string)."""
        if isinstance(data, (str, bytes)):
            data = json.loads(data)
        return cls(data["shape"], spacing=data["spacing"], origin=data["origin"], periodic=data["periodic"],
                   coords=data.get("coords", "cartesian"))

    def __eq__(self, other):
        return (isinstance(other, Grid) and self.shape == other.shape and self.periodic == other.periodic
                and self.coordinate_system == other.coordinate_system
                and np.allclose(self.spacing, other.spacing, rtol=1e-14, atol=0)
                and np.allclose(self.origin, other.origin, rtol=1e-14, atol=1e-300))

    def __hash__(self):
        return hash((self.shape, self.periodic, self.spacing, self.origin, self.coordinate_system))

    def __repr__(self):
        ext = ", ".join(f"({lo:g}, {hi:g})" for lo, hi in self.extent)
        per = "" if not any(self.periodic) else f", periodic={self.periodic}"
        cyl = ", coords='cylindrical'" if self.cylindrical else ""
        return (f"Grid(shape={self.shape}, extent=[{ext}], spacing={tuple(float(f'{h:.6g}') for h in self.spacing)}"
                f"{per}{cyl})")
