"""The boundary rule table: every face kind as an affine ghost rule, written once.

A ghost node lies one spacing ``h`` outside a face.  For every kind of face its value is

    ghost = sum_m c_m * u_m + d

where ``u_m`` is the ``m``-th node inward from the face (``u_0`` the boundary node), the
coefficients ``c_m`` are numbers (face arrays only for a Robin face with array ``alpha`` or
``beta``) and the offset ``d`` is a number or a face array (it carries the prescribed flux or
value, and follows time for time-dependent conditions).  Two kinds read other nodes: a periodic
face counts ``m`` from the *opposite* face, and a cut face of a decomposed domain
(``"neighbour"``) takes the halo the neighbour sent.  A Dirichlet face additionally *holds* its
boundary node at the prescribed value: consumers read the held value wherever the stencil reads
that node, so nothing needs to be written into the field.

Order 2 (``h`` the spacing normal to the face, ``g`` the outward normal derivative):

=========== ===================================== ========================================
kind        ghost                                 face conductivity (``div(k grad u)``)
=========== ===================================== ========================================
dirichlet   ``3u_0 - 3u_1 + u_2`` (first          ghost ``k`` = ``3k_0 - 3k_1 + k_2`` where
            derivatives) or ``4u_0 - 6u_1 + 4u_2  positive, else ``k_0``
            - u_3`` (second), ``u_0`` held
none        the same extrapolation, ``u_0`` free  the same
neumann     ``u_1 + 2 h s g``                     ghost ``k`` = ``k_1``; ``s = k_0 / k_half``
robin       ``u_1 + 2 h s (v - a u_0) / b``       as neumann
periodic    ``u_0`` of the opposite face          ``k_0`` of the opposite face
neighbour   the halo node                         the halo conductivity
=========== ===================================== ========================================

``k_half`` is the harmonic mean of ``k_0`` and ``k_1`` (the face conductivity the interior
stencil uses), so the boundary node's half-cell balance carries the flux ``k_0 g``; without
``k``, ``s = 1``.  Order 4 uses two ghost layers from degree-5 polynomials (:func:`order4_rules`).

Example
-------
>>> r = ghost_rule(fg.Neumann(1.0), fg.Grid((5,)), "x+", derivative=2)
>>> r.kind, r.weights, float(r.offset)
('neumann', (0.0, 1.0), 0.5)
"""
from __future__ import annotations

import numpy as np

from .conditions import Dirichlet, Neumann, Periodic, Robin

__all__ = ["GhostRule", "ghost_rule", "neighbour_rule", "order4_rules", "ghost_conductivity", "flux_scale",
           "EXTRAPOLATION", "KINDS"]

KINDS = ("dirichlet", "none", "neumann", "robin", "periodic", "neighbour")

#: Polynomial extrapolation weights of the one-sided closures, by the derivative they serve:
#: exact for quadratics (first derivatives) and for cubics (second derivatives).
EXTRAPOLATION = {1: (3.0, -3.0, 1.0), 2: (4.0, -6.0, 4.0, -1.0)}


class GhostRule:
    """One face's ghost rule: ``ghost = sum_m weights[m] * u_m + offset``.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    weights : tuple
        ``c_m`` for ``m = 0, 1, ...`` (numbers, or face arrays).
    offset : float or ndarray
        ``d`` (a number or a face array).
    source : {"inward", "opposite", "halo"}
        Where ``u_m`` is counted from: this face, the opposite face (periodic), or the halo
        planes a neighbour sent (``u_0`` is then the halo node).
    held : None or ndarray
        Dirichlet: the value the boundary node takes (a face array); ``u_0`` in ``weights``
        means this value.
    """

    __slots__ = ("kind", "weights", "offset", "source", "held")

    def __init__(self, kind, weights, offset=0.0, source="inward", held=None):
        self.kind, self.weights, self.offset, self.source, self.held = kind, tuple(weights), offset, source, held

    @property
    def depth(self):
        """How many node layers the rule reads."""
        return len(self.weights)

    @property
    def scalar_weights(self):
        """True when every coefficient is a number (so one compiled loop can apply them)."""
        return all(np.ndim(c) == 0 for c in self.weights)

    def apply(self, layers, out=None):
        """The ghost values from the node layers ``layers[m]`` (face arrays, ``m`` as in ``weights``).

        ``out`` receives the result when given (a face array); terms with a zero coefficient
        are skipped, so their layers may be ``None``.
        """
        acc = None
        for c, layer in zip(self.weights, layers):
            if np.ndim(c) == 0 and c == 0:
                continue
            term = layer if (np.ndim(c) == 0 and c == 1) else c * layer
            if acc is not None:
                np.add(acc, term, out=acc, casting="unsafe")
            elif out is not None:
                acc = out
                np.copyto(acc, term, casting="unsafe")
            else:
                acc = np.array(term, copy=True)
        if np.ndim(self.offset) or self.offset != 0:
            np.add(acc, self.offset, out=acc, casting="unsafe")
        return acc

    def __repr__(self):
        return f"GhostRule({self.kind!r}, weights={self.weights!r}, source={self.source!r})"


def flux_scale(kb, k1):
    """``k_0 / k_half`` with ``k_half`` the harmonic mean of ``k_0`` and ``k_1``: the factor that makes
    a Neumann/Robin ghost carry the boundary flux ``k_0 g`` through the interior face conductivity."""
    return kb / (2 * kb * k1 / (kb + k1))


