"""Every Example in a fieldgrad docstring runs and prints what it says.

The doctests are run here, module by module, rather than by ``--doctest-modules``: pytest's
doctest collection also imports the test tree's conftest files as modules, and the several
``conftest.py`` of tests/ then collide under the rootdir import mode the tests rely on.
Examples assume ``import numpy as np`` and ``import fieldgrad as fg`` (as NumPy's assume ``np``);
the repository's root ``conftest.py`` gives pytest's ``--doctest-modules`` the same two names.
"""
import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import fieldgrad


def _modules():
    names = [fieldgrad.__name__]
    for info in pkgutil.walk_packages(fieldgrad.__path__, prefix="fieldgrad."):
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_every_package_module_is_found():
    # a broken walk would make the parametrised test below vacuous
    assert "fieldgrad.operators" in MODULES and "fieldgrad.boundary.conditions" in MODULES
    assert len(MODULES) > 60


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    mod = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    # each example sees a copy of its module's globals, plus the two names every example assumes
    for test in finder.find(mod, name, extraglobs={"np": np, "fg": fieldgrad}):
        runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, f"{res.failed} of {res.attempted} docstring examples of {name} failed (output above)"
