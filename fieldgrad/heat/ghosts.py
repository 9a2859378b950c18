"""Ghost nodes for the time-stepping sweeps: the operators' ghost plan with buffers that live as
long as the stepper.

The rules are those of :mod:`fieldgrad.boundary.rules` through :class:`~fieldgrad.boundary.ghosts.GhostPlan`,
so a fused step equals ``u + dt * div_k_grad(u, grid, bc, k=alpha)`` at every node that is not on
a Dirichlet face.  The steppers write Dirichlet values into the field after each sweep
(:meth:`GhostFiller.impose`), or the 3D FTCS sweep writes them itself (:meth:`GhostFiller.held_inputs`),
so Dirichlet faces get no ghost work: their boundary node is overwritten, its ghost unused (a
constant zero buffer is passed).  The 3D FTCS sweep applies the z faces' rules itself
(:meth:`GhostFiller.z_inputs`).  Nothing is allocated per step for conditions that do not depend
on time.
"""
from __future__ import annotations

import numpy as np

from ..boundary import dirichlet_faces
from ..boundary.ghosts import GhostPlan
from ..grid import axis_slice

__all__ = ["GhostFiller"]


class GhostFiller(GhostPlan):
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
        k = None if np.ndim(alpha) == 0 else np.ascontiguousarray(alpha, dtype=dtype)
        super().__init__(grid, bcs, 2, dtype, k=k, hold=False)
        self.kscalar = k is None
        self.has_dirichlet = bool(dirichlet_faces(bcs))
        self._dslices = []
        for face in dirichlet_faces(bcs):
            axis, side = grid.parse_face(face)
            self._dslices.append((face, axis_slice(grid.ndim, axis, 0 if side == 0 else -1)))
        self._dfaces = frozenset(f for f, _ in self._dslices)
        z = np.zeros((1, 1), dtype=self.dtype)
        self.held_inputs_none = (0, z, z, z, z, z, z)  # held_inputs for no held face

    def z_inputs(self, t):
        """The z faces' rules in the form :func:`fieldgrad.heat.kernels.ftcs_rows_3d` applies them
        at the row ends, for time ``t``: ``(zw0, zd0, zw1, zd1, skip)``.

        ``zw = (c_0, c_1, c_2, c_3, from_opposite, depth)`` holds a rule with number weights (at most
        four) and ``zd`` its offset as a C-contiguous face array; such faces are in ``skip`` (no
        ghost pass: give ``skip`` to :meth:`fill`).  Other faces (Dirichlet: ghost unused; a Robin
        face with array coefficients) get ``depth`` 0 and ``zd`` = their ghost buffer, filled by
        :meth:`fill`.  Recomputed only when the rules change (time-dependent conditions at a new
        ``t``); otherwise the same arrays are returned.
        """
        rules = self._rules_at(t)
        cached = getattr(self, "_zcache", None)
        if cached is not None and cached[0] is rules:
            return cached[1]
        grid, dt = self.grid, self.dtype
        axis = grid.ndim - 1
        face_names = [grid.axis_names[axis] + "-", grid.axis_names[axis] + "+"]
        out, skip = [], set()
        for face in face_names:
            r = rules[face]
            w = np.zeros(6, dtype=dt)
            if (r.kind != "dirichlet" and r.source in ("inward", "opposite") and r.scalar_weights
                    and r.depth <= min(4, grid.shape[axis])):
                w[:r.depth] = r.weights
                w[4] = r.source == "opposite"
                w[5] = r.depth
                d = np.ascontiguousarray(np.broadcast_to(np.asarray(r.offset, dtype=dt), grid.face_shape(face)))
                skip.add(face)
            else:
                d = self.buffers[face]
            out += [w, d]
        res = (*out, frozenset(skip))
        self._zcache = (rules, res)
        return res

    def held_inputs(self, t):
        """The Dirichlet values of time ``t`` as :func:`fieldgrad.heat.kernels.ftcs_rows_3d` holds
        them: ``(held, hx0, hx1, hy0, hy1, hz0, hz1)`` (bit mask of the held faces in the grid's face
        order, C-contiguous face arrays; a (1, 1) zero array for a face not held).  ``None`` when the
        condition set lists its Dirichlet faces in another order than the grid (the sweep writes
        them in grid order; :meth:`impose` then writes them).  Cached while the rules do not change.
        """
        if self._dslices and [f for f, _ in self._dslices] != [f for f in self.grid.faces if f in self._dfaces]:
            return None
        rules = self._rules_at(t)
        cached = getattr(self, "_hcache", None)
        if cached is not None and cached[0] is rules:
            return cached[1]
        grid = self.grid
        held, arrays = 0, []
        for bit, face in enumerate(grid.faces):
            if face in self._dfaces:
                held |= 1 << bit
                arrays.append(np.ascontiguousarray(np.broadcast_to(np.asarray(rules[face].held, dtype=self.dtype),
                                                                   grid.face_shape(face))))
            else:
                arrays.append(np.zeros((1, 1), dtype=self.dtype))
        res = (held, *arrays)
        self._hcache = (rules, res)
        return res

    def impose(self, u, t):
        """Write the Dirichlet values of time ``t`` into ``u`` (no-op without Dirichlet faces).

        The values are the held values of the plan's rules at ``t`` (the values :func:`~fieldgrad.boundary.apply_bc`
        writes, in the same face order), so a time-dependent condition is evaluated once per time:
        the next sweep, which starts at ``t``, reuses these rules.
        """
        if self.has_dirichlet:
            rules = self._rules_at(t)
            for face, sl in self._dslices:
                u[sl] = rules[face].held
        return u
