"""The CUDA ghost fills read the boundary rule table (issue 12): every rule kind -- Dirichlet,
Neumann, Robin / Convection, Periodic, none (one-sided) -- with number, array, callable and
time-dependent values, through the simulator against the CPU operators (float64, 1e-12), for the
Laplacian, the gradient, the divergence and div(k grad u) with k a number, a host array and a device
array.  The ghost and ghost-conductivity layers themselves are compared with the CPU GhostPlan."""
import numpy as np
import pytest

import fieldgrad as fg

TOL = 1e-12
R = np.random.default_rng(12)
NX, NY = 9, 11  # x faces have NY nodes, y faces NX
XA, YA = 1.0 + R.random(NY), 1.0 + R.random(NX)  # positive face arrays


def _cases():
    """name -> (grid, bc); the grids are small (simulator)."""
    g = fg.Grid((NX, NY), extent=[(0, 1), (0, 1.5)])
    gp = fg.Grid((NX, NY), extent=[(0, 1), (0, 1.5)], periodic=(True, False))
    return {
        "none": (g, None),
        "dirichlet-number": (g, fg.Dirichlet(1.5)),
        "dirichlet-array-callable": (g, {"x-": fg.Dirichlet(XA), "x+": fg.Dirichlet(lambda x, y: x * y),
                                         "y": fg.Dirichlet(YA)}),
        "dirichlet-time": (g, fg.Dirichlet(lambda x, y, t: np.sin(x + t) + y)),
        "neumann-number": (g, fg.Neumann(0.25)),
        "neumann-array-callable": (g, {"x": fg.Neumann(XA), "y-": fg.Neumann(lambda x, y: x ** 2), "y+": fg.Neumann(-YA)}),
        "neumann-time": (g, fg.Neumann(lambda x, y, t: t * x - y)),
        "robin-number": (g, fg.Robin(2.0, 1.0, 0.3)),
        # array alpha / beta make the rule's weight c_0 a face array (the kernel's full-weights path)
        "robin-array": (g, {"x": fg.Robin(XA, 2.0, XA ** 2), "y": fg.Robin(1.0, YA, lambda x, y: x)}),
        "convection-time": (g, fg.Convection(lambda x, y, t: 1.0 + t * y, 0.5, conductivity=2.0)),
        "periodic-mixed": (gp, {"y-": fg.Neumann(lambda x, y, t: np.cos(x) * t), "y+": fg.Robin(YA, 1.0, 0.2)}),
        "periodic-dirichlet": (gp, {"y": fg.Dirichlet(lambda x, y: np.cos(2 * np.pi * x))}),
    }


CASES = _cases()
TIMES = {name: ((0.0, 0.37) if "time" in name or "periodic-mixed" in name else (0.37,)) for name in CASES}


def _close(got, ref):
    assert got.dtype == ref.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=0, atol=TOL * max(1.0, float(np.abs(ref).max())))


def _fields(g):
    rng = np.random.default_rng(g.shape[0] * 7 + g.ndim)
    u = rng.standard_normal(g.shape)
    return u, rng.standard_normal((g.ndim,) + g.shape), 0.5 + rng.random(g.shape)


@pytest.mark.parametrize("name", list(CASES))
def test_every_rule_kind_matches_cpu_operators(cu, name):
    from fieldgrad.kernels import cuda_ops as co

    g, bc = CASES[name]
    u, v, k = _fields(g)
    for t in TIMES[name]:
        _close(co.to_host(co.laplacian(u, g, bc, t=t)), fg.laplacian(u, g, bc, t=t))
        _close(co.to_host(co.grad(u, g, bc, t=t)), fg.grad(u, g, bc, t=t))
        _close(co.to_host(co.div(v, g, bc, t=t)), fg.div(v, g, bc, t=t))
        # k-weighted rules: the Neumann/Robin ghosts carry k_0 g, ghost conductivities from the table
        _close(co.to_host(co.div_k_grad(u, k, g, bc, t=t)), fg.div_k_grad(u, g, bc, k=k, t=t))
    _close(co.to_host(co.div_k_grad(u, co.to_device(k), g, bc, t=t)), fg.div_k_grad(u, g, bc, k=k, t=t))
    _close(co.to_host(co.div_k_grad(u, 2.5, g, bc, t=t)), fg.div_k_grad(u, g, bc, k=2.5, t=t))


def test_one_and_three_dimensions(cu):
    from fieldgrad.kernels import cuda_ops as co

    g1 = fg.Grid((12,), extent=[(0, 2)])
    bc1 = {"x-": fg.Robin(3.0, 1.0, lambda x, t: t), "x+": fg.Neumann(lambda x, t: 1.0 + t)}
    g3 = fg.Grid((9, 9, 9), periodic=(False, False, True))
    bc3 = {"x-": fg.Dirichlet(lambda x, y, z: y * z), "x+": fg.Neumann(0.5),
           "y-": fg.Robin(lambda x, y, z: 1.0 + x, 2.0, 0.1), "y+": fg.Convection(4.0, 1.0, conductivity=0.5)}
    for g, bc in ((g1, bc1), (g3, bc3)):
        u, _, k = _fields(g)
        _close(co.to_host(co.laplacian(u, g, bc, t=0.2)), fg.laplacian(u, g, bc, t=0.2))
        _close(co.to_host(co.grad(u, g, bc, t=0.2)), fg.grad(u, g, bc, t=0.2))
        _close(co.to_host(co.div_k_grad(u, k, g, bc, t=0.2)), fg.div_k_grad(u, g, bc, k=k, t=0.2))


