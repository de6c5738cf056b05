"""History records: parsing with located errors, grouping, and the streaming atomic writer."""

from __future__ import annotations

import itertools
import json
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sim.rules.credit_table import default_table
from sim.rules.history import (
    CreditEvent,
    HistoryError,
    _parse_checked,
    _parse_valid,
    parse_history,
    parse_record,
    read_history,
)
from sim.rules.history_writer import HistoryWriter, write_history

GOOD = [
    {
        "entity": "E1",
        "kind": "enterprise",
        "date": "2025-01-05",
        "event": "rating",
        "department": "tax",
        "grade": "D",
    },
    {"entity": "P1", "kind": "individual", "date": "2024-02-29", "event": "violation"},
    {
        "entity": "E1",
        "kind": "enterprise",
        "date": "2024-03-01",
        "event": "smuggling_penalty",
        "department": "anti_smuggling",
    },
    {
        "entity": "E2",
        "kind": "enterprise",
        "date": "2026-04-01",
        "event": "aeo_certified",
        "department": "customs",
    },
    {"entity": "E1", "kind": "enterprise", "date": "2026-01-01", "event": "aeo_revoked"},
]


def _lines(records: list[Any]) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def test_parse_good_lines() -> None:
    events = list(parse_history(_lines(GOOD)))
    assert events[0] == CreditEvent("E1", "enterprise", date(2025, 1, 5), "rating", "tax", "D")
    assert events[1] == CreditEvent("P1", "individual", date(2024, 2, 29), "violation")
    assert [e.to_record() for e in events] == GOOD


def test_every_event_kind_is_accepted_where_it_belongs() -> None:
    for event in [
        "aeo_certified",
        "aeo_revoked",
        "smuggling_penalty",
        "serious_dishonesty_listed",
        "serious_dishonesty_removed",
        "legal_ground_listed",
    ]:
        record = {"entity": "E", "kind": "enterprise", "date": "2025-01-01", "event": event}
        assert parse_record(record).event == event
    for event in ["violation", "legal_ground_listed"]:
        record = {"entity": "P", "kind": "individual", "date": "2025-01-01", "event": event}
        assert parse_record(record).event == event


