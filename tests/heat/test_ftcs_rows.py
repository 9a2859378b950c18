"""The 3D FTCS step's row sweep (``kernels.ftcs_rows_3d``: flat row blocks, z ghosts applied from
their rules inside the sweep) against the general path it replaces (``kernels.ftcs_const_3d`` with
every ghost filled by the plan) and against exact values."""
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid, Neumann, Robin
from fieldgrad.heat import kernels as K
from fieldgrad.heat.explicit import FTCS
from fieldgrad.heat.problem import HeatProblem
from fieldgrad.operators import div_k_grad


def _old_step(st, u, t, dt):
    """One FTCS step through the general path (all ghosts from the plan, ``ftcs_const_3d``)."""
    sw = st.sweep
    out = np.empty_like(u)
    gh = [x for pair in sw.ghosts.fill(u, t) for x in pair]
    s = st.problem.source_at(t)
    K.ftcs_const_3d(u, *gh, *sw.coef, sw.f(s), sw.f(dt), out)
    return sw.impose(out, t + dt)


def _field(g, seed=0):
    return np.random.default_rng(seed).random(g.shape)


def _rand_face(shape, seed):
    return 0.5 + np.random.default_rng(seed).random(shape)


CASES = {
    "dirichlet": (lambda: Grid((9, 10, 11)), lambda g: Dirichlet(0.25)),
    "neumann": (lambda: Grid((9, 10, 11)), lambda g: Neumann(1.5)),
    "periodic": (lambda: Grid((9, 10, 11), periodic=True), lambda g: {}),
    "robin": (lambda: Grid((9, 10, 11)), lambda g: Robin(2.0, 1.0, 0.5)),
    "robin_array_z": (lambda: Grid((9, 10, 11)),
                      lambda g: {"*": Neumann(0.0), "z": Robin(_rand_face((9, 10), 1), 1.0, 0.3)}),
    "neumann_array": (lambda: Grid((9, 10, 11)), lambda g: {"*": Dirichlet(0.0), "z-": Neumann(_rand_face((9, 10), 2)),
                                                            "y+": Neumann(_rand_face((9, 11), 3))}),
    "mixed": (lambda: Grid((9, 10, 11), periodic=(False, False, True)),
              lambda g: {"x": Dirichlet(1.0), "y-": Neumann(0.5), "y+": Robin(1.0, 2.0, 0.1)}),
    "mixed_z_dirichlet": (lambda: Grid((9, 10, 11), periodic=(True, False, False)),
                          lambda g: {"y": Neumann(-1.0), "z-": Dirichlet(2.0), "z+": Neumann(0.3)}),
    "dirichlet_each_face": (lambda: Grid((9, 10, 11)),
                            lambda g: {"x-": Dirichlet(1.0), "x+": Dirichlet(2.0), "y-": Dirichlet(3.0),
                                       "y+": Dirichlet(_rand_face((9, 11), 4)), "z-": Dirichlet(5.0),
                                       "z+": Dirichlet(_rand_face((9, 10), 5))}),
    "dirichlet_some_faces": (lambda: Grid((9, 10, 11), periodic=(False, True, False)),
                             lambda g: {"x-": Neumann(0.5), "x+": Dirichlet(2.0), "z-": Dirichlet(-1.0),
                                        "z+": Robin(1.0, 1.0, 0.0)}),
    "many_blocks": (lambda: Grid((4, 37, 6)),
                    lambda g: {"*": Neumann(0.5), "z+": Dirichlet(1.0), "y-": Dirichlet(2.0)}),
    "small": (lambda: Grid((3, 2, 2)), lambda g: Neumann(1.0)),
    "small_dirichlet": (lambda: Grid((2, 3, 2)), lambda g: {"*": Dirichlet(1.0), "y+": Neumann(1.0)}),
    "small_periodic": (lambda: Grid((3, 3, 3), periodic=True), lambda g: {}),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_sweep_equals_the_general_path(case, dtype):
    gf, bcf = CASES[case]
    g = gf()
    p = HeatProblem(_field(g).astype(dtype), g, bcf(g), alpha=0.7)
    st = FTCS(p)
    assert st.sweep.rows3d and (case != "many_blocks" or g.shape[1] > 2 * st.sweep.jb + 2)  # three row blocks
    u = p.initial_field()
    dt = 0.9 * p.dt_explicit
    new = st.step(u, 0.0, dt)
    ref = _old_step(st, u, 0.0, dt)
    tol = 1e-14 if dtype == np.float64 else 1e-6
    assert new.dtype == dtype
    np.testing.assert_allclose(new, ref, rtol=tol, atol=tol * np.abs(ref).max())


@pytest.mark.parametrize("case", ["neumann", "periodic", "robin", "mixed"])
def test_rows_sweep_equals_the_operator(case):
    # away from Dirichlet faces the step is u + dt * div_k_grad(u) exactly (the operator's own ghosts)
    gf, bcf = CASES[case]
    g = gf()
    bc = bcf(g)
    u0 = _field(g)
    p = HeatProblem(u0, g, bc, alpha=1.0)
    dt = 0.5 * p.dt_explicit
    u = p.initial_field()
    new = FTCS(p).step(u, 0.0, dt)
    ref = u + dt * div_k_grad(u, g, bc, k=1.0)
    sl = (slice(1, -1), slice(None), slice(None)) if case == "mixed" else (slice(None),) * 3
    np.testing.assert_allclose(new[sl], ref[sl], rtol=1e-13, atol=1e-13)


def test_time_dependent_values_follow_the_step_time():
    # Neumann flux g(t) on z faces (ghosts applied in the sweep) and Dirichlet value v(t) on x faces
    g = Grid((8, 9, 10))
    bc = {"x": Dirichlet(lambda x, y, z, t: 1.0 + t + 0 * y), "y": Neumann(0.0),
          "z": Neumann(lambda x, y, z, t: np.sin(3 * t) + x * y)}
    p = HeatProblem(_field(g), g, bc, alpha=1.0)
    st = FTCS(p)
    u = p.initial_field()
    dt = 0.9 * p.dt_explicit
    t = 0.0
    for _ in range(4):
        ref = _old_step(st, u, t, dt)
        new = st.step(u, t, dt)
        np.testing.assert_allclose(new, ref, rtol=1e-14, atol=1e-14)
        # the Dirichlet nodes hold the values of the new time
        np.testing.assert_array_equal(new[0], 1.0 + t + dt)
        u = new.copy()
        t += dt


def test_time_dependent_source_number():
    g = Grid((7, 8, 9))
    p = HeatProblem(_field(g), g, Neumann(0.0), alpha=1.0, source=lambda t: 2.0 + t)
    st = FTCS(p)
    u = p.initial_field()
    dt = 0.5 * p.dt_explicit
    new = st.step(u, 0.3, dt)
    ref = _old_step(st, u, 0.3, dt)
    np.testing.assert_allclose(new, ref, rtol=1e-14, atol=1e-14)


def test_constant_field_with_zero_flux_is_steady_and_linear_field_exact():
    # exact values: a constant stays constant (zero flux); a linear field in z with the matching flux
    # on the z faces (and zero flux elsewhere) has a zero discrete Laplacian everywhere
    g = Grid((6, 7, 33))
    p = HeatProblem(np.full(g.shape, 3.0), g, Neumann(0.0), alpha=1.0)
    out = FTCS(p).step(p.initial_field(), 0.0, p.dt_explicit)
    np.testing.assert_array_equal(out, 3.0)
    Z = g.mesh()[2]
    bc = {"x": Neumann(0.0), "y": Neumann(0.0), "z-": Neumann(-2.0), "z+": Neumann(2.0)}
    p = HeatProblem(2.0 * Z, g, bc, alpha=1.0)
    out = FTCS(p).step(p.initial_field(), 0.0, p.dt_explicit)
    np.testing.assert_allclose(out, 2.0 * Z, rtol=0, atol=1e-13)


def test_fortran_ordered_field_takes_the_general_path():
    g = Grid((6, 7, 8))
    p = HeatProblem(_field(g), g, Neumann(1.0), alpha=1.0)
    st = FTCS(p)
    u = np.asfortranarray(p.initial_field())
    out = st.step(u, 0.0, 0.5 * p.dt_explicit)
    ref = _old_step(st, np.ascontiguousarray(u), 0.0, 0.5 * p.dt_explicit)
    np.testing.assert_allclose(out, ref, rtol=1e-14, atol=1e-14)


def test_long_run_matches_general_path_bitwise_close():
    g = Grid((12, 11, 17), periodic=(False, True, False))
    bc = {"x-": Dirichlet(1.0), "x+": Neumann(0.2), "z": Robin(1.0, 1.0, 0.0)}
    p = HeatProblem(_field(g), g, bc, alpha=1.0)
    st = FTCS(p)
    dt = 0.9 * p.dt_explicit
    a = p.initial_field()
    b = a.copy()
    for n in range(30):
        a = st.step(a, n * dt, dt).copy()
        b = _old_step(st, b, n * dt, dt)
    np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_dirichlet_faces_listed_out_of_grid_order_are_written_after_the_sweep():
    # a condition set whose Dirichlet faces are not in the grid's face order: the sweep does not hold
    # them (it writes faces in grid order), impose writes them in the set's order (later faces win)
    from fieldgrad.boundary.conditions import BoundaryConditions

    g = Grid((6, 7, 8))
    order = ["z+", "z-", "y+", "y-", "x+", "x-"]
    bcs = BoundaryConditions(g, {f: Dirichlet(float(n + 1)) for n, f in enumerate(order)})
    p = HeatProblem(_field(g), g, bcs, alpha=1.0)
    st = FTCS(p)
    assert st.sweep.ghosts.held_inputs(0.0) is None
    u = p.initial_field()
    out = st.step(u, 0.0, p.dt_explicit)
    assert out[0, 0, 0] == 6.0 and out[-1, -1, -1] == 5.0 and out[3, 0, 0] == 4.0 and out[3, 3, 0] == 2.0
    np.testing.assert_allclose(out, _old_step(st, u, 0.0, p.dt_explicit), rtol=1e-14, atol=1e-14)


def test_held_faces_write_the_values_of_the_new_time_in_grid_order():
    g = Grid((5, 6, 7))
    bc = {"x-": Dirichlet(lambda x, y, z, t: 10 * t + 0 * y), "y+": Dirichlet(-1.0),
          "z-": Dirichlet(lambda x, y, z, t: x + y + t), "x+": Neumann(0.0), "y-": Neumann(0.0), "z+": Neumann(0.0)}
    p = HeatProblem(_field(g), g, bc, alpha=1.0)
    st = FTCS(p)
    dt = 0.5 * p.dt_explicit
    out = st.step(p.initial_field(), 0.2, dt)
    X, Y, Z = g.mesh()
    t1 = 0.2 + dt
    np.testing.assert_array_equal(out[:, :, 0], (X + Y + t1)[:, :, 0])  # z- last: wins on its edges
    np.testing.assert_array_equal(out[1:, -1, 1:], -1.0)                 # y+ wins over x- on their edge
    np.testing.assert_array_equal(out[0, :-1, 1:], 10 * t1)
