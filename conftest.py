"""Docstring examples assume ``import numpy as np`` and ``import fieldgrad as fg``.

pytest loads this file for ``--doctest-modules`` runs over fieldgrad/ (the suite's own runner,
tests/test_docstring_examples.py, passes the same two names to doctest).
"""
import numpy as np
import pytest

import fieldgrad


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    doctest_namespace["np"] = np
    doctest_namespace["fg"] = fieldgrad
