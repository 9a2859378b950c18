"""Boundary conditions: the kinds (Dirichlet, Neumann, Robin, Periodic; the nonlinear surface
exchange Radiation / ConvectionOfT) and the per-face specification.

Face names are ``"x-", "x+", "y-", "y+", "z-", "z+"``; in a specification ``"x"`` means both
x faces and ``"*"`` every face not named otherwise.  Periodic axes come from the grid.
"""
from __future__ import annotations

import inspect
import numbers

import numpy as np

from ..errors import BoundaryError, NonFiniteError, describe
from ..validation import require_real

__all__ = ["Condition", "Dirichlet", "Neumann", "Robin", "Convection", "Periodic", "SurfaceExchange", "Radiation",
           "ConvectionOfT", "STEFAN_BOLTZMANN", "BoundaryConditions", "resolve_bc"]

#: Stefan--Boltzmann constant, W/(m^2 K^4) (CODATA 2018, exact in the SI).
STEFAN_BOLTZMANN = 5.670374419e-8


class Condition:
    """Base class of the boundary-condition kinds."""

    kind = "condition"
    _fields = ()
    #: True for conditions nonlinear in ``u`` (only the nonlinear solvers accept them).
    nonlinear = False

    def __init__(self):
        self._cache = {}

    def _check_number_or_array(self, name, value):
        what = f"{type(self).__name__} {name}"
        if isinstance(value, (list, tuple)):
            require_real(value, what, BoundaryError)
            value = np.asarray(value, dtype=float)
        if callable(value) or isinstance(value, numbers.Number) or isinstance(value, np.ndarray):
            if not callable(value):
                require_real(value, what, BoundaryError)
                if not np.all(np.isfinite(value)):
                    bad = describe(value) if np.ndim(value) == 0 else f"{int(np.sum(~np.isfinite(value)))} non-finite values"
                    raise BoundaryError(f"{what} must be finite; got {bad}; accepted: finite real numbers")
                self._check_values(name, value, None)
            return value
        raise BoundaryError(
            f"{type(self).__name__} {name} must be a number, a face-shaped array or a callable "
            f"of the face coordinates; got {describe(value)}"
        )

    def _check_values(self, name, values, face):
        """Kind-specific checks of given or evaluated values (``face`` None at construction)."""

    def check_callables(self, grid):
        """Raise :class:`BoundaryError` unless every callable field accepts the face coordinates of
        ``grid`` (one positional argument per axis, plus ``t`` when it asks for time)."""
        names = ", ".join(grid.axis_names)
        for f in self._fields:
            func = getattr(self, f)
            if not callable(func):
                continue
            takes_t = _takes_time(func)
            if isinstance(func, np.ufunc):
                ok = func.nin == grid.ndim and not takes_t
            else:
                try:
                    sig = inspect.signature(func)
                except (TypeError, ValueError):
                    continue  # no signature to check (some builtins): the call itself will tell
                try:
                    sig.bind(*([0.0] * grid.ndim), **({"t": 0.0} if takes_t else {}))
                    ok = True
                except TypeError:
                    ok = False
            if not ok:
                raise BoundaryError(
                    f"{type(self).__name__} {f} = {describe(func)} cannot be called with the face coordinates of a "
                    f"{grid.ndim}D grid; accepted: a callable {f}({names}) or {f}({names}, t=...)")

    @property
    def time_dependent(self):
        """True when a callable value takes the time ``t``."""
        return any(callable(getattr(self, f)) and _takes_time(getattr(self, f)) for f in self._fields)

    def evaluate(self, field, grid, face, t=0.0, dtype=np.float64):
        """Values of one of the condition's fields (``"value"``, ``"alpha"`` ...) on a face.

        Parameters
        ----------
        field : str
            Attribute name.
        grid : Grid
        face : str
        t : float
            Time, passed to callables that accept it.
        dtype : numpy dtype

        Returns
        -------
        ndarray of the face's shape.
        """
        raw = getattr(self, field)
        fshape = grid.face_shape(face)
        if callable(raw):
            takes_t = _takes_time(raw)
            key = (field, face, grid, np.dtype(dtype).str, t if takes_t else None)
            if key in self._cache:
                return self._cache[key]
            coords = grid.face_mesh(face)
            vals = raw(*coords, t=t) if takes_t else raw(*coords)
            what = f"{type(self).__name__} {field} on face {face}"
            require_real(vals, f"{what} (the callable's result)", BoundaryError)
            try:
                vals = np.broadcast_to(np.asarray(vals, dtype=dtype), fshape)
            except (ValueError, TypeError):
                raise BoundaryError(f"{what} evaluates to {describe(vals)}; accepted: a number or an array "
                                    f"broadcastable to the face shape {fshape}") from None
            if not np.all(np.isfinite(vals)):
                raise NonFiniteError(f"{type(self).__name__} {field} on face {face} evaluates to non-finite values")
            self._check_values(field, vals, face)
            if not takes_t:
                self._cache = {k: v for k, v in self._cache.items() if k[4] is None}
            else:
                self._cache = {k: v for k, v in self._cache.items() if k[4] is None or k[4] == t}
            self._cache[key] = vals
            return vals
        arr = np.asarray(raw, dtype=dtype)
        if arr.ndim and arr.shape != fshape:
            raise BoundaryError(
                f"{type(self).__name__} {field} on face {face} has shape {arr.shape}; the face needs {fshape}"
            )
        if arr.ndim and not np.all(np.isfinite(arr)):
            raise NonFiniteError(f"{type(self).__name__} {field} on face {face} holds non-finite values")
        return np.broadcast_to(arr, fshape)

    def evaluate_nodes(self, field, grid, t=0.0, at=None):
        """Values of a field at the nodes of ``grid`` (a condition on the surface of holes,
        ``bc["surface"]``, is read at the surface nodes).

        Parameters
        ----------
        field : str -- attribute name (``"value"``, ``"flux"``, ``"alpha"`` ...)
        grid : Grid
        t : float -- passed to callables that accept it
        at : None or bool array of ``grid.shape`` -- the nodes to read; a callable is called with
            their coordinates only (1D arrays), and the other entries are 0

        Returns
        -------
        float64 ndarray of ``grid.shape`` (read-only when broadcast from a number)

        Example
        -------
        >>> Neumann(lambda x, y: x + y).evaluate_nodes("flux", fg.Grid((2, 2))).tolist()
        [[0.0, 1.0], [1.0, 2.0]]
        """
        raw = getattr(self, field)
        what = f"{type(self).__name__} {field} on the surface"
        if callable(raw):
            if at is None:
                coords, shape = grid.mesh(), tuple(grid.shape)
            else:
                idx = np.nonzero(at)
                coords, shape = [np.asarray(c)[i] for c, i in zip(grid.coords, idx)], (len(idx[0]),)
            vals = raw(*coords, t=t) if _takes_time(raw) else raw(*coords)
            require_real(vals, f"{what} (the callable's result)", BoundaryError)
            try:
                vals = np.broadcast_to(np.asarray(vals, dtype=np.float64), shape)
            except (ValueError, TypeError):
                raise BoundaryError(f"{what} evaluates to {describe(vals)}; accepted: a number or an array "
                                    f"broadcastable to the coordinates' shape {shape}") from None
            if not np.all(np.isfinite(vals)):
                raise NonFiniteError(f"{what} evaluates to non-finite values")
            self._check_values(field, vals, "surface")
            if at is not None:
                full = np.zeros(grid.shape)
                full[idx] = vals
                vals = full
            return vals
        arr = np.asarray(raw, dtype=np.float64)
        if arr.ndim and arr.shape != tuple(grid.shape):
            raise BoundaryError(f"{what} has shape {arr.shape}; a surface condition takes a number, a node array of "
                                f"the grid's shape {grid.shape} (read at the surface nodes) or a callable")
        return np.broadcast_to(arr, grid.shape)

    def describe(self):
        """JSON-ready description (callables and arrays are summarised)."""
        out = {"kind": self.kind}
        for f in self._fields:
            v = getattr(self, f)
            if callable(v):
                out[f] = f"callable {getattr(v, '__name__', type(v).__name__)}"
            elif isinstance(v, np.ndarray):
                out[f] = f"array{v.shape}"
            else:
                out[f] = float(v)
        return out

    def __repr__(self):
        args = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and all(
            getattr(self, f) is getattr(other, f) or (np.ndim(getattr(self, f)) == 0 and not callable(getattr(self, f))
                                                        and getattr(self, f) == getattr(other, f))
            for f in self._fields)

    __hash__ = object.__hash__


