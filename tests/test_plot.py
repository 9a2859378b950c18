"""Plots: labels and units from metadata, flux overlays, 3D slices, frames, refusal to overwrite."""
import os

import matplotlib.contour as mcontour
import numpy as np
import pytest

from fieldgrad import Dirichlet, Grid
from fieldgrad.errors import FileFormatError, ParameterError
from fieldgrad.fields import PotentialField, TemperatureField
from fieldgrad.plot import plot_field, plot_frames, plot_result, plot_slices, save_figure


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


# ---------------------------------------------------------------- plots people keep (issue 14.5)
def _slot_field():
    """A plate conducting from x- to x+ with an insulating slot (k 1e4 times lower) on top:
    nodes x in {0.95, 1.0, 1.05}, y >= 0.5 (spacing 0.05)."""
    g = Grid((41, 21), extent=[(0, 2), (0, 1)])
    X, Y = g.mesh()
    k = np.where((np.abs(X - 1) < 0.06) & (Y > 0.49), 1e-4, 1.0)
    return TemperatureField.steady(g, {"x-": Dirichlet(1.0), "x+": Dirichlet(0.0)}, conductivity=k)


def _streamline_points(ax):
    lines = [c for c in ax.collections if type(c).__name__ == "LineCollection"]
    assert len(lines) == 1
    return np.concatenate([np.asarray(s) for s in lines[0].get_segments()])


def _contour_vertices(ax):
    sets = [c for c in ax.collections if isinstance(c, mcontour.ContourSet)]
    return [np.concatenate([p.vertices for p in cs.get_paths()]) for cs in sets]


def _legend(ax):
    leg = ax.get_legend()
    return [] if leg is None else [t.get_text() for t in leg.get_texts()]


def _heights(fig, ax, cax):
    fig.canvas.draw()
    a, c = ax.get_window_extent(), cax.get_window_extent()
    return a, c


@pytest.mark.parametrize("extent", [[(0, 2), (0, 1)], [(0, 1), (0, 3)]])
def test_colour_bar_is_exactly_as_tall_as_the_map(extent):
    g = Grid((21, 11), extent=extent)
    X, Y = g.mesh()
    fig = plot_field(X + Y, g, label="u", units="K")
    ax, cax = fig.axes
    a, c = _heights(fig, ax, cax)
    assert abs(c.height - a.height) < 0.5 and abs(c.y0 - a.y0) < 0.5
    assert 0 <= c.x0 - a.x1 < 30  # beside the map (clear of its last tick label), not floating away


def test_material_boundary_outlined_half_a_spacing_outside_the_slot_nodes():
    fig = plot_field(_slot_field(), flux=True)
    ax = fig.axes[0]
    (v,) = _contour_vertices(ax)
    # the slot's nodes span x in [0.95, 1.05], y >= 0.5: the outline runs h/2 outside them
    on_sides = np.isclose(v[:, 0], 0.925) | np.isclose(v[:, 0], 1.075)
    on_bottom = np.isclose(v[:, 1], 0.475) & (v[:, 0] > 0.92) & (v[:, 0] < 1.08)
    assert np.all(on_sides | on_bottom)
    assert v[:, 1].max() == pytest.approx(1.0) and np.isclose(v[:, 0], 0.925).any() and on_bottom.any()
    assert _legend(ax) == ["material boundary (jump of k)", "heat flux q = -k grad T"]


def test_heat_flux_lines_do_not_cross_the_insulator():
    field = _slot_field()
    pts = _streamline_points(plot_field(field, flux=True).axes[0])
    inside = (pts[:, 0] > 0.95) & (pts[:, 0] < 1.05) & (pts[:, 1] > 0.5)
    assert not inside.any()
    assert ((pts[:, 0] > 0.95) & (pts[:, 0] < 1.05) & (pts[:, 1] < 0.45)).any()  # lines pass below it
    # the same lines drawn without the insulator mask do run through the slot
    pts = _streamline_points(plot_field(field, flux=True, insulator=None).axes[0])
    assert ((pts[:, 0] > 0.95) & (pts[:, 0] < 1.05) & (pts[:, 1] > 0.5)).any()


