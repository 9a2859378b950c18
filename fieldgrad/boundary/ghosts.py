"""Ghost-node and boundary-value fills for the conditions of :mod:`fieldgrad.boundary.conditions`.

Boundary handling is kept apart from the stencils: an operator asks this module for one
ghost value per boundary node and per axis (a face-shaped array), then runs a kernel that
reads those ghosts where a neighbour would fall outside the grid.  One kernel therefore
serves every kind of condition.

Face names are ``"x-", "x+", "y-", "y+", "z-", "z+"``; in a specification ``"x"`` means both
x faces and ``"*"`` every face not named otherwise.  Periodic axes come from the grid.

The ghost formulas themselves live in :mod:`fieldgrad.boundary.rules` (one affine rule per face
kind); this module gathers the node layers the rules read -- through the held values of
Dirichlet faces, so the field is never copied or written -- and applies them into buffers
(:class:`GhostPlan`; the heat steppers keep one for their whole run).  The order-2 Laplacian's
sweep applies the number-weight rules itself: :func:`held_sweep_inputs` gives it the rules as
weights and the held values and offsets as face arrays, kept between calls.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..errors import ParameterError, describe
from .conditions import Dirichlet, Neumann, Periodic, resolve_bc
from .rules import ghost_conductivity, ghost_rule, neighbour_rule, order4_rules
from ..grid import axis_slice as _face_slice


# ---------------------------------------------------------------------------- boundary values
def dirichlet_faces(bcs):
    """Faces whose nodes carry a prescribed value (Dirichlet)."""
    return [f for f, c in bcs.faces.items() if isinstance(c, Dirichlet)]



def apply_bc(u, grid, bc, t=0.0):
    """Write Dirichlet values into the boundary nodes of ``u`` in place.

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    grid : Grid
    bc : boundary specification (see :func:`resolve_bc`)
    t : float
        Time for time-dependent values.

    Returns
    -------
    ndarray
        ``u`` itself.

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid
    >>> u = apply_bc(np.zeros((3, 3)), Grid((3, 3)), {"x-": Dirichlet(1.0)})
    >>> u[0].tolist()
    [1.0, 1.0, 1.0]
    """
    bcs = resolve_bc(bc, grid)
    if not isinstance(u, np.ndarray) or u.dtype.kind != "f":
        raise ParameterError(f"u = {describe(u)} cannot take boundary values in place; accepted: a float32 or "
                             "float64 array (an integer array would truncate them)")
    grid.check_shape(u, "u")
    for face in dirichlet_faces(bcs):
        axis, side = grid.parse_face(face)
        u[_face_slice(grid.ndim, axis, 0 if side == 0 else -1)] = bcs[face].evaluate("value", grid, face, t, u.dtype)
    return u


def with_dirichlet(u, grid, bcs, t=0.0):
    """``u`` if its Dirichlet faces already hold the prescribed values, else a copy that does.

    The check touches only the faces, so the common case (a solution that satisfies its own
    conditions) costs no copy.
    """
    out = u
    for face in dirichlet_faces(bcs):
        axis, side = grid.parse_face(face)
        sl = _face_slice(grid.ndim, axis, 0 if side == 0 else -1)
        vals = bcs[face].evaluate("value", grid, face, t, u.dtype)
        if not np.array_equal(out[sl], vals):
            if out is u:
                out = u.copy()
            out[sl] = vals
    return out


def _outward_derivative(cond, grid, face, ub, t, dtype):
    """Outward normal derivative prescribed on a Neumann or Robin face (depends on ``ub`` for Robin)."""
    if isinstance(cond, Neumann):
        return cond.evaluate("flux", grid, face, t, dtype)
    alpha = cond.evaluate("alpha", grid, face, t, dtype)
    beta = cond.evaluate("beta", grid, face, t, dtype)
    value = cond.evaluate("value", grid, face, t, dtype)
    return (value - alpha * ub) / beta


def held_values(rules):
    """Face -> held boundary value for the Dirichlet rules, in face order (later faces win at edges)."""
    return {f: r.held for f, r in rules.items() if r.held is not None}


def node_layers(arr, grid, axis, side, count, held=None):
    """The first ``count`` node layers of ``arr`` inward from a face, read through the held values.

    ``held`` maps faces to the values their boundary nodes take (:func:`held_values`); a layer
    that lies on a held face, and the edges of layers that touch one, read those values, as if
    they had been written into ``arr`` in face order.  ``arr`` itself is never written.
    """
    layers = inward_layers(arr, axis, side, count)
    if not held:
        return layers
    n = arr.shape[axis]
    layers = [np.array(layer, copy=True) for layer in layers]
    for m, layer in enumerate(layers):
        idx = m if side == 0 else n - 1 - m
        for face, value in held.items():
            b, sb = grid.parse_face(face)
            at = 0 if sb == 0 else arr.shape[b] - 1
            if b == axis:
                if at == idx:
                    layer[...] = value
                continue
            # the layer's edge on face b, and the held face's row at this layer's index
            bl = b if b < axis else b - 1
            al = axis if axis < b else axis - 1
            layer[_face_slice(layer.ndim, bl, at)] = value[_face_slice(value.ndim, al, idx)]
    return layers


class GhostPlan:
    """Ghost values of every face from the rule table (:mod:`fieldgrad.boundary.rules`), into buffers
    that live as long as the plan.

    Parameters
    ----------
    grid : Grid
    bcs : BoundaryConditions
    derivative : {1, 2}
        Which extrapolation Dirichlet / unconstrained faces use.
    dtype : numpy dtype
    k : None or ndarray
        Conductivity for ``div(k grad u)``: Neumann/Robin ghosts carry the flux ``k_0 g`` and
        ghost conductivities are built (constant).
    hold : bool
        Read Dirichlet faces' nodes through their held values (operators, whose input is not
        written).  ``False`` for steppers and blocks that write the values into the field themselves.
    skip_dirichlet : bool, optional
        Leave Dirichlet ghosts at zero (a stepper overwrites the boundary node, so its ghost is
        unused); default ``not hold``.
    cut : set of face names
        Faces cut by a domain decomposition: their rule is the neighbour rule, fed by ``halos``
        in :meth:`fill` (and ``khalos``, face -> conductivity halo, here).

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid, Neumann, resolve_bc
    >>> g = Grid((4, 5))
    >>> plan = GhostPlan(g, resolve_bc(Neumann(1.0), g), 2, np.float64)
    >>> float(plan.fill(np.zeros(g.shape))[0][0][0])  # u_1 + 2 h g with h = 1/3
    0.6666666666666666
    """

    def __init__(self, grid, bcs, derivative, dtype, k=None, hold=True, skip_dirichlet=None, cut=(), khalos=None):
        self.grid, self.bcs, self.derivative, self.dtype = grid, bcs, derivative, np.dtype(dtype)
        self.k, self.hold = k, hold
        self.skip_dirichlet = (not hold) if skip_dirichlet is None else skip_dirichlet
        self.cut = frozenset(cut)
        self.time_dependent = bcs.time_dependent
        self.klayers = {}
        if k is not None:
            for face in grid.faces:
                if face not in self.cut:
                    axis, side = grid.parse_face(face)
                    self.klayers[face] = inward_layers(k, axis, side, min(3, grid.shape[axis]))
        self._t = None
        self._rules_at(0.0)
        self.buffers = {f: np.zeros(grid.face_shape(f), dtype=self.dtype) for f in grid.faces if f not in self.cut}
        self.current = dict(self.buffers)
        self.kghosts = None
        if k is not None:
            self.kghosts = {}
            for face, rule in self.rules.items():
                axis, side = grid.parse_face(face)
                if rule.source == "halo":
                    kl = [khalos[face]]
                elif rule.source == "opposite":
                    kl = inward_layers(k, axis, 1 - side, 1)
                else:
                    kl = self.klayers[face]
                self.kghosts[face] = np.ascontiguousarray(ghost_conductivity(rule, kl), dtype=self.dtype)

    def _rules_at(self, t):
        if self._t is not None and (not self.time_dependent or t == self._t):
            return self.rules
        grid = self.grid
        self.rules = {}
        for face in grid.faces:
            if face in self.cut:
                self.rules[face] = neighbour_rule()
                continue
            kl = self.klayers.get(face)
            self.rules[face] = ghost_rule(self.bcs[face], grid, face, self.derivative, t, self.dtype,
                                          None if kl is None else (kl[0], kl[1]))
        self.held = held_values(self.rules) if self.hold else {}
        self._t = t
        return self.rules

    def fill(self, u, t=0.0, halos=None, skip=()):
        """Ghost values of ``u`` at time ``t``: a list of (lo, hi) face-array pairs per axis (the
        plan's buffers, overwritten by the next call; on cut faces the halos themselves).

        ``halos`` maps each cut face to the layer its neighbour sent (the neighbour rule's input);
        a cut face missing from it keeps its previous value (set ``current[face]`` once it arrives).
        Faces in ``skip`` are left as they are (a sweep that applies their rule itself).
        """
        grid = self.grid
        rules = self._rules_at(t)
        for face, rule in rules.items():
            if face in skip:
                continue
            if rule.source == "halo":
                if halos and face in halos:  # the neighbour rule is the halo itself: no copy
                    self.current[face] = halos[face]
                continue
            if self.skip_dirichlet and rule.kind == "dirichlet":
                continue
            axis, side = grid.parse_face(face)
            out = self.buffers[face]
            if rule.source == "opposite":
                layers = node_layers(u, grid, axis, 1 - side, rule.depth, self.held)
            elif not self.held and _edge_ghost(u, rule, axis, side, out):
                continue
            else:
                layers = node_layers(u, grid, axis, side, min(rule.depth, grid.shape[axis]), self.held)
            rule.apply(layers, out=out)
        return self.pairs()

    def pairs(self):
        b, names = self.current, self.grid.axis_names
        return [(b.get(a + "-"), b.get(a + "+")) for a in names]  # None: a cut face still waiting

    def kpairs(self):
        """Ghost conductivities per axis, or ``None`` without ``k``."""
        if self.kghosts is None:
            return None
        return [(self.kghosts[a + "-"], self.kghosts[a + "+"]) for a in self.grid.axis_names]


def ghost_layers(u, grid, bcs, derivative, t=0.0, k=None):
    """Ghost values one node outside every face, for second-order operators (see
    :class:`GhostPlan`; Dirichlet faces read their held values, ``u`` is not written).

    Parameters
    ----------
    u : ndarray of ``grid.shape``
    grid : Grid
    bcs : BoundaryConditions
    derivative : {1, 2}
        Which extrapolation a Dirichlet / unconstrained face uses: one exact for quadratics
        (first derivatives) or for cubics (second derivatives).
    t : float
    k : ndarray or None
        Conductivity for ``div(k grad u)``.  With ``k`` the Neumann/Robin ghost is scaled so that
        the boundary flux is ``k_b * g``, and ghost conductivities are returned too.

    Returns
    -------
    list of (lo, hi) pairs
        Face-shaped ghost arrays per axis; with ``k`` given, a second list of the same form
        holding the ghost conductivities.
    """
    plan = GhostPlan(grid, bcs, derivative, u.dtype, k=k)
    ghosts = plan.fill(u, t)
    return (ghosts, plan.kpairs()) if k is not None else ghosts


def _edge_ghost(u, rule, axis, side, out):
    """Ghosts of a face normal to the contiguous axis in one Numba pass over the row ends, for a
    rule with number coefficients read inward; ``False`` where the general path applies."""
    nd = u.ndim
    if axis != nd - 1 or nd < 2 or not u.flags.c_contiguous or not rule.scalar_weights or rule.depth > 4 \
            or rule.depth > u.shape[-1]:
        return False
    from ..kernels.cpu import edge_ghost

    n = u.shape[-1]
    c = [u.dtype.type(x) for x in rule.weights] + [u.dtype.type(0)] * (4 - rule.depth)
    add = np.ascontiguousarray(np.broadcast_to(rule.offset, out.shape), dtype=u.dtype)
    edge_ghost(u.reshape(-1, n), side, *c, add.reshape(-1), out.reshape(-1))
    return True


def inward_layers(arr, axis, side, count):
    """The first ``count`` node layers of ``arr`` inward from a face: a contiguous array of shape
    ``(count, *face_shape)`` for faces normal to the last axis, else a list of views.

    Faces normal to the contiguous last axis are gathered by a parallel Numba pass that reads
    each row's ends once; NumPy's strided slicing would stream the whole array per layer.
    """
    n = arr.shape[axis]
    idx = np.arange(count) if side == 0 else n - 1 - np.arange(count)
    if axis == arr.ndim - 1 and arr.ndim > 1:
        from ..kernels.cpu import gather_columns

        out = np.empty((count,) + arr.shape[:-1], dtype=arr.dtype)
        gather_columns(np.ascontiguousarray(arr).reshape(-1, n), idx, out.reshape(count, -1))
        return out
    return [arr[_face_slice(arr.ndim, axis, int(i))] for i in idx]  # views: no copy needed


def min_nodes(bcs, derivative):
    """Fewest nodes each non-periodic axis needs for the one-sided closures in use."""
    need = []
    for axis in range(bcs.grid.ndim):
        lo, hi = bcs.on_axis(axis)
        if isinstance(lo, Periodic):
            need.append(3)
        elif any(c is None or isinstance(c, Dirichlet) for c in (lo, hi)):
            need.append(3 if derivative == 1 else 4)
        else:
            need.append(2)
    return need


def padded_with_ghosts(u, grid, bcs, t=0.0):
    """``u`` padded with two ghost layers per side, filled for the fourth-order operators.

    Periodic axes wrap; Dirichlet and unconstrained faces extrapolate with a degree-5
    polynomial (fourth-order derivatives at and near the boundary); Neumann and Robin faces use
    the degree-5 polynomial that matches the prescribed normal derivative, so they stay fourth
    order too.  Only face layers are filled: the order-4 stencils are axis-aligned.

    Returns
    -------
    ndarray of shape ``grid.shape + 4`` per axis.
    """
    nd = grid.ndim
    p = np.zeros(tuple(n + 4 for n in grid.shape), dtype=u.dtype)
    p[tuple(slice(2, -2) for _ in range(nd))] = u
    rules = {f: order4_rules(bcs[f], grid, f, t, u.dtype) for f in grid.faces}
    held = held_values({f: r[0] for f, r in rules.items()})
    for f, value in held.items():  # the held values enter the padded copy itself
        axis, side = grid.parse_face(f)
        p[tuple(slice(2, -2) if a != axis else (2 if side == 0 else grid.shape[axis] + 1) for a in range(nd))] = value
    inner = tuple(slice(2, -2) for _ in range(nd))
    for axis in range(nd):
        n = grid.shape[axis]
        for side in (0, 1):
            face = grid.axis_names[axis] + "-+"[side]
            for layer, rule in zip((1, 2), rules[face]):  # ghost at s = -layer
                from_side = 1 - side if rule.source == "opposite" else side
                layers = node_layers(u, grid, axis, from_side, rule.depth, held)
                idx = list(inner)
                idx[axis] = 2 - layer if side == 0 else n + 1 + layer
                p[tuple(idx)] = rule.apply(layers)
    return p


# ---------------------------------------------------------------- inputs of the held-value sweep
_SWEEP_PLANS = OrderedDict()
_SWEEP_PLANS_SIZE = 8


def _value_state(cond):
    """What a condition's values are made of, to tell later whether a cached sweep plan still holds:
    numbers by value, callables by identity (their results are cached per time by the condition
    itself), arrays by identity and a copy of their contents (they may be changed in place)."""
    if cond is None:
        return ()
    state = []
    for name in cond._fields:
        v = getattr(cond, name)
        if callable(v):
            state.append(("callable", v, None))
        elif isinstance(v, np.ndarray):
            state.append(("array", v, v.copy()))
        else:
            state.append(("number", v, None))
    return tuple(state)


def _same_state(a, b):
    if len(a) != len(b):
        return False
    for (ka, va, ca), (kb, vb, _) in zip(a, b):
        if ka != kb:
            return False
        if ka == "number":
            if type(va) is not type(vb) or not va == vb:
                return False
        elif va is not vb or (ka == "array" and not np.array_equal(ca, vb)):
            return False
    return True


def _compact_face(vals, vshape_face, const_shape, dtype):
    """A face array for the sweep: ``const_shape`` filled with the value when it is one number over the
    face, else a C-contiguous array of the view's face shape."""
    a = np.asarray(vals, dtype=dtype)
    if a.ndim == 0 or a.size == 0 or np.all(a == a.flat[0]):
        return np.full(const_shape, a.flat[0] if a.size else 0, dtype=dtype)
    # always a new, writable array: one compiled sweep per dtype and input writability (a read-only
    # view from a condition would make another signature)
    return np.array(np.broadcast_to(a, vshape_face).reshape(vshape_face), dtype=dtype, order="C", copy=True)


def _sweep_rule_takes_weights(rule):
    """True when the sweep applies ``rule`` itself: number weights read from a face (this one or the
    opposite one), at most four deep; other rules (array weights) reach it as precomputed ghosts."""
    return rule.source in ("inward", "opposite") and rule.scalar_weights and rule.depth <= 4


class _SweepPlan:
    """Everything the held-value sweep needs that does not depend on the field: the rules as weights,
    the held values and offsets as (compact) face arrays, the faces whose ghosts are computed per
    call.  Built for one time ``t`` (kept for every ``t`` when no condition depends on time)."""

    def __init__(self, vshape, grid, bcs, t, derivative, dtype, writeable):
        nd, first = grid.ndim, 3 - grid.ndim
        nx, ny, nz = vshape
        self.conds = dict(bcs.faces)  # holding them keeps their ids unique while cached
        self.state = {f: _value_state(c) for f, c in bcs.faces.items()}
        self.t, self.time_dependent = t, bcs.time_dependent
        rules = {face: ghost_rule(bcs[face], grid, face, derivative, t, dtype) for face in grid.faces}
        self.held_map = held_values(rules)
        w = np.zeros((6, 6), dtype=np.float64)
        w[:, 5] = -1
        held, hs, ds, self.given = 0, [], [], []
        for f in range(6):
            va, side = divmod(f, 2)
            vface = tuple(n for a, n in enumerate(vshape) if a != va)
            const = (1, nz) if va < 2 else (1, 1)
            if va < first:  # a dummy leading axis: the ghost is the node itself (times a zero 1/h^2)
                w[f] = (1, 0, 0, 0, 0, 0)
                hs.append(np.zeros(const, dtype=dtype))
                ds.append(np.zeros(const, dtype=dtype))
                continue
            face = grid.axis_names[va - first] + "-+"[side]
            r = rules[face]
            if r.held is not None:
                held |= 1 << f
                hs.append(_compact_face(r.held, vface, const, dtype))
            else:
                hs.append(np.zeros(const, dtype=dtype))
            if _sweep_rule_takes_weights(r):
                w[f, :r.depth] = r.weights
                w[f, 4] = r.source == "opposite"
                unit = [m for m, c in enumerate(r.weights) if c != 0]
                if len(unit) == 1 and r.weights[unit[0]] == 1 and np.ndim(r.offset) == 0 and r.offset == 0:
                    w[f, 5] = unit[0]  # the ghost is a node of the held field: read it in place
                ds.append(_compact_face(r.offset, vface, const, dtype))
            else:
                self.given.append((f, face, r, vface))
                ds.append(None)
        self.w, self.held, self.hs, self.ds = w, held, hs, ds
        self.writeable = writeable
        if not writeable:  # the sweep picks rows from these and from u: typed like u's planes
            for a in hs + [d for d in ds if d is not None]:
                a.flags.writeable = False

    def valid_for(self, bcs, t):
        if self.time_dependent and t != self.t:
            return False
        return all(self.conds.get(f) is c and _same_state(self.state[f], _value_state(c))
                   for f, c in bcs.faces.items())


def _sweep_plan(vshape, grid, bcs, t, derivative, dtype, writeable):
    key = (grid, tuple(vshape), np.dtype(dtype).str, derivative, bool(writeable),
           tuple((f, id(c)) for f, c in bcs.faces.items()))
    plan = _SWEEP_PLANS.get(key)
    if plan is not None and plan.valid_for(bcs, t):
        _SWEEP_PLANS.move_to_end(key)
        return plan
    plan = _SweepPlan(vshape, grid, bcs, t, derivative, dtype, writeable)
    _SWEEP_PLANS[key] = plan
    while len(_SWEEP_PLANS) > _SWEEP_PLANS_SIZE:
        _SWEEP_PLANS.popitem(last=False)
    return plan


def held_sweep_inputs(u, grid, bcs, t=0.0, derivative=2, threads=2):
    """The inputs of the held-value sweep :func:`fieldgrad.kernels.cpu.laplacian_held_3d` for ``u``,
    from the rule table: nothing is copied or written.

    The sweep sees ``u`` as 3D (1D and 2D data get leading axes of one node whose ghosts are the data
    itself; give them a zero inverse spacing) and applies every rule with number weights itself;
    only faces whose rule has array weights (Robin with an array ``alpha`` or ``beta``) get their
    ghosts computed here.  Everything that does not depend on ``u`` is kept between calls (a few
    plans, keyed by the grid, dtype and the condition objects; a condition whose numbers or arrays
    changed since, or a new ``t`` for time-dependent conditions, builds a new plan).

    Parameters
    ----------
    u : C-contiguous float array of ``grid.shape``
    grid : Grid
    bcs : BoundaryConditions
    derivative : {1, 2}
        The extrapolation of Dirichlet / unconstrained faces (see :class:`GhostPlan`).
    t : float
    threads : int
        Threads the sweep runs on (sets the rows per block).

    Returns
    -------
    tuple
        ``(u3, w, held, hx0, hx1, hy0, hy1, hz0, hz1, dx0, dx1, dy0, dy1, dz0, dz1, sw, sr, jb)``.

    Example
    -------
    >>> import numpy as np
    >>> from fieldgrad import Grid, Dirichlet, resolve_bc
    >>> g = Grid((4, 5))
    >>> args = held_sweep_inputs(np.zeros(g.shape), g, resolve_bc({"x-": Dirichlet(1.0)}, g))
    >>> args[0].shape, int(args[2]), args[5].tolist()
    ((1, 4, 5), 4, [[1.0, 1.0, 1.0, 1.0, 1.0]])
    """
    nd, dtype = grid.ndim, u.dtype
    u3 = u.reshape((1,) * (3 - nd) + u.shape)
    nx, ny, nz = u3.shape
    plan = _sweep_plan(u3.shape, grid, bcs, t, derivative, dtype, u.flags.writeable)
    ds = list(plan.ds)
    for f, face, r, vface in plan.given:  # rules with array weights: their ghosts, through the held values
        axis, side = grid.parse_face(face)
        frm = 1 - side if r.source == "opposite" else side
        g = r.apply(node_layers(u, grid, axis, frm, min(r.depth, grid.shape[axis]), plan.held_map),
                    out=np.empty(grid.face_shape(face), dtype=dtype))
        g = np.ascontiguousarray(g.reshape(vface))
        if not u.flags.writeable:
            g.flags.writeable = False
        ds[f] = g
    per_block = max(1, (1 << 18) // (3 * nz * dtype.itemsize))  # three planes' rows in 256 kB
    jb = max(1, min(per_block, -(-ny // (4 * max(1, threads)))))
    sw = np.empty((4 * (-(-ny // jb)), nz), dtype=dtype)
    sr = sw
    if not u.flags.writeable:
        sr = sw.view()
        sr.flags.writeable = False
    return (u3, plan.w, plan.held, *plan.hs, *ds, sw, sr, jb)