def _takes_time(func):
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "t" in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


class Dirichlet(Condition):
    """Fixed value on the boundary nodes: ``u = value``.

    Example
    -------
    >>> Dirichlet(1.0)
    Dirichlet(value=1.0)
    """

    kind = "dirichlet"
    _fields = ("value",)

    def __init__(self, value=0.0):
        super().__init__()
        self.value = self._check_number_or_array("value", value)


class Neumann(Condition):
    """Prescribed outward normal derivative: ``du/dn = flux`` (0 is an insulated wall).

    Example
    -------
    >>> Neumann(0.0).kind
    'neumann'
    """

    kind = "neumann"
    _fields = ("flux",)

    def __init__(self, flux=0.0):
        super().__init__()
        self.flux = self._check_number_or_array("flux", flux)


class Robin(Condition):
    """Mixed condition ``alpha * u + beta * du/dn = value`` (e.g. convective cooling with
    ``alpha = h_c``, ``beta = k``, ``value = h_c * T_ambient``).

    ``beta`` must be non-zero (use :class:`Dirichlet` for a pure value); ``alpha`` and ``beta``
    must have the same sign for a well-posed (dissipative) problem.

    Example
    -------
    >>> Robin(2.0, 1.0, 0.0).kind
    'robin'
    """

    kind = "robin"
    _fields = ("alpha", "beta", "value")

    def __init__(self, alpha, beta, value=0.0):
        super().__init__()
        self.alpha = self._check_number_or_array("alpha", alpha)
        self.beta = self._check_number_or_array("beta", beta)
        self.value = self._check_number_or_array("value", value)

    def _check_values(self, name, values, face):
        if name == "beta" and np.any(np.asarray(values) == 0):
            where = "" if face is None else f" on face {face}"
            got = "0" if np.ndim(values) == 0 else f"{int(np.sum(np.asarray(values) == 0))} zero entries"
            raise BoundaryError(f"Robin beta{where} must be non-zero everywhere; got {got} (a zero beta divides by "
                                "zero in the ghost rule: use Dirichlet(value / alpha) instead)")


