"""A small, safe expression language for case files.

Case files are data, not code.  A boundary value such as ``"100 * sin(pi * x / L)"``, a source
term or a material mask such as ``"(x - 0.5)**2 + y**2 < 0.01"`` is parsed with :mod:`ast` and
checked against a strict whitelist of node types before anything is evaluated:

* numbers (``1``, ``2.5e-3``; ``true``/``false`` as ``True``/``False``),
* names: the coordinates ``x, y, z``, the time ``t``, the constants ``pi`` and ``e`` and the
  case's own numeric parameters,
* the operators ``+ - * / // % **``, comparisons (chains allowed), ``and``, ``or``, ``not``,
  ``&``, ``|``, ``~`` (all element-wise on arrays),
* calls of whitelisted math functions by bare name (``sin(x)``, ``where(c, a, b)`` ...), with
  positional arguments only.

Everything else -- attribute access, subscripts, lambdas, comprehensions, keyword arguments,
strings, ``__import__`` or any other name -- is refused with :class:`~fieldgrad.errors.CaseFileError`
before evaluation.  Evaluation walks the checked tree itself; Python's ``eval``/``exec`` are
never used.  Numbers are evaluated as float64 so ``10**10**10`` overflows to ``inf`` (and is
reported) instead of hanging.

Example
-------
>>> expr = parse_expression("100 * sin(pi * x / L)", names=("x", "y"), parameters={"L": 2.0})
>>> float(expr(x=np.array(1.0), y=np.array(0.0)))
100.0
"""
from __future__ import annotations

import ast
import math

import numpy as np

from ..errors import CaseFileError

__all__ = ["Expression", "parse_expression", "FUNCTIONS", "CONSTANTS"]

MAX_LENGTH = 2000
MAX_DEPTH = 60


def _step(x):
    return np.where(np.asarray(x) >= 0, 1.0, 0.0)


FUNCTIONS = {
    # name: (callable, number of positional arguments as (min, max))
    "sin": (np.sin, (1, 1)), "cos": (np.cos, (1, 1)), "tan": (np.tan, (1, 1)),
    "asin": (np.arcsin, (1, 1)), "acos": (np.arccos, (1, 1)), "atan": (np.arctan, (1, 1)),
    "atan2": (np.arctan2, (2, 2)), "sinh": (np.sinh, (1, 1)), "cosh": (np.cosh, (1, 1)),
    "tanh": (np.tanh, (1, 1)), "exp": (np.exp, (1, 1)), "log": (np.log, (1, 1)),
    "log10": (np.log10, (1, 1)), "sqrt": (np.sqrt, (1, 1)), "abs": (np.abs, (1, 1)),
    "floor": (np.floor, (1, 1)), "ceil": (np.ceil, (1, 1)), "sign": (np.sign, (1, 1)),
    "hypot": (np.hypot, (2, 2)), "min": (np.minimum, (2, 2)), "max": (np.maximum, (2, 2)),
    "clip": (np.clip, (3, 3)), "where": (np.where, (3, 3)), "step": (_step, (1, 1)),
}
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINOPS = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide, ast.Mod: np.mod, ast.Pow: np.power,
    ast.BitAnd: np.logical_and, ast.BitOr: np.logical_or,
}
_UNARY = {ast.UAdd: np.positive, ast.USub: np.negative, ast.Not: np.logical_not, ast.Invert: np.logical_not}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal,
            ast.Eq: np.equal, ast.NotEq: np.not_equal}
_BOOL = {ast.And: np.logical_and, ast.Or: np.logical_or}

_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
            ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|"}

