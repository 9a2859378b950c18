"""``Conductivity.node_k3_face`` (the boundary-data conductivity of one box face, from the cell
layer at the face) is the face of the full ``node_k3`` array to the last bit."""
import numpy as np
import pytest

import fieldgrad as fg
from fieldgrad.materials import Cells, Orthotropic, resolve_conductivity


@pytest.mark.parametrize("shape, periodic, coords", [((7, 5), (False, False), "cartesian"),
                                                     ((6, 5, 4), (True, False, False), "cartesian"),
                                                     ((5, 6, 7), (False, True, True), "cartesian"),
                                                     ((7, 6), (False, False), "cylindrical")])
def test_face_equals_full_array(shape, periodic, coords):
    g = fg.Grid(shape, periodic=periodic, coords=coords)
    rng = np.random.default_rng(len(shape))
    cs = tuple(n if p else n - 1 for n, p in zip(shape, periodic))
    ks = [Cells(rng.random(cs) + 0.5), 2.0, rng.random(shape) + 0.5,
          Orthotropic(*[Cells(rng.random(cs) + 0.5) if a % 2 == 0 else 3.0 for a in range(len(shape))]),
          Cells(rng.random(cs) + 0.5, domain=rng.random(cs) < 0.7)]
    checked = 0
    for k in ks:
        for a in range(len(shape)):
            if periodic[a]:
                continue
            for side in (0, 1):
                face = resolve_conductivity(k, g).node_k3_face(a, side)
                sl = tuple((0 if side == 0 else -1) if b == a else slice(None) for b in range(3))
                full = resolve_conductivity(k, g).node_k3(a)[sl]
                assert face.shape == full.shape
                assert np.array_equal(face, full)
                checked += 1
    assert checked >= 10
