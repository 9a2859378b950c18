"""The case-file schema: which tables and keys exist, their types and allowed values.

A case file is TOML.  Every key is checked here before anything is computed, and a mistake is
reported as one :class:`~fieldgrad.errors.CaseFileError` line naming the key, the value seen
and what is allowed.  The tables (``*`` marks required ones)::

    [case]*        name*, physics* ("heat" | "electrostatics" | "darcy"), description
    [parameters]   name = number, usable by name in every expression
    [grid]*        shape* (2 or 3 integers), extent* ([[lo, hi], ...], numbers or expressions
                   of parameters), periodic (bool or list), length_unit, coords ("cartesian" |
                   "cylindrical": axisymmetric (r, z), expressions then use r and z)
    [material]     heat: conductivity, heat_capacity; electrostatics: permittivity or
                   relative_permittivity; darcy: permeability, viscosity.  Values are numbers
                   or expressions of x, y, z.  [[material.region]] tables (where = mask
                   expression, plus the same keys) override them in order.
    [boundary]     face ("x-", "x+", ..., "x", "*"; "r-", "r+", "z-", "z+", "r", "z" on a cylindrical
                   grid) = { type = ..., ... } with types
                   dirichlet(value), neumann(flux), robin(alpha, beta, value), insulated,
                   convection(h, ambient) [heat], periodic.
    [source]       value = number or expression (heat generation / charge density / injection)
    [[fixed]]      where = mask expression, value = number or expression (held values)
    [initial]      value = number or expression (transient heat)
    [solver]       kind ("steady" | "transient"), method, t0 (start time, default 0), t_end (end
                   time, absolute), dt, rtol
    [output]       file (a plain file name, written in the output directory), frames, fields,
                   checkpoint_every (steps; transient: ``<file stem>.checkpoint.h5`` beside it)
"""
from __future__ import annotations

import math
import numbers
import os

from ..errors import CaseFileError
from ..validation import available_memory, gib

__all__ = ["PHYSICS", "check_case", "check_values", "check_memory", "MATERIAL_KEYS", "BOUNDARY_TYPES", "FACE_KEYS"]

PHYSICS = ("heat", "electrostatics", "darcy")
MATERIAL_KEYS = {
    "heat": ("conductivity", "heat_capacity"),
    "electrostatics": ("permittivity", "relative_permittivity"),
    "darcy": ("permeability", "viscosity"),
}
BOUNDARY_TYPES = {
    "dirichlet": ("value",), "neumann": ("flux",), "robin": ("alpha", "beta", "value"),
    "insulated": (), "convection": ("h", "ambient"), "periodic": (),
}
FACE_KEYS = ("x-", "x+", "y-", "y+", "z-", "z+", "x", "y", "z", "*")
STEADY_METHODS = ("auto", "direct", "cg")
TRANSIENT_METHODS = ("auto", "explicit", "ftcs", "rkl2", "implicit", "backward_euler", "crank_nicolson")

TABLES = {
    "case": ("name", "physics", "description"),
    "parameters": None,  # free names
    "grid": ("shape", "extent", "periodic", "length_unit", "coords"),
    "material": None,  # physics dependent
    "boundary": FACE_KEYS,
    "source": ("value",),
    "fixed": ("where", "value"),
    "initial": ("value",),
    "solver": ("kind", "method", "t0", "t_end", "dt", "rtol"),
    "output": ("file", "frames", "fields", "checkpoint_every"),
}
REQUIRED = ("case", "grid")


def _err(key, value, allowed):
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return CaseFileError(f"{key} = {text} is not allowed; allowed: {allowed}")


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _unknown(table, data, allowed):
    for k in data:
        if k not in allowed:
            raise CaseFileError(f"unknown key {table}.{k} (= {data[k]!r:.60}); allowed keys in [{table}]: "
                                f"{', '.join(allowed)}")


def _table(doc, name, kind=dict):
    v = doc.get(name, {} if kind is dict else [])
    if not isinstance(v, kind):
        want = "a table [name]" if kind is dict else f"an array of tables [[{name}]]"
        raise _err(name, v, want)
    return v