_REFUSED = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "subscripts ('[...]')",
    ast.Lambda: "lambda", ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.DictComp: "comprehensions", ast.SetComp: "comprehensions", ast.List: "lists",
    ast.Tuple: "tuples", ast.Dict: "dicts", ast.Set: "sets", ast.Starred: "'*' arguments",
    ast.JoinedStr: "strings", ast.NamedExpr: "assignment (':=')", ast.IfExp: "'a if c else b' (use where(c, a, b))",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class Expression:
    """A parsed, checked expression; call it with the variables as keyword arguments.

    Attributes
    ----------
    text : str
        The source text.
    where : str
        Where it came from (a case-file key), used in messages.
    variables : frozenset of str
        Names of the free variables it uses (coordinates / time; parameters are already bound).

    Example
    -------
    >>> parse_expression("2 * t + 1", names=("t",))(t=3.0)
    7.0
    """

    def __init__(self, text, tree, names, parameters, where):
        self.text = text
        self.where = where
        self._tree = tree
        self._names = frozenset(names)
        self._parameters = dict(parameters)
        self.variables = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in self._names)

    @property
    def is_constant(self):
        """True when no coordinate or time appears (the value is a number)."""
        return not self.variables

    def __call__(self, **variables):
        """Evaluate; every name in :attr:`variables` must be given.

        Returns
        -------
        float or ndarray
            A Python float for a constant-only result, else an array broadcast from the inputs.
        """
        missing = sorted(self.variables - set(variables))
        if missing:
            raise CaseFileError(f"{self.where} = {self.text!r} uses {missing}, which are not available here; "
                                f"available: {sorted(variables)}")
        env = dict(self._parameters)
        env.update({k: np.asarray(v, dtype=float) for k, v in variables.items()})
        with np.errstate(all="ignore"):
            value = self._eval(self._tree.body, env)
        value = np.asarray(value)
        if value.dtype == bool:
            value = value.astype(float)
        if not np.all(np.isfinite(value)):
            raise CaseFileError(f"{self.where} = {self.text!r} evaluates to non-finite values (NaN or inf); "
                                "allowed: expressions finite on the whole grid")
        return float(value) if value.ndim == 0 else value

    def mask(self, **variables):
        """Evaluate as a boolean mask (non-zero is true)."""
        return np.asarray(self(**variables)) != 0

    def _eval(self, node, env):
        if isinstance(node, ast.Constant):
            return np.float64(node.value)
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.BinOp):
            first, links = _chain(node)
            out = self._eval(first, env)
            for op, right in links:
                out = _BINOPS[type(op)](out, self._eval(right, env))
            return out
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](self._eval(node.operand, env))
        if isinstance(node, ast.BoolOp):
            vals = [self._eval(v, env) for v in node.values]
            out = vals[0]
            for v in vals[1:]:
                out = _BOOL[type(node.op)](out, v)
            return out
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, env)
            out = None
            for op, comp in zip(node.ops, node.comparators):
                right = self._eval(comp, env)
                res = _COMPARE[type(op)](left, right)
                out = res if out is None else np.logical_and(out, res)
                left = right
            return out
        if isinstance(node, ast.Call):
            func = FUNCTIONS[node.func.id][0]
            return func(*[self._eval(a, env) for a in node.args])
        raise CaseFileError(f"{self.where}: internal error, unchecked node {type(node).__name__}")  # pragma: no cover

    def __repr__(self):
        return f"Expression({self.text!r})"


def _refuse(where, text, what):
    return CaseFileError(
        f"{where} = {text!r} is refused: {what} is not allowed in an expression; allowed: numbers, "
        "names of coordinates/parameters, + - * / // % ** comparisons and/or/not, and calls of "
        f"{', '.join(sorted(FUNCTIONS))}"
    )


# Operators of one precedence level: a left-to-right run of them (``a + b - c + ...``) is one
# level of nesting however long it is; only brackets, calls, powers and unary signs nest.
_LEVELS = ({ast.Add, ast.Sub}, {ast.Mult, ast.Div, ast.FloorDiv, ast.Mod}, {ast.BitAnd}, {ast.BitOr})


def _chain(node):
    """Split a binary operation into its first operand and the ``(op, right operand)`` links of the
    left-to-right run of same-level operators that ends at ``node`` (walked without recursion).

    Example
    -------
    >>> first, links = _chain(ast.parse("a + b - c", mode="eval").body)
    >>> first.id, [(type(op).__name__, r.id) for op, r in links]
    ('a', [('Add', 'b'), ('Sub', 'c')])
    """
    level = next((lv for lv in _LEVELS if type(node.op) in lv), {type(node.op)})
    links = []
    while isinstance(node, ast.BinOp) and type(node.op) in level:
        links.append((node.op, node.right))
        node = node.left
    links.reverse()
    return node, links


