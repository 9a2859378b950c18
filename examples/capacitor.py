"""A 2D parallel-plate capacitor with a dielectric slab: field lines and capacitance.

Two plates 40 mm wide, 10 mm apart, half the gap filled with a dielectric (eps_r = 4), inside
a grounded-free box (D . n = 0 on the walls).  The capacitance from the charge on the plate is
compared with the ideal (no fringing) series formula ``A / (d1/eps1 + d2/eps2)``; fringing makes
the real one larger.  A periodic-sides run removes fringing and recovers the formula.

Run: ``python examples/capacitor.py`` (writes examples/figures/capacitor.png).
"""
import os

import numpy as np

from fieldgrad import Grid
from fieldgrad.fields import EPSILON_0, PotentialField
from fieldgrad.plot import plot_field, save_figure

W, D, EPS_R = 0.04, 0.01, 4.0


def ideal():
    return W / ((D / 2) / (EPS_R * EPSILON_0) + (D / 2) / EPSILON_0)


def _y_nodes(m):
    """y spacing and node count: the plates (y = +-D/2) on nodes, the slab face y = 0 between nodes."""
    h = D / (2 * m + 1)
    k = int(np.ceil(0.02 / h - 0.5))
    return h, 2 * k + 2, -(k + 0.5) * h


def main(n=121, m=10, outdir=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"), plot=True):
    """Solve on ``n`` nodes across 80 mm and ``2m + 1`` cells across the gap; return capacitances (F/m)."""
    h, ny, y0 = _y_nodes(m)
    g = Grid((n, ny), spacing=(0.08 / (n - 1), h), origin=(-0.04, y0))
    X, Y = g.mesh()
    plate = np.abs(X) <= W / 2
    top = plate & (np.abs(Y - D / 2) < h / 2)
    bottom = plate & (np.abs(Y + D / 2) < h / 2)
    slab = (Y > -D / 2 - h / 2) & (Y < 0)  # plate nodes included: the slab touches the plate
    eps = np.where(plate & slab, EPS_R, 1.0) * EPSILON_0
    phi, C = PotentialField.capacitor(g, top, bottom, permittivity=eps, voltage=1.0)
    # no fringing: periodic sides, same plates and gap
    gp = Grid((9, ny), spacing=(W / 9, h), origin=(0.0, y0), periodic=[True, False])
    Yp = gp.mesh()[1]
    epsp = np.where((Yp > -D / 2 - h / 2) & (Yp < 0), EPS_R, 1.0) * EPSILON_0
    _, Cp = PotentialField.capacitor(gp, np.abs(Yp - D / 2) < h / 2, np.abs(Yp + D / 2) < h / 2,
                                     permittivity=epsp)
    out = {"field": phi, "C": C, "C_periodic": Cp, "C_ideal": ideal(), "energy": phi.energy()}
    if plot:
        fig = plot_field(phi, flux="E", fixed=[top, bottom], cmap="coolwarm", title="potential and field lines",
                         density=1.6)
        out["figure"] = save_figure(fig, os.path.join(outdir, "capacitor.png"), overwrite=True)
    return out


if __name__ == "__main__":
    r = main()
    print(f"capacitance with fringing : {r['C'] * 1e12:.3f} pF/m")
    print(f"no fringing (periodic)    : {r['C_periodic'] * 1e12:.3f} pF/m")
    print(f"ideal A/(d1/e1 + d2/e2)   : {r['C_ideal'] * 1e12:.3f} pF/m")