def _at(value, coords, t):
    """A condition field's value at face coordinates (callables evaluated, with ``t`` if they take it)."""
    if not callable(value):
        return value
    return value(*coords, t=t) if _takes_time(value) else value(*coords)


def _product(a, b):
    """``a * b`` for numbers, face arrays or callables of the face coordinates (a callable when
    either is one; it takes ``t`` only when one of them does)."""
    if not callable(a) and not callable(b):
        return np.multiply(a, b) if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) else a * b
    if any(callable(v) and _takes_time(v) for v in (a, b)):
        def product(*coords, t=0.0):
            return np.multiply(_at(a, coords, t), _at(b, coords, t))
    else:
        def product(*coords):
            return np.multiply(_at(a, coords, 0.0), _at(b, coords, 0.0))
    return product


class Convection(Robin):
    """Convective exchange with a surrounding fluid (Newton's law of cooling):
    ``-conductivity * du/dn = h * (u - ambient)``.

    It is the :class:`Robin` condition ``alpha = h``, ``beta = conductivity``,
    ``value = h * ambient`` (``kind == "robin"``: every solver treats it as one).  The
    conductivity of the body at the face is required: the condition fixes the normal derivative
    ``du/dn = -(h / conductivity) (u - ambient)``, so a wrong ``conductivity`` silently scales the
    heat flow; in :class:`fieldgrad.TemperatureField` and case files use the same value as the
    field's ``conductivity`` (the face values of an array conductivity).

    Parameters
    ----------
    h : positive number, face array or callable of the face coordinates (and ``t``)
        Heat transfer coefficient, W/(m^2 K).
    ambient : number, face array or callable of the face coordinates (and ``t``)
        Fluid temperature far from the wall.
    conductivity : positive number, face array or callable
        Thermal conductivity of the body at the face, W/(m K).

    Example
    -------
    >>> c = Convection(10.0, 20.0, conductivity=2.0)
    >>> c.kind, c.alpha, c.beta, c.value
    ('robin', 10.0, 2.0, 200.0)
    """

    def __init__(self, h, ambient, *, conductivity):
        h = self._check_number_or_array("h", h)
        ambient = self._check_number_or_array("ambient", ambient)
        conductivity = self._check_number_or_array("conductivity", conductivity)
        for name, v in (("h", h), ("conductivity", conductivity)):
            if not callable(v) and np.any(np.asarray(v) <= 0):
                raise BoundaryError(f"Convection {name} must be positive; got {describe(v)}")
        super().__init__(h, conductivity, _product(h, ambient))
        self.h, self.ambient, self.conductivity = h, ambient, conductivity

    def __repr__(self):
        return f"Convection(h={self.h!r}, ambient={self.ambient!r}, conductivity={self.conductivity!r})"


