"""The Dask operators on cylindrical (r, z) grids: each chunk, grown by one halo layer, applies the
solvers' finite-volume rows (what the serial ``laplacian`` / ``div_k_grad`` apply there) as its own
(r, z) grid with the global node coordinates.  The results equal the serial operators' to the
bit for every chunking: a solid cylinder (the axis r = 0 in the first chunk), a pipe wall
(r from 0.5), and a periodic z axis; ``grad``'s d/dr, d/dz are the Cartesian ones."""
import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="dask is not installed (pip install 'dask[array]')")

import fieldgrad as fg  # noqa: E402
from fieldgrad.distributed import dask as fdd  # noqa: E402

CASES = {
    "solid": (dict(extent=[(0, 1), (0, 2)]),
              {"r+": fg.Dirichlet(lambda r, z, t: r + t), "z-": fg.Robin(1.0, 2.0, 0.5), "z+": fg.Neumann(0.3)}),
    "pipe": (dict(extent=[(0.5, 1.5), (0, 2)]),
             {"r-": fg.Neumann(1.0), "r+": fg.Convection(3.0, 1.0, conductivity=2.0), "z": fg.Dirichlet(0.5)}),
    "periodic_z": (dict(extent=[(0, 1), (0, 2)], periodic=(False, True)),
                   {"r+": fg.Robin(1.0, 1.0, 0.0), "z": fg.Periodic()}),
}


@pytest.mark.parametrize("chunks", [(9, 7), (6, 5), (17, 14)])
@pytest.mark.parametrize("name", list(CASES))
def test_cylindrical_operators_equal_the_serial_ones(name, chunks):
    kw, bc = CASES[name]
    g = fg.Grid((17, 14), coords="cylindrical", **kw)
    rng = np.random.default_rng(3)
    u = rng.standard_normal(g.shape)
    k = rng.uniform(1, 2, g.shape)
    U = da.from_array(u, chunks=chunks)
    lap = fg.laplacian(u, g, bc, t=0.3)
    assert np.max(np.abs(lap)) > 1.0
    np.testing.assert_array_equal(fdd.laplacian(U, g, bc, t=0.3).compute(), lap)
    np.testing.assert_array_equal(fdd.div_k_grad(U, g, bc, k=k).compute(), fg.div_k_grad(u, g, bc, k=k))
    np.testing.assert_array_equal(fdd.div_k_grad(U, g, bc, k=da.from_array(k, chunks=chunks)).compute(),
                                  fg.div_k_grad(u, g, bc, k=k))
    np.testing.assert_array_equal(fdd.grad(U, g, bc).compute(), fg.grad(u, g, bc))


def test_the_cylindrical_laplacian_of_r_squared_is_four():
    # (1/r) d/dr (r d(r^2)/dr) = 4 at every inner node, across the chunk cuts too
    g = fg.Grid((17, 9), extent=[(0, 1), (0, 1)], coords="cylindrical")
    r = g.mesh()[0]
    lap = fdd.laplacian(da.from_array(r ** 2, chunks=(6, 9)), g, {"r+": fg.Dirichlet(1.0), "z": fg.Neumann(0.0)})
    np.testing.assert_allclose(lap.compute()[:-1], 4.0, rtol=1e-12)
