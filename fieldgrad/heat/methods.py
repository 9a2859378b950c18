"""Method names, the ``"auto"`` choice and the factory of steppers.

``"auto"`` looks at the ratio ``r = dt / dt_explicit``: FTCS up to the limit (``r <= 1``), RKL2
for ``1 < r <= AUTO_RKL2_MAX``, Crank--Nicolson beyond.  The thresholds are the measured
crossovers of wall time per unit simulated time (``benchmarks/heat.py``, section ``auto``, 65^3,
see ``benchmarks/results/heat.md``): at ``r <= 1`` FTCS costs half of a 2-stage RKL2 step; RKL2
(``s ~ sqrt(4 r)`` stencil sweeps per step, ~1-2 copy times each) stays cheaper than a
Crank--Nicolson step (~5-6 warm-started V-cycles, ~90 copy times at 129^3) up to ``r`` of a few
hundred and loses by ``r = 1000``; the cut is put at 600.  Without a ``dt``, RKL2.
"""
from __future__ import annotations

from ..errors import ParameterError
from .explicit import FTCS, RKL2
from .implicit import BackwardEuler, CrankNicolson

__all__ = ["METHODS", "SOLVER_OPTIONS", "check_solver_options", "choose_method", "make_stepper"]

METHODS = ("auto", "ftcs", "rkl2", "backward_euler", "crank_nicolson")
# the steppers' own keywords: implicit ones, Crank--Nicolson's ``rannacher`` and RKL2's ``stages``
SOLVER_OPTIONS = ("rannacher", "linear_solver", "rtol", "maxiter", "nu1", "nu2", "conservative", "stages")


def check_solver_options(options, where="Simulation"):
    """Refuse keywords no stepper takes, naming them and the ones accepted.

    Example
    -------
    >>> check_solver_options({"rtol": 1e-9})
    """
    unknown = sorted(set(options) - set(SOLVER_OPTIONS))
    if unknown:
        raise ParameterError(f"{where} got unknown keyword argument(s) {unknown}; accepted besides its named "
                             f"arguments: the steppers' options {list(SOLVER_OPTIONS)} (held regions, fixed=, "
                             "belong to solve_poisson)")
AUTO_RKL2_MAX = 600.0


def choose_method(method, dt, dt_explicit):
    """Resolve ``method`` (``"auto"`` by the step ratio).

    Example
    -------
    >>> choose_method("auto", 0.5, 1.0), choose_method("auto", 50.0, 1.0), choose_method("auto", 1e4, 1.0)
    ('ftcs', 'rkl2', 'crank_nicolson')
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}; got {method!r}")
    if method != "auto":
        return method
    if dt is None:
        return "rkl2"
    r = dt / dt_explicit
    if r <= 1.0:
        return "ftcs"
    return "rkl2" if r <= AUTO_RKL2_MAX else "crank_nicolson"


def make_stepper(method, problem, **options):
    """The stepper object of a resolved method name; ``options`` go to the implicit steppers
    (``rannacher``, ``linear_solver``, ``rtol``, ``maxiter``), ``stages`` to RKL2; others are refused."""
    if method == "rkl2" and set(options) <= {"stages"}:
        return RKL2(problem, **options)
    if method in ("ftcs", "rkl2"):
        if options:
            raise ParameterError(f"options {sorted(options)} apply to implicit methods only; method is {method!r}")
        return (FTCS if method == "ftcs" else RKL2)(problem)
    if method == "backward_euler":
        if "rannacher" in options:
            raise ParameterError("rannacher applies to crank_nicolson only")
        return BackwardEuler(problem, **options)
    if method == "crank_nicolson":
        return CrankNicolson(problem, **options)
    raise ParameterError(f"method must be one of {METHODS[1:]} here; got {method!r}")
