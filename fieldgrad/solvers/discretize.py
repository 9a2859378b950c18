"""The discrete Poisson system shared by every solver method.

Unknowns are all nodes not on a Dirichlet face.  At an unknown node the row is
``div_k_grad_h(u) - screening*u = f`` with the ghost-node treatment of :mod:`fieldgrad.boundary`:
a Neumann/Robin ghost reflects the inner neighbour (the boundary row is twice the half-cell
finite-volume balance), a periodic axis wraps.  Everything here works on arrays padded to three
axes (a 2D grid becomes ``(nx, ny, 1)``), so each kernel is written once.

The *homogeneous operator* ``A0`` is this row with zero Neumann/Robin data; the data go into the
right-hand side: ``b = f - 2 k_b g / h`` on a Neumann face (``g`` the outward derivative) and
``b = f - 2 k_b v / (beta h)`` on a Robin face, whose ``alpha`` adds ``-2 k_b alpha / (beta h)``
to the diagonal.  Nodes on Dirichlet faces are *fixed*: they hold the Dirichlet value.

A condition on the surface of a domain's holes (``bc["surface"]``) enters the same way: with
``S_i = sum k_cell A`` of the staircase faces around node ``i``
(:func:`fieldgrad.materials.surface.surface_conductance`) and ``V_i`` the node's box volume, a
Neumann surface adds ``-S_i g / V_i`` to ``b``, a Robin one ``-S_i v / (beta V_i)`` to ``b``
and ``-S_i alpha / (beta V_i)`` to the diagonal; a Dirichlet surface holds the surface nodes
(:mod:`.held`).
"""
from __future__ import annotations


import numpy as np

from ..boundary import Dirichlet, Neumann, Robin, resolve_bc
from ..errors import BoundaryError, NonFiniteError, ParameterError, ShapeError, describe
from ..grid import half_ring_radii, require_grid
from ..materials import resolve_conductivity, resolve_contact
from ..materials.faces import apply_contact, cell_links, cell_links_xy
from ..materials.surface import surface_conductance
from ..validation import check_coefficient

__all__ = ["Problem", "pad3", "unpad", "check_rhs", "check_domain_parts"]


def pad3(a, ndim):
    """View an array of a 1/2/3-axis grid as 3 axes (trailing singleton axes)."""
    return a.reshape(a.shape + (1,) * (3 - ndim))


def unpad(a, shape):
    """Inverse of :func:`pad3`."""
    return a.reshape(shape)


def _cylindrical_factors(grid, shape3):
    """``(m, r_link)`` of a cylindrical grid as arrays broadcastable to ``shape3`` (None, None on a
    Cartesian grid): ``m`` the dual-cell volume over the doubled-row convention's ``W h``
    (``r_i`` inside, ``r_b +- h/4`` at the two radial boundaries, ``h/4`` on the axis) and
    ``r_link`` the radius of the face between node ``i`` and ``i+1``."""
    if not getattr(grid, "cylindrical", False):
        return None, None
    r, h = grid.coords[0], grid.spacing[0]
    lo, hi = half_ring_radii(r, h)
    m = np.array(r, dtype=np.float64)
    m[0], m[-1] = hi[0], lo[-1]
    shape = (-1, 1, 1)
    return m.reshape(shape), (r + 0.5 * h).reshape(shape)


def check_rhs(f, grid, name="f", check_finite=True):
    """``f`` as an array of ``grid.shape`` with real values (finite unless ``check_finite`` is
    False); raises ShapeError / ParameterError / NonFiniteError naming ``name``."""
    f = np.asarray(f)
    if f.shape != grid.shape:
        raise ShapeError(f"{name} has shape {f.shape}; the grid needs {grid.shape}")
    if not np.issubdtype(f.dtype, np.number) or np.issubdtype(f.dtype, np.complexfloating):
        raise ParameterError(f"{name} must be a real float array; got {describe(f)}")
    if check_finite and not np.all(np.isfinite(f)):
        raise NonFiniteError(f"{name} holds {int(np.sum(~np.isfinite(f)))} non-finite values (NaN or inf)")
    return f


