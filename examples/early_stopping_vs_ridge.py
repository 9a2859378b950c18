"""Early stopping vs ridge: gradient flow stopped at time t and ridge with penalty 1/t have
similar spectral filters and similar risk (Ali, Kolter & Tibshirani 2019), but they are not the
same estimator; on a grid, heat smoothing for time t vs Tikhonov smoothing with weight t.

Panels: (1) filters 1 - exp(-t s) and s / (s + 1/t); (2) exact expected estimation risk along
the path for both, and their ratio; (3) a noisy 1D signal smoothed by the heat flow
(exact_flow) and by Tikhonov (I - t lap_h) u = d.

Run:  python examples/early_stopping_vs_ridge.py [--small] [--out DIR]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import scipy.sparse.linalg as spla  # noqa: E402

from fieldgrad import Grid, Neumann  # noqa: E402
from fieldgrad.gradflow import exact_flow, laplacian_matrix, spectral_filter  # noqa: E402

NAME = "early_stopping_vs_ridge"


def output_dir(args_out):
    out = args_out or os.environ.get("FIELDGRAD_EXAMPLE_OUT") or os.path.join(os.path.dirname(__file__), "figures")
    os.makedirs(out, exist_ok=True)
    return out


def risk(s, w, sigma2, n, filt):
    """Expected estimation risk E|beta_hat - beta|^2 of a spectral estimator, exactly:
    bias^2 sum (1 - phi)^2 w_i^2 + variance sigma^2/n sum phi^2 / s (w = V^T beta)."""
    pos = s > 0
    bias = np.sum((1 - filt) ** 2 * w ** 2)
    var = sigma2 / n * np.sum(filt[pos] ** 2 / s[pos])
    return bias + var


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    rng = np.random.default_rng(1)
    n, pdim = (60, 20) if args.small else (200, 50)
    X = rng.standard_normal((n, pdim)) * (np.arange(1, pdim + 1) ** -1.0)
    beta = rng.standard_normal(pdim)
    sigma2 = 1.0
    s, V = np.linalg.eigh(X.T @ X / n)
    s = np.clip(s, 0, None)
    w = V.T @ beta
    fig, ax = plt.subplots(1, 3, figsize=(16, 4.8))
    sg = np.logspace(-3, 1, 300)
    for t, c in zip((1.0, 10.0, 100.0), ("C0", "C1", "C2")):
        ax[0].semilogx(sg, spectral_filter(sg, t, "flow"), c, label=f"flow, t={t:g}")
        ax[0].semilogx(sg, spectral_filter(sg, t, "ridge"), c + "--", label=f"ridge, 1/t={1 / t:g}")
    ax[0].set_xlabel("s (eigenvalue of X^T X / n)")
    ax[0].set_title("spectral filters")
    ax[0].legend(fontsize=7)
    times = np.logspace(-1, 4, 80)
    r_flow = np.array([risk(s, w, sigma2, n, spectral_filter(s, t, "flow")) for t in times])
    r_ridge = np.array([risk(s, w, sigma2, n, spectral_filter(s, t, "ridge")) for t in times])
    ax[1].loglog(times, r_flow, label="gradient flow at t")
    ax[1].loglog(times, r_ridge, "--", label="ridge at 1/t")
    ax[1].loglog(times, r_flow / r_ridge, "k:", label="ratio flow / ridge")
    ax[1].set_xlabel("t")
    ax[1].set_title("expected estimation risk")
    ax[1].legend(fontsize=8)
    stats = {"max_risk_ratio": float((r_flow / r_ridge).max()), "min_risk_ratio": float((r_flow / r_ridge).min()),
             "best_flow_over_best_ridge": float(r_flow.min() / r_ridge.min())}
    # heat vs Tikhonov on a grid
    m = 101 if args.small else 401
    grid = Grid(m)
    x = grid.coords[0]
    clean = np.sign(np.sin(2 * np.pi * x)) + 0.5 * np.sin(6 * np.pi * x)
    noisy = clean + 0.3 * rng.standard_normal(m)
    tt = 2e-4
    heat = exact_flow(noisy, grid, Neumann(0.0), tt)
    L = laplacian_matrix(grid, Neumann(0.0))
    tik = spla.spsolve((sp.identity(m) - tt * L).tocsc(), noisy)
    ax[2].plot(x, noisy, color="0.75", lw=0.8, label="noisy")
    ax[2].plot(x, heat, label=f"heat flow, t={tt:g}")
    ax[2].plot(x, tik, "--", label=f"Tikhonov (I - t lap) u = d, t={tt:g}")
    ax[2].plot(x, clean, "k", lw=0.8, label="clean")
    ax[2].legend(fontsize=7)
    ax[2].set_title("heat smoothing vs Tikhonov smoothing")
    stats["heat_error"] = float(np.sqrt(np.mean((heat - clean) ** 2)))
    stats["tikhonov_error"] = float(np.sqrt(np.mean((tik - clean) ** 2)))
    stats["noisy_error"] = float(np.sqrt(np.mean((noisy - clean) ** 2)))
    stats["heat_mass_minus_noisy_mass"] = float(grid.integrate(heat) - grid.integrate(noisy))
    fig.suptitle("Early stopping resembles ridge at 1/t (Ali, Kolter & Tibshirani 2019) but is a generalized ridge")
    fig.tight_layout()
    path = os.path.join(output_dir(args.out), f"{NAME}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    stats["figure"] = path
    return stats


if __name__ == "__main__":
    for k, v in main(sys.argv[1:]).items():
        print(f"{k}: {v}")
