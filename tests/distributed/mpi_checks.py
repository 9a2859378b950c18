"""Run under ``mpiexec -n N``: distributed results vs independent serial references.

Rank 0 writes the gathered global results to the ``.npz`` file named on the command line;
test_mpi.py compares them with serial references computed in the pytest process by
:func:`references` (so the ranks never wait on a serial computation).  References: the serial operators (``fieldgrad.laplacian`` ...), a serial FTCS/RKL2 loop written
with them, and a dense direct solve of the operator probed column by column from the serial
``fieldgrad.div_k_grad``.

``python mpi_checks.py OUT div_curl`` runs the ``div`` / ``curl`` checks alone (:data:`DIV_CURL_CASES`,
shapes that split over 1, 2, 3 and 4 ranks), against :func:`div_curl_references`.
"""
import sys

import numpy as np

import fieldgrad as fg
from fieldgrad import distributed as fd
from fieldgrad.boundary import dirichlet_faces
from fieldgrad.heat import explicit_limit, rkl2_coefficients, rkl2_stages

CASES = {  # uneven sizes on purpose: 13, 11, 9 ... do not divide by 2 or 4
    "dirichlet_neumann_2d": ((13, 11), False, {"x": fg.Dirichlet(1.0), "*": fg.Neumann(0.5)}),
    "periodic_robin_2d": ((12, 10), (True, False),
                          {"y-": fg.Robin(2.0, 1.0, 0.3), "y+": fg.Dirichlet(lambda x, y: x)}),
    "neumann_3d": ((9, 10, 11), False, {"*": fg.Neumann(lambda x, y, z: x * y)}),
    "periodic_3d": ((12, 9, 10), True, None),
    "mixed_3d": ((11, 9, 8), (False, True, False), {"*": fg.Dirichlet(lambda x, y, z: x + z)}),
}


# div and curl: every block of >= 4 nodes on 1, 2, 3 and 4 ranks, uneven splits (13 = 5 + 4 + 4 ...),
# cut periodic seams, cylindrical grids cut along r (a block on the axis and blocks off it) and z
DIV_CURL_CASES = {
    "dirichlet_neumann_2d": (dict(shape=(13, 11)), {"x": fg.Dirichlet(1.0), "*": fg.Neumann(0.5)}),
    "float32_2d": (dict(shape=(13, 11)), {"x-": fg.Dirichlet(lambda x, y: y), "y+": fg.Robin(1.0, 2.0, 0.5)}),
    "periodic_robin_2d": (dict(shape=(14, 12), periodic=(True, False)),
                          {"y-": fg.Robin(2.0, 1.0, 0.3), "y+": fg.Dirichlet(lambda x, y: x)}),
    "periodic_seam_2d": (dict(shape=(9, 17), periodic=(False, True)), {"x+": fg.Neumann(lambda x, y, t: y + t)}),
    "neumann_3d": (dict(shape=(13, 10, 9)), {"*": fg.Neumann(lambda x, y, z: x * y)}),
    "periodic_3d": (dict(shape=(12, 9, 13), periodic=True), None),
    "mixed_3d": (dict(shape=(13, 9, 8), periodic=(False, True, False)), {"*": fg.Dirichlet(lambda x, y, z: x + z)}),
    "cyl_solid": (dict(shape=(17, 9), extent=[(0, 1), (0, 2)], coords="cylindrical"),
                  {"r+": fg.Dirichlet(lambda r, z, t: r + t), "z-": fg.Robin(1.0, 2.0, 0.5), "z+": fg.Neumann(0.3)}),
    "cyl_pipe": (dict(shape=(17, 9), extent=[(0.5, 1.5), (0, 2)], coords="cylindrical"),
                 {"r-": fg.Neumann(1.0), "r+": fg.Dirichlet(2.0), "z": fg.Dirichlet(0.5)}),
    "cyl_periodic_z": (dict(shape=(13, 17), extent=[(0, 1), (0, 2)], periodic=(False, True), coords="cylindrical"),
                       {"r+": fg.Robin(1.0, 1.0, 0.0)}),
}
DIV_CURL_T = 0.3


