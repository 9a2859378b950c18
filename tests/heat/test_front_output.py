"""solve_heat(output=...): an existing file is refused unless output_overwrite=True; a writer
object is attached as it is."""
import os

import numpy as np
import pytest

import fieldgrad.io as fio
from fieldgrad import Grid, Neumann
from fieldgrad.errors import FileFormatError, ParameterError
from fieldgrad.heat import solve_heat

G = Grid((9, 9))
U0 = np.fromfunction(lambda i, j: np.cos(np.pi * i / 8), G.shape)


def _run(**kw):
    return solve_heat(U0, G, Neumann(0.0), alpha=1.0, method="ftcs", progress=False, **kw)


def test_existing_output_is_refused_then_replaced_with_output_overwrite(tmp_path):
    path = str(tmp_path / "heat.h5")
    first = _run(t_end=0.01, output=path)
    stamp = os.path.getmtime(path)
    with pytest.raises(FileFormatError, match="already exists"):
        _run(t_end=0.02, output=path)
    assert os.path.getmtime(path) == stamp
    with fio.open(path) as f:
        assert f.times[-1] == pytest.approx(0.01)
    second = _run(t_end=0.02, output=path, output_overwrite=True)
    with fio.open(path) as f:
        assert f.times.tolist() == [0.0, pytest.approx(0.02)]
        np.testing.assert_array_equal(f["u"][-1], second.u)
        np.testing.assert_array_equal(f["u"][0], U0)
    # the cosine mode decays like exp(-lambda t) with the discrete eigenvalue; mean conserved
    assert np.mean(second.u) == pytest.approx(np.mean(U0), abs=1e-14)
    assert np.abs(second.u).max() < np.abs(first.u).max() < 1.0


def test_a_writer_object_is_used_with_its_own_options(tmp_path):
    path = str(tmp_path / "w.h5")
    fio.save(path, G, T=U0)  # something already there
    w = fio.HDF5Writer(path, every=4, overwrite=True, units={"u": "K"})
    dt = 0.9 / 512  # below the explicit limit 1/256 of h = 1/8
    res = _run(t_end=8 * dt, dt=dt, output=w)
    with fio.open(path) as f:
        assert f["u"].units == "K"
        assert f.steps.tolist() == [0, 4, 8] and res.steps == 8
        np.testing.assert_array_equal(f["u"][-1], res.u)
    with pytest.raises(ParameterError, match="output_every"):
        _run(t_end=0.01, output=fio.HDF5Writer(str(tmp_path / "v.h5")), output_every=2)


def test_final_state_is_the_last_frame(tmp_path):
    """With output_every not dividing the step count, the file still ends with the state at t_end."""
    import fieldgrad as fg
    import fieldgrad.io as fio

    g = fg.Grid((9, 9))
    u0 = np.random.default_rng(0).random(g.shape)
    path = tmp_path / "run.h5"
    r = fg.solve_heat(u0, g, fg.Neumann(0.0), alpha=1.0, t_end=0.05, method="ftcs", output=str(path),
                      output_every=7, progress=False)
    assert r.steps % 7 != 0
    with fio.open(str(path)) as f:
        assert list(f.steps) == list(range(0, r.steps, 7)) + [r.steps]
        assert f.times[-1] == r.t
        np.testing.assert_array_equal(f["u"][-1], r.u)