def ghost_rule(cond, grid, face, derivative=2, t=0.0, dtype=np.float64, k_layers=None):
    """The order-2 ghost rule of one face.

    Parameters
    ----------
    cond : Condition or None
        The face's condition (``None``: no condition, one-sided closure).
    grid : Grid
    face : str
    derivative : {1, 2}
        Which extrapolation a Dirichlet / unconstrained face uses (first or second derivatives).
    t : float
        Time for time-dependent values.
    dtype : numpy dtype of the face arrays.
    k_layers : None or (k_0, k_1)
        Conductivity at the boundary node and the next one inward, for ``div(k grad u)``.

    Returns
    -------
    GhostRule

    Example
    -------
    >>> ghost_rule(None, fg.Grid((5,)), "x-", derivative=1).weights
    (3.0, -3.0, 1.0)
    """
    axis, _ = grid.parse_face(face)
    h = grid.spacing[axis]
    if isinstance(cond, Periodic):
        return GhostRule("periodic", (1.0,), source="opposite")
    if isinstance(cond, (Neumann, Robin)):
        fac = 2 * h if k_layers is None else (2 * h) * flux_scale(*k_layers)
        if isinstance(cond, Neumann):
            return GhostRule("neumann", (0.0, 1.0), fac * cond.evaluate("flux", grid, face, t, dtype))
        a = cond.evaluate("alpha", grid, face, t, dtype)
        b = cond.evaluate("beta", grid, face, t, dtype)
        v = cond.evaluate("value", grid, face, t, dtype)
        c0 = -fac * a / b
        if np.ndim(c0) and np.all(c0 == c0.flat[0]):
            c0 = c0.flat[0]
        return GhostRule("robin", (c0, 1.0), fac * v / b)
    weights = EXTRAPOLATION[derivative]
    if isinstance(cond, Dirichlet):
        return GhostRule("dirichlet", weights, held=np.asarray(cond.evaluate("value", grid, face, t, dtype)))
    if cond is None:
        return GhostRule("none", weights)
    raise TypeError(f"no ghost rule for {cond!r}")


def neighbour_rule():
    """The rule of a cut face of a decomposed domain: the ghost is the halo node the neighbour sent.

    Example
    -------
    >>> r = neighbour_rule()
    >>> r.kind, r.source
    ('neighbour', 'halo')
    """
    return GhostRule("neighbour", (1.0,), source="halo")


def ghost_conductivity(rule, k_layers):
    """Conductivity at a ghost node (the face-conductivity rule of ``rule``'s kind).

    ``k_layers`` are the conductivity layers counted as the rule counts its nodes (inward, from
    the opposite face for periodic, the halo for a neighbour).
    """
    if rule.kind in ("neumann", "robin"):
        return k_layers[1]  # mirror: the face between u_0 and the ghost has k_half(k_0, k_1)
    if rule.kind in ("periodic", "neighbour"):
        return k_layers[0]
    # quadratic extrapolation keeps the ghost face conductivity O(h^3) accurate, so the boundary
    # node stays second order; fall back to k_0 at a jump
    kx = EXTRAPOLATION[1][0] * k_layers[0] + EXTRAPOLATION[1][1] * k_layers[1] + EXTRAPOLATION[1][2] * k_layers[2]
    return np.where(kx > 0, kx, k_layers[0])


def _order4_weights():
    """Weights of the two ghost nodes (s = -1, -2 in units of h) of the order-4 operators.

    ``"extrapolate"``: the degree-5 polynomial through u_0..u_5.
    ``"derivative"``: the degree-5 polynomial through u_0..u_4 with inward slope ``d`` (per unit
    ``s``) at the boundary node; the last weight multiplies ``d``.
    """
    powers = np.arange(6)
    targets = np.array([[(-1.0) ** p for p in powers], [(-2.0) ** p for p in powers]])
    m_ext = np.array([[float(s) ** p for p in powers] for s in range(6)])
    m_der = np.vstack([m_ext[:5], [0, 1, 0, 0, 0, 0]])
    return {"extrapolate": targets @ np.linalg.inv(m_ext), "derivative": targets @ np.linalg.inv(m_der)}


_W4 = _order4_weights()


def order4_rules(cond, grid, face, t=0.0, dtype=np.float64):
    """The two ghost rules (layers at ``-h`` and ``-2h``) of one face for the fourth-order operators.

    Dirichlet and unconstrained faces extrapolate with the degree-5 polynomial through
    ``u_0..u_5``; Neumann and Robin faces use the degree-5 polynomial through ``u_0..u_4`` whose
    slope at the boundary node is the prescribed one (a Hermite ghost, fourth order); periodic
    faces take ``u_0`` and ``u_1`` of the opposite face (``m = layer - 1``).

    Returns
    -------
    list of two GhostRule
    """
    axis, _ = grid.parse_face(face)
    h = grid.spacing[axis]
    rules = []
    for layer in (1, 2):
        if isinstance(cond, Periodic):
            rules.append(GhostRule("periodic", (0.0,) * (layer - 1) + (1.0,), source="opposite"))
        elif isinstance(cond, (Neumann, Robin)):
            w = [float(x) for x in _W4["derivative"][layer - 1]]
            # the inward slope per unit s is d = -h g, g the outward derivative
            if isinstance(cond, Neumann):
                rules.append(GhostRule("neumann", w[:5], -h * w[5] * cond.evaluate("flux", grid, face, t, dtype)))
            else:
                a = cond.evaluate("alpha", grid, face, t, dtype)
                b = cond.evaluate("beta", grid, face, t, dtype)
                v = cond.evaluate("value", grid, face, t, dtype)
                rules.append(GhostRule("robin", [w[0] + h * w[5] * a / b] + w[1:5], -h * w[5] * v / b))
        else:
            w = [float(x) for x in _W4["extrapolate"][layer - 1]]
            if isinstance(cond, Dirichlet):
                rules.append(GhostRule("dirichlet", w, held=np.asarray(cond.evaluate("value", grid, face, t, dtype))))
            else:
                rules.append(GhostRule("none", w))
    return rules
