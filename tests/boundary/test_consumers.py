"""Each rule kind through its consumers on the same small problem, against a reference written
here from the closed-form ghosts (padding by hand, NumPy slicing), to 1e-12.

Consumers checked: the CPU operator (rule-table ghosts, Dirichlet values imposed),
the ghost-array sweep the 2D/divergence/gradient operators use, and one FTCS heat step.
"""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import Dirichlet, Grid, Neumann, Robin

SHAPE = (7, 6, 8)


def closed_form_laplacian(u, grid, faces):
    """7-point Laplacian with ghosts from the textbook formulas (faces: name -> condition or None)."""
    u = u.copy()
    for face, c in faces.items():  # Dirichlet values on the boundary nodes, in face order
        if isinstance(c, Dirichlet):
            a, s = grid.parse_face(face)
            sl = [slice(None)] * 3
            sl[a] = 0 if s == 0 else -1
            u[tuple(sl)] = c.value
    p = np.pad(u, 1)
    for face, c in faces.items():
        a, s = grid.parse_face(face)
        h = grid.spacing[a]

        def node(m):
            sl = [slice(None)] * 3
            sl[a] = m if s == 0 else u.shape[a] - 1 - m
            return u[tuple(sl)]
        if grid.periodic[a]:
            g = node(u.shape[a] - 1)
        elif isinstance(c, Neumann):
            g = node(1) + 2 * h * c.flux
        elif isinstance(c, Robin):
            g = node(1) + 2 * h * (c.value - c.alpha * node(0)) / c.beta
        else:  # Dirichlet or none: cubic extrapolation
            g = 4 * node(0) - 6 * node(1) + 4 * node(2) - node(3)
        sl = [slice(1, -1)] * 3
        sl[a] = 0 if s == 0 else -1
        p[tuple(sl)] = g
    c = p[1:-1, 1:-1, 1:-1]
    out = np.zeros_like(u)
    for a in range(3):
        lo = [slice(1, -1)] * 3
        hi = [slice(1, -1)] * 3
        lo[a], hi[a] = slice(0, -2), slice(2, None)
        out += (p[tuple(lo)] - 2 * c + p[tuple(hi)]) / grid.spacing[a] ** 2
    return out


CASES = {
    "dirichlet": (False, {"*": Dirichlet(0.7)}),
    "none": (False, None),
    "neumann": (False, {"*": Neumann(0.4)}),
    "robin": (False, {"*": Robin(2.0, 0.5, 0.3)}),
    "periodic": (True, None),
    "mixed": (False, {"x-": Dirichlet(1.5), "x+": Neumann(-0.2), "y": Robin(1.0, 2.0, 0.1), "z-": Dirichlet(-0.5), "z+": Neumann(0.25)}),
}


def setup(case):
    periodic, bc = CASES[case]
    g = Grid(SHAPE, periodic=periodic)
    faces = fg.resolve_bc(bc, g).faces
    u = np.random.default_rng(7).random(SHAPE)
    return g, bc, faces, u


@pytest.mark.parametrize("case", list(CASES))
def test_cpu_operator_matches_closed_form_and_does_not_touch_u(case):
    g, bc, faces, u = setup(case)
    before = u.copy()
    got = fg.laplacian(u, g, bc)
    np.testing.assert_allclose(got, closed_form_laplacian(u, g, faces), rtol=0, atol=1e-12 * np.abs(got).max())
    np.testing.assert_array_equal(u, before)  # Dirichlet values were read in the sweep, not written


@pytest.mark.parametrize("case", list(CASES))
def test_ghost_array_sweep_matches_closed_form(case):
    # the ghost-array path (GhostPlan + the plain sweep) that grad/div/div_k_grad and the blocks use
    from fieldgrad import boundary as B
    from fieldgrad.kernels import cpu
    g, bc, faces, u = setup(case)
    bcs = fg.resolve_bc(bc, g)
    ghosts = B.ghost_layers(u, g, bcs, 2)
    uu = B.with_dirichlet(u, g, bcs)
    out = np.empty_like(u)
    cpu.laplacian_3d(uu, *[x for pair in ghosts for x in pair], *[1 / h ** 2 for h in g.spacing], out)
    ref = closed_form_laplacian(u, g, faces)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("case", [c for c in CASES if c != "none"])
def test_ftcs_heat_step_matches_closed_form(case):
    from fieldgrad.heat.problem import explicit_limit
    g, bc, faces, u = setup(case)
    u = fg.apply_bc(u.copy(), g, bc)
    dt = 0.5 * explicit_limit(g, 1.0)
    res = fg.solve_heat(u, g, bc, alpha=1.0, t_end=dt, dt=dt, method="ftcs", progress=False)
    ref = u + dt * closed_form_laplacian(u, g, faces)
    ref = fg.apply_bc(ref, g, bc)
    np.testing.assert_allclose(res.u, ref, rtol=0, atol=1e-12)
