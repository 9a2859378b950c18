"""The safe expression parser: values, masks and refusal of hostile input."""
import numpy as np
import pytest

from fieldgrad.case.expressions import parse_expression
from fieldgrad.errors import CaseFileError


def test_values_masks_and_parameters():
    x = np.linspace(0, 1, 5)
    e = parse_expression("100 * sin(pi * x / L)", names=("x",), parameters={"L": 1.0})
    assert np.allclose(e(x=x), 100 * np.sin(np.pi * x))
    m = parse_expression("(x - 0.5)**2 + y**2 < 0.01", names=("x", "y"))
    assert m.mask(x=x, y=0 * x).tolist() == [False, False, True, False, False]
    assert parse_expression("0 < x <= 0.5 and not x == 0.25", names=("x",)).mask(x=x).tolist() == [
        False, False, False, False, False][:2] + [True, False, False]
    assert parse_expression("where(x > 0.5, 1, 2) + max(x, 0.75)", names=("x",))(x=x)[-1] == 2.0
    assert parse_expression(3.5)() == 3.5


@pytest.mark.parametrize("text, words", [
    ("__import__('os').system('rm -rf /')", "not allowed"),
    ("__import__('os')", "not an allowed function"),
    ("x.__class__", "attribute access"),
    ("(lambda: 1)()", "calling anything"),
    ("lambda: 0", "lambda"),
    ("[c for c in ()]", "comprehensions"),
    ("sin.__globals__", "attribute"),
    ("open('/etc/passwd')", "not an allowed function"),
    ("eval('1')", "not an allowed function"),
    ("x[0]", "subscripts"),
    ("sin(x=1)", "keyword"),
    ("'a' * 10", "constant 'a'"),
    ("1 if x else 2", "where(c, a, b)"),
    ("import os", "not a valid expression"),
    ("y + 1", "unknown name 'y'"),
    ("sin(1, 2)", "takes 1 argument"),
])
def test_hostile_or_wrong_expressions_are_refused_with_a_clear_message(text, words):
    with pytest.raises(CaseFileError) as info:
        parse_expression(text, names=("x",), where="source.value")
    msg = str(info.value)
    assert words in msg and "source.value" in msg and "\n" not in msg


def test_huge_powers_and_long_input_do_not_hang():
    with pytest.raises(CaseFileError, match="non-finite"):
        parse_expression("10**10**10", names=())()
    with pytest.raises(CaseFileError, match="at most"):
        parse_expression("1+" * 2000 + "1")
    with pytest.raises(CaseFileError, match="nested too deeply"):
        parse_expression("sin(" * 100 + "1" + ")" * 100)


def test_long_flat_chains_are_not_nesting():
    """A sum of 61 terms (and the longest chains the length limit allows) is one level of
    nesting: it parses and evaluates; real nesting (brackets, calls) is still limited."""
    terms = " + ".join(f"{i} * x" for i in range(1, 62))
    assert parse_expression(terms, names=("x",))(x=np.array(2.0)) == 2.0 * 61 * 62 / 2
    chain = "x" + "+x-x" * 499  # 999 terms, right at the length limit
    assert parse_expression(chain, names=("x",))(x=np.array(3.0)) == 3.0
    prod = "*".join(["x"] * 999)
    assert parse_expression(prod, names=("x",))(x=np.array(1.0)) == 1.0
    assert parse_expression("1/2/2/2", names=())() == 0.125  # left to right, as written
    assert parse_expression("2 - 3 + 4", names=())() == 3.0
    assert parse_expression("(" * 50 + "x" + " + 1)" * 50, names=("x",))(x=np.array(0.0)) == 50.0
    with pytest.raises(CaseFileError, match="nested too deeply"):
        parse_expression("(" * 70 + "x" + " * 2 + 1)" * 70, names=("x",))


def test_huge_literals_refused_before_evaluation():
    with pytest.raises(CaseFileError, match="source.value.*not a finite float64"):
        parse_expression("x + " + "9" * 400, names=("x",), where="source.value")
    with pytest.raises(CaseFileError, match="not a finite float64"):
        parse_expression("1e999 * x", names=("x",))
