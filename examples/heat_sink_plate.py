"""A plate heat sink with fins and mounting holes, cooled by convection and radiation.

A 3 mm aluminium plate seen from above: a 60 x 20 mm base with two 4 mm mounting holes and five
40 mm fins; a 15 x 15 mm chip on the base dissipates 5 W into it.  Both faces of the plate lose
heat to 25 C air by natural convection (h = 8 W/m^2 K) and by radiation (black anodised,
emissivity 0.85): in the plate's plane that is a sink ``2 h_eff (T - T_air) / t`` with
``h_eff = h + eps sigma (T^2 + Ta^2)(T + Ta)`` (kelvin) -- a screening term that depends on T,
solved by Picard iteration with multigrid-preconditioned CG inner solves.  The fin outline and the
holes are the domain (``Cells(..., domain=)``): their edges (3 mm high, a few percent of the
area) are taken as insulated.

Checks: at convergence the heat the faces give off equals the chip's 5 W; the radiated share.

Run: ``python examples/heat_sink_plate.py`` (writes examples/figures/heat_sink_plate.png).
"""
import os

import numpy as np

from fieldgrad import Cells, Grid, Neumann, solve_poisson
from fieldgrad.boundary import STEFAN_BOLTZMANN
from fieldgrad.materials import cell_centres
from fieldgrad.plot import save_figure
from fieldgrad.solvers.discretize import Problem

MM = 1e-3
T_PLATE, K_AL = 3 * MM, 200.0
H_CONV, EMISSIVITY, T_AIR = 8.0, 0.85, 25.0
POWER, CHIP = 5.0, ((22.5 * MM, 37.5 * MM), (2.5 * MM, 17.5 * MM))
BASE_H, FIN_LEN, FINS, FIN_W = 20 * MM, 40 * MM, 5, 6 * MM
HOLES = [((6 * MM, 10 * MM), 2 * MM), ((54 * MM, 10 * MM), 2 * MM)]


def geometry(n_per_mm=2):
    """Grid over the 60 x 60 mm box and the cells inside the plate."""
    g = Grid((60 * n_per_mm + 1, 60 * n_per_mm + 1), extent=[(0, 60 * MM), (0, 60 * MM)])
    xc, yc = np.meshgrid(*cell_centres(g), indexing="ij")
    inside = yc < BASE_H
    pitch = 60 * MM / FINS
    for f in range(FINS):
        x0 = f * pitch + (pitch - FIN_W) / 2
        inside |= (xc > x0) & (xc < x0 + FIN_W) & (yc < BASE_H + FIN_LEN)
    for (cx, cy), r in HOLES:
        inside &= np.hypot(xc - cx, yc - cy) > r
    return g, inside


def main(n_per_mm=2, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"), plot=True,
         tol=1e-6, maxiter=50):
    """Picard iteration on the face exchange; returns the temperatures, iterations and balance."""
    g, inside = geometry(n_per_mm)
    k = Cells(np.full(inside.shape, K_AL), domain=inside)
    X, Y = g.mesh()
    (x0, x1), (y0, y1) = CHIP
    chip = (X >= x0) & (X <= x1) & (Y >= y0) & (Y <= y1)
    phi = Problem(g, Neumann(0.0), k).phi3.reshape(g.shape)
    w = g.quadrature_weights() * phi                       # plate area belonging to each node
    q_chip = np.where(chip, 1.0, 0.0)
    q_chip *= POWER / np.sum(w * q_chip) / T_PLATE         # W/m^3 in the plate, exactly 20 W in all
    ta = T_AIR + 273.15
    T = np.full(g.shape, T_AIR)
    history = []
    for it in range(1, maxiter + 1):
        tk = T + 273.15
        h_eff = H_CONV + EMISSIVITY * STEFAN_BOLTZMANN * (tk ** 2 + ta ** 2) * (tk + ta)
        s = 2 * h_eff / T_PLATE                             # both faces, per unit volume of plate
        res = solve_poisson(-q_chip - s * T_AIR, g, Neumann(0.0), k=k, screening=s, rtol=1e-12)
        change = float(np.max(np.abs(res.u - T)[phi > 0]))
        T = res.u
        history.append((change, res.iterations))
        if change < tol:
            break
    tk = T + 273.15
    conv = float(np.sum(w * 2 * H_CONV * (T - T_AIR)))
    rad = float(np.sum(w * 2 * EMISSIVITY * STEFAN_BOLTZMANN * (tk ** 4 - ta ** 4)))
    out = {"T_max": float(T[phi > 0].max()), "T_fin_tip": float(T[phi > 0][np.argmax(Y[phi > 0])]),
           "picard_iterations": len(history), "inner_iterations": [h[1] for h in history],
           "convected": conv, "radiated": rad, "power": POWER}
    if plot:
        import matplotlib.pyplot as plt

        fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.8))
        xc, yc = cell_centres(g)
        edges = (np.r_[0, xc + g.spacing[0] / 2] / MM, np.r_[0, yc + g.spacing[1] / 2] / MM)
        ax0.pcolormesh(*edges, np.where(inside, 1.0, np.nan).T, cmap="Greys", vmin=0, vmax=2)
        ax0.add_patch(plt.Rectangle((x0 / MM, y0 / MM), (x1 - x0) / MM, (y1 - y0) / MM, color="#c46f2b",
                                    label=f"chip, {POWER:g} W"))
        ax0.set_title("geometry: 3 mm aluminium plate, fins, mounting holes")
        ax0.set_xlabel("x (mm)")
        ax0.set_ylabel("y (mm)")
        ax0.set_aspect("equal")
        ax0.legend(loc="upper right")
        m = ax1.pcolormesh(g.coords[0] / MM, g.coords[1] / MM, np.ma.masked_where(phi <= 0, T).T, cmap="inferno",
                           shading="gouraud")
        fig.colorbar(m, ax=ax1, label="temperature (C)")
        ax1.set_title(f"steady state: {conv:.1f} W convected, {rad:.1f} W radiated")
        ax1.set_xlabel("x (mm)")
        ax1.set_aspect("equal")
        fig.tight_layout()
        out["figure"] = save_figure(fig, os.path.join(outdir, "heat_sink_plate.png"), overwrite=True)
    return out


if __name__ == "__main__":
    r = main()
    print(f"chip {r['T_max']:.1f} C, fin tip {r['T_fin_tip']:.1f} C; {r['picard_iterations']} Picard iterations "
          f"(MG-CG iterations per solve {r['inner_iterations']}); faces give off {r['convected']:.3f} W by "
          f"convection + {r['radiated']:.3f} W by radiation = {r['convected'] + r['radiated']:.4f} W of {r['power']:g} W")