def check_domain_parts(prob):
    """Every connected part of a domain with holes must be anchored (a Dirichlet node, a Robin
    face with ``alpha != 0`` or screening in it); otherwise its level is undetermined.  Raises
    ParameterError naming a node of the first loose part.

    Pure flux problems with holes (no anchor anywhere) are refused for the same reason: the
    constant of the domain, not of the whole box, would be the null space.
    """
    from .link_parts import loose_parts

    L = prob.link_coefficients()
    anchor = prob.fixed_or_held_mask()
    rd = prob._robin_terms()
    if rd is not None:
        anchor.flat[rd[0][rd[1] != 0]] = True
    if prob.s3 is not None or prob.s_const != 0.0:
        anchor |= np.asarray(prob.screening3()) > 0
    inside = ~prob.outside3
    state = np.add(inside, inside & anchor, dtype=np.int8)  # 0 outside, 2 anchored inside, 1 else
    parts, first = loose_parts(*L, state)
    prob._spare_links = L  # the next link_coefficients() call takes these (read only here)
    if rd is not None:
        prob._spare_robin = rd  # and the next _robin_terms() call these
    if parts:
        first = tuple(int(i) for i in np.unravel_index(first, prob.shape3)[: prob.ndim])
        raise ParameterError(f"k (Cells domain): {parts} connected part(s) of the domain hold no fixed value (no "
                             f"Dirichlet node, held node, Robin/convection face or surface, or screening touches "
                             f"them), e.g. the part with "
                             f"node {first}: its level is undetermined; accepted: every part of the domain anchored "
                             "(or taken out of the domain)")


class _Resolved:
    """A conductivity already resolved against the grid (a
    :class:`~fieldgrad.materials.conductivity.Conductivity`), taken by :class:`Problem` as it is:
    the problem with the holes filled is formed from the resolved one (:mod:`.poisson`)."""

    def __init__(self, material):
        self.material = material


def _filled_conductivity(prob, k, ratio):
    """The resolved conductivity of ``k`` with the holes filled (``filled_holes.soften``: outside the
    domain ``ratio`` times the largest inside value, no domain), formed from ``prob.material``
    (``k`` resolved with its domain) instead of resolving the filled values again: inside the
    domain a component's resolved values are the ``Cells`` values, so ``where(domain, values,
    fill)`` is the same array, and it holds no value to check but the fill.  None where the fill
    is not a positive number (the filled values then meet the checks, and their messages, as
    before)."""
    from ..materials import Cells, Orthotropic
    from ..materials.conductivity import Conductivity, _component

    mat, grid = prob.material, prob.grid
    comps = list(k.components) if isinstance(k, Orthotropic) else [k]
    res = []
    for a, c in enumerate(comps):
        if isinstance(c, Cells) and c.domain is not None:
            v = mat.components[a][1]
            # the largest inside value: v is 0 outside and positive inside (checked), the domain not empty
            fill = ratio * float(np.max(v))
            if not (np.isfinite(fill) and fill > 0.0):
                return None
            res.append(("cells", np.where(mat.domain3, v, fill)))
        else:
            res.append(_component(c, grid, "k"))
    if isinstance(k, Orthotropic):
        return Conductivity(res + [res[0]] * (3 - grid.ndim), False, mat.shape3, mat.periodic3, None, mat.radial)
    return Conductivity(res * 3, True, mat.shape3, mat.periodic3, None, mat.radial)


