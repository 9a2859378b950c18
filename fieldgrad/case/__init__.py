"""Case files: TOML descriptions of a problem (grid, materials, boundaries, sources, solver,
output), checked against a schema (:mod:`fieldgrad.case.schema`), with a safe expression
language for spatial values (:mod:`fieldgrad.case.expressions`), run by :func:`run_case`.

Example
-------
>>> case = loads_case('''
... [case]
... name = "slab"
... physics = "heat"
... [grid]
... shape = [5, 3]
... extent = [[0, 1], [0, 1]]
... [boundary]
... x- = { type = "dirichlet", value = 1 }
... ''')
>>> case.grid.shape
(5, 3)
"""
from .build import Case, load_case, loads_case
from .expressions import Expression, parse_expression
from .run import run_case

__all__ = ["Case", "load_case", "loads_case", "run_case", "Expression", "parse_expression"]
