"""The operators that evaluate the solvers' finite-volume rows, on the CUDA path (simulator, tiny
grids): ``laplacian`` / ``div_k_grad`` on cylindrical ``(r, z)`` grids and with ``k`` on cells
(holes too) or ``Orthotropic``, and the cylindrical ``div``.  The device result equals the CPU
result to rounding (1e-12 relative), and device arrays stay on the device."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.errors import BackendError, ShapeError
from fieldgrad.materials import cell_centres, cell_shape

RTOL = 1e-12


def same(dev, ref):
    """The device result ``dev`` (a device array) equals ``ref`` to RTOL of its largest value."""
    assert not isinstance(dev, np.ndarray) and hasattr(dev, "copy_to_host")
    got = dev.copy_to_host()
    assert got.shape == ref.shape and got.dtype == ref.dtype
    scale = np.abs(ref).max()
    assert scale > 0
    np.testing.assert_allclose(got, ref, rtol=0, atol=RTOL * scale)


def cylinder(r0):
    """An (r, z) grid from r0 (0: the axis) to 1, and a smooth field on it."""
    g = fg.Grid((9, 7), extent=[(r0, 1.0), (0.0, 0.75)], coords="cylindrical")
    R, Z = g.mesh()
    return g, R ** 2 * Z + np.cos(2 * R) * np.exp(Z) + 0.3 * R


def faces(r0):
    """Dirichlet (time-dependent), Neumann and Robin faces; an annulus's inner face too."""
    bc = {"r+": fg.Robin(2.0, 0.5, lambda r, z: 0.2 + z), "z-": fg.Dirichlet(lambda r, z, t: 1.0 + r * t),
          "z+": fg.Neumann(0.4)}
    if r0 > 0:
        bc["r-"] = fg.Neumann(lambda r, z: z)
    return bc


@pytest.mark.parametrize("r0", [0.0, 0.25])
@pytest.mark.parametrize("t", [0.0, 0.7])
def test_cylindrical_laplacian_and_div_k_grad_equal_the_cpu(cu, r0, t):
    g, u = cylinder(r0)
    bc = faces(r0)
    R, Z = g.mesh()
    same(fg.laplacian(u, g, bc, t=t, backend="cuda"), fg.laplacian(u, g, bc, t=t))
    k = 1.0 + R * Z + R ** 2
    same(fg.div_k_grad(u, g, bc, k=k, t=t, backend="cuda"), fg.div_k_grad(u, g, bc, k=k, t=t))
    same(fg.div_k_grad(u, g, bc, k=3.0, t=t, backend="cuda"), fg.div_k_grad(u, g, bc, k=3.0, t=t))


def test_time_dependent_values_are_read_at_each_t(cu):
    """The device rows cache the boundary data per time: a second t gives the CPU's second answer."""
    g, u = cylinder(0.0)
    bc = faces(0.0)
    first = fg.laplacian(u, g, bc, t=0.1, backend="cuda").copy_to_host()
    second = fg.laplacian(u, g, bc, t=0.9, backend="cuda")
    same(second, fg.laplacian(u, g, bc, t=0.9))
    assert not np.allclose(first, second.copy_to_host())
    same(fg.laplacian(u, g, bc, t=0.1, backend="cuda"), fg.laplacian(u, g, bc, t=0.1))


def test_a_changed_k_array_is_seen(cu):
    """The device setup is cached by value: a node k changed in place gives a new setup."""
    g, u = cylinder(0.25)
    k = np.ones(g.shape)
    a = fg.div_k_grad(u, g, None, k=k, backend="cuda").copy_to_host()
    k[3:] = 5.0
    b = fg.div_k_grad(u, g, None, k=k, backend="cuda")
    same(b, fg.div_k_grad(u, g, None, k=k))
    assert not np.allclose(a, b.copy_to_host())


def _cells(g, seed):
    rng = np.random.default_rng(seed)
    return 1.0 + 9.0 * rng.random(cell_shape(g))


