"""A power cable as an axisymmetric (r, z) problem: copper core, XLPE insulation, air outside.

A 300 A current heats a copper conductor (radius 5 mm) by Joule losses; 10 mm of XLPE insulation
carries the heat to the surface, where natural convection (h = 10 W/m^2K) takes it to 25 C air.
The grid is ``Grid(..., coords="cylindrical")``; the materials are given on the cells, so the
copper/XLPE interface lies on a grid line and is second-order accurate.

* steady: the surface, interface and axis temperatures against the textbook thermal
  resistances ``T_s = T_amb + Q'/(2 pi b h)``, ``+ Q' ln(b/a) / (2 pi k_ins)``,
  ``+ Q' / (4 pi k_cu)`` per metre of cable;
* transient: switched on at ambient temperature, the conductor heats up with the copper's and
  the insulation's heat capacities (``rho_c`` as a field); after a long time it reaches the
  steady state, and the heat stored plus the heat lost equals the Joule heat put in.

Run: ``python examples/axisymmetric_cable.py`` (writes examples/figures/axisymmetric_cable.png).
"""
import os

import numpy as np

from fieldgrad import Cells, Convection, Grid, Neumann, solve_heat, solve_poisson
from fieldgrad.materials import cell_centres
from fieldgrad.plot import save_figure

A, B, LENGTH = 0.005, 0.015, 0.02          # conductor radius, outer radius, length of the slice (m)
K_CU, K_INS = 400.0, 0.3                   # W/(m K)
RC_CU, RC_INS = 3.45e6, 2.2e6              # J/(m^3 K)
H, T_AIR = 10.0, 25.0                      # W/(m^2 K), C
CURRENT, RESISTIVITY = 300.0, 1.72e-8      # A, ohm m


def joule_source():
    """Volumetric Joule heating of the copper, W/m^3."""
    area = np.pi * A ** 2
    return CURRENT ** 2 * RESISTIVITY / area ** 2


def thermal_resistances():
    """Per metre of cable: the textbook temperatures of the surface, the interface and the axis."""
    q_per_m = joule_source() * np.pi * A ** 2
    t_s = T_AIR + q_per_m / (2 * np.pi * B * H)
    t_a = t_s + q_per_m * np.log(B / A) / (2 * np.pi * K_INS)
    t_0 = t_a + q_per_m / (4 * np.pi * K_CU)
    return {"surface": t_s, "interface": t_a, "axis": t_0, "Q_per_m": q_per_m}


def cable(n):
    """The (r, z) grid (``n`` nodes across the radius, the interface on a node), the cell
    conductivity, the node heat capacity (ring-volume mean at the interface) and the source."""
    g = Grid((n, 5), extent=[(0, B), (0, LENGTH)], coords="cylindrical")
    rc = cell_centres(g)[0]
    copper_cells = (rc < A)[:, None] * np.ones((1, g.shape[1] - 1), dtype=bool)
    k = Cells(np.where(copper_cells, K_CU, K_INS))
    r = g.mesh()[0]
    h = g.spacing[0]
    lo, hi = h / 2 * (r - h / 4), h / 2 * (r + h / 4)   # r dr of the node's ring below / above r
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(np.abs(r - A) < 1e-12, lo / (lo + hi), (r < A).astype(float))  # copper share
    rho_c = frac * RC_CU + (1 - frac) * RC_INS
    q = joule_source() * frac
    return g, k, rho_c, q


def main(n=61, hours=4.0, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"), plot=True):
    """Steady and transient runs on ``n`` radial nodes; returns the temperatures and balances."""
    g, k, rho_c, q = cable(n)
    bc = {"r+": Convection(H, T_AIR, conductivity=K_INS), "z": Neumann(0.0)}
    steady = solve_poisson(-q, g, bc, k=k, rtol=1e-12).u
    r = g.coords[0]
    ia = int(round(A / g.spacing[0]))
    ref = thermal_resistances()
    out = {"steady_axis": steady[0, 2], "steady_interface": steady[ia, 2], "steady_surface": steady[-1, 2],
           "reference": ref}
    # transient: from ambient, implicit steps of 60 s; the surface temperature after every step
    # gives the heat lost, which with the heat stored must equal the Joule heat put in
    t_end, dt = hours * 3600.0, 60.0
    times, axis_t, surface_t = [], [], []

    def record(sim):
        times.append(sim.t)
        axis_t.append(float(sim.u[0, 2]))
        surface_t.append(float(sim.u[-1, 2]))

    res = solve_heat(np.full(g.shape, T_AIR), g, bc, k=k, rho_c=rho_c, source=q, t_end=t_end, dt=dt,
                     method="backward_euler", rtol=1e-12, progress=False, callbacks=[(record, {"every": 1})])
    w = g.quadrature_weights()
    stored = float(np.sum(w * rho_c * (res.u - T_AIR)))
    lost = float(np.sum(dt * H * (np.array(surface_t) - T_AIR))) * 2 * np.pi * B * LENGTH
    put_in = float(np.sum(w * q)) * t_end
    out.update({"transient_axis": float(res.u[0, 2]), "stored": stored, "lost": lost, "put_in": put_in,
                "times": np.array(times), "axis_history": np.array(axis_t)})
    if plot:
        import matplotlib.pyplot as plt

        fig, (ax0, ax1, ax2) = plt.subplots(1, 3, figsize=(13, 3.8))
        R, Z = g.mesh()
        mat = np.where(R <= A, 1.0, 0.0)
        for sign in (-1, 1):  # the section through the axis: both halves
            ax0.contourf(sign * R * 1e3, Z * 1e3, mat, levels=[-0.5, 0.5, 1.5], colors=["#f2d7a0", "#c46f2b"])
        ax0.set_title("section: copper core, XLPE insulation")
        ax0.set_xlabel("r (mm)")
        ax0.set_ylabel("z (mm)")
        ax0.set_aspect("equal")
        ax1.plot(r * 1e3, steady[:, 2], label="fieldgrad (r, z) grid")
        ax1.plot([0, A * 1e3, B * 1e3], [ref["axis"], ref["interface"], ref["surface"]], "o",
                 label="thermal resistances")
        ax1.axvline(A * 1e3, color="0.6", lw=0.8)
        ax1.set_xlabel("r (mm)")
        ax1.set_ylabel("temperature (C)")
        ax1.set_title("steady state")
        ax1.legend()
        ax2.plot(np.array(times) / 3600.0, axis_t, label="axis (conductor)")
        ax2.axhline(ref["axis"], color="0.5", ls="--", label="steady axis temperature")
        ax2.set_xlabel("time (h)")
        ax2.set_ylabel("conductor temperature (C)")
        ax2.set_title("switched on at 25 C")
        ax2.legend()
        fig.tight_layout()
        out["figure"] = save_figure(fig, os.path.join(outdir, "axisymmetric_cable.png"), overwrite=True)
    return out


if __name__ == "__main__":
    r = main()
    ref = r["reference"]
    print(f"Joule heat {ref['Q_per_m']:.2f} W/m; steady axis {r['steady_axis']:.2f} C (thermal resistances "
          f"{ref['axis']:.2f} C), interface {r['steady_interface']:.2f} C ({ref['interface']:.2f}), surface "
          f"{r['steady_surface']:.2f} C ({ref['surface']:.2f}); after 4 h the axis is at {r['transient_axis']:.2f} C; "
          f"heat put in {r['put_in']:.1f} J = stored {r['stored']:.1f} J + lost {r['lost']:.1f} J")
