import os
import sys

import pytest

# make tests/manufactured.py importable as a plain module from any test directory
sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("MPLBACKEND", "Agg")

# --- running under pytest-xdist (pyproject's addopts: ``-n 2 --dist loadgroup``) ------------------
# ``--dist loadgroup`` sends every test on its own to whichever worker is free, except tests that
# carry the same ``xdist_group`` mark: those run one after another on one worker.  Two kinds of
# module are grouped here, so nobody has to remember a mark in a new test file:
#   * modules that launch ``mpiexec`` (their source names it): all in ONE group, so two MPI jobs
#     (up to 4 ranks each) never run at once on the 2-core CI machine;
#   * modules whose tests share a module-scoped fixture (an expensive reference solution): one
#     group per module, so the fixture is computed once, not once per worker.
# Scheduling puts the largest groups first, so the long MPI group starts at once.
# Numba's on-disk cache (``cache=True``) is shared by the workers: Numba writes each cache file
# to a unique temporary name and renames it into place, so concurrent writers do not corrupt it.
_MPI_GROUP = "mpiexec"
_source_mentions_mpiexec = {}


def _launches_mpiexec(path):
    key = str(path)
    if key not in _source_mentions_mpiexec:
        try:
            _source_mentions_mpiexec[key] = "mpiexec" in path.read_text(encoding="utf-8")
        except OSError:
            _source_mentions_mpiexec[key] = False
    return _source_mentions_mpiexec[key]


def _uses_module_scoped_fixture(item):
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    for defs in info.name2fixturedefs.values():
        for fixturedef in defs:
            if str(getattr(fixturedef, "scope", "function")) in ("module", "package", "Scope.Module", "Scope.Package"):
                return True
    return False


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the marks into scheduling groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue  # a module or test that chose its own group keeps it
        path = getattr(item, "path", None)
        if path is None:
            continue
        if _launches_mpiexec(path):
            item.add_marker(pytest.mark.xdist_group(_MPI_GROUP))
        elif _uses_module_scoped_fixture(item):
            item.add_marker(pytest.mark.xdist_group("module:" + os.path.relpath(str(path), os.path.dirname(__file__))))


def _fieldgrad_dir():
    # where ``import fieldgrad`` would load from, without importing it (no Numba start-up here)
    import importlib.util

    spec = importlib.util.find_spec("fieldgrad")
    return None if spec is None or spec.origin is None else os.path.dirname(os.path.abspath(spec.origin))


def pytest_report_header(config):
    # which fieldgrad the run tests (an editable install elsewhere can shadow a checkout)
    return f"fieldgrad: {_fieldgrad_dir()}"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    # xdist controller: tell each worker which fieldgrad the controller sees ...
    node.workerinput["fieldgrad_dir"] = _fieldgrad_dir()


def pytest_configure(config):
    # ... and each worker refuses to run if it would test a different copy
    expected = getattr(config, "workerinput", {}).get("fieldgrad_dir")
    if expected is not None and _fieldgrad_dir() != expected:
        raise pytest.UsageError(f"xdist worker imports fieldgrad from {_fieldgrad_dir()}, the controller from {expected}")