def _check(node, text, where, known, depth=0):
    if depth > MAX_DEPTH:
        raise CaseFileError(f"{where} = {text[:60]!r}... is nested too deeply (more than {MAX_DEPTH} levels of "
                            "brackets, calls, powers or signs); allowed: simpler expressions (long sums and "
                            "products are fine)")
    if isinstance(node, ast.Expression):
        _check(node.body, text, where, known, depth + 1)
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            if isinstance(node.value, bool):
                return
            raise _refuse(where, text, f"the constant {node.value!r} ({type(node.value).__name__})")
        try:
            finite = math.isfinite(float(node.value))
        except OverflowError:
            finite = False
        if not finite:
            raise CaseFileError(f"{where} = {text[:60]!r} holds the number {str(node.value)[:30]}, which is not a "
                                "finite float64; allowed: numbers of magnitude below 1.8e308")
        return
    if isinstance(node, ast.Name):
        if node.id not in known:
            raise CaseFileError(
                f"{where} = {text!r} uses the unknown name {node.id!r}; allowed names: "
                f"{', '.join(sorted(known))} (add numbers to [parameters] to name them)"
            )
        return
    if isinstance(node, ast.BinOp):
        first, links = _chain(node)
        for op, right in links:
            if type(op) not in _BINOPS:
                raise _refuse(where, text, f"the operator {type(op).__name__}")
        for operand in [first] + [right for _, right in links]:
            _check(operand, text, where, known, depth + 1)
        return
    if isinstance(node, ast.UnaryOp):
        _check(node.operand, text, where, known, depth + 1)
        return
    if isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, text, where, known, depth + 1)
        return
    if isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise _refuse(where, text, f"the comparison {type(op).__name__}")
        for v in [node.left, *node.comparators]:
            _check(v, text, where, known, depth + 1)
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise _refuse(where, text, "calling anything but a whitelisted function by name")
        name = node.func.id
        if name not in FUNCTIONS:
            raise CaseFileError(f"{where} = {text!r} calls {name!r}, which is not an allowed function; "
                                f"allowed: {', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise _refuse(where, text, "keyword arguments")
        lo, hi = FUNCTIONS[name][1]
        if not lo <= len(node.args) <= hi:
            raise CaseFileError(f"{where} = {text!r}: {name}() takes {lo if lo == hi else f'{lo} to {hi}'} "
                                f"argument(s); got {len(node.args)}")
        for a in node.args:
            _check(a, text, where, known, depth + 1)
        return
    what = _REFUSED.get(type(node), type(node).__name__)
    raise _refuse(where, text, what)


def parse_expression(text, names=("x", "y", "z", "t"), parameters=None, where="expression"):
    """Parse and check an expression from a case file.

    Parameters
    ----------
    text : str or number
        The expression; a number is accepted as a constant.
    names : sequence of str
        Free variables the expression may use (coordinates, time).
    parameters : dict of str -> float, optional
        Named numbers bound into the expression (a case file's ``[parameters]``).
    where : str
        The case-file key, for error messages.

    Returns
    -------
    Expression

    Raises
    ------
    CaseFileError
        Syntax errors, refused constructs, unknown names or functions.

    Example
    -------
    >>> parse_expression("__import__('os')", names=("x",))
    Traceback (most recent call last):
    ...
    fieldgrad.errors.CaseFileError: expression = "__import__('os')" calls '__import__', which is not an allowed function; allowed: abs, acos, asin, atan, atan2, ceil, clip, cos, cosh, exp, floor, hypot, log, log10, max, min, sign, sin, sinh, sqrt, step, tan, tanh, where
    """
    parameters = dict(parameters or {})
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise CaseFileError(f"{where} must be a number or an expression string; got {text!r} "
                            f"({type(text).__name__})")
    if not isinstance(text, str):
        text = repr(float(text))
    if len(text) > MAX_LENGTH:
        raise CaseFileError(f"{where} is {len(text)} characters long; allowed: at most {MAX_LENGTH}")
    for p, v in parameters.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise CaseFileError(f"parameters.{p} = {v!r} must be a number")
    known = set(names) | set(CONSTANTS) | set(parameters)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise CaseFileError(f"{where} = {text!r} is not a valid expression ({exc.msg}); allowed: arithmetic on "
                            "numbers, coordinates, parameters and math functions") from None
    except (ValueError, RecursionError, MemoryError):
        raise CaseFileError(f"{where} = {text[:60]!r} cannot be parsed") from None
    _check(tree, text, where, known)
    bound = {k: np.float64(v) for k, v in CONSTANTS.items()}
    bound.update({k: np.float64(v) for k, v in parameters.items()})
    return Expression(text, tree, names, bound, where)
