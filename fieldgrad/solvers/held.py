"""Held-value regions (electrodes, held temperatures) inside the domain of a Poisson solve.

A held node is eliminated inside the links form of the operator (:mod:`.mg_links`), so the
multigrid hierarchy (Galerkin ``R A P`` coarse levels) and MG-CG solve the problem unchanged:

* every link touching a held node is cut (set to 0); the free neighbour keeps that link's
  conductance in its diagonal and gets ``coupling * value`` moved to its right-hand side --
  exactly the elimination of the held unknowns, so the free rows are the original rows;
* the held node keeps a decoupled row ``D_p u_p = D_p value`` with ``D_p`` a power of two near
  1/64 of its own diagonal (so ``(D_p value) / D_p`` is the value to the last bit; the scale is
  measured, see ``HELD_SCALE_LOG2``).  On the coarse levels those rows act as a weak local
  screening: the error is zero on an electrode, and the Galerkin operators see it there.

The free rows are the eliminated system and the held rows are diagonal, so the operator stays
self-adjoint in the trapezoid-weighted inner product (a valid MG-CG operator), and it is not
singular once a node is held (every free region touches a held node, a Dirichlet face or is
screened).  Held nodes on a Dirichlet face stay Dirichlet nodes holding the held value (the
region wins over the face's value).

A Dirichlet condition on the surface of a domain's holes (``bc["surface"]``) is a held region
too: the nodes touching the surface (:attr:`Problem.surface_nodes3`) join the user's ``fixed``
mask (whose values win where both hold a node).

Example
-------
>>> g = fg.Grid((9, 9))
>>> mask = np.zeros(g.shape, bool); mask[4, 4] = True
>>> p = HeldProblem(g, fg.Neumann(0.0), 1.0, 0.0, mask)
>>> p.singular, int(p.held.sum())
(False, 1)
"""
from __future__ import annotations

import numpy as np

from ..boundary import Dirichlet
from ..errors import NonFiniteError, ParameterError, ShapeError, describe
from .discretize import Problem, pad3
from . import mg_links as FL

__all__ = ["HeldProblem", "make_problem", "check_fixed", "check_fixed_value"]

# held rows weigh 2**-6 of their own diagonal.  Measured (rtol 1e-10, 3D sphere + plate held in
# a 1e4 contrast, 33/65/129 nodes): MG-CG 11/13/12 iterations at 2**0, 7/11/10 at 2**-6; V-cycles
# 21/28/29 at 2**0, 9/15/14 at 2**-6.  A weak held row leaves the coarse corrections near an
# electrode in place (the post-smoothing resets the held nodes) instead of penalising them.
HELD_SCALE_LOG2 = 6


def check_fixed(fixed, grid, name="fixed"):
    """``fixed`` as a boolean node mask of ``grid.shape`` that leaves at least one node free.

    Raises
    ------
    ShapeError, ParameterError (naming ``name``)
    """
    m = np.asarray(fixed)
    if m.shape != tuple(grid.shape):
        raise ShapeError(f"{name} has shape {m.shape}; accepted: a boolean mask of the grid's shape {grid.shape}")
    if m.dtype != np.bool_:
        raise ParameterError(f"{name} must be a boolean mask of shape {grid.shape}; got {describe(m)}")
    if m.all():
        raise ParameterError(f"{name} holds every node of the grid ({m.size}): nothing is left to solve; "
                             "accepted: a mask that leaves at least one node free")
    return m


def check_fixed_value(value, mask, grid, name="fixed_value"):
    """``value`` (a number or an array of ``grid.shape``) as a float64 array of ``grid.shape``,
    finite on ``mask``.

    Raises
    ------
    ParameterError, ShapeError, NonFiniteError (naming ``name``)
    """
    if value is None:
        raise ParameterError(f"{name} is missing: a held region (fixed) needs its value; accepted: a number or an "
                             f"array of shape {grid.shape}")
    v = np.asarray(value)
    if not (np.issubdtype(v.dtype, np.number) or v.dtype == np.bool_) or np.iscomplexobj(v):
        raise ParameterError(f"{name} must be a real number or array; got {describe(value)}")
    if v.ndim and v.shape != tuple(grid.shape):
        raise ShapeError(f"{name} has shape {v.shape}; accepted: a number or an array of shape {grid.shape}")
    v = np.broadcast_to(v.astype(np.float64, copy=False), grid.shape)
    bad = int(np.count_nonzero(~np.isfinite(v[mask])))
    if bad:
        raise NonFiniteError(f"{name} holds {bad} non-finite values (NaN or inf) on the held nodes; accepted: "
                             "finite values there")
    return v


