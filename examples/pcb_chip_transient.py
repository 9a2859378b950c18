"""A chip on a printed circuit board: copper spreader, thermal interface (contact) resistance,
heat capacity fields, a transient after power-on.

Cross-section (per metre of depth, x along the board, y up): an FR4 board 1.6 mm thick, a
0.4 mm copper spreader plane on it, a 10 mm silicon die on the spreader dissipating 200 W per
metre of depth (2 W per 10 mm), with a thermal interface material between die and copper of
``R = 1e-4 m^2 K / W``.  The board's underside sits on a cold plate (``h = 2000 W/m^2 K`` to
25 C); the other surfaces are insulated (the air around is left out of the domain:
``Cells(..., domain=)``).  Materials are given on the cells (``Cells``), the interface
resistance as a ``Contact`` between the die's nodes and the rest, the heat capacities as a node
field ``rho_c``.

Checks: the heat put in equals the heat stored plus the heat taken by the cold plate (to
round-off: the backward-Euler steps conserve it); at steady state the die runs hotter with the
interface than without by about ``R q`` (``q`` the die's heat flux density).

Run: ``python examples/pcb_chip_transient.py`` (writes examples/figures/pcb_chip_transient.png).
"""
import os

import numpy as np

from fieldgrad import Cells, Contact, Convection, Grid, Neumann, solve_heat
from fieldgrad.materials import cell_centres
from fieldgrad.plot import save_figure

MM = 1e-3
BOARD, SPREADER, DIE = (0.0, 1.6 * MM), (1.6 * MM, 2.0 * MM), (2.0 * MM, 2.8 * MM)   # y ranges
SPREAD_X, DIE_X = (5 * MM, 35 * MM), (15 * MM, 25 * MM)                                 # x ranges
MATERIALS = {"FR4": (0.3, 1.9e6), "copper": (390.0, 3.45e6), "silicon": (150.0, 1.66e6)}  # k, rho*c
POWER = 200.0              # W per metre of depth
R_TIM = 1e-4               # m^2 K / W (a thin grease layer)
H_PLATE, T_PLATE = 2000.0, 25.0


