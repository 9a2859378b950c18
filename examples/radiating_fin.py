"""A hot stainless-steel fin losing heat by radiation and natural convection, with k(T) from a table.

The fin (AISI 304, 80 mm long, 1.5 mm thick, per metre of depth) sits on a base at 700 K in
still air at 300 K.  Its conductivity rises from 14.9 W/(m K) at 300 K to 22.6 at 800 K (a
table, interpolated linearly); both faces and the tip radiate (emissivity 0.6) and convect with
a laminar natural-convection coefficient ``h = 1.42 (|T - Ta| / L)^(1/4)``.  The 2D solve
(Newton outer iterations, multigrid inner solves) is compared with the plate-fin equation
``(k(T) T')' = (2/th) q(T)`` solved by ``scipy.integrate.solve_bvp``, and the heat the fin
sheds (radiation and convection, integrated over its surface) with the heat conducted in at the
base in that ODE solution.

Run: ``python examples/radiating_fin.py`` (writes examples/figures/radiating_fin.png).
"""
import os

import numpy as np
from scipy.integrate import solve_bvp

import fieldgrad as fg
from fieldgrad.plot import save_figure

L, TH, T_BASE, T_AMB, EPS = 0.08, 0.0015, 700.0, 300.0, 0.6
SIGMA = fg.boundary.STEFAN_BOLTZMANN
K_TABLE = ([300.0, 400.0, 600.0, 800.0], [14.9, 16.6, 19.8, 22.6])  # AISI 304, W/(m K)


def h_natural(T):
    """Laminar natural convection on a vertical plate of height L, W/(m^2 K)."""
    return 1.42 * (np.abs(T - T_AMB) / L) ** 0.25


def fin_ode():
    """The plate-fin equation with k(T): T(0) = T_BASE, -k T'(L) = q(T(L)); returns sol and q."""
    k = fg.ConductivityOfT(K_TABLE)

    def q(T):
        return EPS * SIGMA * (T ** 4 - T_AMB ** 4) + h_natural(T) * (T - T_AMB)

    def rhs(x, y):  # y = (T, k(T) T')
        return np.vstack([y[1] / k(y[0]), 2.0 / TH * q(y[0])])

    def bc(ya, yb):
        return np.array([ya[0] - T_BASE, yb[1] + q(yb[0])])

    x = np.linspace(0.0, L, 101)
    sol = solve_bvp(rhs, bc, x, np.vstack([np.full_like(x, 500.0), np.zeros_like(x)]), tol=1e-8, max_nodes=100000)
    return sol, q


def main(n=257, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"), plot=True):
    """Solve the fin on ``n x 2`` nodes (two across the thickness: the thin-fin limit); return the
    tip temperatures, the heat flows (W per metre of depth), the outer iteration counts and the
    figure's path."""
    g = fg.Grid((n, 2), extent=[(0.0, L), (0.0, TH)])
    surface = fg.Radiation(EPS, T_AMB, h=h_natural)
    bc = {"x-": fg.Dirichlet(T_BASE), "x+": surface, "y": surface}
    k = fg.ConductivityOfT(K_TABLE)
    newton = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=k, method="newton")
    picard = fg.solve_nonlinear(np.zeros(g.shape), g, bc, k=k, method="picard")
    sol, q = fin_ode()
    x = g.coords[0]
    T = newton.u[:, 0]
    w = np.full(n, x[1] - x[0])
    w[0] = w[-1] = (x[1] - x[0]) / 2
    shed = 2 * float(np.sum(w * q(T))) + TH * float(q(T[-1]))  # both faces (trapezoid) and the tip
    result = {"tip": float(T[-1]), "tip_ode": float(sol.sol(L)[0]), "shed": shed,
              "base_heat_ode": -TH * float(sol.sol(0.0)[1]), "newton_iterations": newton.outer_iterations,
              "picard_iterations": picard.outer_iterations,
              "max_difference": float(np.max(np.abs(T - sol.sol(x)[0])))}
    if plot:
        import matplotlib.pyplot as plt

        fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.4))
        a1.plot(x * 1e3, T, label="fieldgrad (2D strip, Newton)")
        a1.plot(x * 1e3, sol.sol(x)[0], "--", label="fin equation (solve_bvp)")
        a1.set(xlabel="distance from the base (mm)", ylabel="temperature (K)", title="fin temperature")
        a1.legend()
        rad = EPS * SIGMA * (T ** 4 - T_AMB ** 4)
        a2.plot(x * 1e3, rad, label="radiation")
        a2.plot(x * 1e3, h_natural(T) * (T - T_AMB), label="natural convection")
        a2.set(xlabel="distance from the base (mm)", ylabel="heat flux (W/m$^2$)", title="surface heat loss")
        a2.legend()
        fig.tight_layout()
        result["figure"] = save_figure(fig, os.path.join(outdir, "radiating_fin.png"), overwrite=True)
        plt.close(fig)
    return result


if __name__ == "__main__":
    r = main()
    print(f"tip temperature           : {r['tip']:.2f} K (fin equation {r['tip_ode']:.2f} K)")
    print(f"heat shed by the surface  : {r['shed']:.3f} W/m")
    print(f"heat in at the base (ODE) : {r['base_heat_ode']:.3f} W/m")
    print(f"outer iterations          : Newton {r['newton_iterations']}, Picard {r['picard_iterations']}")