@pytest.mark.parametrize("name", ["robin-array", "neumann-time", "periodic-mixed", "none"])
def test_device_ghost_layers_equal_the_cpu_rule_table(cu, name):
    """The generic fill (and the uploaded ghost conductivities) give the CPU GhostPlan's layers."""
    from fieldgrad.boundary import GhostPlan, resolve_bc
    from fieldgrad.kernels import cuda_bc as cb, cuda_ops as co

    g, bc = CASES[name]
    bcs = resolve_bc(bc, g)
    u, _, k = _fields(g)
    t = 0.37
    cpu = GhostPlan(g, bcs, 2, np.float64, k=k)
    ghosts, kghosts = cpu.fill(u, t), cpu.kpairs()
    vshape = cb.view_shape(g.shape)
    plan = cb.ghost_plan(g, bcs, 2, np.float64, t).weighted(k, keep=False)
    bufs = [cu.zeros(cb.face_shape(vshape, a), np.float64) for a in range(3) for _ in (0, 1)]
    co.fill_ghosts(co.to_device(u).reshape(*vshape), plan, bufs)
    first = 3 - g.ndim
    for axis in range(g.ndim):
        for side in (0, 1):
            i = 2 * (axis + first) + side
            _close(bufs[i].copy_to_host().reshape(ghosts[axis][side].shape), ghosts[axis][side])
            _close(plan.kghosts[i].copy_to_host().reshape(kghosts[axis][side].shape), kghosts[axis][side])


def test_device_conductivity_changed_in_place_is_reread(cu):
    """div_k_grad reads the conductivity next to the faces on every call (no stale weighted rules)."""
    from fieldgrad.kernels import cuda_ops as co

    g, bc = CASES["robin-array"]
    u, _, k = _fields(g)
    kd = co.to_device(k)
    _close(co.to_host(co.div_k_grad(u, kd, g, bc)), fg.div_k_grad(u, g, bc, k=k))
    k2 = k.copy()
    k2[0] *= 3.0
    k2[:, -1] += 1.0
    kd.copy_to_device(k2)
    _close(co.to_host(co.div_k_grad(u, kd, g, bc)), fg.div_k_grad(u, g, bc, k=k2))


def test_face_fill_arguments_follow_the_rule(cu):
    """Number coefficients travel as kernel scalars, face-varying ones as device face arrays."""
    from fieldgrad.boundary import resolve_bc
    from fieldgrad.kernels import cuda_bc as cb

    g, bc = CASES["robin-array"]
    plan = cb.ghost_plan(g, resolve_bc(bc, g), 2, np.float64, 0.0)
    (_, _, lo), _ = plan.faces[1]  # x- : Robin with array alpha -> c_0 varies over the face
    src, depth, w0, w1, w2, w3, cw, full, d0, d, has_d = lo
    assert (src, depth, full, has_d) == (0, 2, True, True)
    h = g.spacing[0]
    np.testing.assert_allclose(cw.copy_to_host()[0].ravel(), -2 * h * XA / 2.0, rtol=1e-15)
    np.testing.assert_allclose(cw.copy_to_host()[1], 1.0)
    np.testing.assert_allclose(d.copy_to_host().ravel(), 2 * h * XA ** 2 / 2.0, rtol=1e-15)
    _, (_, _, hi) = cb.ghost_plan(g, resolve_bc(fg.Neumann(0.25), g), 2, np.float64, 0.0).faces[2]  # y+
    assert hi[:2] == (1, 2) and (hi[2], hi[3]) == (0.0, 1.0) and not hi[7] and not hi[10]
    assert hi[8] == pytest.approx(2 * g.spacing[1] * 0.25, rel=1e-15)


def test_weighted_plans_are_remembered_only_where_k_cannot_change(cu):
    from fieldgrad.boundary import resolve_bc
    from fieldgrad.kernels import cuda_bc as cb

    g, bc = CASES["neumann-number"]
    plan = cb.ghost_plan(g, resolve_bc(bc, g), 2, np.float64, 0.0)
    k = _fields(g)[2]
    assert plan.weighted(2.5, keep=False) is plan.weighted(2.5)  # a number cannot change
    assert plan.weighted(k) is plan.weighted(k)  # the steppers' fixed diffusivity
    assert plan.weighted(k, keep=False) is not plan.weighted(k, keep=False)  # an operator's k is re-read