def layout(nx=161, ny=29):
    """Grid, material index per cell (-1: air, outside), cell k, node rho_c, die node labels, source."""
    g = Grid((nx, ny), extent=[(0, 40 * MM), (0, DIE[1])])
    xc, yc = (c[:, None] if i == 0 else c[None, :] for i, c in enumerate(cell_centres(g)))
    mat = np.full((nx - 1, ny - 1), -1)
    mat[np.broadcast_to(yc < BOARD[1], mat.shape)] = 0
    mat[(yc > SPREADER[0]) & (yc < SPREADER[1]) & (xc > SPREAD_X[0]) & (xc < SPREAD_X[1])] = 1
    die_cells = (yc > DIE[0]) & (yc < DIE[1]) & (xc > DIE_X[0]) & (xc < DIE_X[1])
    mat[die_cells] = 2
    names = list(MATERIALS)
    kc = np.choose(np.maximum(mat, 0), [MATERIALS[m][0] for m in names])
    k = Cells(kc, domain=mat >= 0)
    X, Y = g.mesh()
    h = g.spacing[1]
    # nodes strictly inside the die's cells carry label 1: the links from the spreader's top row
    # into the die cross the interface resistance
    die_nodes = (Y > DIE[0] + 0.5 * h) & (X >= DIE_X[0]) & (X <= DIE_X[1])
    # node heat capacity: the mean over the cells around each node (inside ones)
    rc_cells = np.choose(np.maximum(mat, 0), [MATERIALS[m][1] for m in names]) * (mat >= 0)
    inside = (mat >= 0).astype(float)
    pad = lambda a: np.pad(a, 1)                                             # noqa: E731
    around = lambda a: pad(a)[:-1, :-1] + pad(a)[1:, :-1] + pad(a)[:-1, 1:] + pad(a)[1:, 1:]  # noqa: E731
    with np.errstate(invalid="ignore", divide="ignore"):
        rho_c = np.where(around(inside) > 0, around(rc_cells) / around(inside), 1.0)
    # the die's heat: spread over its cells, given to the nodes as their cells' share
    q_cells = np.where(die_cells, POWER / ((DIE_X[1] - DIE_X[0]) * (DIE[1] - DIE[0])), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(around(inside) > 0, around(q_cells) / around(inside), 0.0)
    return g, mat, k, rho_c, die_nodes.astype(int), q


def run(resistance=R_TIM, t_end=60.0, dt=0.5, n=(161, 29)):
    g, mat, k, rho_c, labels, q = layout(*n)
    bc = {"y-": Convection(H_PLATE, T_PLATE, conductivity=MATERIALS["FR4"][0]), "*": Neumann(0.0)}
    times, die_t, bottom = [], [], []
    i_mid = int(round(20 * MM / g.spacing[0]))   # the node column through the die's centre

    def record(sim):
        times.append(sim.t)
        die_t.append(float(sim.u[i_mid, -1]))
        bottom.append(np.array(sim.u[:, 0]))

    res = solve_heat(np.full(g.shape, T_PLATE), g, bc, k=k, rho_c=rho_c, source=q, t_end=t_end, dt=dt,
                     contact=Contact(labels, resistance) if resistance else None, method="backward_euler",
                     rtol=1e-12, progress=False, callbacks=[(record, {"every": 1})])
    return g, mat, k, rho_c, q, res, np.array(times), np.array(die_t), np.array(bottom)


def main(n=(161, 29), t_end=60.0, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"),
         plot=True):
    """Transient with and without the interface resistance; returns temperatures and the balance."""
    g, mat, k, rho_c, q, res, times, die_t, bottom = run(R_TIM, t_end, n=n)
    _, _, _, _, _, res0, _, die_t0, _ = run(0.0, t_end, n=n)
    from fieldgrad.solvers.discretize import Problem

    phi = Problem(g, Neumann(0.0), k).phi3.reshape(g.shape)       # inside part of each node's cell
    w = g.quadrature_weights() * phi
    stored = float(np.sum(w * rho_c * (res.u - T_PLATE)))
    wx = g.quadrature_weights()[:, 0] / (g.spacing[1] / 2)        # trapezoid weights along the underside
    dt = np.diff(np.concatenate([[0.0], times]))
    lost = float(np.sum(dt[:, None] * H_PLATE * (bottom - T_PLATE) * wx[None, :]))
    put_in = float(np.sum(w * q)) * t_end
    out = {"die": die_t[-1], "die_no_contact": die_t0[-1], "stored": stored, "lost": lost, "put_in": put_in,
           "tim_jump_estimate": R_TIM * POWER / (DIE_X[1] - DIE_X[0]), "times": times, "die_history": die_t}
    if plot:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(3, 1, figsize=(9, 8.5), gridspec_kw={"height_ratios": [1, 1.3, 1.3]})
        xc, yc = cell_centres(g)
        shown = np.ma.masked_less(mat.T, 0)
        axes[0].pcolormesh(np.r_[0, xc + g.spacing[0] / 2] / MM, np.r_[0, yc + g.spacing[1] / 2] / MM, shown,
                           cmap=plt.matplotlib.colors.ListedColormap(["#7aa35a", "#c46f2b", "#8080a0"]),
                           vmin=-0.5, vmax=2.5)
        axes[0].plot(np.array(DIE_X) / MM, [DIE[0] / MM] * 2, "k", lw=2.5, label=f"interface R = {R_TIM:g} m^2K/W")
        axes[0].set_title("geometry: FR4 board (green), copper spreader, silicon die; cold plate below")
        axes[0].set_xlabel("x (mm)")
        axes[0].set_ylabel("y (mm)")
        axes[0].legend(loc="upper right", fontsize=8)
        shown_u = np.ma.masked_where(phi <= 0, res.u)
        m = axes[1].pcolormesh(g.coords[0] / MM, g.coords[1] / MM, shown_u.T, cmap="inferno", shading="gouraud")
        fig.colorbar(m, ax=axes[1], label="temperature (C)")
        axes[1].set_title(f"temperature after {t_end:g} s")
        axes[1].set_xlabel("x (mm)")
        axes[1].set_ylabel("y (mm)")
        axes[2].plot(times, die_t, label="die top, with interface resistance")
        axes[2].plot(times, die_t0, "--", label="without")
        axes[2].set_xlabel("time after power-on (s)")
        axes[2].set_ylabel("temperature (C)")
        axes[2].legend()
        fig.tight_layout()
        out["figure"] = save_figure(fig, os.path.join(outdir, "pcb_chip_transient.png"), overwrite=True)
    return out


if __name__ == "__main__":
    r = main()
    print(f"die after 60 s: {r['die']:.2f} C with the interface, {r['die_no_contact']:.2f} C without "
          f"(R q = {r['tim_jump_estimate']:.2f} K); heat in {r['put_in']:.2f} J = stored {r['stored']:.2f} J "
          f"+ to the cold plate {r['lost']:.2f} J")
