"""The Examples in the gradflow docstrings run and print what they say."""
import doctest
import importlib

import numpy as np
import pytest

import fieldgrad

MODULES = ["energy", "descent", "exact", "spectrum", "least_squares", "optimizers", "linear", "result"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(f"fieldgrad.gradflow.{name}")
    res = doctest.testmod(mod, extraglobs={"np": np, "fg": fieldgrad}, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
