"""``customs-sim credit classify`` and ``credit notifications``: output lines and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

runner = CliRunner()

HISTORY = [
    {"entity": "E2", "kind": "enterprise", "date": "2020-01-01", "event": "aeo_certified"},
    {
        "entity": "E2",
        "kind": "enterprise",
        "date": "2026-01-05",
        "event": "smuggling_penalty",
        "department": "anti_smuggling",
    },
    {
        "entity": "E1",
        "kind": "enterprise",
        "date": "2025-01-01",
        "event": "rating",
        "department": "tax",
        "grade": "D",
    },
    {"entity": "P1", "kind": "individual", "date": "2024-02-29", "event": "violation"},
    {"entity": "E3", "kind": "enterprise", "date": "2027-01-01", "event": "legal_ground_listed"},
]


@pytest.fixture
def history(tmp_path: Path) -> Path:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in HISTORY), encoding="utf-8")
    return path


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_classify_prints_sorted_records(history: Path) -> None:
    result = runner.invoke(
        app, ["credit", "classify", "--history", str(history), "--as-of", "2026-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert _lines(result.stdout) == [
        {
            "entity": "E1",
            "tier": "key_attention",
            "grounds": [{"category": 1, "source": "tax", "since": "2025-01-01", "lapses": None}],
        },
        {
            "entity": "E2",
            "tier": "key_attention",
            "grounds": [
                {
                    "category": 2,
                    "source": "smuggling_penalty",
                    "since": "2026-01-05",
                    "lapses": "2029-01-06",
                }
            ],
        },
        {"entity": "E3", "tier": "whitelist", "grounds": []},
        {
            "entity": "P1",
            "tier": "key_attention",
            "grounds": [
                {
                    "category": 2,
                    "source": "violation",
                    "since": "2024-02-29",
                    "lapses": "2027-03-01",
                }
            ],
        },
    ]


def test_classify_after_the_lapses(history: Path) -> None:
    result = runner.invoke(
        app, ["credit", "classify", "--history", str(history), "--as-of", "2029-01-06"]
    )
    assert result.exit_code == 0, result.output
    tiers = {r["entity"]: r["tier"] for r in _lines(result.stdout)}
    assert tiers == {"E1": "key_attention", "E2": "aeo", "E3": "key_attention", "P1": "whitelist"}


def test_classify_with_a_scenario_table(history: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("credit:\n  individual_removal_years: 1\n")
    result = runner.invoke(
        app,
        [
            "credit",
            "classify",
            "--history",
            str(history),
            "--as-of",
            "2025-03-01",
            "--scenario",
            str(scenario),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {r["entity"]: r["tier"] for r in _lines(result.stdout)}["P1"] == "whitelist"


def test_empty_history_prints_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = runner.invoke(
        app, ["credit", "classify", "--history", str(path), "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 0
    assert result.stdout == ""


BAD_LINES = [
    (
        '{"entity": "E9", "kind": "enterprise", "date": "2025-01-01", "event": "rating", '
        '"department": "tax", "grade": "E"}',
        "line 3: grade: not a tax grade (expected one of ['A', 'B', 'M', 'C', 'D']) (got 'E')",
    ),
    (
        '{"entity": "E9", "kind": "enterprise", "date": "2025-01-01", "event": "rating", '
        '"department": "harbour", "grade": "A"}',
        "line 3: department: unknown department (expected one of ['customs', 'tax', "
        "'market_supervision', 'maritime', 'transport', 'postal', 'agriculture', 'forestry', "
        "'anti_smuggling']) (got 'harbour')",
    ),
    (
        '{"entity": "E9", "kind": "enterprise", "date": "2025-01-01", "event": "audit"}',
        "line 3: event: unknown event (expected one of ['rating', 'aeo_certified', 'aeo_revoked', "
        "'smuggling_penalty', 'serious_dishonesty_listed', 'serious_dishonesty_removed', "
        "'legal_ground_listed', 'violation']) (got 'audit')",
    ),
    (
        '{"entity": "E9", "kind": "enterprise", "date": "2025-13-01", "event": "aeo_certified"}',
        "line 3: date: not a calendar date (got '2025-13-01')",
    ),
    (
        '{"entity": "E9", "kind": "enterprise", "date": "1/1/2025", "event": "aeo_certified"}',
        "line 3: date: must be a date YYYY-MM-DD (got '1/1/2025')",
    ),
    ('{"entity": "E9", "kind": "enterprise", "event": "aeo_certified"}', "line 3: date: missing"),
    (
        '{"entity": "P9", "kind": "individual", "date": "2025-01-01", '
        '"event": "smuggling_penalty"}',
        "line 3: event: not an event of an individual (got 'smuggling_penalty')",
    ),
    ("not json", "line 3: record: not valid JSON: Expecting value (got 'not json')"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
@pytest.mark.parametrize(
    "command", [["classify", "--as-of", "2026-01-01"], ["notifications", "--until", "2030-01-01"]]
)
def test_bad_line_exits_2_with_one_line_and_no_output(
    tmp_path: Path, bad: str, message: str, command: list[str]
) -> None:
    path = tmp_path / "h.jsonl"
    # Two good lines first: nothing of them may be printed.
    path.write_text(
        json.dumps(HISTORY[0])
        + "\n"
        + json.dumps(HISTORY[2])
        + "\n"
        + bad
        + "\n"
        + json.dumps(HISTORY[3])
        + "\n"
    )
    result = runner.invoke(app, ["credit", command[0], "--history", str(path), *command[1:]])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {path}: {message}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-02-30"], "error: --as-of: not a calendar date (got '2026-02-30')"),
        (["--as-of", "26-01-01"], "error: --as-of: must be a date YYYY-MM-DD (got '26-01-01')"),
        (
            ["--as-of", "2026-01-01", "--set", "credit.removal_years=2"],
            "error: --set: needs --scenario (the overrides apply to a scenario)",
        ),
    ],
)
def test_bad_options_exit_2(history: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["credit", "classify", "--history", str(history), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_missing_history_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.jsonl"
    result = runner.invoke(
        app, ["credit", "classify", "--history", str(missing), "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: no such file\n"


def test_bad_scenario_table(history: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("credit:\n  notify: [police]\n")
    result = runner.invoke(
        app,
        [
            "credit",
            "classify",
            "--history",
            str(history),
            "--as-of",
            "2026-01-01",
            "--scenario",
            str(scenario),
        ],
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {scenario}: credit.notify: 'police' is not a ")


def test_notifications_range(history: Path) -> None:
    result = runner.invoke(
        app,
        [
            "credit",
            "notifications",
            "--history",
            str(history),
            "--since",
            "2027-01-01",
            "--until",
            "2029-12-31",
        ],
    )
    assert result.exit_code == 0, result.output
    got = [(r["entity"], r["date"], r["from"], r["to"]) for r in _lines(result.stdout)]
    assert got == [
        ("E3", "2027-01-01", "whitelist", "key_attention"),
        ("P1", "2027-03-01", "key_attention", "whitelist"),
        ("E2", "2029-01-06", "key_attention", "aeo"),
    ]


def test_notifications_since_after_until(history: Path) -> None:
    result = runner.invoke(
        app,
        [
            "credit",
            "notifications",
            "--history",
            str(history),
            "--since",
            "2027-01-02",
            "--until",
            "2027-01-01",
        ],
    )
    assert result.exit_code == 2
    assert result.stderr == "error: --since: after --until 2027-01-01 (got '2027-01-02')\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe{}\n", "not UTF-8 text (byte 0)"), (None, "is a directory, not a history file")],
)
def test_unreadable_history(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "h.jsonl"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    result = runner.invoke(
        app, ["credit", "classify", "--history", str(path), "--as-of", "2026-01-01"]
    )
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: {message}\n"