def test_electrode_outlined_and_field_lines_end_on_it(tmp_path):
    g = Grid((41, 41), extent=[(-1, 1), (-1, 1)])
    X, Y = g.mesh()
    el = (np.abs(X) <= 0.2) & (np.abs(Y) <= 0.1)
    phi = PotentialField.steady(g, Dirichlet(0.0), fixed=[(el, 1.0)])
    fig = plot_field(phi, flux=True, fixed=[(el, 1.0)])
    ax = fig.axes[0]
    assert _legend(ax) == ["electrode (held potential)", "electric field E = -grad phi"]
    (v,) = _contour_vertices(ax)
    assert np.abs(v[:, 0]).max() == pytest.approx(0.225) and np.abs(v[:, 1]).max() == pytest.approx(0.125)
    pts = _streamline_points(ax)
    assert not ((np.abs(pts[:, 0]) < 0.2) & (np.abs(pts[:, 1]) < 0.1)).any()
    # E points away from the electrode held above the grounded walls
    right = (pts[:, 0] > 0.5) & (np.abs(pts[:, 1]) < 0.05)
    assert right.any()
    save_figure(fig, tmp_path / "electrode.png")


def test_domain_mask_blanks_the_outside_and_bounds_the_lines():
    g = Grid((33, 33), extent=[(-1, 1), (-1, 1)])
    X, Y = g.mesh()
    domain = X ** 2 + Y ** 2 <= 0.8 ** 2
    fig = plot_field(X, g, flux=np.stack([np.ones(g.shape), 0.3 * np.ones(g.shape)]), flux_label="flux",
                     domain=domain)
    ax = fig.axes[0]
    mesh = ax.collections[0]
    values = np.ma.asarray(mesh.get_array()).reshape(33, 33).T  # back to (x, y)
    assert np.ma.getmaskarray(values)[~domain].all() and not np.ma.getmaskarray(values)[domain].any()
    pts = _streamline_points(ax)
    assert np.hypot(pts[:, 0], pts[:, 1]).max() <= 0.8 + 1e-9
    assert "domain edge" in _legend(ax)


def test_diverging_scale_is_symmetric_about_the_centre():
    g = Grid((5, 5))
    X, _ = g.mesh()
    mesh = plot_field(4 * X - 1, g, center=0.0).axes[0].collections[0]
    assert mesh.get_clim() == (-3.0, 3.0) and mesh.get_cmap().name == "RdBu_r"
    mesh = plot_field(4 * X - 1, g, center=2.0).axes[0].collections[0]
    assert mesh.get_clim() == (-1.0, 5.0)


def _frames_file(path, ndim=2):
    import types

    import fieldgrad.io as fio

    g = Grid((6, 5)) if ndim == 2 else Grid((5, 5, 17))
    w = fio.HDF5Writer(str(path))
    sim = types.SimpleNamespace(grid=g, bc=None, params={"dt": 1.0}, t=0.0, step=0)
    w.open(sim)
    X = g.mesh()[0]
    for i in range(4):
        sim.step, sim.t = i, float(i)
        w.write(float(i), {"T": X * 10.0 ** -i - 0.5 * 10.0 ** -i})
    w.close()
    return str(path)


def test_frame_grid_colour_scale_per_frame_or_shared(tmp_path):
    path = _frames_file(tmp_path / "decay.h5")
    fig = plot_frames(path, "T", ncols=2, scale="frame")
    assert len(fig.axes) == 8  # four maps, four colour bars
    maps = fig.axes[:4]
    for i, ax in enumerate(maps):
        assert ax.collections[0].get_clim() == pytest.approx((-0.5 * 10.0 ** -i, 0.5 * 10.0 ** -i))
    fig.canvas.draw()
    bars = fig.axes[4:]
    for ax, cax in zip(maps, bars):
        assert abs(cax.get_window_extent().height - ax.get_window_extent().height) < 0.5
    fig = plot_frames(path, "T", ncols=2, center=0.0)
    clims = {a.collections[0].get_clim() for a in fig.axes[:4]}
    assert clims == {(-0.5, 0.5)} and len(fig.axes) == 5
    fig.canvas.draw()
    boxes = [a.get_window_extent() for a in fig.axes[:4]]
    bar = fig.axes[4].get_window_extent()
    assert abs(bar.y0 - min(b.y0 for b in boxes)) < 0.5 and abs(bar.y1 - max(b.y1 for b in boxes)) < 0.5
    with pytest.raises(ParameterError, match="scale must be"):
        plot_frames(path, "T", scale="log")


