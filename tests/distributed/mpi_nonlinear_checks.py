"""Run under ``mpiexec -n 2``: the cases of tests/nonlinear_backend_cases.py by
:func:`fieldgrad.distributed.solve_nonlinear` / :func:`~fieldgrad.distributed.solve_nonlinear_heat`.

Rank 0 writes to the ``.npz`` named on the command line the gathered fields, outer iteration
counts and inner methods, and for each failing or refused call the exception's type name and
message (for a ConvergenceError also what its ``result`` held).  The serial references are
computed by tests/distributed/test_mpi_nonlinear.py.
"""
import sys
from pathlib import Path

import numpy as np

import fieldgrad.distributed as fd

sys.path.insert(0, str(Path(__file__).parent.parent))
import nonlinear_backend_cases as cases  # noqa: E402

KT, FIN, SQUARE, PLATE, STEPS, ROD = (17, 17), (33, 4), (17, 17), (17, 9), 6, (17, 9)


def solved_cases():
    """The cases solved at 2 ranks (name -> case of tests/nonlinear_backend_cases.py)."""
    return {**cases.steady_cases(KT, FIN), "plate": cases.plate(PLATE, STEPS), **cases.axisymmetric_cases(ROD, STEPS)}


def main(path):
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    out = {}
    for name, case in solved_cases().items():
        part = cases.call(fd, case, comm=comm)
        out[name] = fd.gather(part, comm)
        out[name + "_outer"] = np.array(cases.outer_count(part))
        out[name + "_inner"] = np.array(part.inner_iterations)
        out[name + "_method"] = np.array(part.inner_method)
        out[name + "_type"] = np.array(type(part).__name__)
        out[name + "_block_ok"] = np.array(comm.rank != 0 or np.array_equal(part.u, out[name][part.index]))
    for name, case in {**cases.failing_cases(FIN, SQUARE), **cases.bad_inputs(FIN)}.items():
        e = cases.error_of(fd, case, comm=comm)
        out["error_" + name] = np.array([type(e).__name__, str(e)])
        res = getattr(e, "result", None)
        if res is not None:
            out["error_" + name + "_result"] = np.array([type(res).__name__, str(res.outer_iterations),
                                                         str(res.u.shape), str(res.global_shape)])
    e = cases.error_of(fd, cases.k_of_T(KT), backend="cuda", comm=comm)
    out["error_backend"] = np.array([type(e).__name__, str(e)])
    if comm.rank == 0:
        np.savez(path, **out)


if __name__ == "__main__":
    main(sys.argv[1])
