"""Shared helpers for the fieldgrad.io tests: a minimal stand-in for the Simulation."""
import types

import numpy as np
from fieldgrad import Dirichlet, Grid, resolve_bc


def fake_sim(grid, params=None, step=0, t=0.0):
    """An object with the attributes a writer reads from a Simulation."""
    return types.SimpleNamespace(grid=grid, bc=resolve_bc(Dirichlet(0.0), grid), params=params or {"alpha": 1.0},
                                 t=t, step=step)


def frame_fields(grid, step):
    """Deterministic, step-dependent scalar and vector fields (distinct bits per step)."""
    rng = np.random.default_rng(step)
    return {"T": rng.standard_normal(grid.shape), "q": rng.standard_normal((grid.ndim,) + grid.shape)}


def grid3():
    return Grid((9, 6, 5), extent=[(0.0, 1.0), (-1.0, 1.5), (2.0, 3.0)])


def grid2():
    return Grid((7, 5), extent=[(0.0, 2.0), (0.0, 1.0)], periodic=(False, True))


def write_run(path, grid, steps, **writer_kw):
    """Write frames for the given steps with an HDF5Writer; returns the fields written per step."""
    from fieldgrad.io import HDF5Writer

    sim = fake_sim(grid)
    w = HDF5Writer(path, **writer_kw)
    w.open(sim)
    written = {}
    for s in steps:
        sim.step, sim.t = s, 0.5 * s
        written[s] = frame_fields(grid, s)
        w.write(sim.t, written[s])
    w.close()
    return written
