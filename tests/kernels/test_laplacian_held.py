"""The order-2 laplacian reads Dirichlet faces through their held values (kernels.cpu.laplacian_held_3d):
the input is never copied or written, and the result equals the copy-based formula (Dirichlet
values written into a copy, ghosts from the rule table, the plain sweep) for every face kind."""
import itertools

import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad import boundary as B
from fieldgrad import operators as ops
from fieldgrad.errors import ParameterError
from fieldgrad.kernels import cpu


def copy_based(u, grid, bc, t=0.0):
    """The laplacian as it was computed before the held sweep: a copy holding the Dirichlet values."""
    bcs = B.resolve_bc(bc, grid)
    uu = B.with_dirichlet(u, grid, bcs, t)
    ghosts = B.ghost_layers(uu, grid, bcs, 2, t)
    out = np.empty_like(u)
    if grid.ndim == 3:
        cpu.laplacian_3d(uu, *ops._ghost_args(ghosts, grid, uu), *ops._inv(grid, 2, u.dtype), out)
    else:
        u2 = ops._as2d(uu, grid)
        cpu.laplacian_2d(u2, *ops._ghost_args(ghosts, grid, u2), *ops._inv(grid, 2, u.dtype), ops._as2d(out, grid))
    return out


KINDS = {
    "D": lambda: fg.Dirichlet(0.7),
    "N": lambda: fg.Neumann(-0.4),
    "R": lambda: fg.Robin(1.5, 2.0, 0.3),
    "-": lambda: None,
}
TOL = {np.float64: 1e-12, np.float32: 2e-6}


def _check(u, grid, bc, t=0.0):
    before = u.copy()
    got = fg.laplacian(u, grid, bc, t=t)
    want = copy_based(u, grid, bc, t)
    assert np.array_equal(u, before), "the input was modified"
    scale = max(1.0, float(np.max(np.abs(want))))
    err = float(np.max(np.abs(got.astype(np.float64) - want))) / scale
    assert err <= TOL[u.dtype.type], (bc, err)
    return err


def _cases(ndim):
    """Every (lo, hi) kind pair on each axis, the other faces taking the kinds in turn (mixed faces)."""
    faces = fg.Grid((5,) * ndim).faces
    kinds = list(KINDS)
    for axis in range(ndim):
        for n, (lo, hi) in enumerate(itertools.product(kinds, repeat=2)):
            spec = {}
            for m, face in enumerate(faces):
                if face[0] == faces[2 * axis][0]:
                    kind = lo if face.endswith("-") else hi
                else:
                    kind = kinds[(n + m) % len(kinds)]
                cond = KINDS[kind]()
                if cond is not None:
                    spec[face] = cond
            yield spec


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(7,), (6, 7), (5, 6, 7)])
def test_every_face_kind_combination_equals_the_copy_based_formula(shape, dtype):
    g = fg.Grid(shape, extent=[(0.0, 1.0 + 0.5 * a) for a in range(len(shape))])
    rng = np.random.default_rng(len(shape))
    worst = 0.0
    for spec in _cases(len(shape)):
        worst = max(worst, _check(rng.random(shape).astype(dtype), g, spec))
    assert worst <= TOL[dtype]


@pytest.mark.parametrize("shape", [(6, 7), (5, 6, 7)])
def test_periodic_axes_next_to_held_faces(shape):
    nd = len(shape)
    rng = np.random.default_rng(3)
    for periodic in itertools.product([False, True], repeat=nd):
        g = fg.Grid(shape, periodic=list(periodic))
        spec = {f: fg.Dirichlet(rng.random()) for f in g.faces if not periodic["xyz".index(f[0])]}
        for dtype in (np.float64, np.float32):
            _check(rng.random(shape).astype(dtype), g, spec)


@pytest.mark.parametrize("shape", [(9, 8), (6, 7, 8)])
def test_array_valued_and_time_dependent_dirichlet_values(shape):
    g = fg.Grid(shape)
    rng = np.random.default_rng(5)
    faces = g.faces
    spec = {faces[0]: fg.Dirichlet(rng.random(g.face_shape(faces[0]))),
            faces[1]: fg.Dirichlet(lambda *c, t: np.sin(3 * c[-1] + t) + c[0]),
            faces[-1]: fg.Dirichlet(lambda *c, t: t * np.cos(c[0]) + 0 * c[-1]),
            faces[-2]: fg.Neumann(rng.random(g.face_shape(faces[-2])))}
    for t in (0.0, 0.37, 2.5):
        for dtype in (np.float64, np.float32):
            _check(rng.random(shape).astype(dtype), g, spec, t=t)


def test_held_values_replace_wrong_face_values_exactly_for_a_quadratic():
    """The field's own face values are wrong; the held (exact) values enter, so the laplacian of
    x^2 + 2 y^2 - z^2 (exact for the cubic extrapolation ghosts) is 2 + 4 - 2 everywhere."""
    g = fg.Grid((9, 10, 11), extent=[(0, 1.0), (0, 1.5), (-1.0, 1.0)])
    X, Y, Z = g.mesh()
    exact = X ** 2 + 2 * Y ** 2 - Z ** 2
    u = exact + 5.0 * np.random.default_rng(7).random(g.shape)
    u[1:-1, 1:-1, 1:-1] = exact[1:-1, 1:-1, 1:-1]
    got = fg.laplacian(u, g, fg.Dirichlet(lambda x, y, z: x ** 2 + 2 * y ** 2 - z ** 2))
    assert np.max(np.abs(got - 4.0)) < 1e-9