def _rating(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = dict(GOOD[0])
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


BAD: list[tuple[str, Any, str, str]] = [
    (
        "unknown department",
        _rating(department="harbour"),
        "department",
        "line 2: department: unknown department (expected one of ['customs', 'tax', ",
    ),
    (
        "grade of another scale",
        _rating(grade="E"),
        "grade",
        "line 2: grade: not a tax grade (expected one of ['A', 'B', 'M', 'C', 'D']) (got 'E')",
    ),
    ("customs grade on tax", _rating(grade="regular"), "grade", "(got 'regular')"),
    ("unknown event", _rating(event="audit"), "event", "line 2: event: unknown event"),
    (
        "month without padding",
        _rating(date="2025-1-05"),
        "date",
        "line 2: date: must be a date YYYY-MM-DD (got '2025-1-05')",
    ),
    (
        "no such day",
        _rating(date="2025-02-29"),
        "date",
        "line 2: date: not a calendar date (got '2025-02-29')",
    ),
    ("basic ISO form", _rating(date="20250105"), "date", "(got '20250105')"),
    (
        "date as a number",
        _rating(date=20250105),
        "date",
        "line 2: date: must be a non-empty string (got 20250105)",
    ),
    ("missing entity", _rating(entity=None), "entity", "line 2: entity: missing"),
    ("missing date", _rating(date=None), "date", "line 2: date: missing"),
    (
        "rating without department",
        _rating(department=None),
        "department",
        "line 2: department: missing",
    ),
    ("rating without grade", _rating(grade=None), "grade", "line 2: grade: missing"),
    ("empty entity", _rating(entity=""), "entity", "must be a non-empty string (got '')"),
    (
        "unknown kind",
        _rating(kind="person"),
        "kind",
        "line 2: kind: must be one of ['enterprise', 'individual'] (got 'person')",
    ),
    (
        "individual rated",
        _rating(kind="individual", entity="P9"),
        "event",
        "line 2: event: not an event of an individual (got 'rating')",
    ),
    (
        "enterprise violation",
        {"entity": "E9", "kind": "enterprise", "date": "2025-01-01", "event": "violation"},
        "event",
        "line 2: event: not an event of an enterprise (got 'violation')",
    ),
    (
        "grade on a penalty",
        {
            "entity": "E9",
            "kind": "enterprise",
            "date": "2025-01-01",
            "event": "smuggling_penalty",
            "grade": "D",
        },
        "grade",
        "line 2: grade: only a rating has a grade (got 'D')",
    ),
    (
        "AEO by tax",
        {
            "entity": "E9",
            "kind": "enterprise",
            "date": "2025-01-01",
            "event": "aeo_certified",
            "department": "tax",
        },
        "department",
        "aeo_certified is recorded by customs only (got 'tax')",
    ),
    (
        "smuggling penalty by tax",
        {
            "entity": "E9",
            "kind": "enterprise",
            "date": "2025-01-01",
            "event": "smuggling_penalty",
            "department": "tax",
        },
        "department",
        "smuggling_penalty is recorded by customs, anti_smuggling only (got 'tax')",
    ),
    (
        "year 9999",
        _rating(date="9999-12-31"),
        "date",
        "line 2: date: outside 1970-01-01 .. 2099-12-31 (got '9999-12-31')",
    ),
    (
        "null department",
        _rating(department=None) | {"department": None},
        "department",
        "line 2: department: missing",
    ),
    ("unknown field", _rating(score=3), "score", "line 2: score: unknown field"),
    ("not JSON", '{"entity": "E1",', "record", "line 2: record: not valid JSON"),
    (
        "JSON but not an object",
        "[1, 2]",
        "record",
        "line 2: record: must be a JSON object (got [1, 2])",
    ),
    (
        "kind changes",
        _rating(kind="individual", entity="P1", event="violation", department=None, grade=None),
        "kind",
        "line 2: kind: entity 'P1' was an enterprise earlier (got 'individual')",
    ),
]


@pytest.mark.parametrize(("record", "field", "text"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_line_is_located(record: Any, field: str, text: str) -> None:
    # Line 1 declares P1 an individual; line 2 is the bad one.
    first = {"entity": "P1", "kind": "individual", "date": "2024-01-01", "event": "violation"}
    if field == "kind" and "was an" in text:
        first = {
            "entity": "P1",
            "kind": "enterprise",
            "date": "2024-01-01",
            "event": "smuggling_penalty",
        }
    with pytest.raises(HistoryError) as info:
        list(parse_history(_lines([first, record])))
    assert info.value.line == 2
    assert info.value.field == field
    assert text in str(info.value)


def test_blank_lines_are_skipped_but_counted() -> None:
    lines = [json.dumps(GOOD[0]), "", "   ", '{"entity": "E1"}']
    with pytest.raises(HistoryError, match=r"^line 4: kind: missing$"):
        list(parse_history(lines))


def test_long_values_are_shortened_in_errors() -> None:
    with pytest.raises(HistoryError) as info:
        parse_record(_rating(department="x" * 500))
    assert str(info.value).endswith("(got '" + "x" * 56 + "...)")


def test_read_history_groups_by_entity_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(_lines(GOOD)) + "\n")
    grouped = read_history(path)
    assert list(grouped) == ["E1", "P1", "E2"]
    assert [e.event for e in grouped["E1"]] == ["rating", "smuggling_penalty", "aeo_revoked"]


def test_writer_round_trips_dicts_and_events(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    events = list(parse_history(_lines(GOOD)))
    count = write_history(path, [GOOD[0], *events[1:]])
    assert count == len(GOOD)
    assert [json.loads(line) for line in path.read_text().splitlines()] == GOOD
    assert [e for es in read_history(path).values() for e in es] == sorted(
        events, key=lambda e: ["E1", "P1", "E2"].index(e.entity)
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_writer_streams_and_keeps_unicode(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    with HistoryWriter(path) as writer:
        for i in range(1000):
            writer.write(
                {
                    "entity": f"海南企业{i}",
                    "kind": "enterprise",
                    "date": "2025-01-01",
                    "event": "legal_ground_listed",
                }
            )
        assert not path.exists()  # nothing visible until the end
    assert writer.count == 1000
    assert "海南企业999" in path.read_text(encoding="utf-8")


def test_writer_rejects_bad_record_and_leaves_target_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text("old\n")
    with pytest.raises(HistoryError, match=r"^line 2: grade: not a tax grade"):
        write_history(path, [GOOD[0], _rating(grade="Z")])
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["h.jsonl"]


def test_writer_checks_constructed_events(tmp_path: Path) -> None:
    bad = CreditEvent("E1", "individual", date(2025, 1, 1), "rating", "tax", "D")
    with pytest.raises(HistoryError, match="not an event of an individual"):
        write_history(tmp_path / "h.jsonl", [bad])


def test_writer_checks_kind_consistency(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="line 2: kind"):
        write_history(
            tmp_path / "h.jsonl",
            [GOOD[0], _rating(kind="individual", event="violation", department=None, grade=None)],
        )


def test_writer_abort_on_exception_in_block(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    with pytest.raises(RuntimeError), HistoryWriter(path) as writer:
        writer.write(GOOD[0])
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


VARIANTS: dict[str, list[Any]] = {
    "entity": ["E1", "", 7, None, '企业"1'],
    "kind": ["enterprise", "individual", "person", None],
    "date": [
        "2025-01-05", "2025-02-29", "２０２５-01-05", "2025-1-5", 20250105, "9999-12-31", None,
    ],
    "event": ["rating", "violation", "aeo_certified", "smuggling_penalty", "audit", None],
    "department": ["tax", "customs", "harbour", "", None, "<absent>"],
    "grade": ["D", "regular", "Z", None, "<absent>"],
}


def test_fast_path_agrees_with_the_checked_path() -> None:
    """Every combination: the fast parser accepts exactly what the checked parser accepts."""
    table = default_table()
    keys = list(VARIANTS)
    accepted = 0
    for values in itertools.product(*VARIANTS.values()):
        record = {k: v for k, v in zip(keys, values, strict=True) if v != "<absent>"}
        fast = _parse_valid(record, table)
        try:
            checked = _parse_checked(record, 1, table)
        except HistoryError:
            assert fast is None, record
            continue
        accepted += 1
        assert fast is None or fast == checked, record
        if fast is not None:
            assert checked.to_line() == json.dumps(checked.to_record(), ensure_ascii=False)
    # The grid does exercise valid records (a smuggling penalty by tax is not one of them).
    assert accepted == 16
    assert (
        parse_record(
            {
                "entity": "E1",
                "kind": "enterprise",
                "date": "2025-01-05",
                "event": "rating",
                "department": "tax",
                "grade": "D",
            }
        )
        is not None
    )


def test_unchecked_writer_writes_what_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    events = list(parse_history(_lines(GOOD)))
    with HistoryWriter(path, check=False) as writer:
        writer.write(GOOD[0])
        writer.write_all(events[1:])
    assert [json.loads(line) for line in path.read_text().splitlines()] == GOOD
