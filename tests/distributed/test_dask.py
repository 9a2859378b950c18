"""Dask operators on chunked fields equal the in-memory operators exactly."""
import numpy as np
import pytest

import fieldgrad as fg

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'dask[array]')")
h5py = pytest.importorskip("h5py")
from fieldgrad.distributed import dask as fdd  # noqa: E402
from fieldgrad.errors import BoundaryError, GridError, ParameterError, ShapeError  # noqa: E402

CASES = [
    ((23, 21), False, {"x": fg.Dirichlet(1.0), "*": fg.Neumann(0.5)}, (6, 7)),
    ((24, 20), (True, False), {"y-": fg.Robin(2.0, 1.0, 0.3), "y+": fg.Dirichlet(lambda x, y: x)}, (8, 7)),
    ((13, 12, 11), True, None, (7, 6, 6)),
    ((12, 15, 10), False, {"*": fg.Neumann(lambda x, y, z: x - z)}, (4, 5, 5)),
]


@pytest.mark.parametrize("shape,per,bc,chunks", CASES)
def test_dask_operators_equal_in_memory(shape, per, bc, chunks):
    g = fg.Grid(shape, periodic=per)
    rng = np.random.default_rng(3)
    u = rng.standard_normal(shape)
    k = 1 + rng.random(shape)
    du = da.from_array(u, chunks=chunks)
    np.testing.assert_array_equal(fdd.laplacian(du, g, bc).compute(), fg.laplacian(u, g, bc))
    np.testing.assert_array_equal(fdd.grad(du, g, bc).compute(), fg.grad(u, g, bc))
    np.testing.assert_array_equal(fdd.div_k_grad(du, da.from_array(k, chunks=chunks), g, bc).compute(),
                                  fg.div_k_grad(u, k, g, bc))


def test_hdf5_chunked_gradient_with_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    g = fg.Grid((40, 36), extent=[(0, 2), (0, 1)])
    X, Y = g.mesh()
    u = np.sin(3 * X) * np.cos(2 * Y) + X * Y
    bc = {"x": fg.Dirichlet(lambda x, y: np.sin(3 * x) * np.cos(2 * y) + x * y), "y": fg.Neumann(0.0)}
    src = tmp_path / "field.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("T", data=u, chunks=(10, 9))
    dst = tmp_path / "grad.h5"
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        field = fdd.read_hdf5(src, "T")
        assert field.chunks == ((10,) * 4, (9,) * 4)
        q = fdd.grad(field, g, bc)
        # every task works on one chunk plus its halo: no block is larger than a chunk
        assert max(max(c) for c in q.chunks[1:]) == 10
        fdd.write_hdf5(q, dst, "gradT")
    with h5py.File(dst, "r") as f:
        np.testing.assert_array_equal(f["gradT"][...], fg.grad(u, g, bc))


def test_small_chunks_rejected():
    g = fg.Grid((10, 10))
    with pytest.raises(GridError, match="at least 4 nodes"):
        fdd.laplacian(da.from_array(np.zeros(g.shape), chunks=3), g)


# ---------------------------------------------------------------------- div and curl
CHUNKINGS = {  # several chunkings per case: uneven, one chunk per axis, periodic seams cut or not
    (23, 21): [(6, 7), (23, 21), (8, 11), (6, 21)],
    (24, 20): [(8, 7), (24, 4), (5, 20)],
    (13, 12, 11): [(7, 6, 6), (13, 12, 11), (7, 4, 11)],
    (12, 15, 10): [(4, 5, 5), (12, 8, 10)],
}
CYL = {  # cylindrical (r, z): a solid cylinder (the axis in the first chunk), a pipe wall, a periodic z axis
    "solid": (dict(extent=[(0, 1), (0, 2)]),
              {"r+": fg.Dirichlet(lambda r, z, t: r + t), "z-": fg.Robin(1.0, 2.0, 0.5), "z+": fg.Neumann(0.3)}),
    "pipe": (dict(extent=[(0.5, 1.5), (0, 2)]), {"r-": fg.Neumann(1.0), "r+": fg.Dirichlet(2.0), "z": fg.Dirichlet(0.5)}),
    "periodic_z": (dict(extent=[(0, 1), (0, 2)], periodic=(False, True)), {"r+": fg.Robin(1.0, 1.0, 0.0)}),
}


@pytest.mark.parametrize("shape,per,bc,_", CASES)
def test_dask_div_and_curl_equal_in_memory(shape, per, bc, _):
    g = fg.Grid(shape, periodic=per)
    v = np.random.default_rng(5).standard_normal((g.ndim,) + shape)
    div, curl = fg.div(v, g, bc, t=0.3), fg.curl(v, g)
    for chunks in CHUNKINGS[shape]:
        for lead in (1, g.ndim):  # the component axis chunked or whole
            V = da.from_array(v, chunks=(lead,) + chunks)
            d, c = fdd.div(V, g, bc, t=0.3), fdd.curl(V, g)
            assert d.chunks == V.chunks[1:] and c.chunks[-g.ndim:] == V.chunks[1:]
            np.testing.assert_array_equal(d.compute(), div)
            np.testing.assert_array_equal(c.compute(), curl)


@pytest.mark.parametrize("chunks", [(9, 7), (6, 5), (6, 14), (17, 5)])
@pytest.mark.parametrize("name", list(CYL))
def test_dask_cylindrical_div_and_curl_equal_in_memory(name, chunks):
    kw, bc = CYL[name]
    g = fg.Grid((17, 14), coords="cylindrical", **kw)
    v = np.random.default_rng(6).standard_normal((2,) + g.shape)
    V = da.from_array(v, chunks=(1,) + chunks)
    np.testing.assert_array_equal(fdd.div(V, g, bc, t=0.3).compute(), fg.div(v, g, bc, t=0.3))
    np.testing.assert_array_equal(fdd.curl(V, g).compute(), fg.curl(v, g))


def test_dask_div_and_curl_of_exact_fields_in_float32():
    g = fg.Grid((16, 13), extent=[(0, 1), (0, 1)], coords="cylindrical")
    R, Z = g.mesh()
    V = da.from_array(np.stack([R, Z]).astype(np.float32), chunks=(2, 6, 7))
    d = fdd.div(V, g).compute()
    assert d.dtype == np.float32
    np.testing.assert_allclose(d, 3.0, rtol=1e-5)  # (1/r) d(r^2)/dr + 1, the axis row too
    gc = fg.Grid((12, 10))
    X, Y = gc.mesh()
    c = fdd.curl(da.from_array(np.stack([-Y, X]), chunks=(1, 4, 5)), gc).compute()
    np.testing.assert_allclose(c, 2.0, rtol=1e-13)


def test_dask_div_and_curl_refuse_bad_input():
    g = fg.Grid((12, 10))
    v = np.zeros((2,) + g.shape)
    with pytest.raises(ShapeError, match=r"v has shape \(3, 12, 10\)"):
        fdd.div(da.zeros((3,) + g.shape, chunks=6), g)
    with pytest.raises(ShapeError, match="v has shape"):
        fdd.curl(da.zeros(g.shape, chunks=6), g)
    with pytest.raises(BoundaryError, match="bc=None"):
        fdd.curl(da.from_array(v, chunks=6), g, fg.Neumann(0.0))
    with pytest.raises(ParameterError, match="dask array"):
        fdd.div(v, g)
    with pytest.raises(GridError, match="at least 4 nodes"):
        fdd.div(da.from_array(v, chunks=(2, 3, 10)), g)
    with pytest.raises(GridError, match="at least 4 nodes"):
        fdd.curl(da.from_array(v, chunks=(2, 12, 3)), g)