def div_curl_problems():
    """``(name, grid, bc, v)`` for every div / curl check, the same on every rank."""
    rng = np.random.default_rng(11)
    out = []
    for name, (kw, bc) in DIV_CURL_CASES.items():
        g = fg.Grid(**kw)
        v = rng.standard_normal((g.ndim,) + g.shape)
        out.append((name, g, bc, v.astype(np.float32) if name.startswith("float32") else v))
    return out


def div_curl_references():
    """The serial ``fieldgrad.div`` (at ``t = DIV_CURL_T``) and ``fieldgrad.curl`` of every check."""
    ref = {}
    for name, g, bc, v in div_curl_problems():
        ref[f"div/{name}"] = fg.div(v, g, bc, t=DIV_CURL_T)
        ref[f"curl/{name}"] = fg.curl(v, g)
    return ref


def main_div_curl(path):
    """Gathered ``fd.div`` / ``fd.curl`` results, and the ranks per axis of each decomposition (``dims__NAME``)."""
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    results = {}
    for name, g, bc, v in div_curl_problems():
        for key, part in ((f"div__{name}", fd.div(v, g, bc, t=DIV_CURL_T, comm=comm)),
                          (f"curl__{name}", fd.curl(v, g, comm=comm))):
            full = fd.gather(part, comm)
            if comm.rank == 0:
                results[key] = full
        results[f"dims__{name}"] = np.array(fd.Decomposition(g, comm, cylindrical=True).dims)
    if comm.rank == 0:
        np.savez(path, **results)


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def serial_heat(u0, g, bc, alpha, steps, dt, method, src):
    def L(v, t):
        lap = alpha * fg.laplacian(v, g, bc, t=t) if np.ndim(alpha) == 0 else fg.div_k_grad(v, alpha, g, bc, t=t)
        return lap + src
    u, t = fg.apply_bc(u0.copy(), g, bc, 0.0), 0.0
    if method == "ftcs":
        for n in range(steps):
            u = fg.apply_bc(u + dt * L(u, t), g, bc, (n + 1) * dt)
            t = (n + 1) * dt
        return u
    s = rkl2_stages(dt, explicit_limit(g, np.max(alpha)))
    co = rkl2_coefficients(s)
    mu, nu, mut, gam, c = co["mu"], co["nu"], co["mt"], co["gt"], co["c"]
    for n in range(steps):
        y0, l0 = u, L(u, t)
        y1, y2 = fg.apply_bc(y0 + mut[1] * dt * l0, g, bc, t + c[1] * dt), y0
        for j in range(2, s + 1):
            yj = (mu[j] * y1 + nu[j] * y2 + (1 - mu[j] - nu[j]) * y0 + mut[j] * dt * L(y1, t + c[j - 1] * dt)
                  + gam[j] * dt * l0)
            y2, y1 = y1, fg.apply_bc(yj, g, bc, t + c[j] * dt)
        u, t = y1, (n + 1) * dt
    return u


