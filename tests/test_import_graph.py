"""fieldgrad's import graph has no cycle.

Every ``import`` statement counts, at module level and inside functions alike: a function-level
import that closes a circle still ties the two modules together (neither can be understood,
tested or moved without the other), it only hides the circle from Python's loader.  An edge goes
from a module to the module it names: ``from .a import b`` points to ``a.b`` when that is a
module, else to ``a``.  Importing a submodule also runs its package's ``__init__``; that implicit
edge is left out, since every package re-exports its submodules and counting it would turn each
``__init__`` into a circle with its own children.
"""
import ast
import pathlib

import fieldgrad

ROOT = pathlib.Path(fieldgrad.__file__).parent


def _modules():
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        mods[".".join(parts)] = (path, is_pkg)
    return mods


def _absolute(module, is_pkg, level, name):
    base = module.split(".")
    if not is_pkg:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph():
    """module name -> set of fieldgrad modules it imports anywhere in its body."""
    mods = _modules()
    graph = {}
    for name, (path, is_pkg) in mods.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(name, is_pkg, node.level, node.module) if node.level else node.module
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.add(sub if sub in mods else base)
        graph[name] = {t for t in targets if t in mods and t != name}
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # operators selects the CUDA implementation inside a function: that edge must be seen
    assert "fieldgrad.kernels.cuda_ops" in graph["fieldgrad.operators"]
    assert "fieldgrad.validation" in graph["fieldgrad.operators"]


def test_cycle_detection_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_fieldgrad_has_no_import_cycle():
    found = cycles(import_graph())
    detail = "; ".join(" <-> ".join(c) for c in found)
    assert not found, f"import cycles in fieldgrad: {detail}"


def test_ground_floor_modules_import_nothing_above_them():
    graph = import_graph()
    assert graph["fieldgrad.errors"] == set()
    assert graph["fieldgrad.validation"] <= {"fieldgrad.errors"}
    assert graph["fieldgrad.backends"] <= {"fieldgrad.errors", "fieldgrad.backends.cuda"}
    assert graph["fieldgrad.backends.cuda"] <= {"fieldgrad.errors"}
