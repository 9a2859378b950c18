"""Turn a checked case document into a grid, material arrays, boundary conditions, sources and
fixed regions, evaluating its expressions with the safe parser.
"""
from __future__ import annotations

import os

import numpy as np

from ..boundary import Convection, Dirichlet, Neumann, Periodic, Robin
from ..errors import CaseFileError, FieldgradError
from ..grid import Grid
from ..materials import Cells, cell_centres, cell_shape, resolve_conductivity
from .expressions import parse_expression
from .schema import check_case

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["Case", "load_case", "loads_case"]

# Case files are short texts; anything longer is a mistake (a data file, a device, a stream).
MAX_CASE_CHARS = 1 << 20


def loads_case(text, origin="<string>"):
    """Parse TOML text into a checked :class:`Case`."""
    if not isinstance(text, str):
        raise CaseFileError(f"{origin}: a case must be TOML text (str); got {type(text).__name__}")
    if len(text) > MAX_CASE_CHARS:
        raise CaseFileError(f"{origin} is {len(text)} characters long; allowed: at most {MAX_CASE_CHARS}")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFileError(f"{origin} is not valid TOML: {exc}") from None
    except (RecursionError, MemoryError):
        raise CaseFileError(f"{origin} is nested too deeply to read; allowed: ordinary tables and arrays") from None
    return Case(check_case(doc), origin)


