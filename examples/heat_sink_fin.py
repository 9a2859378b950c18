"""A straight heat-sink fin with convective (Robin) cooling, compared with the classical fin formula.

An aluminium fin (k = 200 W/(m K)), 40 mm long and 2 mm thick, sits on a base at 80 degC and is
cooled by air (h = 50 W/(m^2 K), 20 degC) on both sides and its tip.  The 2D conduction solution
gives the heat the fin removes (per metre of depth); thin-fin theory gives
``q = sqrt(h P k A) theta_b (sinh mL + (h/mk) cosh mL) / (cosh mL + (h/mk) sinh mL)``.

Run: ``python examples/heat_sink_fin.py`` (writes examples/figures/heat_sink_fin.png).
"""
import os

import numpy as np

from fieldgrad import Dirichlet, Grid, Robin
from fieldgrad.fields import TemperatureField
from fieldgrad.plot import plot_field, save_figure

K, H_C, T_AMB, T_BASE, L, T = 200.0, 50.0, 20.0, 80.0, 0.04, 0.002


def fin_formula():
    """Thin-fin heat flow per unit depth (W/m) with a convective tip."""
    P, A = 2.0, T
    m = np.sqrt(H_C * P / (K * A))
    r = H_C / (m * K)
    return np.sqrt(H_C * P * K * A) * (T_BASE - T_AMB) * (np.sinh(m * L) + r * np.cosh(m * L)) / (
        np.cosh(m * L) + r * np.sinh(m * L))


def main(n=161, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"), plot=True):
    """Solve the fin on ``n x max(5, n // 8)`` nodes; return the heat flows (and write a figure)."""
    g = Grid((n, max(5, n // 8)), extent=[(0, L), (0, T)])
    cooling = Robin(H_C, K, H_C * T_AMB)  # -k dT/dn = h (T - T_amb)
    fin = TemperatureField.steady(g, {"x-": Dirichlet(T_BASE), "*": cooling}, conductivity=K, units="degC")
    bal = fin.balance()
    result = {"fin": fin, "base_heat": -fin.heat_flow("x-"), "cooled": sum(v for f, v in bal["faces"].items() if f != "x-"),
              "formula": fin_formula(), "tip_temperature": float(fin.data[-1].mean())}
    if plot:
        fig = plot_field(fin, flux=True, style="arrows", title="fin temperature and heat flux", figsize=(8, 2.6))
        fig.axes[0].set_aspect("auto")
        result["figure"] = save_figure(fig, os.path.join(outdir, "heat_sink_fin.png"), overwrite=True)
    return result


if __name__ == "__main__":
    r = main()
    print(f"heat through the base : {r['base_heat']:.3f} W/m")
    print(f"heat to the air       : {r['cooled']:.3f} W/m")
    print(f"thin-fin formula      : {r['formula']:.3f} W/m")
    print(f"tip temperature       : {r['tip_temperature']:.2f} degC")
