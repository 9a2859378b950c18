"""Dask operators on chunked fields equal the in-memory operators exactly."""
import numpy as np
import pytest

import fieldgrad as fg

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'dask[array]')")
h5py = pytest.importorskip("h5py")
from fieldgrad.distributed import dask as fdd  # noqa: E402
from fieldgrad.errors import GridError  # noqa: E402

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