def test_read_only_input_and_out_argument():
    g = fg.Grid((5, 6, 7))
    u = np.random.default_rng(2).random(g.shape)
    u.flags.writeable = False
    spec = {"*": fg.Dirichlet(1.0), "z+": fg.Robin(1.0, 1.0, 0.0)}
    out = np.full(g.shape, np.nan)
    got = fg.laplacian(u, g, spec, out=out)
    assert got is out
    np.testing.assert_allclose(out, copy_based(u, g, spec), rtol=0, atol=1e-12 * np.max(np.abs(out)))


def test_out_aliasing_the_input_is_still_refused():
    g = fg.Grid((5, 6, 7))
    u = np.random.default_rng(2).random(g.shape)
    with pytest.raises(ParameterError, match="out shares memory"):
        fg.laplacian(u, g, fg.Dirichlet(0.0), out=u)


@pytest.mark.parametrize("shape", [(8, 9), (5, 6, 7)])
def test_robin_with_array_coefficients_on_the_contiguous_axis(shape):
    """Array ``alpha`` makes the ghost weights face arrays: the sweep takes the ghosts the rule filled."""
    g = fg.Grid(shape)
    rng = np.random.default_rng(11)
    last = g.axis_names[-1]
    spec = {last + "-": fg.Robin(1.0 + rng.random(g.face_shape(last + "-")), 2.0, 0.5),
            last + "+": fg.Dirichlet(rng.random(g.face_shape(last + "+"))), "x-": fg.Dirichlet(0.25)}
    for dtype in (np.float64, np.float32):
        _check(rng.random(shape).astype(dtype), g, spec)


@pytest.mark.parametrize("shape", [(37, 41), (12, 37, 41)])
def test_blocks_of_rows_and_plain_interior_rows_on_a_larger_grid(shape):
    """Grids large enough for several row blocks and for the interior rows the sweep reads from ``u``
    alone (next to held and ghost rows of every kind): still the copy-based formula."""
    g = fg.Grid(shape, extent=[(0.0, 1.0 + 0.25 * a) for a in range(len(shape))])
    rng = np.random.default_rng(17)
    for n, spec in enumerate(_cases(len(shape))):
        if n % 3:  # a third of the combinations keeps the test short; every kind pair still appears
            continue
        for dtype in (np.float64, np.float32):
            _check(rng.random(shape).astype(dtype), g, spec)
    for periodic in ([True] * len(shape), [False] * (len(shape) - 1) + [True]):
        gp = fg.Grid(shape, periodic=periodic)
        spec = {f: fg.Dirichlet(rng.random()) for f in gp.faces if not periodic["xyz".index(f[0])]}
        _check(rng.random(shape), gp, spec)


def test_kept_boundary_inputs_follow_changed_condition_values():
    """The sweep keeps its boundary inputs between calls; values changed since (an array changed in
    place, a number reassigned, a new time for a time-dependent value) must be seen."""
    g = fg.Grid((6, 7, 8))
    rng = np.random.default_rng(23)
    u = rng.random(g.shape)
    values = rng.random(g.face_shape("x-"))
    dx = fg.Dirichlet(values)
    rz = fg.Robin(1.0, 2.0, 0.5)
    ty = fg.Neumann(lambda x, y, z, t: np.cos(x + t) * z + y)
    spec = {"x-": dx, "z+": rz, "y+": ty, "*": fg.Dirichlet(0.25)}
    first = _check(u, g, spec, t=0.0)
    values[...] = rng.random(values.shape)  # in place: same array object
    _check(u, g, spec, t=0.0)
    rz.value = 3.0
    _check(u, g, spec, t=0.0)
    for t in (1.0, 0.0, 1.0):
        _check(u, g, spec, t=t)
    ro = u.copy()
    ro.flags.writeable = False
    _check(ro, g, spec, t=1.0)
    assert first <= TOL[np.float64]
    a = fg.laplacian(u, g, spec, t=0.0)
    values[3, 4] += 1.0
    b = fg.laplacian(u, g, spec, t=0.0)
    # node (0, 3, 4) holds values[3, 4]: its neighbour inward reads it with weight 1/hx^2
    hx = g.spacing[0]
    assert b[1, 3, 4] - a[1, 3, 4] == pytest.approx(1.0 / hx ** 2, rel=1e-9)


def test_kept_boundary_inputs_are_bounded():
    g = fg.Grid((5, 6, 7))
    u = np.random.default_rng(29).random(g.shape)
    for n in range(3 * B.ghosts._SWEEP_PLANS_SIZE):
        fg.laplacian(u, g, fg.Dirichlet(float(n)))
    assert len(B.ghosts._SWEEP_PLANS) <= B.ghosts._SWEEP_PLANS_SIZE
