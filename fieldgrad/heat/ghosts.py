"""Ghost nodes for the time-stepping sweeps, filled into buffers that live as long as the stepper.

The formulas are those of :func:`fieldgrad.boundary.ghost_layers` (the operators' ghosts), so a
fused step equals ``u + dt * div_k_grad(u, grid, bc, k=alpha)`` at every node that is not on a
Dirichlet face:

* Neumann ``du/dn = g``: ``G = u_1 + 2 h g kb / k_half`` (``kb / k_half = 1`` for scalar alpha),
  ghost conductivity ``k_1``;
* Robin ``a u + b du/dn = v``: the same with ``g = (v - a u_b) / b``;
* periodic: the node on the opposite side.

What differs is cost: nothing is allocated per step, face data that do not depend on time are
evaluated once, and Dirichlet faces get no ghost work at all -- their boundary nodes are
overwritten with the prescribed values after each sweep, so the ghost value there is never used
(a constant zero buffer is passed).
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet, Neumann, Periodic, Robin, apply_bc, dirichlet_faces

__all__ = ["GhostFiller"]


def _sl(ndim, axis, index):
    s = [slice(None)] * ndim
    s[axis] = index
    return tuple(s)


class _Face:
    __slots__ = ("axis", "side", "face", "cond", "kind", "buf", "kbuf", "fac", "const_g", "const_a", "const_v",
                 "b", "one", "opp")


class GhostFiller:
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
        self.grid, self.bcs, self.dtype = grid, bcs, np.dtype(dtype)
        self.kscalar = np.ndim(alpha) == 0
        k = None if self.kscalar else np.asarray(alpha)
        nd = grid.ndim
        self.faces = []
        self.time_dependent = False
        self.has_dirichlet = bool(dirichlet_faces(bcs))
        for axis in range(nd):
            n, h = grid.shape[axis], grid.spacing[axis]
            for side in (0, 1):
                f = _Face()
                f.axis, f.side = axis, side
                f.face = grid.axis_names[axis] + "-+"[side]
                f.cond = cond = bcs[f.face]
                b = 0 if side == 0 else n - 1
                one = 1 if side == 0 else n - 2
                f.b, f.one = _sl(nd, axis, b), _sl(nd, axis, one)
                f.opp = _sl(nd, axis, n - 1 if side == 0 else 0)
                shape = grid.face_shape(f.face)
                f.buf = np.zeros(shape, dtype=self.dtype)
                f.kbuf = None
                if isinstance(cond, Periodic):
                    f.kind = "periodic"
                    if k is not None:
                        f.kbuf = np.ascontiguousarray(k[f.opp], dtype=self.dtype)
                elif isinstance(cond, (Neumann, Robin)):
                    f.kind = cond.kind
                    if k is None:
                        f.fac = 2.0 * h
                    else:
                        kb, k1 = k[f.b], k[f.one]
                        f.fac = (2.0 * h) * kb / (2.0 * kb * k1 / (kb + k1))
                        f.kbuf = np.ascontiguousarray(k1, dtype=self.dtype)
                    f.const_g = f.const_a = f.const_v = None
                    if cond.time_dependent:
                        self.time_dependent = True
                    elif isinstance(cond, Neumann):
                        f.const_g = np.ascontiguousarray(f.fac * cond.evaluate("flux", grid, f.face, 0.0, np.float64),
                                                         dtype=self.dtype)
                    if isinstance(cond, Robin):
                        beta = cond.evaluate("beta", grid, f.face, 0.0, np.float64)
                        alpha_r = cond.evaluate("alpha", grid, f.face, 0.0, np.float64)
                        f.const_a = np.ascontiguousarray(f.fac * alpha_r / beta, dtype=self.dtype)
                        if not cond.time_dependent:
                            f.const_v = np.ascontiguousarray(
                                f.fac * cond.evaluate("value", grid, f.face, 0.0, np.float64) / beta, dtype=self.dtype)
                else:  # Dirichlet: the boundary node is overwritten; its ghost is never used
                    f.kind = "dirichlet"
                    if Dirichlet is not None and cond.time_dependent:
                        self.time_dependent = True
                    if k is not None:
                        f.kbuf = np.ascontiguousarray(k[f.b], dtype=self.dtype)
                self.faces.append(f)

    def fill(self, u, t):
        """Fill the ghosts of ``u`` at time ``t``.

        Returns
        -------
        list of (lo, hi) pairs of face arrays, in the order the sweeps take them.
        """
        grid = self.grid
        for f in self.faces:
            if f.kind == "periodic":
                np.copyto(f.buf, u[f.opp])
            elif f.kind == "neumann":
                g = f.const_g
                if g is None:
                    g = f.fac * f.cond.evaluate("flux", grid, f.face, t, np.float64)
                np.add(u[f.one], g, out=f.buf, casting="unsafe")
            elif f.kind == "robin":
                v = f.const_v
                if v is None:
                    c = f.cond
                    v = f.fac * c.evaluate("value", grid, f.face, t, np.float64) / c.evaluate(
                        "beta", grid, f.face, t, np.float64)
                np.multiply(u[f.b], f.const_a, out=f.buf, casting="unsafe")
                np.subtract(u[f.one], f.buf, out=f.buf)
                np.add(f.buf, v, out=f.buf, casting="unsafe")
        return self.pairs()

    def pairs(self):
        fs = self.faces
        return [(fs[2 * a].buf, fs[2 * a + 1].buf) for a in range(self.grid.ndim)]

    def kpairs(self):
        """Ghost conductivities (constant in time); ``None`` for a scalar alpha."""
        if self.kscalar:
            return None
        fs = self.faces
        return [(fs[2 * a].kbuf, fs[2 * a + 1].kbuf) for a in range(self.grid.ndim)]

    def impose(self, u, t):
        """Write the Dirichlet values of time ``t`` into ``u`` (no-op without Dirichlet faces)."""
        if self.has_dirichlet:
            apply_bc(u, self.grid, self.bcs, t)
        return u