def number_or_expression(key, v):
    """Check that ``v`` is a number or an expression string."""
    if not (_is_number(v) or isinstance(v, str)):
        raise _err(key, v, "a number or an expression string such as \"100 * sin(pi * x / L)\"")
    return v


def positive_number(key, v):
    if not _is_number(v) or not v > 0:
        raise _err(key, v, "a positive number")
    return float(v)


# A case must fit in memory with room for its work arrays: coordinates, materials, the
# solution and the solver's levels take about this many float64 arrays of the grid's size.
CASE_FIELDS = 16
# Strings that become names (of the case, files, units, datasets) are plain text.
NAME_KEYS = (("case", "name"), ("grid", "length_unit"), ("output", "file"))


def _path(keys):
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


def check_values(doc):
    """Refuse, anywhere in a parsed document, numbers that are not finite float64 values (huge
    integers, ``inf``, ``nan``) and strings holding NUL bytes: one :class:`CaseFileError` naming
    the key.  Walks the document without recursion, so any nesting depth is safe.

    Example
    -------
    >>> check_values({"solver": {"dt": 10**400}})
    Traceback (most recent call last):
    ...
    fieldgrad.errors.CaseFileError: solver.dt = 1000000000000000000000000000000000000000000000000000000000000000000000000000... is not allowed; allowed: a finite number (magnitude below 1.8e308)
    """
    stack = [((), doc)]
    while stack:
        keys, v = stack.pop()
        if isinstance(v, dict):
            stack.extend((keys + (k,), x) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((keys + (i,), x) for i, x in enumerate(v))
        elif isinstance(v, bool):
            continue
        elif isinstance(v, (int, float)):
            try:
                finite = math.isfinite(float(v))
            except OverflowError:
                finite = False
            if not finite:
                raise _err(_path(keys), v, "a finite number (magnitude below 1.8e308)")
        elif isinstance(v, str) and "\0" in v:
            raise _err(_path(keys), v, "text without NUL characters")
    for table, key in NAME_KEYS:
        v = doc.get(table, {}).get(key) if isinstance(doc.get(table), dict) else None
        if isinstance(v, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in v):
            raise _err(f"{table}.{key}", v, "printable text without control characters")


def check_memory(shape, key="grid.shape"):
    """Refuse a grid whose work arrays (about ``CASE_FIELDS`` float64 fields) do not fit in the
    memory available now."""
    need = CASE_FIELDS * 8 * math.prod(shape)
    avail = available_memory()
    if avail is not None and need > avail:
        raise _err(key, shape, f"a grid whose run fits in memory: {math.prod(shape)} nodes need about "
                   f"{gib(need)} GiB ({CASE_FIELDS} arrays of 8 bytes per node); {gib(avail)} GiB "
                   "are available")


def check_case(doc):
    """Check a parsed TOML document against the schema (structure, types, choices).

    Values given as expressions are checked later, when they are parsed and evaluated on the
    grid (:mod:`fieldgrad.case.build`).

    Parameters
    ----------
    doc : dict -- the parsed TOML

    Returns
    -------
    dict -- the same document (for chaining)

    Raises
    ------
    CaseFileError
    """
    if not isinstance(doc, dict):
        raise CaseFileError(f"a case file must be a TOML table; got {type(doc).__name__}")
    check_values(doc)
    _unknown("case file", doc, tuple(TABLES))
    for t in REQUIRED:
        if t not in doc:
            raise CaseFileError(f"missing table [{t}]; a case file needs {', '.join(f'[{r}]' for r in REQUIRED)}")
    case = _table(doc, "case")
    _unknown("case", case, TABLES["case"])
    if not isinstance(case.get("name"), str) or not case["name"].strip():
        raise _err("case.name", case.get("name"), "a non-empty string")
    if case.get("physics") not in PHYSICS:
        raise _err("case.physics", case.get("physics"), " | ".join(f'"{p}"' for p in PHYSICS))
    physics = case["physics"]
    if "description" in case and not isinstance(case["description"], str):
        raise _err("case.description", case["description"], "a string")

    params = _table(doc, "parameters")
    for k, v in params.items():
        if not k.isidentifier() or k in ("x", "y", "z", "r", "t", "pi", "e"):
            raise _err(f"parameters.{k}", v, "names that are identifiers other than x, y, z, r, t, pi, e")
        if not _is_number(v):
            raise _err(f"parameters.{k}", v, "a number")

    grid = _table(doc, "grid")
    _unknown("grid", grid, TABLES["grid"])
    shape = grid.get("shape")
    if (not isinstance(shape, list) or len(shape) not in (2, 3)
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in shape)):
        raise _err("grid.shape", shape, "a list of 2 or 3 integers, e.g. [65, 33]")
    if any(n < 3 for n in shape) or any(n > 2049 for n in shape):
        raise _err("grid.shape", shape, "3 to 2049 nodes per axis")
    check_memory(shape)
    ndim = len(shape)
    extent = grid.get("extent")
    if (not isinstance(extent, list) or len(extent) != ndim
            or not all(isinstance(p, list) and len(p) == 2 for p in extent)):
        raise _err("grid.extent", extent, f"a list of {ndim} [lo, hi] pairs, e.g. {[[0, 1]] * ndim}")
    for a, pair in enumerate(extent):
        for v in pair:
            number_or_expression(f"grid.extent[{a}]", v)
    per = grid.get("periodic", False)
    if not (isinstance(per, bool) or (isinstance(per, list) and len(per) == ndim
                                      and all(isinstance(p, bool) for p in per))):
        raise _err("grid.periodic", per, f"true/false or a list of {ndim} booleans")
    coords = grid.get("coords", "cartesian")
    if coords not in ("cartesian", "cylindrical"):
        raise _err("grid.coords", coords, "\"cartesian\" or \"cylindrical\" (axisymmetric (r, z), 2 axes)")
    if coords == "cylindrical" and ndim != 2:
        raise _err("grid.shape", shape, "2 integers [nr, nz] on a cylindrical grid")
    if not isinstance(grid.get("length_unit", "m"), str):
        raise _err("grid.length_unit", grid["length_unit"], "a string such as \"m\"")

    mat = _table(doc, "material")
    allowed = MATERIAL_KEYS[physics]
    _unknown("material", mat, allowed + ("region",))
    for k in allowed:
        if k in mat:
            number_or_expression(f"material.{k}", mat[k])
            if _is_number(mat[k]) and not mat[k] > 0:
                raise _err(f"material.{k}", mat[k], "a positive number (or an expression positive everywhere)")
    if physics == "electrostatics" and "permittivity" in mat and "relative_permittivity" in mat:
        raise CaseFileError("material: give permittivity (F/m) or relative_permittivity, not both")
    regions = mat.get("region", [])
    if not isinstance(regions, list) or not all(isinstance(r, dict) for r in regions):
        raise _err("material.region", regions, "an array of tables [[material.region]] with where = \"mask\"")
    for i, r in enumerate(regions):
        key = f"material.region[{i}]"
        _unknown(key, r, ("where",) + allowed)
        if not isinstance(r.get("where"), str):
            raise _err(f"{key}.where", r.get("where"), "a mask expression string such as \"x < 0.5\"")
        for k in allowed:
            if k in r:
                number_or_expression(f"{key}.{k}", r[k])
                if _is_number(r[k]) and not r[k] > 0:
                    raise _err(f"{key}.{k}", r[k], "a positive number")

    bnd = _table(doc, "boundary")
    if coords == "cylindrical":
        faces_ok = ("r-", "r+", "z-", "z+", "r", "z", "*")
    else:
        axes = ("x", "y", "z")[:ndim]
        faces_ok = tuple(f for f in FACE_KEYS if f == "*" or f[0] in axes)
    _unknown("boundary", bnd, faces_ok)
    for face, spec in bnd.items():
        key = f"boundary.{face}"
        if not isinstance(spec, dict):
            raise _err(key, spec, "a table such as { type = \"dirichlet\", value = 0 }")
        typ = spec.get("type")
        if typ not in BOUNDARY_TYPES or (typ == "convection" and physics != "heat"):
            kinds = [t for t in BOUNDARY_TYPES if t != "convection" or physics == "heat"]
            raise _err(f"{key}.type", typ, " | ".join(f'"{t}"' for t in kinds))
        fields = BOUNDARY_TYPES[typ]
        _unknown(key, spec, ("type",) + fields)
        for f in fields:
            if f not in spec:
                raise CaseFileError(f"{key}: type \"{typ}\" needs {', '.join(fields)}; missing {f}")
            number_or_expression(f"{key}.{f}", spec[f])
        if typ == "convection" and not (_is_number(spec["h"]) and spec["h"] > 0):
            raise _err(f"{key}.h", spec["h"], "a positive number (heat transfer coefficient, W/(m^2 K))")
        if typ == "robin" and _is_number(spec["beta"]) and spec["beta"] == 0:
            raise _err(f"{key}.beta", 0, "a non-zero number (use type = \"dirichlet\" for beta = 0)")

    for name in ("source", "initial"):
        tab = _table(doc, name)
        _unknown(name, tab, TABLES[name])
        if tab and "value" not in tab:
            raise CaseFileError(f"[{name}] needs value = number or expression")
        if "value" in tab:
            number_or_expression(f"{name}.value", tab["value"])

    fixed = _table(doc, "fixed", list)
    for i, r in enumerate(fixed):
        key = f"fixed[{i}]"
        if not isinstance(r, dict):
            raise _err(key, r, "a table with where = \"mask\" and value = number or expression")
        _unknown(key, r, TABLES["fixed"])
        if not isinstance(r.get("where"), str):
            raise _err(f"{key}.where", r.get("where"), "a mask expression string such as \"x**2 + y**2 < 0.01\"")
        number_or_expression(f"{key}.value", r.get("value"))

    solver = _table(doc, "solver")
    _unknown("solver", solver, TABLES["solver"])
    kind = solver.get("kind", "steady")
    if kind not in ("steady", "transient") or (kind == "transient" and physics != "heat"):
        allowed_k = '"steady" | "transient"' if physics == "heat" else f'"steady" (physics "{physics}")'
        raise _err("solver.kind", kind, allowed_k)
    methods = STEADY_METHODS if kind == "steady" else TRANSIENT_METHODS
    if solver.get("method", "auto") not in methods:
        raise _err("solver.method", solver.get("method"), " | ".join(f'"{m}"' for m in methods))
    if kind == "transient":
        if "t_end" not in solver:
            raise CaseFileError("solver.t_end is missing; a transient run needs t_end = a positive number (s)")
        t0 = solver.get("t0", 0.0)
        if not _is_number(t0) or t0 != t0 or abs(t0) == float("inf"):
            raise _err("solver.t0", t0, "a finite number (the start time, s)")
        if not _is_number(solver["t_end"]) or not solver["t_end"] > t0:
            raise _err("solver.t_end", solver["t_end"], f"a number greater than solver.t0 = {t0!r} (the end time, s)")
        if "dt" in solver:
            positive_number("solver.dt", solver["dt"])
        if "initial" not in doc:
            raise CaseFileError("a transient run needs [initial] value = number or expression")
    else:
        for k in ("t0", "t_end", "dt"):
            if k in solver:
                raise _err(f"solver.{k}", solver[k], "only with kind = \"transient\"")
    if "rtol" in solver:
        v = solver["rtol"]
        if not _is_number(v) or not 0 < v < 1:
            raise _err("solver.rtol", v, "a number in (0, 1)")

    out = _table(doc, "output")
    _unknown("output", out, TABLES["output"])
    if "file" in out:
        check_output_name(out["file"])
    if "frames" in out:
        v = out["frames"]
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 10000:
            raise _err("output.frames", v, "an integer from 1 to 10000")
    if "checkpoint_every" in out:
        v = out["checkpoint_every"]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1 or kind != "transient":
            raise _err("output.checkpoint_every", v, "a positive integer (steps between checkpoints), "
                       "with solver.kind = \"transient\"")
    if "fields" in out:
        v = out["fields"]
        if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
            raise _err("output.fields", v, "a list of field names")
    return doc


def check_output_name(name):
    """An output file named by a case file must be a plain ``*.h5`` file name: no directory, no
    ``..``, not absolute -- a case file cannot write outside its output directory."""
    if (not isinstance(name, str) or not name.endswith(".h5") or os.path.basename(name) != name
            or name in ("", ".h5") or name.startswith(".") or os.path.isabs(name) or "\\" in name):
        raise _err("output.file", name, "a plain file name ending in .h5 (no directories; the file is written "
                   "in the output directory)")
    return name