class Periodic(Condition):
    """Periodic boundary; the axis must be periodic in the grid (``Grid(..., periodic=...)``)."""

    kind = "periodic"
    _fields = ()


class SurfaceExchange(Condition):
    """Heat exchange of a surface with its surroundings, nonlinear in the temperature ``u``:
    ``-conductivity * du/dn = emissivity*sigma*(u**4 - ambient**4) + h(u)*(u - ambient)``.

    The base of :class:`Radiation` and :class:`ConvectionOfT`.  Only the nonlinear solvers
    (:func:`fieldgrad.solve_nonlinear`, :func:`fieldgrad.solve_nonlinear_heat`) accept it; they
    linearise it into a :class:`Robin` face at each outer iteration or time step.  Linear solvers
    and operators refuse it with a :class:`BoundaryError`.  With radiation, temperatures are
    absolute (kelvin): ``sigma`` is :data:`STEFAN_BOLTZMANN` in W/(m^2 K^4).

    Parameters
    ----------
    ambient : number, face array or callable of the face coordinates (and ``t``)
        Temperature of the surroundings (kelvin, >= 0, when the face radiates).
    emissivity : number, face array or callable of the face coordinates, in [0, 1]
    h : number >= 0, face array, or a callable of the temperature ``h(T)`` (array in, array out;
        a :class:`fieldgrad.PropertyOfT` for a table)
        Heat transfer coefficient, W/(m^2 K).  Note: a callable ``h`` here is a function of the
        temperature, unlike :class:`Convection` whose callables take the face coordinates.
    conductivity : None, number > 0, face array or callable of the temperature
        The body's conductivity at the face in ``-conductivity * du/dn``.  None (recommended): the
        conductivity the solver is given, ``k(T)`` at the face nodes for a temperature-dependent
        ``k``, so the face carries exactly the heat flow on the right.

    Example
    -------
    >>> c = SurfaceExchange(300.0, emissivity=0.5, h=10.0)
    >>> c.kind, c.nonlinear
    ('exchange', True)
    """

    kind = "exchange"
    nonlinear = True
    _fields = ("emissivity", "ambient")

    def __init__(self, ambient, *, emissivity=0.0, h=0.0, conductivity=None):
        super().__init__()
        self.emissivity = self._check_number_or_array("emissivity", emissivity)
        self.ambient = self._check_number_or_array("ambient", ambient)
        self.h = h if callable(h) else self._check_number_or_array("h", h)
        if conductivity is not None and not callable(conductivity):
            conductivity = self._check_number_or_array("conductivity", conductivity)
            if np.any(np.asarray(conductivity) <= 0):
                raise BoundaryError(f"{type(self).__name__} conductivity must be positive; got "
                                    f"{describe(conductivity)}; accepted: None (the solver's k), a positive number "
                                    "or face array, or a callable of the temperature")
        self.conductivity = conductivity

    @property
    def radiates(self):
        """False when the emissivity is the number 0 (a pure convection face)."""
        return bool(callable(self.emissivity) or np.any(np.asarray(self.emissivity) != 0))

    def _check_values(self, name, values, face):
        where = "" if face is None else f" on face {face}"
        v = np.asarray(values)
        if name == "emissivity" and np.any((v < 0) | (v > 1)):
            raise BoundaryError(f"{type(self).__name__} emissivity{where} must lie in [0, 1]; got {describe(values)}")
        if name == "h" and np.any(v < 0):
            raise BoundaryError(f"{type(self).__name__} h{where} must be >= 0; got {describe(values)}")
        if name == "ambient" and self.radiates and np.any(v < 0):
            raise BoundaryError(f"{type(self).__name__} ambient{where} is {describe(values)}: a radiating face needs "
                                "absolute temperatures (kelvin, >= 0)")

    def describe(self):
        out = super().describe()
        for name in ("h", "conductivity"):
            v = getattr(self, name)
            out[name] = (None if v is None else f"callable of T {getattr(v, '__name__', type(v).__name__)}"
                         if callable(v) else f"array{v.shape}" if isinstance(v, np.ndarray) else float(v))
        return out

    def __repr__(self):
        return (f"{type(self).__name__}(ambient={self.ambient!r}, emissivity={self.emissivity!r}, h={self.h!r}, "
                f"conductivity={self.conductivity!r})")

    def __eq__(self, other):
        return super().__eq__(other) and all(
            getattr(self, f) is getattr(other, f) or (np.ndim(getattr(self, f)) == 0 and not callable(getattr(self, f))
                                                        and getattr(self, f) == getattr(other, f))
            for f in ("h", "conductivity"))

    __hash__ = object.__hash__


