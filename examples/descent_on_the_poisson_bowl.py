"""Descent on the Poisson bowl: solving A u = b (A = -lap_h, Dirichlet) is minimising
1/2 u^T A u - b^T u.  Steepest descent with exact line search, plain gradient descent (= FTCS
to steady state), conjugate gradients and the package's multigrid on the same 2D problem at two
grid sizes: residual vs iteration and vs work.

Steepest descent and gradient descent need O(kappa) = O(1/h^2) iterations, CG O(1/h), multigrid
a number independent of h.  Work is counted in fine-grid operator applications (one matvec = 1);
a multigrid V(2,2) cycle in 2D is counted as ~ (2 + 2 + 1) * 4/3 = 6.7 of them (smoothing sweeps
and the residual on every level, levels shrinking by 4), an estimate, not a measurement.

Run:  python examples/descent_on_the_poisson_bowl.py [--small] [--out DIR]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from fieldgrad import Dirichlet, Grid  # noqa: E402
from fieldgrad.gradflow import (conjugate_gradient, fixed_step_descent, laplacian_matrix,  # noqa: E402
                                steepest_descent, step_size_limits)

NAME = "descent_on_the_poisson_bowl"
MG_WORK_PER_CYCLE = (2 + 2 + 1) * 4 / 3


def output_dir(args_out):
    out = args_out or os.environ.get("FIELDGRAD_EXAMPLE_OUT") or os.path.join(os.path.dirname(__file__), "figures")
    os.makedirs(out, exist_ok=True)
    return out


def multigrid_residuals(grid, f, tol):
    """Relative residuals per V-cycle of the package multigrid (coarsened to a small grid), or
    None when the solver is not available."""
    try:
        from fieldgrad.solvers.poisson import PoissonSolver
    except ImportError:
        return None
    res = [1.0]
    solver = PoissonSolver(grid, Dirichlet(0.0), method="multigrid", fmg=False, coarse_size=50)
    solver.solve(f, rtol=tol, callback=lambda i, r: res.append(r), maxiter=60)
    return np.array(res)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    sizes = (17, 33) if args.small else (33, 65)
    tol = 1e-6
    maxiter = 3000 if args.small else 20000
    fig, ax = plt.subplots(1, 2, figsize=(13, 4.8))
    stats = {}
    for n, ls in zip(sizes, ("-", "--")):
        grid = Grid((n, n))
        X, Y = grid.mesh()
        f = np.exp(X) * np.sin(3 * np.pi * Y) + (X > 0.5)  # lap u = f
        A = -laplacian_matrix(grid, Dirichlet(0.0))
        b = -f[1:-1, 1:-1].ravel()
        lim = step_size_limits(grid, Dirichlet(0.0))
        runs = {
            "steepest descent": steepest_descent(A, b, tol=tol, maxiter=maxiter),
            "gradient descent (optimal fixed step)": fixed_step_descent(A, b, lim["optimal"], tol=tol,
                                                                        maxiter=maxiter),
            "conjugate gradients": conjugate_gradient(A, b, tol=tol, maxiter=maxiter),
        }
        for (name, r), c in zip(runs.items(), ("C0", "C1", "C2")):
            k = np.arange(len(r.residuals))
            ax[0].semilogy(k, r.residuals, c + ls, label=f"{name}, n={n}")
            ax[1].semilogy(k, r.residuals, c + ls, label=f"{name}, n={n}")  # 1 matvec per iteration
            stats[f"{name} iterations n={n}"] = r.iterations if r.converged else f">{r.iterations}"
        mg = multigrid_residuals(grid, f, tol)
        if mg is not None:
            k = np.arange(len(mg))
            ax[0].semilogy(k, mg, "C3" + ls, label=f"multigrid V(2,2), n={n}")
            ax[1].semilogy(k * MG_WORK_PER_CYCLE, mg, "C3" + ls, label=f"multigrid V(2,2), n={n}")
            stats[f"multigrid cycles n={n}"] = len(mg) - 1
        else:
            stats[f"multigrid cycles n={n}"] = "fieldgrad.solvers not available"
        stats[f"kappa n={n}"] = lim["kappa"]
        stats[f"steepest descent bound (kappa-1)/(kappa+1) n={n}"] = lim["contraction"]
    ax[0].set_xscale("symlog", linthresh=10)
    ax[1].set_xscale("symlog", linthresh=10)
    ax[0].set_xlabel("iteration")
    ax[1].set_xlabel("work (fine-grid operator applications)")
    for a in ax:
        a.set_ylabel("relative residual")
        a.axhline(tol, color="k", lw=0.5)
        a.legend(fontsize=7)
    fig.suptitle("Minimising 1/2 u^T A u - b^T u for the discrete Poisson problem")
    fig.tight_layout()
    path = os.path.join(output_dir(args.out), f"{NAME}.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    stats["figure"] = path
    return stats


if __name__ == "__main__":
    for k, v in main(sys.argv[1:]).items():
        print(f"{k}: {v}")