def test_steady_result_is_not_titled_t_0(tmp_path):
    import fieldgrad.io as fio

    field = _slot_field()
    p = fio.save(tmp_path / "s.h5", field.grid, temperature=field.data, heat_flux=field.heat_flux(),
                 conductivity=field.conductivity)
    fig, name, notes = plot_result(p)
    ax = fig.axes[0]
    assert name == "temperature" and notes == []
    assert ax.get_title() == "temperature, steady state" and "t = " not in ax.get_title()
    # the stored conductivity outlines the slot and keeps the stored heat flux out of it
    assert _legend(ax) == ["material boundary (jump of k)", "heat flux q = -k grad T"]
    pts = _streamline_points(ax)
    assert not ((pts[:, 0] > 0.95) & (pts[:, 0] < 1.05) & (pts[:, 1] > 0.5)).any()
    assert [a.get_title() for a in plot_frames(p).axes[:1]] == ["steady state"]


def test_result_slice_snaps_to_the_nearest_node_and_says_so(tmp_path):
    import fieldgrad.io as fio

    g = Grid((5, 5, 17))
    Z = g.mesh()[2]
    p = fio.save(tmp_path / "z.h5", g, u=Z)
    fig, _, notes = plot_result(p, slice="z=0.3")
    assert notes == ["--slice z = 0.3 is not a node; using the nearest node z = 0.3125 m (index 5 of 0..16)"]
    ax = fig.axes[0]
    assert "at z = 0.3125 m" in ax.get_title()
    assert np.allclose(ax.collections[0].get_array(), 0.3125)  # the section drawn is the node's
    q = fio.save(tmp_path / "phi.h5", g, potential=1.0 - g.mesh()[0])
    fig, _, _ = plot_result(q, vector="E", style="arrows")  # E = -grad(1 - x) = +x
    (quiver,) = [c for c in fig.axes[0].collections if type(c).__name__ == "Quiver"]
    assert np.allclose(quiver.U, 1.0) and np.allclose(quiver.V, 0.0)
    assert _legend(fig.axes[0]) == ["electric field E = -grad phi"]
    fig, _, notes = plot_result(p, slice="x=0.75")
    assert notes == [] and ax is not fig.axes[0] and fig.axes[0].get_xlabel() == "y [m]"
    with pytest.raises(ParameterError, match="outside the grid"):
        plot_result(p, slice="z=2")
    p2 = _frames_file(tmp_path / "f.h5")
    with pytest.raises(ParameterError, match="needs a 3D result"):
        plot_result(p2, slice="z=0.3")


def test_bad_plot_arguments_name_the_argument_the_value_and_what_is_allowed():
    from fieldgrad.errors import ShapeError

    T = _slot_field()
    g = T.grid
    with pytest.raises(ParameterError, match=r"flux = 'E' is not a vector of a temperature field; allowed: True, \['heat_flux'\]"):
        plot_field(T, flux="E")
    with pytest.raises(ShapeError, match=r"fixed\[0\] must be a boolean mask of shape \(41, 21\)"):
        plot_field(T, fixed=[np.ones((3, 3), bool)])
    with pytest.raises(ShapeError, match="domain must be a boolean mask"):
        plot_field(T, domain=np.ones(g.shape))
    with pytest.raises(ParameterError, match=r"insulator must be .* got 2"):
        plot_field(T, flux=True, insulator=2)
    with pytest.raises(ParameterError, match=r"style must be 'streamlines' or 'arrows'; got 'dots'"):
        plot_field(T, flux=True, style="dots")
    g3 = Grid((5, 5, 5))
    with pytest.raises(ParameterError, match=r"slice_axis = 'w' is not an axis .* allowed: \['x', 'y', 'z'\]"):
        plot_field(np.zeros(g3.shape), g3, slice_axis="w")
    with pytest.raises(ParameterError, match=r"slice index 7 is out of range for axis z with 5 nodes"):
        plot_field(np.zeros(g3.shape), g3, slice_index=7)
    with pytest.raises(ParameterError, match="center must be a finite number"):
        plot_field(T, center=float("nan"))


def test_frame_grid_outlines_the_materials_on_every_frame(tmp_path):
    path = _frames_file(tmp_path / "decay.h5")  # 6 x 5 nodes on the unit square, h = 0.2 in x
    g = Grid((6, 5))
    k = np.where(g.mesh()[0] > 0.5, 50.0, 1.0)  # nodes x >= 0.6 are the second material
    fig = plot_frames(path, "T", ncols=2, coefficient=k)
    for ax in fig.axes[:4]:
        (v,) = _contour_vertices(ax)
        assert np.allclose(v[:, 0], 0.5)  # midway between the nodes x = 0.4 and x = 0.6
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["material boundary (jump of coefficient)"]