class Radiation(SurfaceExchange):
    """Radiation to surroundings at ``ambient`` (grey body), optionally with convection:
    outward heat flux ``emissivity*sigma*(u**4 - ambient**4) + h*(u - ambient)``.

    Temperatures are absolute (kelvin); ``sigma`` = :data:`STEFAN_BOLTZMANN` =
    5.670374419e-8 W/(m^2 K^4).  A :class:`SurfaceExchange`: see there for ``h`` (a number or a
    callable of the temperature) and ``conductivity`` (None: the solver's ``k``).

    Parameters
    ----------
    emissivity : number or face array in [0, 1] (or a callable of the face coordinates)
    ambient : number >= 0 (kelvin), face array or callable of the face coordinates (and ``t``)
    conductivity : None, number > 0, face array or callable of the temperature
    h : number >= 0, face array or callable of the temperature (default 0: radiation only)

    Raises
    ------
    BoundaryError -- emissivity outside [0, 1], negative h or ambient, non-positive conductivity

    Example
    -------
    >>> r = Radiation(0.8, 293.15)
    >>> r.kind, r.emissivity, r.ambient
    ('radiation', 0.8, 293.15)
    """

    kind = "radiation"

    def __init__(self, emissivity, ambient, *, conductivity=None, h=0.0):
        super().__init__(ambient, emissivity=emissivity, h=h, conductivity=conductivity)


class ConvectionOfT(SurfaceExchange):
    """Convection with a temperature-dependent coefficient: outward heat flux ``h(u)*(u - ambient)``.

    ``h`` may be a callable of the temperature (e.g. natural convection ``h0*|u - ambient|**0.25``)
    or a :class:`fieldgrad.PropertyOfT` table; a number gives linear convection whose conductivity
    defaults to the solver's ``k`` (the right choice with a temperature-dependent ``k``).

    Parameters
    ----------
    h : number >= 0, face array, or callable of the temperature ``h(T)`` (array in, array out)
    ambient : number, face array or callable of the face coordinates (and ``t``)
    conductivity : None, number > 0, face array or callable of the temperature

    Raises
    ------
    BoundaryError -- negative ``h`` (numbers and arrays here; a callable's values are checked where
        evaluated, :class:`ParameterError` naming the temperature)

    Example
    -------
    >>> c = ConvectionOfT(lambda T: 5.0 + 0.1 * T, 20.0)
    >>> c.kind, c.radiates
    ('convection_of_t', False)
    """

    kind = "convection_of_t"

    def __init__(self, h, ambient, *, conductivity=None):
        super().__init__(ambient, emissivity=0.0, h=h, conductivity=conductivity)


_KINDS = (Dirichlet, Neumann, Robin, Periodic)


