"""Run under ``mpiexec -n N``: the distributed solvers with materials (issue 15 under MPI).

Rank 0 writes to the ``.npz`` named on the command line the gathered solutions and CG
iteration counts of :func:`fieldgrad.distributed.solve_poisson` for the cases of
:func:`poisson_cases` (cell values, orthotropic, contact, held regions) and, from
:func:`heat_cases`, the gathered fields of :func:`fieldgrad.distributed.solve_heat` with
``k=``/``rho_c=``/``contact=``.  The serial references are computed by the test module.
"""
import sys

import numpy as np

import fieldgrad as fg
from mpi_case_runner import run_cases


def _slab(n):
    """Two-material Cells slab (k 1 | 20 across x = 0.5), Dirichlet in x, insulated in y."""
    g = fg.Grid((n, n - 8), extent=[(0, 1), (0, 1)])
    xc = (np.arange(n - 1) + 0.5) / (n - 1)
    kc = np.where(xc[:, None] < 0.5, 1.0, 20.0) * np.ones((1, n - 9))
    x, y = g.mesh()
    f = np.sin(3 * x) * np.cos(2 * y) + 1.0
    return g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0)}, f, dict(k=fg.Cells(kc))


def _bare(n):
    """The slab given as a bare cell array, with a Robin face."""
    g, _, f, kw = _slab(n)
    return g, {"x-": fg.Dirichlet(0.0), "x+": fg.Robin(2.0, 1.0, 0.5), "y": fg.Neumann(0.1)}, f, \
        dict(k=np.asarray(kw["k"].values))


def _ortho(n):
    """Orthotropic plate (kx = 50 node-sampled, ky varying cells), periodic in y."""
    g = fg.Grid((n, n - 1), extent=[(0, 1), (0, 1)], periodic=(False, True))
    x, y = g.mesh()
    ky = fg.Cells(1.0 + 0.5 * np.sin(2 * np.pi * np.arange(n - 1) / (n - 1))[None, :] * np.ones((n - 1, 1)))
    f = np.exp(-20 * ((x - 0.3) ** 2 + (y - 0.6) ** 2))
    return g, {"x-": fg.Dirichlet(0.0), "x+": fg.Neumann(0.0)}, f, dict(k=fg.Orthotropic(50.0, ky))


def _wall(n):
    """Composite wall with a contact resistance between two layers (3D)."""
    g = fg.Grid((n, 9, 8), extent=[(0, 1), (0, 0.3), (0, 0.25)])
    x = g.mesh()[0]
    labels = (x > 0.45).astype(int)
    kc = fg.Cells(np.where((np.arange(n - 1) + 0.5) / (n - 1) < 0.45, 2.0, 0.5)[:, None, None] * np.ones((1, 8, 7)))
    return g, {"x-": fg.Dirichlet(1.0), "x+": fg.Robin(3.0, 1.0, 0.0), "*": fg.Neumann(0.0)}, np.zeros(g.shape), \
        dict(k=kc, contact=fg.Contact(labels, 0.05))


def _held(n):
    """Held electrode in a flux-only box with a Cells dielectric (fixed makes it determined)."""
    g, _, f, kw = _slab(n)
    x, y = g.mesh()
    mask = (np.abs(x - 0.3) < 0.1) & (np.abs(y - 0.5) < 0.15)
    return g, fg.Neumann(0.0), f, dict(k=kw["k"], fixed=mask, fixed_value=np.where(mask, 2.0 + x, 0.0))


def _neumann(n):
    """Singular (pure Neumann) Cells slab: the zero-mean solution, data made compatible."""
    g, _, f, kw = _slab(n)
    return g, fg.Neumann(0.0), f - 0.2, kw


def _hole(n):
    """Plate with an insulated circular hole (a Cells domain) straddling the rank cut, held at 0 and
    1 in x, with a source."""
    g = fg.Grid((n, n - 8), extent=[(0, 1), (0, 1)])
    xc = (np.arange(n - 1) + 0.5) / (n - 1)
    yc = (np.arange(n - 9) + 0.5) / (n - 9)
    dom = (xc[:, None] - 0.5) ** 2 + (yc[None, :] - 0.4) ** 2 > 0.2 ** 2
    x, y = g.mesh()
    return g, {"x-": fg.Dirichlet(0.0), "x+": fg.Dirichlet(1.0), "y": fg.Neumann(0.0)}, np.cos(2 * y) * x, \
        dict(k=fg.Cells(np.where(xc[:, None] < 0.3, 1.0, 4.0) * np.ones(dom.shape), domain=dom))


