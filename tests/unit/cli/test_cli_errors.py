"""A user's mistake on the command line is one line and exit status 2, never a traceback nor
Typer's multi-line box (issue 13): hostile history files, dates past the plausible window,
a ``--set`` nested five thousand deep, and options of the wrong type or out of range.

These run :func:`sim.cli.main`, the console script's entry point, as a user's shell does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

BASELINE = str(Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml")
GOOD = (
    '{"entity": "E1", "kind": "enterprise", "date": "2025-01-05", "event": "rating", '
    '"department": "tax", "grade": "D"}'
)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def _one_error_line(code: int, out: str, err: str, starts: str) -> str:
    assert code == 2, err
    assert out == "" and "Traceback" not in err and "╭" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {starts}"), err
    return lines[0]


HOSTILE = {
    "nested 100,000 deep": '{"entity": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a 5,000-digit number": GOOD.replace('"D"', "9" * 5000),
    "a lone surrogate in an id": GOOD.replace('"E1"', '"E\\ud800"'),
    "a date of 9999-12-31": GOOD.replace("2025-01-05", "9999-12-31"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize(
    "command",
    [["classify", "--as-of", "2026-01-01"], ["notifications", "--until", "2026-12-31"]],
)
def test_a_hostile_history_line_is_one_error_line(
    name: str, command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    history.write_text(GOOD + "\n" + HOSTILE[name] + "\n", encoding="utf-8")
    code, out, err = _run(["credit", *command, "--history", str(history)], capsys)
    line = _one_error_line(code, out, err, f"{history}: line 2: ")
    assert len(line) < 300, line  # the offending value is shortened, never dumped


def test_a_date_option_past_the_window_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    history.write_text(GOOD + "\n", encoding="utf-8")
    for command in (["classify", "--as-of"], ["notifications", "--until"]):
        code, out, err = _run(["credit", *command, "9999-12-31", "--history", str(history)],
                              capsys)
        line = _one_error_line(code, out, err, f"{command[1]}: ")
        assert line.endswith("outside 1970-01-01 .. 2099-12-31 (got '9999-12-31')")


def test_a_set_nested_five_thousand_deep_is_one_error_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for value in ("[" * 5000, "[" * 5000 + "]" * 5000):
        code, out, err = _run(["validate", BASELINE, "--set", f"x={value}"],
                              capsys)
        assert "nested too deeply" in _one_error_line(code, out, err, "--set: x: ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", BASELINE, "--seed", "-1"],
         "error: --seed: Input should be greater than or equal to 0 (got '-1')"),
        (["run", BASELINE, "--seed=abc"],
         "error: --seed: Input should be a valid integer, unable to parse string as an integer "
         "(got 'abc')"),
        (["serve", "--port", "99999"],
         "error: --port: Input should be less than or equal to 65535 (got '99999')"),
        (["run", "--sed", "3", BASELINE],
         "error: No such option: --sed (Possible options: --seed, --set)"),
        (["credit", "classify", "--as-of", "2026-01-01"], "error: Missing option '--history'."),
    ],
)
def test_an_option_mistake_is_one_line_not_a_box(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(args, capsys)
    assert _one_error_line(code, out, err, "") == expected


def test_no_arguments_show_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run([], capsys)
    assert code == 2 and "Usage" in out + err and "Traceback" not in err