class BoundaryConditions:
    """A boundary specification resolved against a grid: one condition (or ``None``) per face.

    Build it with :func:`resolve_bc`.  ``None`` on a face means no condition is known; operators
    then use one-sided differences there, solvers refuse it.

    Attributes
    ----------
    grid : Grid
    faces : dict
        Face name -> condition or ``None``.
    surface : Dirichlet, Neumann, Robin or None
        The condition on the surface of the holes of a ``Cells(..., domain=)`` conductivity
        (``bc["surface"]``); None: that surface is insulated (zero flux).
    """

    def __init__(self, grid, faces, surface=None):
        self.grid = grid
        self.faces = dict(faces)
        self.surface = surface

    def __getitem__(self, face):
        return self.faces[face]

    def on_axis(self, axis):
        """The (low, high) conditions of an axis."""
        name = self.grid.axis_names[axis]
        return self.faces[name + "-"], self.faces[name + "+"]

    @property
    def complete(self):
        """True when every face has a condition."""
        return all(c is not None for c in self.faces.values())

    @property
    def time_dependent(self):
        """True when a boundary value depends on time."""
        return any(c is not None and c.time_dependent for c in list(self.faces.values()) + [self.surface])

    def require_complete(self, what="this solver"):
        """Raise :class:`BoundaryError` unless every face has a condition."""
        missing = [f for f, c in self.faces.items() if c is None]
        if missing:
            raise BoundaryError(
                f"{what} needs a boundary condition on every face; missing: {missing}. "
                "Give them by name ('x-', 'x', ...) or with '*' for all others"
            )

    def kinds(self):
        """Face -> kind name (``None`` where no condition)."""
        return {f: (c.kind if c is not None else None) for f, c in self.faces.items()}

    def describe(self):
        """JSON-ready description of every face (and of ``"surface"`` when given)."""
        out = {f: (c.describe() if c is not None else None) for f, c in self.faces.items()}
        if self.surface is not None:
            out["surface"] = self.surface.describe()
        return out

    def faces_only(self):
        """These conditions without the surface of holes (for consumers of the box faces alone,
        e.g. writing the Dirichlet values into a field)."""
        return self if self.surface is None else BoundaryConditions(self.grid, self.faces)

    def __repr__(self):
        body = ", ".join(f"{f!r}: {c!r}" for f, c in self.faces.items())
        if self.surface is not None:
            body += f", 'surface': {self.surface!r}"
        return f"BoundaryConditions({{{body}}})"


