"""Run under mpiexec by test_parts_vtk.py: every rank writes its block of the closed-form fields
of tests/vtkread.py through PartsWriter (three frames, 2D and 3D), making one logical file each."""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldformula import grid_fields  # noqa: E402
from fieldgrad import Grid  # noqa: E402
from fieldgrad.distributed import Part  # noqa: E402
from fieldgrad.distributed.decomposition import Decomposition  # noqa: E402
from fieldgrad.distributed.io import PartsWriter  # noqa: E402

TIMES = [0.0, 0.25, 0.75]
GRIDS = {"run3": Grid((13, 9, 8), extent=[(0.0, 2.4), (-1.0, 0.6), (2.0, 3.4)]),
         "run2": Grid((13, 9), extent=[(0.5, 2.9), (-1.0, 0.6)])}


def main(out_dir):
    for name, g in GRIDS.items():
        d = Decomposition(g)
        w = PartsWriter(Path(out_dir) / f"{name}.h5", g, d.comm, overwrite=True, units={"T": "K"})
        for step, t in enumerate(TIMES):
            full = grid_fields(g, t)
            parts = {"T": Part(np.ascontiguousarray(full["T"][d.slices]), d.slices, g.shape),
                     "q": Part(np.ascontiguousarray(full["q"][(slice(None),) + d.slices]), d.slices,
                               (g.ndim,) + g.shape)}
            w.write(t, step, parts)
        w.close()


if __name__ == "__main__":
    main(sys.argv[1])
