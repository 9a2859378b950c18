"""Plots: labels and units from metadata, flux overlays, 3D slices, frames, refusal to overwrite."""
import os

import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid
from fieldgrad.errors import FileFormatError, ParameterError
from fieldgrad.fields import TemperatureField
from fieldgrad.plot import plot_field, plot_frames, plot_slices, save_figure


def test_field_plot_uses_metadata_and_draws_flux(tmp_path):
    g = Grid((21, 11), extent=[(0, 2), (0, 1)])
    T = TemperatureField.steady(g, {"x-": Dirichlet(1.0), "x+": Dirichlet(0.0)}, conductivity=2.0, units="degC")
    fig = plot_field(T, flux=True)
    ax, cax = fig.axes
    assert ax.get_xlabel() == "x [m]" and ax.get_ylabel() == "y [m]"
    assert cax.get_ylabel() == "temperature [degC]"
    assert ax.get_title() == "temperature"
    assert len(ax.collections) >= 2  # the map and the streamlines
    fig2 = plot_field(T, flux=True, style="arrows")
    assert any(type(c).__name__ == "Quiver" for c in fig2.axes[0].collections)
    p = save_figure(fig, tmp_path / "t.png")
    assert os.path.getsize(p) > 5000
    with pytest.raises(FileFormatError, match="already exists"):
        save_figure(fig, tmp_path / "t.png")
    with pytest.raises(ParameterError):
        plot_field(T.data)  # an array needs its grid


def test_3d_slices_and_frames_from_hdf5(tmp_path):
    g = Grid((9, 8, 7))
    X, Y, Z = g.mesh()
    fig = plot_slices(X + 2 * Y + 3 * Z, g, label="u", units="K")
    assert len(fig.axes) == 4 and fig.axes[0].get_title() == "x = 0.5 m"
    fig = plot_field(X + Z, g, slice_axis=1, label="u")
    assert "y = " in fig.axes[0].get_title()
    import fieldgrad.io as fio
    import types
    g2 = Grid((6, 5))
    w = fio.HDF5Writer(str(tmp_path / "r.h5"))
    sim = types.SimpleNamespace(grid=g2, bc=None, params={}, t=0.0, step=0)
    w.open(sim)
    for i in range(4):
        sim.step, sim.t = i, float(i)
        w.write(float(i), {"T": np.full(g2.shape, float(i))})
    w.close()
    fig = plot_frames(str(tmp_path / "r.h5"), "T", ncols=2)
    titles = [a.get_title() for a in fig.axes if a.get_visible() and a.get_title()]
    assert titles == ["t = 0 s", "t = 1 s", "t = 2 s", "t = 3 s"]
    with pytest.raises(ParameterError, match="nope"):
        plot_frames(str(tmp_path / "r.h5"), "nope")
