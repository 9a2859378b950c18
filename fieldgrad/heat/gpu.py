"""Backend dispatch of the heat steppers: ``backend="cuda"`` runs FTCS / RKL2 on the GPU.

:func:`resolve_heat_backend` turns the ``backend=`` argument (or, when it is None, the process
default of :func:`fieldgrad.backends.get_backend`) into ``"cpu"`` or ``"cuda"``;
:func:`make_cuda_stepper` wraps :class:`fieldgrad.heat.cuda.CudaFTCS` /
:class:`~fieldgrad.heat.cuda.CudaRKL2` in the stepper interface the
:class:`fieldgrad.Simulation` loop uses (``step(u, t, dt, n)``, ``sweeps``, ``stages(dt)``,
``check_dt(dt)``).  The field then stays on the device between steps; the loop copies it to the
host only for the NaN guard, the steady-state test, callbacks' ``sim.host_u()`` and writers.

The implicit methods (``"backward_euler"``, ``"crank_nicolson"``) run their linear solves on the
GPU (:mod:`fieldgrad.heat.cuda_implicit`: the CUDA stencil multigrid / MG-CG with the screening
``rho_c / dt`` per node); their right-hand sides and the conservation shift stay on the host.
``"auto"`` on the GPU picks among the explicit methods only (FTCS up to the limit, RKL2 beyond):
the crossover to Crank--Nicolson was measured on the CPU only.

Example
-------
>>> resolve_heat_backend("cpu")
'cpu'
"""
from __future__ import annotations

from ..errors import BackendError, ParameterError

__all__ = ["resolve_heat_backend", "make_cuda_stepper", "GPU_METHODS", "IMPLICIT_METHODS"]

GPU_METHODS = ("ftcs", "rkl2")  # the explicit steppers, all on the device (what "auto" picks among)
IMPLICIT_METHODS = ("backward_euler", "crank_nicolson")  # linear solves on the device


def resolve_heat_backend(backend):
    """``"cpu"`` or ``"cuda"`` from ``backend`` (None: :func:`fieldgrad.backends.get_backend`).

    Parameters
    ----------
    backend : None, "cpu" or "cuda"

    Returns
    -------
    str

    Raises
    ------
    ParameterError for an unknown name; BackendError for ``"cuda"`` without Numba's CUDA target
    or a device (or the simulator).
    """
    from ..backends import resolve_backend

    return resolve_backend(backend)


class _CudaStepper:
    """A CUDA FTCS/RKL2 stepper with the CPU steppers' interface (``n`` ignored)."""

    solver_iterations = 0

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.problem = inner.problem

    @property
    def sweeps(self):
        return self.inner.sweeps

    def stages(self, dt):
        return self.inner.stages(dt) if hasattr(self.inner, "stages") else 1

    def check_dt(self, dt):
        if hasattr(self.inner, "check_dt"):
            self.inner.check_dt(dt)

    def initial_field(self):
        return self.inner.initial_field()

    def step(self, u, t, dt, n=0):
        return self.inner.step(u, t, dt)


def make_cuda_stepper(method, problem, **options):
    """The GPU stepper of a resolved method name.

    Parameters
    ----------
    method : "ftcs", "rkl2", "backward_euler" or "crank_nicolson"
    problem : HeatProblem (``alpha``, or ``k`` / ``rho_c`` with cells, contact, holes, cylindrical rows)
    **options : the implicit methods take ``linear_solver`` ("multigrid" or "cg"), ``rtol``,
        ``maxiter``, ``conservative`` (and ``rannacher`` for Crank--Nicolson), as on the CPU; the
        explicit ones take none (``stages=`` raises ParameterError)

    Returns
    -------
    stepper with ``step(u, t, dt, n)``, ``sweeps``, ``solver_iterations``, ``stages(dt)``,
    ``check_dt(dt)`` and ``initial_field()`` (a device array for the explicit methods)
    """
    if method in IMPLICIT_METHODS:
        from .cuda_implicit import CudaBackwardEuler, CudaCrankNicolson

        if method == "backward_euler":
            if "rannacher" in options:
                raise ParameterError("rannacher applies to crank_nicolson only")
            return CudaBackwardEuler(problem, **options)
        return CudaCrankNicolson(problem, **options)
    if method not in GPU_METHODS:
        raise BackendError(f"method {method!r} has no CUDA implementation; on backend='cuda' use one of "
                           f"{GPU_METHODS + IMPLICIT_METHODS} (or 'auto')")
    if options:
        raise ParameterError(f"options {sorted(options)} are not supported by the CUDA {method} stepper")
    from .cuda import CudaFTCS, CudaRKL2

    return _CudaStepper((CudaFTCS if method == "ftcs" else CudaRKL2)(problem))