def _read_bounded(path, limit):
    """At most ``limit`` bytes of ``path``.  Opened non-blocking so a FIFO without a writer does
    not hang the open; reads then block as usual (a stream is read until ``limit``)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks, size = [], 0
        while size < limit:
            chunk = os.read(fd, min(1 << 16, limit - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_case(path):
    """Read and check a case file.

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    Case

    Example
    -------
    >>> from importlib.resources import files
    >>> case = load_case(files("fieldgrad") / "data" / "demo.toml")
    >>> case.physics
    'heat'
    """
    path = os.fspath(path)
    try:
        raw = _read_bounded(path, MAX_CASE_CHARS + 1)
    except OSError as exc:
        raise CaseFileError(f"cannot read case file {path}: {exc.strerror}") from None
    if len(raw) > MAX_CASE_CHARS:
        raise CaseFileError(f"case file {path} is larger than {MAX_CASE_CHARS} bytes (a device or a stream "
                            "such as /dev/zero?); allowed: a TOML text file up to that size")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFileError(f"case file {path} is not UTF-8 text") from None
    return loads_case(text, path)


def node_view(value, grid):
    """Node-sampled view of cell values (the mean of the cells touching each node); anything
    else is returned as it is.

    Example
    -------
    >>> node_view(Cells(np.array([[1.0], [3.0]])), Grid((3, 2))).tolist()
    [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    """
    if not isinstance(value, Cells):
        return value
    return resolve_conductivity(value, grid).node_k3(0).reshape(grid.shape)


class Case:
    """A checked case: its document plus the grid and evaluated arrays.

    Attributes
    ----------
    doc : dict, name : str, physics : str, description : str, params : dict, grid : Grid,
    length_unit : str, kind : "steady" or "transient", origin : str
    """

    def __init__(self, doc, origin="<case>"):
        self.doc = doc
        self.origin = origin
        c = doc["case"]
        self.name, self.physics = c["name"], c["physics"]
        self.description = c.get("description", "")
        self.params = {k: float(v) for k, v in doc.get("parameters", {}).items()}
        self.solver = dict(doc.get("solver", {}))
        self.kind = self.solver.get("kind", "steady")
        self.t0 = float(self.solver.get("t0", 0.0))
        self.output = dict(doc.get("output", {}))
        g = doc["grid"]
        ext = [[self._constant(f"grid.extent[{a}]", v) for v in pair] for a, pair in enumerate(g["extent"])]
        for a, (lo, hi) in enumerate(ext):
            if not hi > lo:
                raise CaseFileError(f"grid.extent[{a}] = {g['extent'][a]!r} evaluates to [{lo}, {hi}]; "
                                    "allowed: lo < hi")
        try:
            self.grid = Grid(tuple(g["shape"]), extent=ext, periodic=g.get("periodic", False),
                             coords=g.get("coords", "cartesian"))
        except FieldgradError as exc:
            raise CaseFileError(f"[grid]: {exc}") from None
        self.length_unit = g.get("length_unit", "m")
        self._mesh = dict(zip(self.grid.axis_names, self.grid.mesh()))

    # ------------------------------------------------------------------ expressions
    def expression(self, key, value, names=None):
        names = self.grid.axis_names + ("t",) if names is None else names
        return parse_expression(value, names=names, parameters=self.params, where=key)

    def _constant(self, key, value):
        return float(parse_expression(value, names=(), parameters=self.params, where=key)())

    def _points(self, cells):
        """Coordinates of the nodes, or with ``cells`` of the cell centres, and their shape."""
        if not cells:
            return self._mesh, self.grid.shape
        if not hasattr(self, "_cell_mesh"):
            self._cell_mesh = dict(zip(self.grid.axis_names, np.meshgrid(*cell_centres(self.grid), indexing="ij")))
        return self._cell_mesh, cell_shape(self.grid)

    def evaluate(self, key, value, t=0.0, *, cells=False):
        """A number or expression on every node (``cells``: every cell centre): a float or an
        array of the grid's shape (its cell shape)."""
        e = self.expression(key, value)
        mesh, shape = self._points(cells)
        env = dict(mesh)
        if "t" in e.variables:
            env["t"] = t
        v = e(**{k: env[k] for k in e.variables})
        return v if np.ndim(v) == 0 else np.broadcast_to(v, shape).copy()

    def mask(self, key, text, *, cells=False):
        """A boolean mask from an expression on the nodes (``cells``: on the cell centres);
        refuses one that selects nothing."""
        e = self.expression(key, text, names=self.grid.axis_names)
        mesh, shape = self._points(cells)
        m = np.broadcast_to(e.mask(**{k: mesh[k] for k in e.variables}), shape)
        if not m.any():
            what = "cell centre" if cells else "node"
            ranges = ", ".join(f"{a} in [{lo:g}, {hi:g}]" for a, (lo, hi) in zip(self.grid.axis_names,
                                                                              self.grid.extent))
            raise CaseFileError(f"{key} = {text!r} selects no {what} of the grid ({ranges}); allowed: a mask that "
                                f"selects at least one {what} inside the grid")
        return m.copy()

    # ------------------------------------------------------------------ materials
    @property
    def has_regions(self):
        """True when ``[[material.region]]`` tables make the materials piecewise (steady solves then
        take them on cells, :meth:`material` with ``cells=True``)."""
        return bool(self.doc.get("material", {}).get("region"))

    def material(self, cells=False):
        """Material coefficients as arrays / numbers, regions applied in order.

        Parameters
        ----------
        cells : bool
            False: node arrays (expressions and region masks evaluated at the nodes: the
            node-sampled form).  True: the spatially varying coefficients (conductivity,
            permittivity, permeability) as :class:`fieldgrad.Cells`, expressions and
            ``[[material.region]]`` masks evaluated at the cell centres, so a region boundary on
            a grid line is resolved to second order; a varying heat capacity, which belongs to a
            node's control volume, is evaluated on the cells too and given to each node as the
            mean of the cells around it (the heat its control volume stores per kelvin).

        Returns
        -------
        dict: heat -> conductivity, heat_capacity (a number, or a node array where it varies);
        electrostatics -> permittivity; darcy -> permeability, viscosity (a number).
        """
        from ..fields.potential import EPSILON_0

        mat = self.doc.get("material", {})
        defaults = {"heat": {"conductivity": 1.0, "heat_capacity": 1.0},
                    "electrostatics": {"relative_permittivity": 1.0},
                    "darcy": {"permeability": 1.0, "viscosity": 1.0}}[self.physics]
        if self.physics == "electrostatics" and "permittivity" in mat:
            defaults = {"permittivity": EPSILON_0}
        out = {}
        for key, default in defaults.items():
            on_cells = cells and key != "viscosity"
            shape = cell_shape(self.grid) if on_cells else self.grid.shape
            val = self.evaluate(f"material.{key}", mat.get(key, default), cells=on_cells) if key in mat else default
            val = np.full(shape, float(val)) if np.ndim(val) == 0 else val
            for i, region in enumerate(mat.get("region", [])):
                if key in region:
                    m = self.mask(f"material.region[{i}].where", region["where"], cells=on_cells)
                    rv = self.evaluate(f"material.region[{i}].{key}", region[key], cells=on_cells)
                    val[m] = rv if np.ndim(rv) == 0 else rv[m]
            if not np.all(val > 0):
                raise CaseFileError(f"material.{key} is not positive everywhere (min {float(val.min()):g}); "
                                    "allowed: positive values")
            out[key] = val
        if "relative_permittivity" in out:
            out["permittivity"] = out.pop("relative_permittivity") * EPSILON_0
        if "viscosity" in out and np.ptp(out["viscosity"]) != 0:
            raise CaseFileError("material.viscosity must be uniform (one number); it varies in space")
        for key in ("heat_capacity", "viscosity"):
            if key in out and np.ptp(out[key]) == 0:
                out[key] = float(out[key].flat[0])
        if cells:
            out = {k: (v if not isinstance(v, np.ndarray) else
                       node_view(Cells(v), self.grid) if k == "heat_capacity" else Cells(v)) for k, v in out.items()}
        return out

    # ------------------------------------------------------------------ boundaries, sources
    def _faces(self):
        """Face -> spec, with "x" and "*" expanded (a face beats its axis, which beats "*")."""
        bnd = self.doc.get("boundary", {})
        faces = {}
        for rank in ("*", "axis", "face"):
            for key, spec in bnd.items():
                level = "*" if key == "*" else ("axis" if len(key) == 1 else "face")
                if level != rank:
                    continue
                targets = self.grid.faces if key == "*" else ([key + "-", key + "+"] if len(key) == 1 else [key])
                for f in targets:
                    axis, _ = self.grid.parse_face(f)
                    if key == "*" and self.grid.periodic[axis]:
                        continue
                    faces[f] = (key, spec)
        return faces

    def boundary(self, conductivity=None):
        """Boundary conditions as a dict for :func:`fieldgrad.resolve_bc`."""
        bc = {}
        for face, (key, spec) in self._faces().items():
            axis, side = self.grid.parse_face(face)
            typ = spec["type"]
            where = f"boundary.{key}"
            if self.grid.periodic[axis] != (typ == "periodic"):
                raise CaseFileError(f"{where}.type = {typ!r} on face {face}: axis {self.grid.axis_names[axis]} is "
                                    f"{'periodic' if self.grid.periodic[axis] else 'not periodic'} in [grid]; "
                                    "allowed: \"periodic\" exactly on periodic axes")
            vals = {f: self._face_value(f"{where}.{f}", spec[f], face) for f in spec if f != "type"}
            if typ == "dirichlet":
                bc[face] = Dirichlet(vals["value"])
            elif typ == "neumann":
                bc[face] = Neumann(vals["flux"])
            elif typ == "insulated":
                bc[face] = Neumann(0.0)
            elif typ == "robin":
                bc[face] = Robin(vals["alpha"], vals["beta"], vals["value"])
            elif typ == "convection":
                sl = [slice(None)] * self.grid.ndim
                sl[axis] = 0 if side == 0 else -1
                kb = conductivity[tuple(sl)] if np.ndim(conductivity) else float(conductivity)
                h = float(spec["h"])
                amb = vals["ambient"]
                bc[face] = Convection(h, amb, conductivity=kb)
            elif typ == "periodic":
                bc[face] = Periodic()
        return bc

    def _face_value(self, key, value, face):
        e = self.expression(key, value)
        if e.is_constant:
            return float(e())
        names = self.grid.axis_names

        def at(*coords, t=0.0):
            env = dict(zip(names, coords))
            env["t"] = t
            return e(**{k: env[k] for k in e.variables})

        if "t" not in e.variables:
            return np.ascontiguousarray(np.broadcast_to(at(*self.grid.face_mesh(face)), self.grid.face_shape(face)),
                                        dtype=float)
        return at

    def source(self, t=None):
        """The source term: None, a number or an array (evaluated at ``t``, default the case's
        ``solver.t0``)."""
        tab = self.doc.get("source")
        return None if not tab else self.evaluate("source.value", tab["value"], self.t0 if t is None else t)

    def source_function(self, scale=1.0):
        """The source for a time-dependent run, times ``scale``: None, a number, an array, or --
        when the expression uses ``t`` -- a callable ``source(x, y[, z], t)``.

        Example
        -------
        >>> case = loads_case('[case]\\nname = "a"\\nphysics = "heat"\\n[grid]\\nshape = [3, 3]\\n'
        ...                   'extent = [[0, 1], [0, 1]]\\n[source]\\nvalue = "x + t"')
        >>> float(case.source_function(2.0)(1.0, 0.0, 0.5))
        3.0
        """
        tab = self.doc.get("source")
        if not tab:
            return None
        e = self.expression("source.value", tab["value"])
        if "t" not in e.variables:
            v = self.evaluate("source.value", tab["value"], self.t0)
            return v * scale
        names = self.grid.axis_names

        def value(coords, t):
            env = dict(zip(names, coords))
            env["t"] = t
            return e(**{k: env[k] for k in e.variables}) * scale

        if len(names) == 2:
            return lambda x, y, t: value((x, y), t)  # the heat problem tells callables apart by arity
        return lambda x, y, z, t: value((x, y, z), t)

    def initial(self):
        """The initial field at ``solver.t0`` (an array of the grid's shape), or None."""
        tab = self.doc.get("initial")
        if not tab:
            return None
        v = self.evaluate("initial.value", tab["value"], self.t0)
        return np.full(self.grid.shape, float(v)) if np.ndim(v) == 0 else v

    def fixed(self):
        """List of (mask, value array) for the [[fixed]] regions."""
        out = []
        for i, r in enumerate(self.doc.get("fixed", [])):
            m = self.mask(f"fixed[{i}].where", r["where"])
            v = self.evaluate(f"fixed[{i}].value", r["value"])
            out.append((m, np.broadcast_to(v, self.grid.shape)))
        return out