POISSON = {"slab": _slab, "bare": _bare, "ortho": _ortho, "wall": _wall, "held": _held, "neumann": _neumann,
           "hole": _hole}
# two sizes per case, each finer than the default coarse grid (65^2 in 2D; 17 x 9 x 8 for the wall)
SIZES = {"wall": (65, 129)}
SIZES_2D = (129, 257)


def poisson_cases():
    """``{name_n: (grid, bc, f, kwargs)}`` for every case and size."""
    return {f"{name}_{n}": make(n) for name, make in POISSON.items() for n in SIZES.get(name, SIZES_2D)}


def heat_cases():
    """``{name: (grid, bc, u0, kwargs)}`` of the k / rho_c form (kwargs of solve_heat)."""
    out = {}
    g, bc, f, kw = _slab(33)
    x, y = g.mesh()
    rc = np.where(x < 0.5, 1.0, 3.0)
    u0 = np.sin(np.pi * x) * np.cos(np.pi * y) + x
    out["slab_ftcs"] = (g, bc, u0, dict(k=kw["k"], rho_c=rc, steps=40, method="ftcs"))
    out["insulated_rkl2"] = (g, fg.Neumann(0.0), u0, dict(k=kw["k"], rho_c=rc, steps=6, dt=2e-3, method="rkl2",
                                                          source=0.0))
    gw, bcw, _, kww = _wall(17)
    xw = gw.mesh()[0]
    out["wall_rkl2"] = (gw, {"*": fg.Neumann(0.0)}, np.cos(np.pi * xw), dict(k=kww["k"], contact=kww["contact"],
                                                                              rho_c=2.0, steps=5, dt=4e-3))
    go, bco, fo, kwo = _ortho(33)
    out["ortho_ftcs"] = (go, bco, fo, dict(k=kwo["k"], steps=30, method="ftcs",
                                           source=lambda x, y, t: np.cos(3 * x) * (1 + t)))
    return out


def galerkin_checks(comm):
    """Largest relative difference between the coarse matrix summed from the ranks' rows
    (:func:`~fieldgrad.distributed.schwarz_links.galerkin_blocks`) and ``P^T W A_ff P`` assembled
    from the global 7-point stencil, for a periodic axis kept whole and split, and held rows."""
    import scipy.sparse as sp

    from fieldgrad.distributed.decomposition import Decomposition
    from fieldgrad.distributed.schwarz import interpolation_matrix
    from fieldgrad.distributed.schwarz_links import galerkin_blocks
    from fieldgrad.solvers.held import make_problem
    from fieldgrad.solvers.matrix import _stencil_to_csr

    out = {}
    for name, dims in (("ortho", (2, 1)), ("ortho", (1, 2)), ("held", (2, 1)), ("wall", (2, 1, 1))):
        g, bc, f, kw = POISSON[name](33)
        prob = make_problem(g, bc, kw["k"], 0.0, kw.get("contact"), kw.get("fixed"))
        dec = Decomposition(g, comm, dims)
        P1 = [interpolation_matrix(n, nc, p).tocsr() for n, nc, p in zip(g.shape, (9, 7, 5)[: g.ndim], g.periodic)]
        got = galerkin_blocks(dec, prob, prob.links_diag(), prob.weights(), P1)
        A = _stencil_to_csr(*prob.stencil7(), prob.shape3, prob.periodic3)
        free = sp.diags((~prob.fixed_mask()).ravel().astype(float))
        P = P1[0]
        for m in P1[1:]:
            P = sp.kron(P, m)
        ref = P.T @ free @ sp.diags(prob.weights().ravel()) @ A @ free @ P
        out[f"galerkin_{name}_{''.join(map(str, dims))}"] = np.array(abs(got - ref).max() / abs(ref).max())
    return out


def main(path):
    run_cases(path, poisson_cases(), heat_cases(), extra=galerkin_checks)


if __name__ == "__main__":
    main(sys.argv[1])