class HeldProblem(Problem):
    """A :class:`~fieldgrad.solvers.discretize.Problem` with nodes held at given values.

    Parameters
    ----------
    grid, bc, k, screening : as for :class:`~fieldgrad.solvers.discretize.Problem`
    fixed : boolean array of ``grid.shape`` (checked by :func:`check_fixed`), or None when only a
        Dirichlet ``bc["surface"]`` holds nodes

    Attributes
    ----------
    held : bool array of ``shape3`` -- held nodes not on a Dirichlet face (eliminated rows)
    held_all : bool array of ``shape3`` -- every held node
    user_held : bool array of ``shape3`` or None -- the nodes of ``fixed``

    The values come per right-hand side: ``rhs(f, t, fixed_value)``.
    """

    holds_surface = True

    def __init__(self, grid, bc, k, screening, fixed, contact=None):
        super().__init__(grid, bc, k, screening, contact)
        self.user_held = None if fixed is None else pad3(np.ascontiguousarray(check_fixed(fixed, grid)), self.ndim)
        self.held_all = np.zeros(self.shape3, dtype=bool) if fixed is None else self.user_held.copy()
        if isinstance(self.surface, Dirichlet):
            self.held_all |= self.surface_nodes3
        if self.held_all.all():
            raise ParameterError(f"fixed and the Dirichlet surface hold every node of the grid ({self.held_all.size}): "
                                 "nothing is left to solve")
        self.held = self._with_fixed_planes(self.held_all.copy(), False)  # held_all off the fixed nodes
        if self.held_all.any():
            self.singular = False
        self._links = None

    def fixed_or_held_mask(self):
        """The Dirichlet nodes and every held node (bool array of ``shape3``)."""
        return self._with_fixed_planes(self.held_all.copy(), True)

    @property
    def constant_coefficients(self):
        """False: the cut links make the coefficients vary (the links/Galerkin path)."""
        return False

    def links_diag(self):
        """The operator with held nodes eliminated, in the form of
        :meth:`~fieldgrad.solvers.discretize.Problem.links_diag`."""
        if self._links is None:
            Lx, Ly, Lz, D, tables = super().links_diag()
            h = self.held
            hi = np.flatnonzero(h)  # (C order, as D[h])
            cut = []  # (axis, flat indices, values) of the cut links: :attr:`_links0` restores them
            for a, L in enumerate((Lx, Ly, Lz)):
                if self.shape3[a] > 1:
                    idx = np.flatnonzero(h | np.roll(h, -1, axis=a))  # (C order, as L.flat)
                    cut.append((a, idx, L.flat[idx]))
                    L.flat[idx] = 0.0
            self._cut = cut
            # held rows: a power of two (exact division), HELD_SCALE below the node's own diagonal
            mant, ex = np.frexp(-D.flat[hi])
            D.flat[hi] = -np.ldexp(1.0, np.where(mant > np.sqrt(0.5), ex, ex - 1) - HELD_SCALE_LOG2)
            self._links = (Lx, Ly, Lz, D, tables)
        return self._links

    @property
    def _links0(self):
        """The links before the cut (what :meth:`rhs` moves the held values with), formed on first
        use from the cut links and the values they had -- so the problem with the holes filled,
        whose right-hand side is never formed, makes no copies of its links."""
        if "_links0_" not in self.__dict__:
            Lx, Ly, Lz = self.links_diag()[:3]
            # (a padded axis has no links to cut: its zeros serve both tuples)
            out = [L if n == 1 else L.copy() for L, n in zip((Lx, Ly, Lz), self.shape3)]
            for a, idx, vals in self._cut:
                out[a].flat[idx] = vals
            self._links0_ = tuple(out)
        return self._links0_

    def stencil7(self):
        """Explicit 7-point form of :meth:`links_diag` (for ``method="direct"``): the full rows of
        :meth:`Problem.stencil7` with the entries of cut links zeroed and the diagonal of
        :meth:`links_diag` (the held rows' scaled one)."""
        coef, offsets = super().stencil7()
        h = self.held
        for s in range(1, 7):
            a = int(np.flatnonzero(offsets[s])[0])
            coef[s][h | np.roll(h, -int(offsets[s][a]), axis=a)] = 0.0  # the node or its neighbour is held
        coef[0][...] = self.links_diag()[3]
        return coef, offsets

    def rhs(self, f, t=0.0, fixed_value=None):
        """Right-hand side and start values of :meth:`Problem.rhs` with the held values:
        ``b = D_p value`` on held rows, ``b -= coupling * value`` on their free neighbours, and
        ``ud = value`` on every held node (Dirichlet-face ones too).

        Parameters
        ----------
        f : ndarray of ``grid.shape``
        t : float
        fixed_value : number or array of ``grid.shape`` (read on the held nodes)

        Returns
        -------
        (b, ud) : float64 arrays of ``shape3``
        """
        b, ud = super().rhs(f, t)
        v = np.zeros(self.shape3)
        if isinstance(self.surface, Dirichlet):
            on = self.surface_nodes()
            v[self.surface_nodes3] = pad3(self.surface.evaluate_nodes("value", self.grid, t, at=on), self.ndim)[
                self.surface_nodes3]
        ix = self._indices()
        vf, bf, udf = v.reshape(-1), b.reshape(-1), ud.reshape(-1)
        if self.user_held is not None:
            vu = check_fixed_value(fixed_value, self.user_held.reshape(self.grid.shape), self.grid).reshape(-1)
            vf[ix["user"]] = vu[ix["user"]]
        elif fixed_value is not None:
            raise ParameterError("fixed_value was given but no held region: pass fixed (a boolean mask) too")
        Lx, Ly, Lz, D, tables = self.links_diag()
        vh = np.zeros(self.shape3)
        h = ix["held"]
        vh.reshape(-1)[h] = vf[h]
        coupling = np.empty(self.shape3)
        fx, fy, fz = self.fixed1
        FL.residual_links(vh, vh, coupling, *self._links0, np.zeros(self.shape3), fx, fy, fz,
                          *(x for tab in tables for x in tab), False)
        # zero but next to a held node (and on Dirichlet nodes); overwritten on held rows next
        c = ix["coupled"]
        bf[c] -= coupling.reshape(-1)[c]
        bf[h] = D.reshape(-1)[h] * vf[h]
        udf[ix["all"]] = vf[ix["all"]]
        fi = self.fixed_index()
        bf[fi] = udf[fi]
        return b, ud

    def _indices(self):
        """Flat indices of the held nodes (``held``, ``all``, ``user``) and of the nodes whose
        right-hand side a held value can reach (``coupled``: the held nodes' neighbours along
        every axis), formed once."""
        if "_held_indices" not in self.__dict__:
            near = self.held.copy()
            for a in range(3):
                if self.shape3[a] > 1:
                    near |= np.roll(self.held, 1, axis=a) | np.roll(self.held, -1, axis=a)
            self._held_indices = {"held": np.flatnonzero(self.held), "all": np.flatnonzero(self.held_all),
                                  "user": None if self.user_held is None else np.flatnonzero(self.user_held),
                                  "coupled": np.flatnonzero(near)}
        return self._held_indices


def make_problem(grid, bc, k, screening, contact=None, fixed=None):
    """The discrete problem: a :class:`HeldProblem` when nodes are held (``fixed`` a mask), else a
    plain :class:`~fieldgrad.solvers.discretize.Problem` -- what the CPU and CUDA solvers build.

    Example
    -------
    >>> g = fg.Grid((5, 5))
    >>> type(make_problem(g, fg.Dirichlet(0.0), None, 0.0)).__name__
    'Problem'
    >>> type(make_problem(g, fg.Dirichlet(0.0), None, 0.0, fixed=np.eye(5, dtype=bool))).__name__
    'HeldProblem'
    """
    if fixed is None and not _dirichlet_surface(bc):
        return Problem(grid, bc, k, screening, contact)
    return HeldProblem(grid, bc, k, screening, fixed, contact)


def _dirichlet_surface(bc):
    """True when the specification ``bc`` gives a Dirichlet ``"surface"``."""
    cond = bc.get("surface") if isinstance(bc, dict) else getattr(bc, "surface", None)
    return isinstance(cond, Dirichlet)
