"""The CUDA rows against the CPU rows: max |CUDA - CPU| / max |CPU| of ``laplacian``,
``div_k_grad`` and ``div`` on cylindrical (r, z) grids (axis and annulus) and of ``div_k_grad``
with ``Cells`` (a hole too) and ``Orthotropic`` k in 2D and 3D.

Run: ``NUMBA_NUM_THREADS=2 python benchmarks/cudarows_agreement.py`` -- in Numba's CUDA simulator
unless ``FIELDGRAD_CUDA_REAL=1`` (a GPU).  No timings: the simulator's are meaningless.
"""
import os

if os.environ.get("FIELDGRAD_CUDA_REAL") != "1":
    os.environ["NUMBA_ENABLE_CUDASIM"] = "1"

import numpy as np  # noqa: E402

import fieldgrad as fg  # noqa: E402
from fieldgrad.materials import cell_shape  # noqa: E402


def rel(dev, ref):
    return float(np.abs(dev.copy_to_host() - ref).max() / np.abs(ref).max())


def main():
    print("load", os.getloadavg())
    rng = np.random.default_rng(0)
    rows = []
    for r0 in (0.0, 0.25):
        g = fg.Grid((17, 13), extent=[(r0, 1.0), (0.0, 0.75)], coords="cylindrical")
        R, Z = g.mesh()
        u = R ** 2 * Z + np.cos(2 * R) * np.exp(Z)
        bc = {"r+": fg.Robin(2.0, 0.5, 0.3), "z-": fg.Dirichlet(lambda r, z, t: 1 + r * t), "z+": fg.Neumann(0.4)}
        if r0:
            bc["r-"] = fg.Neumann(lambda r, z: z)
        rows.append((f"laplacian (r,z) r0={r0}, t=0.7",
                     rel(fg.laplacian(u, g, bc, t=0.7, backend="cuda"), fg.laplacian(u, g, bc, t=0.7))))
        k = 1 + R * Z
        rows.append((f"div_k_grad node k (r,z) r0={r0}, t=0.7",
                     rel(fg.div_k_grad(u, g, bc, k=k, t=0.7, backend="cuda"), fg.div_k_grad(u, g, bc, k=k, t=0.7))))
        v = np.stack([R * Z + np.sin(R), Z ** 2 + R])
        rows.append((f"div (r,z) r0={r0}", rel(fg.div(v, g, backend="cuda"), fg.div(v, g))))
    for shape in ((17, 15), (9, 8, 7)):
        g = fg.Grid(shape)
        m = g.mesh()
        u = np.sin(2 * m[0]) + m[0] * m[-1]
        c = 1 + 9 * rng.random(cell_shape(g))
        dom = np.ones(cell_shape(g), bool)
        dom[tuple(slice(2, 5) for _ in shape)] = False
        bc = {"x-": fg.Dirichlet(1.0), "y+": fg.Robin(1.0, 0.5, 0.2), "*": fg.Neumann(0.1)}
        for name, k in (("Cells", fg.Cells(c)), ("Cells with a hole", fg.Cells(c, domain=dom)),
                        ("Orthotropic", fg.Orthotropic(fg.Cells(c), *([2.0] * (len(shape) - 1))))):
            rows.append((f"div_k_grad {name} {len(shape)}D",
                         rel(fg.div_k_grad(u, g, bc, k=k, backend="cuda"), fg.div_k_grad(u, g, bc, k=k))))
    print("| case | max abs diff / max abs |\n|---|---|")
    for n, r in rows:
        print(f"| {n} | {r:.1e} |")


if __name__ == "__main__":
    main()