class Problem:
    """A resolved Poisson problem: grid, conditions, coefficients, padded to 3 axes.

    Parameters
    ----------
    grid : Grid
    bc : boundary specification (every face needs a condition)
    k : None, number > 0, positive node array of ``grid.shape`` (node-sampled: harmonic-mean
        links), cell values (:class:`~fieldgrad.materials.Cells` or a bare array of the cell
        shape: links are the mean of the cells around each face) or
        :class:`~fieldgrad.materials.Orthotropic` (one of those per axis)
    screening : number >= 0 or non-negative array of ``grid.shape``
    contact : None or :class:`~fieldgrad.materials.Contact` -- interface resistance in series
        with the links between differently labelled nodes

    Attributes
    ----------
    shape3 : tuple of 3 ints
    h3 : tuple of 3 floats (1.0 on padded axes)
    periodic3 : tuple of 3 bools
    kinds3 : list of (lo, hi) kind names per axis (``None`` on padded axes)
    fixed1 : list of 3 bool arrays, ``fixed1[a][i]`` true where index ``i`` lies on a Dirichlet
        face of axis ``a``; a node is fixed when any axis says so.
    k_const : float or None (None unless ``k`` is one number and there is no contact)
    material : :class:`~fieldgrad.materials.Conductivity` -- the resolved ``k``
    k3 : float64 array of ``shape3`` -- the node conductivity (ones when ``k`` is None); for
        cell values the mean of the cells touching each node; for Orthotropic the x component
        (the boundary data of a face normal to axis ``a`` use ``material.node_k3(a)``)
    singular : bool -- pure Neumann/periodic, no screening: constants are in the null space.
    phi3 : float64 array of ``shape3`` or None -- with a domain (``Cells(..., domain=)``) the
        fraction of each node's control volume inside it: the rows are the finite-volume balance
        divided by the node's box volume, so the source enters as ``phi3 * f`` (heat steppers:
        the capacity of a node is ``phi3`` times its box share)
    outside3 : bool array of ``shape3`` or None -- nodes with no cell inside the domain (rows
        ``-c u = 0``, no links; they hold 0)
    surface : Dirichlet, Neumann, Robin or None -- the condition on the surface of the holes
        (``bc["surface"]``; None: insulated)
    surface_coef3 : float64 array of ``shape3`` or None -- ``S_i / V_i``: the surface's
        ``sum k_cell A`` at each node over the node's box volume (0 off the surface); ``k_cell``
        is the inside cell's conductivity, for Orthotropic the component normal to the face
    surface_nodes3 : bool array of ``shape3`` or None -- nodes touching the surface (the nodes a
        Dirichlet surface holds)

    Example
    -------
    >>> p = Problem(fg.Grid((5, 5)), fg.Dirichlet(0.0))
    >>> p.shape3, p.singular
    ((5, 5, 1), False)
    """

    #: Whether this class holds the nodes of a Dirichlet surface (:class:`~.held.HeldProblem` does).
    holds_surface = False

    def __init__(self, grid, bc, k=None, screening=0.0, contact=None):
        self.grid = require_grid(grid)
        grid.require_memory(8, what="a Poisson solve (about 8 fields with the multigrid levels)")
        self.bcs = resolve_bc(bc, grid, allow_surface=True)
        self.bcs.require_complete("solve_poisson")
        nd = grid.ndim
        self.ndim = nd
        self.shape3 = tuple(grid.shape) + (1,) * (3 - nd)
        self.h3 = tuple(grid.spacing) + (1.0,) * (3 - nd)
        self.periodic3 = tuple(grid.periodic) + (False,) * (3 - nd)
        self.material = k.material if isinstance(k, _Resolved) else resolve_conductivity(k, grid, "k")
        self.contact = resolve_contact(contact, grid, "contact")
        self.k_const = self.material.const if self.contact is None else None
        self.phi3 = self.material.volume_fraction()
        self.outside3 = None if self.phi3 is None else (self.phi3 == 0)
        if screening is None:
            screening = 0.0
        ss = check_coefficient(screening, grid, "screening", positive=False)
        self.s_const = ss if isinstance(ss, float) else None
        self.s3 = None if self.s_const is not None else pad3(np.ascontiguousarray(ss), nd)
        self.kinds3, self.conds3, self.fixed1 = [], [], []
        for a in range(3):
            n = self.shape3[a]
            fixed = np.zeros(n, dtype=np.bool_)
            if a >= nd:
                self.kinds3.append((None, None))
                self.conds3.append((None, None))
            else:
                lo, hi = self.bcs.on_axis(a)
                self.kinds3.append((lo.kind, hi.kind))
                self.conds3.append((lo, hi))
                if isinstance(lo, Dirichlet):
                    fixed[0] = True
                if isinstance(hi, Dirichlet):
                    fixed[-1] = True
                for c in (lo, hi):
                    if isinstance(c, Robin) and c.time_dependent:
                        for fld in ("alpha", "beta"):
                            v = getattr(c, fld)
                            if callable(v):
                                raise BoundaryError(f"Robin {fld} must not depend on time for solve_poisson "
                                                    "(only value may); give alpha and beta as numbers or arrays")
            self.fixed1.append(fixed)
        self.has_dirichlet = any(f.any() for f in self.fixed1)
        self.robin_alpha_zero = True
        for a in range(nd):
            for side, c in enumerate(self.conds3[a]):
                if isinstance(c, Robin):
                    alpha = c.evaluate("alpha", grid, grid.axis_names[a] + "-+"[side])
                    beta = c.evaluate("beta", grid, grid.axis_names[a] + "-+"[side])
                    if np.any(alpha / beta < 0):
                        raise BoundaryError(f"Robin on face {grid.axis_names[a] + '-+'[side]} has alpha/beta < 0 "
                                            "somewhere; solve_poisson needs alpha and beta of the same sign")
                    if np.any(alpha != 0):
                        self.robin_alpha_zero = False
        s_zero = (self.s_const == 0.0) if self.s_const is not None else not np.any(self.s3 > 0)
        self.singular = (not self.has_dirichlet) and self.robin_alpha_zero and s_zero
        self.has_robin = any(k == "robin" for pair in self.kinds3 for k in pair)
        self.m3, self.r_link3 = _cylindrical_factors(grid, self.shape3)
        self.surface = self.surface_coef3 = self.surface_nodes3 = None
        if self.bcs.surface is not None:
            self._resolve_surface(self.bcs.surface)
        # constant per-face Robin ratios allow the fast constant-coefficient path
        self.robin_scalar = True
        for a in range(nd):
            for c in self.conds3[a]:
                if isinstance(c, Robin) and not (np.ndim(c.alpha) == 0 and np.ndim(c.beta) == 0
                                                 and not callable(c.alpha) and not callable(c.beta)):
                    self.robin_scalar = False

    def _resolve_surface(self, cond):
        """Check the surface condition against the domain and form ``surface_coef3``."""
        if self.material.domain3 is None:
            raise BoundaryError(f"bc['surface'] = {cond!r} needs holes: give k as Cells(values, domain=mask) (the "
                                "surface is the staircase of cell faces between inside and outside cells); got k "
                                "without a domain")
        if self.m3 is not None:
            raise BoundaryError("bc['surface'] is not available on a cylindrical grid (the surface areas would need "
                                "the radius weights); accepted: a Cartesian grid, or no 'surface' (insulated holes)")
        if isinstance(cond, Dirichlet) and not self.holds_surface:
            raise BoundaryError("a Dirichlet bc['surface'] holds the surface nodes as a held region: build the problem "
                                "with fieldgrad.solvers.held.make_problem (what solve_poisson, PoissonSolver, solve_heat "
                                "and poisson_matrix do), not with Problem directly")
        comps = [v for _, v in self.material.components]
        S = surface_conductance(comps, self.material.domain3, self.shape3, self.h3, self.periodic3)
        vol = float(np.prod(self.h3)) * self.weights()  # the box volume each row is divided by
        self.surface = cond
        self.surface_coef3 = S / vol
        self.surface_nodes3 = S > 0
        if isinstance(cond, Robin):
            if cond.time_dependent:
                for fld in ("alpha", "beta"):
                    if callable(getattr(cond, fld)):
                        raise BoundaryError(f"Robin {fld} on the surface must not depend on time for solve_poisson "
                                            "(only value may); give alpha and beta as numbers or arrays")
            ratio = self._surface_ratio()[self.surface_nodes3]
            if np.any(ratio < 0):
                raise BoundaryError("Robin on the surface has alpha/beta < 0 at some surface node; solve_poisson "
                                    "needs alpha and beta of the same sign (a dissipative exchange)")
            self.has_robin = True
            if np.any(ratio != 0):
                self.robin_alpha_zero = False
                self.singular = False

    def take_surface(self, other):
        """Adopt the surface terms of ``other`` (a Problem with a domain): for the problem with
        the holes filled whose multigrid hierarchy preconditions ``other`` (:mod:`.poisson`)."""
        self.surface, self.surface_coef3, self.surface_nodes3 = other.surface, other.surface_coef3, other.surface_nodes3
        self.__dict__.pop("_spare_robin", None)  # (formed from the surface terms)
        self.has_robin = self.has_robin or other.has_robin
        self.robin_alpha_zero = self.robin_alpha_zero and other.robin_alpha_zero
        self.singular = self.singular and other.singular

    def _surface_ratio(self):
        """``alpha / beta`` of a Robin surface at the nodes (array of ``shape3``)."""
        c, g, on = self.surface, self.grid, self.surface_nodes()
        ratio = np.zeros(g.shape)
        ratio[on] = c.evaluate_nodes("alpha", g, at=on)[on] / c.evaluate_nodes("beta", g, at=on)[on]
        return pad3(ratio, self.ndim)

    def surface_nodes(self):
        """The nodes touching the surface as a bool array of ``grid.shape`` (None without a surface)."""
        return None if self.surface_nodes3 is None else unpad(self.surface_nodes3, self.grid.shape)

    # ----------------------------------------------------------------- small helpers
    @property
    def k3(self):
        """The node conductivity (see the class attributes), formed on first use."""
        return self.material.node_k3(0)

    @property
    def constant_coefficients(self):
        """True when k and screening are numbers and Robin ratios are per-face constants."""
        return self.k_const is not None and self.s_const is not None and self.robin_scalar and self.m3 is None

    def coupling_h3(self):
        """Spacings that give each axis its coupling strength, for multigrid's choice of axes to
        coarsen (:mod:`.mg_semicoarsen`): ``h3`` for an isotropic ``k``; for Orthotropic
        ``h_a / sqrt(k_a)`` with ``k_a`` the median of component ``a`` (exact for uniform
        components, so a uniform ``kx/ky = 1000`` semi-coarsens like a grid with that spacing
        ratio; an orthotropy confined to part of the domain is not seen)."""
        if self.material.isotropic:
            return self.h3
        out = []
        for a, (kind, v) in enumerate(self.material.components):
            kbar = v if kind == "const" else float(np.median(v[v > 0])) if np.any(v > 0) else 1.0
            out.append(self.h3[a] / np.sqrt(kbar) if self.shape3[a] > 1 else self.h3[a])
        return tuple(out)

    def fixed_mask(self):
        """Boolean array of ``shape3``: True on fixed (Dirichlet) nodes."""
        return self._with_fixed_planes(np.zeros(self.shape3, dtype=bool), True)

    def _with_fixed_planes(self, m, value):
        """``m`` (a bool array of ``shape3``) with ``value`` written on every fixed node, in place:
        the planes of the Dirichlet faces, not a full pass."""
        for a, f in enumerate(self.fixed1):
            if f.any():
                m[(slice(None),) * a + (f,)] = value
        return m

    def fixed_index(self):
        """Flat (C-order) indices of the fixed nodes, formed once (what :meth:`rhs` writes)."""
        if "_fixed_index" not in self.__dict__:
            self._fixed_index = np.flatnonzero(self.fixed_mask())
        return self._fixed_index

    def fixed_or_held_mask(self):
        """Boolean array of ``shape3``: every node whose value is given -- the Dirichlet nodes, and in
        :class:`~fieldgrad.solvers.held.HeldProblem` the held ones."""
        return self.fixed_mask()

    def weights1(self):
        """Per-axis symmetrising weights: 1/2 on Neumann/Robin boundary nodes, else 1."""
        out = []
        for a in range(3):
            w = np.ones(self.shape3[a])
            for side, kind in enumerate(self.kinds3[a]):
                if kind in ("neumann", "robin"):
                    w[0 if side == 0 else -1] *= 0.5
            out.append(w)
        return out

    def weights(self):
        """Array of ``shape3``: row scaling that makes the homogeneous operator symmetric."""
        wx, wy, wz = self.weights1()
        return wx[:, None, None] * wy[None, :, None] * wz[None, None, :]

    def _face_slice(self, a, side):
        sl = [slice(None)] * 3
        sl[a] = 0 if side == 0 else -1
        return tuple(sl)

    def _face3(self, arr, a):
        """Face array of the original grid -> broadcastable face array of the padded shape."""
        fshape = tuple(n for b, n in enumerate(self.shape3) if b != a)
        return np.asarray(arr, dtype=np.float64).reshape(fshape)

    def robin_diag(self):
        """Extra (negative) diagonal of A0 from Robin faces and a Robin surface: array of ``shape3``
        or None."""
        terms = self._robin_terms()
        if terms is None:
            return None
        d = np.zeros(self.shape3)
        d.flat[terms[0]] = terms[1]
        return d

    def _robin_terms(self):
        """:meth:`robin_diag` on the nodes it can touch (the Robin faces, the surface nodes): their
        flat indices (sorted) and the values, formed with the same subtractions in the same
        order, or None.  The terms :func:`check_domain_parts` formed are handed to the next call."""
        if not self.has_robin:
            return None
        spare = self.__dict__.pop("_spare_robin", None)
        if spare is not None:
            return spare
        faces, parts = [], []
        for a in range(self.ndim):
            for side, c in enumerate(self.conds3[a]):
                if isinstance(c, Robin):
                    face = self.grid.axis_names[a] + "-+"[side]
                    ratio = self._face3(c.evaluate("alpha", self.grid, face) / c.evaluate("beta", self.grid, face), a)
                    term = 2.0 * self.material.node_k3_face(a, side) * ratio * self.face_metric(a, side) / self.h3[a]
                    at = [np.arange(n) for n in self.shape3]
                    at[a] = np.array([0 if side == 0 else self.shape3[a] - 1])
                    idx = np.ravel_multi_index(np.meshgrid(*at, indexing="ij"), self.shape3).reshape(-1)
                    shape = tuple(1 if b == a else n for b, n in enumerate(self.shape3))
                    faces.append(idx)
                    parts.append((idx, np.broadcast_to(np.expand_dims(term, a) if np.ndim(term) == 2 else term,
                                                       shape).reshape(-1)))
        if isinstance(self.surface, Robin):
            on = self.surface_nodes3
            idx = np.flatnonzero(on)
            faces.append(idx)
            parts.append((idx, (self.surface_coef3 * self._surface_ratio())[on]))
        where = np.unique(np.concatenate(faces)) if faces else np.zeros(0, dtype=np.int64)
        vals = np.zeros(where.size)
        for idx, v in parts:  # (each part touches a node once: d[part] -= v as on the full array)
            pos = np.searchsorted(where, idx)
            vals[pos] -= v
        return where, vals

    def robin_diag1(self):
        """Robin diagonal as per-axis 1D arrays (constant coefficients only)."""
        out = [np.zeros(n) for n in self.shape3]
        for a in range(self.ndim):
            for side, c in enumerate(self.conds3[a]):
                if isinstance(c, Robin):
                    out[a][0 if side == 0 else -1] -= 2.0 * self.k_const * float(c.alpha) / float(c.beta) / self.h3[a]
        return out

    def screening3(self):
        """Screening as an array of ``shape3`` (or the scalar), times the :meth:`capacity_factor`
        (cylindrical grids, holes): a volume term like the source."""
        s = self.s_const if self.s3 is None else self.s3
        c = self.capacity_factor()
        return s if np.ndim(c) == 0 else s * c

    def face_metric(self, a, side):
        """Area factor of the Neumann/Robin terms on face ``(a, side)``: 1 (Cartesian); on a
        cylindrical grid the face radius on ``r`` faces and the volume factor on ``z`` faces."""
        if self.m3 is None:
            return 1.0
        if a == 0:
            return float(self.grid.coords[0][0 if side == 0 else -1])
        return self.m3[self._face_slice(a, side)]

    def scale_links(self, L):
        """Multiply the per-axis links ``L`` in place by the cylindrical area factors (``r`` at the
        link's midpoint on ``r`` links, the volume factor on ``z`` links); nothing on a Cartesian grid."""
        if self.m3 is not None:
            L[0] *= self.r_link3
            L[1] *= self.m3

    # ----------------------------------------------------------------- right-hand side
    def rhs(self, f, t=0.0):
        """Padded right-hand side ``b`` and initial guess with Dirichlet values.

        Parameters
        ----------
        f : ndarray of ``grid.shape`` (any float dtype)
        t : float
            Time for time-dependent boundary values.

        Returns
        -------
        b : float64 array of ``shape3`` -- ``f`` minus Neumann/Robin data terms at unknown nodes,
            the Dirichlet value at fixed nodes.
        ud : float64 array of ``shape3`` -- zero except the Dirichlet values on fixed nodes.
        """
        grid = self.grid
        b = np.array(pad3(np.asarray(f, dtype=np.float64), self.ndim), copy=True)
        if "_rhs_capacity" not in self.__dict__:  # (fixed with the problem: formed once)
            self._rhs_capacity = self.capacity_factor()
        c = self._rhs_capacity  # the source over each row's (inside, ring) volume
        if np.ndim(c):
            b *= c
        ud = np.zeros(self.shape3)
        for a in range(self.ndim):
            for side, c in enumerate(self.conds3[a]):
                face = grid.axis_names[a] + "-+"[side]
                sl = self._face_slice(a, side)
                if isinstance(c, Neumann):
                    g = self._face3(c.evaluate("flux", grid, face, t), a)
                    b[sl] -= 2.0 * self.material.node_k3_face(a, side) * g * self.face_metric(a, side) / self.h3[a]
                elif isinstance(c, Robin):
                    v = self._face3(c.evaluate("value", grid, face, t) / c.evaluate("beta", grid, face, t), a)
                    b[sl] -= 2.0 * self.material.node_k3_face(a, side) * v * self.face_metric(a, side) / self.h3[a]
        self._surface_rhs(b, t)
        # Dirichlet faces last, so edges shared with other faces hold the value
        for a in range(self.ndim):
            for side, c in enumerate(self.conds3[a]):
                if isinstance(c, Dirichlet):
                    face = grid.axis_names[a] + "-+"[side]
                    sl = self._face_slice(a, side)
                    ud[sl] = self._face3(c.evaluate("value", grid, face, t), a)
        fi = self.fixed_index()
        b.reshape(-1)[fi] = ud.reshape(-1)[fi]
        return b, ud

    def _surface_rhs(self, b, t):
        """Subtract the Neumann / Robin surface data ``S_i g / V_i`` or ``S_i v / (beta V_i)`` from ``b``."""
        c, g = self.surface, self.grid
        on = self.surface_nodes()
        if isinstance(c, Neumann):
            data = c.evaluate_nodes("flux", g, t, at=on)
        elif isinstance(c, Robin):
            data = np.zeros(g.shape)
            data[on] = c.evaluate_nodes("value", g, t, at=on)[on] / c.evaluate_nodes("beta", g, t, at=on)[on]
        else:
            return
        on3 = self.surface_nodes3
        b[on3] -= (self.surface_coef3 * pad3(data, self.ndim))[on3]

    def compatibility(self, b):
        """Weighted sum ``sum(w * b)`` over all nodes, ``sum(w * |b|)`` and ``sum(w * c)`` (singular
        problems; ``c`` the :meth:`capacity_factor`): ``b - c * s / sum(w * c)`` is compatible."""
        w = self.weights()
        c = self.capacity_factor()
        return float(np.sum(w * b)), float(np.sum(w * np.abs(b))), float(np.sum(w * c))

    def capacity_factor(self):
        """What a source or a heat capacity is multiplied by in each row: the volume factor ``m``
        (cylindrical grids) times the inside fraction ``phi3`` (domains with holes; 0 on nodes
        outside), an array of ``shape3`` or the scalar 1."""
        c = self.volume_factor()
        return c if self.phi3 is None else c * self.phi3

    def volume_factor(self):
        """The factor ``m`` of ``shape3`` by which rows are scaled (cylindrical: ``r`` inside,
        ``r_b +- h/4`` on the boundary nodes, the dual-cell volume over ``h``), or the scalar 1."""
        return 1.0 if self.m3 is None else self.m3

    def link_coefficients(self):
        """Conductance ``k_face / h^2`` of the link from each node to its +1 neighbour per axis
        (index ``n-1`` holds the wrap link on a periodic axis, else 0): three arrays of ``shape3``.

        The one place face conductances are formed: a node-sampled component takes the harmonic
        mean of the two nodes, a cell component the mean of the cells around the face
        (:func:`fieldgrad.materials.faces.cell_links`), then a contact resistance is put in
        series (:func:`fieldgrad.materials.faces.apply_contact`).

        Each call returns arrays of its own (the caller may change them); the ones
        :func:`check_domain_parts` formed and only read are handed to the next call."""
        from .mg_links import links_from_k

        spare = self.__dict__.pop("_spare_links", None)
        if spare is not None:
            return spare
        mat = self.material
        L = [None, None, None]
        comps = mat.components
        for a in range(3):
            kind, v = comps[a]
            if kind == "cells":
                if a == 0 and comps[1][1] is v:  # the same cells along y (isotropic): both in one pass
                    both = cell_links_xy(v, self.shape3, self.h3, self.periodic3, self.material.radial)
                    if both is not None:
                        L[0], L[1] = both
                if L[a] is None:
                    L[a] = cell_links(v, a, self.shape3, self.h3, self.periodic3, self.material.radial)
            elif kind == "const":
                L[a] = np.full(self.shape3, v / self.h3[a] ** 2 if self.shape3[a] > 1 else 0.0)
                if not self.periodic3[a]:
                    L[a][self._face_slice(a, 1)] = 0.0
            elif L[a] is None:
                out = [np.empty(self.shape3) for _ in range(3)]
                links_from_k(np.ascontiguousarray(v), *self.h3, *self.periodic3, *out)
                for b in range(a, 3):  # the same node array serves the later axes
                    if comps[b][1] is v:
                        L[b] = out[b]
        if self.contact is not None:
            for a in range(self.ndim):
                apply_contact(L[a], a, self.contact.labels3, self.contact.pair_resistance, self.h3[a])
        self.scale_links(L)
        return L

    def links_diag(self):
        """The operator A0 as links plus diagonal (see :mod:`fieldgrad.solvers.mg_links`):
        ``(Lx, Ly, Lz, D, tables)`` with ``Lx, Ly, Lz`` from :meth:`link_coefficients` and
        ``tables`` the per-axis ``(nb, wt)`` of :func:`~fieldgrad.solvers.mg_links.axis_tables`.
        Four arrays of ``shape3``."""
        from .mg_links import axis_tables, diag_from_links

        L = self.link_coefficients()
        tables = [axis_tables(n, p) for n, p in zip(self.shape3, self.periodic3)]
        D = np.empty(self.shape3)
        diag_from_links(*L, *tables[0], *tables[1], *tables[2], D)
        if self.s3 is not None or self.s_const != 0.0:
            s = self.screening3()
            if np.any(s != 0.0):
                D -= s
        rd = self._robin_terms()
        if rd is not None:
            # D += robin_diag() without the full array: + 0.0 everywhere (what that sum does off the
            # Robin nodes: -0.0 becomes 0.0), then the terms on their nodes
            D += 0.0
            D.flat[rd[0]] += rd[1]
        self._outside_rows(D)
        return L[0], L[1], L[2], D, tables

    def _outside_rows(self, D):
        """Nodes outside the domain (no cell of theirs inside) keep no links; their rows become
        ``-c u = 0``.  ``c`` is 1e-3 of the mean inside diagonal: the Galerkin coarse operators
        then all but ignore these nodes (MG-CG on this hierarchy around an insulated hole: 7
        iterations at 65^2, 129^2 and 257^2; with ``c`` the full mean diagonal 11, 13, 19).  These
        rows serve the direct solve, plain multigrid and the CUDA path; MG-CG on the CPU
        preconditions with the filled-hole hierarchy instead (:mod:`.poisson`)."""
        if self.outside3 is not None and self.outside3.any():
            inside = D[~self.outside3]
            np.abs(inside, out=inside)  # (in place: one temporary fewer)
            D[self.outside3] = -1e-3 * float(np.mean(inside))

    def stencil7(self):
        """Explicit 7-point stencil of A0: ``(coef, offsets)`` with ``coef`` of shape
        ``(7, *shape3)`` (a view of point-major storage ``(*shape3, 7)``) and ``(A0 u)[x] = sum_s coef[s, x] * u[x + offsets[s]]`` (wrapping on
        periodic axes; entries that would leave the grid are zero)."""
        offsets = np.array([[0, 0, 0], [-1, 0, 0], [1, 0, 0], [0, -1, 0], [0, 1, 0], [0, 0, -1], [0, 0, 1]],
                           dtype=np.int64)
        # point-major storage (the 7 values of a node are adjacent, what the kernels read);
        # ``coef[s]`` is a strided view
        coef = np.moveaxis(np.zeros(self.shape3 + (7,)), -1, 0)
        links = self.link_coefficients()
        for a in range(3):
            n = self.shape3[a]
            if n == 1:
                continue
            L = links[a]
            Lm = np.roll(L, 1, axis=a)  # link to the -1 neighbour
            cm, cp = coef[1 + 2 * a], coef[2 + 2 * a]
            cm[...] = Lm
            cp[...] = L
            if not self.periodic3[a]:
                lo, hi = self._face_slice(a, 0), self._face_slice(a, 1)
                # reflected ghost: the outside link doubles the inside one
                cp[lo] = 2 * L[lo]
                cm[lo] = 0.0
                cm[hi] = 2 * Lm[hi]
                cp[hi] = 0.0
            coef[0] -= cm + cp
        s = self.screening3()
        coef[0] -= s
        rd = self.robin_diag()
        if rd is not None:
            coef[0] += rd
        self._outside_rows(coef[0])
        return coef, offsets
