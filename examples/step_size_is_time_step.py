"""The learning rate is the time step: per-mode amplification factors, the checkerboard between
the monotone and the stability bound, and the O(lr) error against the exact flow.

Panels: (1) amplification factor 1 - eta (mu + lambda) vs mu for several eta, with the
discrete eigenvalues marked; (2) a hot spot after a few steps at the monotone step and at a step
between the monotone and stability bounds (sign-alternating checkerboard, still decaying);
(3) max error of gradient descent against the exact flow at t = T vs eta, slope 1.

Run:  python examples/step_size_is_time_step.py [--small] [--out DIR]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fieldgrad import Dirichlet, Grid  # noqa: E402
from fieldgrad.gradflow import (exact_flow, gradient_descent, laplacian_eigenvalues,  # noqa: E402
                                step_size_limits)

NAME = "step_size_is_time_step"


def output_dir(args_out):
    out = args_out or os.environ.get("FIELDGRAD_EXAMPLE_OUT") or os.path.join(os.path.dirname(__file__), "figures")
    os.makedirs(out, exist_ok=True)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    n = 17 if args.small else 41
    grid = Grid((n, n))
    bc = Dirichlet(0.0)
    lam = 4.0 / grid.spacing[0] ** 2  # strong decay: opens a visible window between the bounds
    lim = step_size_limits(grid, bc, lam)
    mu = np.sort(laplacian_eigenvalues(grid, bc).ravel())
    fig, ax = plt.subplots(1, 3, figsize=(16, 4.8))
    m = np.linspace(0, mu.max() * 1.02, 400)
    for frac in (0.5, 1.0, 1.3, 1.5):  # fractions of the monotone step
        eta = frac * lim["monotone"]
        ax[0].plot(m, 1 - eta * (m + lam), label=f"eta = {frac:g} x monotone ({eta / lim['stable']:.2f} x stable)")
    ax[0].plot(mu, np.zeros_like(mu), "k|", ms=8, label="discrete mu_k")
    ax[0].axhline(-1, color="r", ls="--", lw=1)
    ax[0].axhline(1, color="r", ls="--", lw=1)
    ax[0].set_xlabel("mu (eigenvalue of -lap_h)")
    ax[0].set_ylabel("amplification 1 - eta (mu + lambda)")
    ax[0].set_title(f"per-mode factor, lambda = {lam:g}")
    ax[0].legend(fontsize=7)
    spike = np.zeros(grid.shape)
    spike[n // 2, n // 2] = 1.0
    stats = {"monotone": lim["monotone"], "stable": lim["stable"]}
    for frac, style in ((1.0, "o-"), (0.5 * (1 + lim["stable"] / lim["monotone"]), "s-")):
        eta = frac * lim["monotone"]
        r = gradient_descent(spike, grid, bc, lr=eta, steps=3, weight_decay=lam)
        ax[1].plot(grid.coords[0], r.u[:, n // 2], style, label=f"eta = {eta / lim['stable']:.2f} x stable, 3 steps")
        stats[f"min_after_3_steps_{frac:.3f}"] = float(r.u.min())
    ax[1].axhline(0, color="k", lw=0.5)
    ax[1].set_title("spike: monotone step stays >= 0; above it a checkerboard")
    ax[1].legend(fontsize=8)
    # error vs step size (lambda = 1 here: the order of the time discretisation)
    X, Y = grid.mesh()
    u0 = np.sin(np.pi * X) * np.sin(2 * np.pi * Y) + np.sin(3 * np.pi * X) * np.sin(np.pi * Y)
    T = 0.02
    ref = exact_flow(u0, grid, bc, T, weight_decay=1.0)
    base = int(np.ceil(T / step_size_limits(grid, bc, 1.0)["monotone"]))
    steps = base * np.array([1, 2, 4, 8] if args.small else [1, 2, 4, 8, 16])
    etas = T / steps
    errs = [np.abs(gradient_descent(u0, grid, bc, lr=e, steps=int(k), weight_decay=1.0, record_every=0).u
                   - ref).max() for e, k in zip(etas, steps)]
    slope = float(np.polyfit(np.log(etas), np.log(errs), 1)[0])
    ax[2].loglog(etas, errs, "o-", label=f"GD vs exact flow at t={T:g}: slope {slope:.2f}")
    ax[2].loglog(etas, errs[0] * etas / etas[0], "k--", lw=1, label="slope 1")
    ax[2].set_xlabel("lr = dt")
    ax[2].set_ylabel("max error")
    ax[2].legend(fontsize=8)
    stats["slope"] = slope
    fig.suptitle(f"The learning rate is the time step (n={n}; stable < {lim['stable']:.3g}, "
                 f"monotone <= {lim['monotone']:.3g})")
    fig.tight_layout()
    path = os.path.join(output_dir(args.out), f"{NAME}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    stats["figure"] = path
    return stats


if __name__ == "__main__":
    for k, v in main(sys.argv[1:]).items():
        print(f"{k}: {v}")