@pytest.mark.parametrize("shape", [(9, 8), (7, 6, 5)])
@pytest.mark.parametrize("kind", ["cells", "hole", "orthotropic"])
def test_cell_and_orthotropic_k_equal_the_cpu(cu, shape, kind):
    g = fg.Grid(shape, extent=[(0, 1)] * len(shape))
    mesh = g.mesh()
    u = np.sin(2 * mesh[0]) + mesh[0] * mesh[-1] + mesh[1] ** 2
    c = _cells(g, len(shape))
    if kind == "cells":
        k = fg.Cells(c)
    elif kind == "hole":
        centres = cell_centres(g)
        hole = np.ones(cell_shape(g), dtype=bool)
        for a, xc in enumerate(centres):
            hole &= (np.abs(xc - 0.5) < 0.2).reshape((-1,) + (1,) * (len(shape) - 1 - a))
        k = fg.Cells(c, domain=~hole)
    else:
        k = fg.Orthotropic(fg.Cells(c), 2.0, *([np.full(shape, 0.5)] if len(shape) == 3 else []))
    bc = {"x-": fg.Dirichlet(1.0), "y+": fg.Robin(1.0, 0.5, 0.2), "*": fg.Neumann(0.1)}
    ref = fg.div_k_grad(u, g, bc, k=k)
    same(fg.div_k_grad(u, g, bc, k=k, backend="cuda"), ref)
    if kind == "hole":  # nodes with no cell inside the domain hold 0 on the device too
        assert np.any(ref == 0.0)


@pytest.mark.parametrize("r0", [0.0, 0.25])
def test_cylindrical_cells_k_and_dirichlet_r_faces(cu, r0):
    g, u = cylinder(r0)
    k = fg.Cells(_cells(g, 3))
    same(fg.div_k_grad(u, g, faces(r0), k=k, t=0.4, backend="cuda"), fg.div_k_grad(u, g, faces(r0), k=k, t=0.4))
    bc = {"r+": fg.Dirichlet(lambda r, z, t: z + t), "z": fg.Robin(1.0, 0.3, 0.5)}
    if r0 > 0:
        bc["r-"] = fg.Dirichlet(2.0)
    same(fg.laplacian(u, g, bc, t=0.3, backend="cuda"), fg.laplacian(u, g, bc, t=0.3))
    same(fg.div_k_grad(u, g, bc, k=fg.Orthotropic(2.0, fg.Cells(_cells(g, 4))), t=0.3, backend="cuda"),
         fg.div_k_grad(u, g, bc, k=fg.Orthotropic(2.0, fg.Cells(_cells(g, 4))), t=0.3))


@pytest.mark.parametrize("r0", [0.0, 0.25])
def test_cylindrical_div_equals_the_cpu(cu, r0):
    g, u = cylinder(r0)
    R, Z = g.mesh()
    v = np.stack([R * Z + np.sin(R) * (1 + Z ** 2), Z ** 2 + R])
    held_r = {"r+": fg.Dirichlet(0.5), "z": fg.Neumann(0.2)}  # F_r held on the r faces: the radial term reads it
    if r0 > 0:
        held_r["r-"] = fg.Dirichlet(lambda r, z, t: z * t)
    for bc in (None, {"r+": fg.Neumann(0.1), "z": fg.Dirichlet(lambda r, z, t: r * t)}, held_r):
        same(fg.div(v, g, bc, t=0.5, backend="cuda"), fg.div(v, g, bc, t=0.5))
    # the exact divergence of a field the order-2 differences take exactly: (1/r) d(r^2)/dr + 1 = 3
    exact = fg.div(np.stack([R, Z]), g, backend="cuda").copy_to_host()
    np.testing.assert_allclose(exact, 3.0, rtol=1e-12)


def test_device_input_gives_a_device_result(cu):
    from fieldgrad.kernels.cuda_ops import to_device

    g, u = cylinder(0.0)
    d = to_device(u)
    out = cu.empty(g.shape, np.float64)
    res = fg.laplacian(d, g, faces(0.0), out=out)  # backend=None: a device array goes to CUDA
    assert res is out
    same(res, fg.laplacian(u, g, faces(0.0)))
    R, Z = g.mesh()
    v = to_device(np.stack([R * Z, Z]))
    same(fg.div(v, g), fg.div(v.copy_to_host(), g))
    gc = fg.Grid((8, 9))
    k = fg.Cells(_cells(gc, 5))
    same(fg.div_k_grad(to_device(gc.mesh()[0] ** 3), gc, None, k=k), fg.div_k_grad(gc.mesh()[0] ** 3, gc, None, k=k))
    # the process default selects CUDA for host arrays too
    with fg.backends.use_backend("cuda"):
        same(fg.laplacian(u, g, None), fg.laplacian(u, g, None, backend="cpu"))


