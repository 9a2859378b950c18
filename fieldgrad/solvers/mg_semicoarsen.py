"""Which axes a multigrid level coarsens: semi-coarsening for anisotropic spacing.

A point smoother (red-black Gauss-Seidel) only damps the error that oscillates along the axes
whose couplings ``1/h_a^2`` are strong; along a weakly coupled axis the error it leaves is not
smooth, and a coarse grid in that direction cannot represent it -- multigrid with full coarsening
stalls once ``hx/hy`` reaches about 10 (measured: 0.03 residual after 100 V-cycles at 100).
Coarsening only the strongly coupled axes (``1/h_a^2`` at least ``STRONG`` times the largest
among the axes that can still coarsen) doubles their spacing level by level until the spacing is
nearly isotropic, after which every axis coarsens together; the other axes keep their nodes
(identity transfer).  With point red-black smoothing this gives grid-independent V-cycle counts
for anisotropy caused by the spacing (ratios to 1000 at least), also under variable ``k``
(Galerkin ``R A P`` on the semi-coarsened grids) as long as ``k`` itself is not strongly
anisotropic.

When the strongly coupled axes can no longer coarsen (3 or 4 nodes left) but the others can,
a point smoother cannot damp the error that is smooth along the stuck axes and oscillates along
the others (with Neumann or periodic faces on a stuck axis multigrid then stalls); such a level
is made the coarsest (sparse LU) when it has at most ``STUCK_LU`` nodes -- it is quasi
lower-dimensional, so its factorisation is cheap.  A larger stuck level keeps coarsening the
axes that can (the full-coarsening behaviour; convergence may degrade: not covered).

The rule depends only on the geometry, so isotropic grids get the usual full coarsening.

Example
-------
>>> coarsen_modes((65, 65, 1), (1.0, 0.01, 1.0), (False, False, False))
(0, 1, 0)
>>> coarsen_modes((65, 65, 1), (0.5, 0.5, 1.0), (False, False, False))
(1, 1, 0)
"""
from __future__ import annotations

# an axis is strong when its coupling 1/h^2 is at least this fraction of the largest one: a
# coarsened axis' coupling drops by 4, so every level's spacing stays within sqrt(2) of isotropic
# along the coarsened axes once the anisotropy is worked off
STRONG = 0.5

# a level whose strong axes cannot coarsen any more is the coarsest when it has at most this
# many nodes (see the module note)
STUCK_LU = 40000

# ... and only when that stuck axis couples at least this many times more strongly than every axis
# that can still coarsen: below it the anisotropy is mild enough for a point smoother, and
# coarsening the other axes keeps small grids multilevel (a 5 x 6 x 5 level with a periodic y of
# 6 nodes has couplings 16 : 36 and must not become a one-level LU)
STUCK_RATIO = 4.0


def _axis_modes(shape, periodic):
    """Per axis: how it coarsens when asked (0: it cannot; see ``multigrid.coarse_nodes``)."""
    modes = []
    for n, p in zip(shape, periodic):
        if n == 1:
            modes.append(0)
        elif p:
            modes.append(1 if (n % 2 == 0 and n >= 8) else (2 if n >= 9 else 0))
        else:
            modes.append(1 if (n % 2 == 1 and n >= 5) else (2 if n >= 6 else 0))
    return modes


def coarsen_modes(shape, h, periodic, strong=STRONG, stuck_lu=STUCK_LU):
    """Coarsening mode of every axis of one level.

    Parameters
    ----------
    shape : tuple of 3 ints -- the level's node counts (1 on an absent axis)
    h : tuple of 3 floats -- the level's spacings
    periodic : tuple of 3 bools
    strong : float in (0, 1] -- axes with ``1/h_a^2 >= strong * max`` (the max over the axes
        that can coarsen) are coarsened; a tiny value gives full coarsening
    stuck_lu : int -- no axis coarsens (the level becomes the coarsest) when an axis that cannot
        coarsen couples ``STUCK_RATIO`` times more strongly than every axis that can and the level
        has at most this many nodes

    Returns
    -------
    tuple of ints, one per axis: 0 keep every node, 1 every other node, 2 every other node plus
    the last one (``multigrid.coarse_nodes``)
    """
    modes = _axis_modes(shape, periodic)
    can = [a for a, m in enumerate(modes) if m]
    if not can:
        return tuple(modes)
    cmax = max(1.0 / h[a] ** 2 for a in can)
    call = max(1.0 / h[a] ** 2 for a in range(len(shape)) if shape[a] > 1)
    size = 1
    for n in shape:
        size *= n
    if cmax * STUCK_RATIO <= call and size <= stuck_lu:
        return (0,) * len(shape)
    return tuple(m if (m and 1.0 / h[a] ** 2 >= strong * cmax) else 0 for a, m in enumerate(modes))