def resolve_bc(bc, grid, *, allow_nonlinear=False, allow_surface=False):
    """Resolve a boundary specification against a grid.

    Parameters
    ----------
    bc : None, Condition, dict or BoundaryConditions
        ``None``: no condition on non-periodic faces (operators use one-sided differences).
        A single condition: that condition on every non-periodic face.
        A dict: keys ``"x-"``, ``"x+"``, ``"x"`` (both x faces), ..., ``"*"`` (every face not
        named otherwise); a specific face beats its axis, which beats ``"*"``.  On a cylindrical
        grid whose ``r`` starts at 0 the ``"r-"`` face is the symmetry axis and always gets the
        regularity condition (zero flux, ``Neumann(0)``), whatever ``"*"`` or ``"r"`` say.
        The key ``"surface"`` gives the condition on the surface of the holes of a domain
        (``k=Cells(values, domain=mask)``: the staircase of cell faces between inside and
        outside cells): :class:`Dirichlet`, :class:`Neumann` (``du/dn`` along the normal
        pointing out of the domain, into the hole) or :class:`Robin` / :class:`Convection`,
        with values given as numbers, node arrays of ``grid.shape`` (read at the surface
        nodes) or callables of the node coordinates (and ``t``).  ``"*"`` does not cover it;
        without it the surface is insulated.  It lands in ``BoundaryConditions.surface``.
    grid : Grid
    allow_nonlinear : bool
        Accept conditions nonlinear in ``u`` (:class:`SurfaceExchange`: radiation, ``h(T)``);
        only the nonlinear solvers, which linearise them, pass True.
    allow_surface : bool
        Accept ``"surface"``; only the consumers that discretise it (the finite-volume
        :class:`~fieldgrad.solvers.discretize.Problem`: ``solve_poisson`` on the CPU and the heat
        steppers with ``k`` / ``rho_c``) pass True, every other one refuses it.

    Returns
    -------
    BoundaryConditions

    Raises
    ------
    BoundaryError
        Unknown face names, values that are not conditions, a non-periodic condition on a
        periodic axis, ``Periodic()`` on an axis the grid does not make periodic, a nonlinear
        condition without ``allow_nonlinear``, ``"surface"`` without ``allow_surface`` or with
        a kind other than Dirichlet, Neumann and Robin.

    Example
    -------
    >>> b = resolve_bc({"x": Dirichlet(0), "*": Neumann(0)}, fg.Grid((5, 5)))
    >>> b.kinds()
    {'x-': 'dirichlet', 'x+': 'dirichlet', 'y-': 'neumann', 'y+': 'neumann'}
    >>> resolve_bc({"*": Dirichlet(0), "surface": Neumann(1.0)}, fg.Grid((5, 5)), allow_surface=True).surface
    Neumann(flux=1.0)
    """
    from ..grid import require_grid

    require_grid(grid)
    if isinstance(bc, BoundaryConditions):
        if bc.grid.shape != grid.shape or bc.grid.periodic != grid.periodic:
            raise BoundaryError(f"boundary conditions were resolved for {bc.grid}, not for {grid}")
        if not allow_nonlinear:
            _refuse_nonlinear(bc.faces)
        if bc.surface is not None and not allow_surface:
            _refuse_surface()
        return bc
    faces = {f: None for f in grid.faces}
    if bc is None:
        spec = {}
    elif isinstance(bc, Condition):
        spec = {"*": bc}
    elif isinstance(bc, dict):
        spec = dict(bc)
    else:
        raise BoundaryError(
            f"bc must be None, a condition (Dirichlet, Neumann, Robin, Periodic) or a dict of them; "
            f"got {describe(bc)}"
        )
    surface = spec.pop("surface", None)
    if surface is not None:
        surface = _check_surface(surface, grid, allow_surface)
    allowed = ["*"] + list(grid.axis_names) + list(grid.faces)
    for key, cond in spec.items():
        if key not in allowed:
            raise BoundaryError(f"bc key {key!r} is not a face of this {grid.ndim}D grid; accepted: {allowed} "
                                "(and 'surface' for the surface of holes)")
        if cond is not None and not isinstance(cond, Condition):
            raise BoundaryError(
                f"bc[{key!r}] must be Dirichlet, Neumann, Robin, Periodic or None; got {describe(cond)}"
            )
    explicit = set()
    for rank in ("*", "axis", "face"):
        for key, cond in spec.items():
            level = "*" if key == "*" else ("axis" if len(key) == 1 else "face")
            if level != rank:
                continue
            targets = grid.faces if key == "*" else ([key + "-", key + "+"] if len(key) == 1 else [key])
            for face in targets:
                axis, _ = grid.parse_face(face)
                if key == "*" and grid.periodic[axis] and not isinstance(cond, Periodic):
                    continue  # '*' fills the non-periodic faces only
                faces[face] = cond
                explicit.add(face)
    for face in grid.faces:
        axis, _ = grid.parse_face(face)
        cond = faces[face]
        if grid.periodic[axis]:
            if cond is not None and not isinstance(cond, Periodic):
                raise BoundaryError(
                    f"face {face} is on periodic axis {grid.axis_names[axis]} but was given {cond!r}; "
                    "a periodic axis accepts only Periodic() (or make the grid non-periodic on that axis)"
                )
            faces[face] = Periodic()
        elif isinstance(cond, Periodic):
            raise BoundaryError(
                f"face {face} was given Periodic() but the grid's axis {grid.axis_names[axis]} is not periodic; "
                "build the grid with periodic=True on that axis"
            )
        elif cond is not None:
            cond.check_callables(grid)
    if getattr(grid, "on_axis", False):
        given = spec.get("r-")
        if given is not None and not (isinstance(given, Neumann) and not callable(given.flux)
                                      and np.all(np.asarray(given.flux) == 0)):
            raise BoundaryError(f"face 'r-' of {grid!r} is the symmetry axis r = 0: it takes no condition "
                                f"(regularity: zero flux); got {given!r}. Leave it out (or give Neumann(0))")
        faces["r-"] = Neumann(0.0)
    if not allow_nonlinear:
        _refuse_nonlinear(faces)
    return BoundaryConditions(grid, faces, surface)


def _refuse_surface():
    raise BoundaryError("bc['surface'] (a condition on the surface of holes) is read only by solve_poisson on the CPU "
                        "and the heat steppers with k= / rho_c=, with k=Cells(values, domain=mask); this operation "
                        "does not discretise it. Leave 'surface' out here (the hole surface is then insulated)")


def _check_surface(cond, grid, allow):
    """The ``"surface"`` condition checked (kind, callables of the node coordinates)."""
    if not allow:
        _refuse_surface()
    if isinstance(cond, Periodic) or not isinstance(cond, (Dirichlet, Neumann, Robin)):
        raise BoundaryError(f"bc['surface'] must be Dirichlet, Neumann or Robin/Convection (the surface of holes); "
                            f"got {describe(cond)}")
    cond.check_callables(grid)
    return cond


def _refuse_nonlinear(faces):
    for face, cond in faces.items():
        if cond is not None and cond.nonlinear:
            raise BoundaryError(
                f"{type(cond).__name__} on face {face} is nonlinear in u; linear solvers, heat steppers and operators "
                "accept Dirichlet, Neumann, Robin/Convection and Periodic faces; solve it with "
                "fieldgrad.solve_nonlinear or fieldgrad.solve_nonlinear_heat (which linearise it)")