def test_float32_stays_float32(cu):
    g, u = cylinder(0.25)
    ref = fg.laplacian(u, g, faces(0.25))
    got = fg.laplacian(u.astype(np.float32), g, faces(0.25), backend="cuda").copy_to_host()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-5 * np.abs(ref).max())


def test_refusals_name_the_function(cu):
    from fieldgrad.kernels.cuda_ops import to_device

    g, u = cylinder(0.0)
    d = to_device(u)
    with pytest.raises(BackendError, match="laplacian: a device array"):
        fg.laplacian(d, g, backend="cpu")
    with pytest.raises(BackendError, match="div_k_grad: a device array"):
        fg.div_k_grad(d, g, backend="cpu")
    with pytest.raises(BackendError, match="div: a device array"):
        fg.div(to_device(np.zeros((2,) + g.shape)), g, backend="cpu")
    with pytest.raises(ShapeError, match="out must be a device array"):
        fg.laplacian(u, g, backend="cuda", out=np.empty(g.shape))
    with pytest.raises(fg.errors.ParameterError, match="positive"):
        fg.div_k_grad(u, g, k=to_device(-np.ones(g.shape)), backend="cuda")


def test_links_are_uploaded_once(cu, monkeypatch):
    """A repeated call with equal arguments finds its device rows in the cache: the only host array
    copied to the device is the field itself."""
    from fieldgrad.backends import cuda as _cu

    g, u = cylinder(0.25)
    bc = {"r+": fg.Robin(2.0, 0.5, 0.3), "z-": fg.Dirichlet(1.0), "*": fg.Neumann(0.2)}
    k = fg.Cells(_cells(g, 7))
    first = fg.div_k_grad(u, g, bc, k=k, backend="cuda")
    uploads = []
    real = _cu.as_device

    def counting(x, *args, **kwargs):
        if isinstance(x, np.ndarray):
            uploads.append(x.shape)
        return real(x, *args, **kwargs)

    monkeypatch.setattr(_cu, "as_device", counting)
    again = fg.div_k_grad(u, g, dict(bc), k=fg.Cells(k.values), backend="cuda")
    assert uploads == [g.shape]
    np.testing.assert_array_equal(again.copy_to_host(), first.copy_to_host())


@pytest.mark.parametrize("r0", [0.0, 0.3])
def test_one_axis_cylindrical_grid(cu, r0):
    """A 1D (r) grid: the rows and the radial term on the 3D view (1, 1, n)."""
    g = fg.Grid((9,), extent=[(r0, 1.0)], coords="cylindrical")
    r = g.mesh()[0]
    bc = {"r+": fg.Dirichlet(2.0)}
    if r0:
        bc["r-"] = fg.Robin(1.0, 0.2, 0.1)
    same(fg.laplacian(r ** 3 + np.cos(r), g, bc, backend="cuda"), fg.laplacian(r ** 3 + np.cos(r), g, bc))
    v = (r ** 2 + 1.0)[None]
    same(fg.div(v, g, bc, backend="cuda"), fg.div(v, g, bc))


def test_periodic_axis_with_cell_k(cu):
    """A periodic x axis: the wrap links and the periodic axis tables on the device."""
    g = fg.Grid((8, 9), periodic=(True, False))
    X, Y = g.mesh()
    u = np.sin(2 * np.pi * X) * Y + Y ** 2
    c = _cells(g, 11)
    bc = {"y-": fg.Dirichlet(0.5), "y+": fg.Robin(1.0, 0.5, 0.1)}
    for k in (fg.Cells(c), fg.Orthotropic(fg.Cells(c), 3.0)):
        same(fg.div_k_grad(u, g, bc, k=k, backend="cuda"), fg.div_k_grad(u, g, bc, k=k))
