"""Hostile or mistaken case files end in one CaseFileError naming the key, never an
OverflowError, RecursionError, MemoryError or a hang (issue 13.8)."""
import pytest

from fieldgrad.case import load_case, loads_case
from fieldgrad.errors import CaseFileError

BASE = """
[case]
name = "{name}"
physics = "heat"
[grid]
shape = {shape}
extent = {extent}
{extra}
"""


def case(name="a", shape="[5, 5]", extent="[[0, 1], [0, 1]]", extra=""):
    return BASE.format(name=name, shape=shape, extent=extent, extra=extra)


HUGE = "1" + "0" * 400


@pytest.mark.parametrize("text, words", [
    (case(extra=f"[parameters]\nL = {HUGE}"), "parameters.L = 1000"),
    (case(extent=f"[[0, {HUGE}], [0, 1]]"), "grid.extent[0][1] = 1000"),
    (case(extra=f"[source]\nvalue = {HUGE}"), "source.value = 1000"),
    (case(extra=f'[boundary]\nx- = {{ type = "convection", h = {HUGE}, ambient = 0 }}'), "boundary.x-.h = 1000"),
    (case(extra=f'[initial]\nvalue = 0\n[solver]\nkind = "transient"\nt_end = 1\ndt = {HUGE}'), "solver.dt = 1000"),
    (case(extra="[source]\nvalue = nan"), "source.value = nan"),
    (case(extent="[[0, 1e300], [0, 1]]"), "spacing[0] = 2.5e+299 is out of range"),
    (case(name="a\\u0000b"), "case.name = 'a\\x00b' is not allowed; allowed: text without NUL"),
    (case(name="a\\nb"), "case.name = 'a\\nb' is not allowed; allowed: printable text"),
    (case(extra='[output]\nfile = "a\\u0000.h5"'), "output.file"),
    (case(extra="[parameters]\nq = " + "[" * 5000 + "]" * 5000), "nested too deeply"),
    (case(extra="[parameters]\nq = " + "{a=" * 3000 + "1" + "}" * 3000), "nested too deeply"),
])
def test_numbers_names_and_nesting(text, words):
    with pytest.raises(CaseFileError) as info:
        loads_case(text)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_grid_that_cannot_fit_in_memory_is_refused_by_the_schema(monkeypatch):
    from fieldgrad.case import schema

    monkeypatch.setattr(schema, "available_memory", lambda: 16 * 2**30)
    with pytest.raises(CaseFileError, match=r"grid.shape = \[2049, 2049, 2049\] is not allowed; allowed: a grid "
                                            r"whose run fits in memory.*16 GiB are available"):
        loads_case(case(shape="[2049, 2049, 2049]", extent="[[0, 1], [0, 1], [0, 1]]"))
    assert loads_case(case(shape="[65, 65, 65]", extent="[[0, 1], [0, 1], [0, 1]]")).grid.shape == (65, 65, 65)


def test_reading_is_bounded(tmp_path):
    with pytest.raises(CaseFileError, match="/dev/zero is larger than 1048576 bytes"):
        load_case("/dev/zero")
    big = tmp_path / "big.toml"
    big.write_text(case() + "# " + "x" * (1 << 20) + "\n")
    with pytest.raises(CaseFileError, match="larger than"):
        load_case(big)
    good = tmp_path / "good.toml"
    good.write_text(case())
    assert load_case(good).grid.shape == (5, 5)


def test_fifo_without_writer_does_not_hang(tmp_path):
    import os
    import signal

    def hung(signum, frame):
        raise TimeoutError("load_case blocked on a FIFO without a writer")

    fifo = tmp_path / "case.fifo"
    os.mkfifo(fifo)
    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)  # the old reader blocked in open() forever
    try:
        with pytest.raises(CaseFileError, match="missing table"):
            load_case(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_cli_run_dev_zero_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    from fieldgrad.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["run", "/dev/zero"]) == 2
    err = capsys.readouterr().err
    assert "/dev/zero is larger than" in err and "Traceback" not in err
