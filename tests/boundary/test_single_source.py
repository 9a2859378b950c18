"""Ghost formulas live only in fieldgrad/boundary (issue 12): a grep over the package for the
shapes a ghost formula takes (``u_1 + 2 h g``, the extrapolation weights, the Neumann flux scale).

Files still carrying their own copy are listed in NOT_YET_CONVERTED with the reason; the list may
only shrink: a new file with a ghost formula, or a listed file that no longer has one, fails.
"""
import pathlib
import re

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "fieldgrad"

PATTERNS = [
    re.compile(r"\b2(\.0)?\s*\*\s*h\s*\*"),                   # 2 h g
    re.compile(r"\(\s*2(\.0)?\s*\*\s*h\s*\)\s*\*"),           # (2 h) * g
    re.compile(r"\btwo_h\b"),
    re.compile(r"4(\.0)?\s*,\s*-6(\.0)?\s*,\s*4(\.0)?\s*,\s*-1"),  # cubic extrapolation weights
    re.compile(r"3(\.0)?\s*\*\s*\w+\s*-\s*3(\.0)?\s*\*"),     # quadratic extrapolation 3a - 3b + c
    re.compile(r"kb\s*/\s*\(\s*2(\.0)?\s*\*\s*kb"),           # Neumann flux scale k_b / k_half
]

# consumers not yet moved onto fieldgrad.boundary.rules (issue 12): none left -- the CUDA ghost fills
# (kernels/cuda*.py) take their coefficients from the rule table since h4-cudarules
NOT_YET_CONVERTED = set()


def offenders():
    found = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("boundary/"):
            continue
        code = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())
        if any(p.search(code) for p in PATTERNS):
            found.add(rel)
    return found


def test_no_ghost_formula_outside_boundary():
    found = offenders()
    assert found <= NOT_YET_CONVERTED, f"ghost formulas outside fieldgrad/boundary: {sorted(found - NOT_YET_CONVERTED)}"


def test_the_not_yet_converted_list_only_shrinks():
    assert NOT_YET_CONVERTED <= offenders(), f"converted, remove from the list: {sorted(NOT_YET_CONVERTED - offenders())}"


def test_the_patterns_catch_the_formulas_they_describe():
    samples = ["g = u1 + 2.0 * h * flux", "g = u[1] + (2 * h) * g", "c = kb / (2 * kb * k1 / (kb + k1))",
               "w = (4.0, -6.0, 4.0, -1.0)", "e = 3 * kb - 3 * k1 + k2"]
    for s in samples:
        assert any(p.search(s) for p in PATTERNS), s
