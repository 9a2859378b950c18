"""Case files: TOML descriptions of a problem (grid, materials, boundaries, sources, solver,
output), checked against a schema, with a safe expression language for spatial values.
"""
from .expressions import Expression, parse_expression

__all__ = ["Expression", "parse_expression"]
