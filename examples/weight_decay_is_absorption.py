"""Weight decay is absorption: gradient descent with weight decay on the Dirichlet energy of a
noisy hot spot is FTCS for du/dt = lap u - lambda u.

Panels: snapshots for several lambda; log energy vs t; total mass vs t against exp(-lambda t)
(insulated walls, so only the decay removes mass); max |GD - exact flow| vs t.

Run:  python examples/weight_decay_is_absorption.py [--small] [--out DIR]
(``FIELDGRAD_EXAMPLE_OUT`` also sets the output folder; default examples/figures.)
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fieldgrad import Grid, Neumann  # noqa: E402
from fieldgrad.gradflow import exact_flow, gradient_descent, step_size_limits  # noqa: E402

NAME = "weight_decay_is_absorption"


def output_dir(args_out):
    out = args_out or os.environ.get("FIELDGRAD_EXAMPLE_OUT") or os.path.join(os.path.dirname(__file__), "figures")
    os.makedirs(out, exist_ok=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true", help="small grid (for tests)")
    p.add_argument("--out", default=None, help="folder for the PNG")
    args = p.parse_args(argv)
    n = 25 if args.small else 65
    grid = Grid((n, n))
    X, Y = grid.mesh()
    rng = np.random.default_rng(0)
    u0 = np.exp(-60 * ((X - 0.35) ** 2 + (Y - 0.6) ** 2)) + 0.2 * rng.standard_normal(grid.shape)
    bc = Neumann(0.0)
    lams = [0.0, 5.0, 20.0]
    T = 0.05
    eta = 0.5 * step_size_limits(grid, bc, max(lams))["monotone"]
    steps = int(np.ceil(T / eta))
    eta = T / steps
    every = max(1, steps // 40)
    runs = {lam: gradient_descent(u0, grid, bc, lr=eta, steps=steps, weight_decay=lam, record_every=every)
            for lam in lams}
    fig, ax = plt.subplots(2, 4, figsize=(16, 7.5))
    snaps = [0, len(runs[0.0].steps) // 8, len(runs[0.0].steps) - 1]
    vmax = np.abs(u0).max()
    for j, lam in enumerate([0.0, 20.0]):
        for i, s in enumerate(snaps):
            a = ax[j, i]
            a.imshow(runs[lam].snapshots[s].T, origin="lower", extent=[0, 1, 0, 1], cmap="inferno", vmin=-0.3,
                     vmax=vmax)
            a.set_title(f"lambda={lam:g}, t={runs[lam].times[s]:.3g}")
            a.set_xticks([])
            a.set_yticks([])
    stats = {}
    for lam, r in runs.items():
        ax[0, 3].semilogy(r.times, r.energy, label=f"lambda={lam:g}")
        ax[1, 3].plot(r.times, r.mass / r.mass[0], label=f"GD, lambda={lam:g}")
        ax[1, 3].plot(r.times, np.exp(-lam * r.times), "k:", lw=1)
        stats[f"mass_vs_power_{lam:g}"] = float(np.abs(r.mass / r.mass[0] - (1 - eta * lam) ** r.steps).max())
        stats[f"mass_vs_exp_{lam:g}"] = float(np.abs(r.mass / r.mass[0] - np.exp(-lam * r.times)).max())
        stats[f"energy_decreasing_{lam:g}"] = r.energy_decreasing
    ax[0, 3].set_xlabel("t = steps * lr")
    ax[0, 3].set_title("energy E_lambda (log)")
    ax[0, 3].legend()
    ax[1, 3].set_xlabel("t")
    ax[1, 3].set_title("mass / mass0 (dotted: exp(-lambda t))")
    ax[1, 3].legend(fontsize=8)
    # GD over the exact flow, lambda = 5
    r = runs[5.0]
    ex = exact_flow(u0, grid, bc, r.times, weight_decay=5.0)
    err = np.abs(r.snapshots - ex).reshape(len(r.times), -1).max(axis=1)
    stats["gd_minus_exact_max"] = float(err.max())
    stats["field_max"] = float(np.abs(u0).max())
    inset = ax[1, 2].inset_axes([0.55, 0.55, 0.42, 0.4])
    inset.plot(r.times, err)
    inset.set_title("max|GD - exact|, lambda=5", fontsize=8)
    inset.tick_params(labelsize=7)
    fig.suptitle(f"Gradient descent with weight decay = heat diffusion with absorption (n={n}, lr=dt={eta:.3g})")
    fig.tight_layout()
    path = os.path.join(output_dir(args.out), f"{NAME}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    stats["figure"] = path
    return stats


if __name__ == "__main__":
    for k, v in main(sys.argv[1:]).items():
        print(f"{k}: {v}")