def poisson_reference(f, g, bc, k, scr):
    bcs = fg.resolve_bc(bc, g)
    hom = {}
    for face, c in bcs.faces.items():
        hom[face] = {"dirichlet": fg.Dirichlet(0.0), "neumann": fg.Neumann(0.0),
                     "periodic": fg.Periodic()}.get(c.kind) or fg.Robin(c.alpha, c.beta, 0.0)
    fixed = np.zeros(g.shape, bool)
    for face in dirichlet_faces(bcs):
        a, s = g.parse_face(face)
        sl = [slice(None)] * g.ndim
        sl[a] = 0 if s == 0 else -1
        fixed[tuple(sl)] = True
    n = g.size
    A = np.zeros((n, n))
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1
        e = e.reshape(g.shape)
        A[:, j] = (fg.div_k_grad(e, k, g, hom) - scr * e).ravel()
    up = fg.apply_bc(np.zeros(g.shape), g, bc)
    b = f.ravel() - (fg.div_k_grad(up, k, g, bc) - scr * up).ravel()
    free = ~fixed.ravel()
    Af = A[np.ix_(free, free)]
    sol = up.ravel().copy()
    w = g.quadrature_weights().ravel()
    if np.linalg.matrix_rank(Af) < Af.shape[0]:  # pure Neumann / periodic: compatible part, zero mean
        b = b - np.sum(w * b) / np.sum(w)
        sol[free] = np.linalg.lstsq(Af, b[free], rcond=None)[0]
        sol -= np.sum(w * sol) / np.sum(w)
    else:
        sol[free] += np.linalg.solve(Af, b[free])
    return sol.reshape(g.shape)


def problems():
    """The inputs: ``(key, grid, bc, u, k, kind, args)`` for every check, the same on every rank."""
    rng = np.random.default_rng(7)
    out = []
    for name, (shape, per, bc) in CASES.items():
        g = fg.Grid(shape, periodic=per)
        u = rng.standard_normal(shape)
        k = 1 + rng.random(shape)
        for op in ("laplacian", "grad", "div_k_grad"):
            out.append((f"{op}/{name}", g, bc, u, k, op, {}))
        for method, alpha in (("ftcs", 0.7), ("rkl2", k)):
            dt = 0.9 * explicit_limit(g, np.max(alpha)) * (1 if method == "ftcs" else 8)
            out.append((f"heat_{method}/{name}", g, bc or {}, u, k, "heat",
                        dict(alpha=alpha, source=0.3, dt=dt, steps=50, method=method)))
        out.append((f"poisson/{name}", g, bc or {}, u, k, "poisson",
                    dict(screening=1.5 if name == "mixed_3d" else 0.0)))
    return out


def references():
    """Serial results for every check (computed without MPI)."""
    ref = {}
    for key, g, bc, u, k, kind, args in problems():
        if kind in ("laplacian", "grad"):
            ref[key] = getattr(fg, kind)(u, g, bc)
        elif kind == "div_k_grad":
            ref[key] = fg.div_k_grad(u, k, g, bc)
        elif kind == "heat":
            ref[key] = serial_heat(u, g, bc, args["alpha"], args["steps"], args["dt"], args["method"],
                                   args["source"])
        else:
            ref[key] = poisson_reference(u, g, bc, k, args["screening"])
    return ref


def main(path):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    results, iterations = {}, {}
    for key, g, bc, u, k, kind, args in problems():
        if kind in ("laplacian", "grad"):
            part = getattr(fd, kind)(u, g, bc, comm=comm)
        elif kind == "div_k_grad":
            part = fd.div_k_grad(u, k, g, bc, comm=comm)
        elif kind == "heat":
            part = fd.solve_heat(u, g, bc, comm=comm, **args)
        else:
            part = fd.solve_poisson(u, g, bc, k=k, rtol=1e-14, comm=comm, **args)
            iterations[key] = part.info["iterations"]
        full = fd.gather(part, comm)
        if comm.rank == 0:
            results[key] = full
    # one logical HDF5 file from per-rank parts (virtual dataset)
    key, g, bc, u, k, kind, args = problems()[0]
    fd.write_parts(path + ".h5", g, {"laplacian": fd.laplacian(u, g, bc, comm=comm),
                                     "grad": fd.grad(u, g, bc, comm=comm)}, comm)
    if comm.rank == 0:
        np.savez(path, **{k.replace("/", "__"): v for k, v in results.items()})
        print("ITERATIONS", iterations)


if __name__ == "__main__":
    if sys.argv[2:] == ["div_curl"]:
        main_div_curl(sys.argv[1])
    else:
        main(sys.argv[1])
