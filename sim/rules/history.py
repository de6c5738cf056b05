"""Credit histories: dated events per entity, one JSON object per line.

Classification is a function of an entity's history and a date, so the history is the one input
every part exchanges: the population generator writes it, the classifier and the reference
platform read it. Each line is one event::

    {"entity": "E1", "kind": "enterprise", "date": "2026-01-05", "event": "rating",
     "department": "tax", "grade": "D"}

- ``kind`` is ``enterprise`` or ``individual``; one entity keeps one kind throughout.
- ``event`` is one of :data:`EVENTS`. Enterprises have ``rating`` (needs ``department`` and a
  ``grade`` of that department's scale), ``aeo_certified``/``aeo_revoked``,
  ``smuggling_penalty``, ``serious_dishonesty_listed``, ``serious_dishonesty_removed``,
  ``legal_ground_listed``; individuals have ``violation`` and ``legal_ground_listed``. Other
  events may name the department that issued them, one the scale table lets record that kind
  (``issuers``: an AEO certification is customs' ...).
- ``date`` is ``YYYY-MM-DD`` exactly, inside the plausible window of :mod:`sim.rules.dates`;
  unknown keys are errors; blank lines are skipped.

Parsing checks every line and raises :class:`HistoryError` carrying the line number, the field
and the offending value, so a command can print ``FILE: line N: field: what (got VALUE)``.
Events of one entity keep their file order, which decides between events on the same date.
:class:`~sim.rules.history_writer.HistoryWriter` writes them. Reading and writing history files
are the only I/O in :mod:`sim.rules`, kept as thin shells around the pure parser so every part
exchanges histories in exactly one format.
"""

from __future__ import annotations

import json
import json.encoder
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args

from sim.rules.credit_table import CreditTable, default_table
from sim.rules.dates import FIRST_PLAUSIBLE, LAST_PLAUSIBLE, is_plausible

__all__ = [
    "ENTERPRISE_EVENTS",
    "EVENTS",
    "INDIVIDUAL_EVENTS",
    "CreditEvent",
    "EntityKind",
    "EventKind",
    "HistoryError",
    "group_by_entity",
    "parse_history",
    "parse_record",
    "read_history",
]

EntityKind = Literal["enterprise", "individual"]
EventKind = Literal[
    "rating",
    "aeo_certified",
    "aeo_revoked",
    "smuggling_penalty",
    "serious_dishonesty_listed",
    "serious_dishonesty_removed",
    "legal_ground_listed",
    "violation",
]
EVENTS: tuple[str, ...] = get_args(EventKind)
ENTERPRISE_EVENTS: frozenset[str] = frozenset(EVENTS) - {"violation"}
INDIVIDUAL_EVENTS: frozenset[str] = frozenset({"violation", "legal_ground_listed"})
_KINDS: tuple[str, ...] = get_args(EntityKind)
_FIELDS = ("entity", "kind", "date", "event", "department", "grade")
_FIELD_SET = frozenset(_FIELDS)
_quote: Callable[[str], str] = json.encoder.encode_basestring
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only (\d takes any script)
_ALLOWED = {"enterprise": ENTERPRISE_EVENTS, "individual": INDIVIDUAL_EVENTS}


def _show(value: Any, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_line(
    entity: str, kind: str, day: str, event: str, department: str | None, grade: str | None
) -> str:
    # Byte-identical to json.dumps(record, ensure_ascii=False) and several times faster: the
    # writer formats millions of lines. encode_basestring quotes and escapes like json.dumps.
    parts = [
        '{"entity": ',
        _quote(entity),
        ', "kind": ',
        _quote(kind),
        ', "date": ',
        _quote(day),
        ', "event": ',
        _quote(event),
    ]
    if department is not None:
        parts += [', "department": ', _quote(department)]
    if grade is not None:
        parts += [', "grade": ', _quote(grade)]
    parts.append("}")
    return "".join(parts)


class HistoryError(ValueError):
    """A bad history record, located by line number and field.

    Attributes:
        line: the 1-based line number (or record number, for records written from code).
        field: the offending field, or ``record`` for the line as a whole.
        message: what is wrong, in words.
        value: the offending value (``None`` when there is none to show).
    """

    def __init__(self, line: int, field: str, message: str, value: Any = None) -> None:
        self.line = line
        self.field = field
        self.message = message
        self.value = value
        got = "" if value is None else f" (got {_show(value)})"
        super().__init__(f"line {line}: {field}: {message}{got}")


@dataclass(frozen=True, slots=True)
class CreditEvent:
    """One dated event of one entity's credit history.

    Build events through :func:`parse_record` (or read them with :func:`parse_history`) to have
    them checked; the constructor trusts its arguments.
    """

    entity: str
    kind: EntityKind
    date: date
    event: EventKind
    department: str | None = None
    grade: str | None = None

    def to_line(self) -> str:
        """The event as one history line (no newline): the JSON of :meth:`to_record`."""
        return _format_line(
            self.entity, self.kind, self.date.isoformat(), self.event, self.department, self.grade
        )

    def to_record(self) -> dict[str, str]:
        """The event as the plain JSON object of a history line (absent fields omitted)."""
        record = {
            "entity": self.entity,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "event": self.event,
        }
        if self.department is not None:
            record["department"] = self.department
        if self.grade is not None:
            record["grade"] = self.grade
        return record


def _text(obj: Mapping[str, Any], key: str, line: int, *, required: bool) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise HistoryError(line, key, "missing")
        if key in obj:
            raise HistoryError(line, key, "must be a string, or left out", value)
        return None
    if not isinstance(value, str) or not value:
        raise HistoryError(line, key, "must be a non-empty string", value)
    return value


def parse_record(obj: Any, line: int = 1, table: CreditTable | None = None) -> CreditEvent:
    """Check one decoded record and turn it into a :class:`CreditEvent`.

    Args:
        obj: the decoded JSON object.
        line: its line number, for the error.
        table: the scale table grades are checked against (default: packaged).

    Raises:
        HistoryError: the first problem found, with line, field and value.
    """
    table = table or default_table()
    if type(obj) is dict:
        event = _parse_valid(obj, table)
        if event is not None:
            return event
    return _parse_checked(obj, line, table)


def _parse_valid(obj: dict[str, Any], table: CreditTable) -> CreditEvent | None:
    """The fast path for a record that is valid: the event, or None if anything looks off.

    Histories run to millions of lines, so the common case is checked with as few operations as
    possible; any doubt falls back to :func:`_parse_checked`, which finds and words the error.
    """
    if not _FIELD_SET.issuperset(obj):
        return None
    get = obj.get
    entity, kind, raw, event = get("entity"), get("kind"), get("date"), get("event")
    department, grade = get("department"), get("grade")
    allowed = _ALLOWED.get(kind)  # type: ignore[arg-type]
    if (
        allowed is None
        or event not in allowed
        or type(entity) is not str
        or not entity
        or type(raw) is not str
        or not _DATE.fullmatch(raw)
    ):
        return None
    if event == "rating":
        if type(department) is not str or type(grade) is not str:
            return None
        if not table.is_valid_grade(department, grade):
            return None
    else:
        if "grade" in obj:
            return None
        if "department" in obj and (
            department not in table.departments or not table.may_record(department, event)
        ):
            return None
    try:
        when = date.fromisoformat(raw)
    except ValueError:
        return None
    if not FIRST_PLAUSIBLE <= when <= LAST_PLAUSIBLE:
        return None
    return CreditEvent(entity, kind, when, event, department, grade)  # type: ignore[arg-type]


def _parse_checked(obj: Any, line: int, table: CreditTable) -> CreditEvent:
    """Check a record field by field, raising the first problem as a located error."""
    if not isinstance(obj, Mapping):
        raise HistoryError(line, "record", "must be a JSON object", obj)
    for key in obj:
        if key not in _FIELDS:
            raise HistoryError(line, str(key), f"unknown field (expected one of {list(_FIELDS)})")
    entity = _text(obj, "entity", line, required=True)
    kind = _text(obj, "kind", line, required=True)
    if kind not in _KINDS:
        raise HistoryError(line, "kind", f"must be one of {list(_KINDS)}", kind)
    raw_date = _text(obj, "date", line, required=True)
    assert raw_date is not None
    if not _DATE.fullmatch(raw_date):
        raise HistoryError(line, "date", "must be a date YYYY-MM-DD", raw_date)
    try:
        when = date.fromisoformat(raw_date)
    except ValueError:
        raise HistoryError(line, "date", "not a calendar date", raw_date) from None
    if not is_plausible(when):
        raise HistoryError(
            line, "date", f"outside {FIRST_PLAUSIBLE} .. {LAST_PLAUSIBLE}", raw_date
        )
    event = _text(obj, "event", line, required=True)
    if event not in EVENTS:
        raise HistoryError(line, "event", f"unknown event (expected one of {list(EVENTS)})", event)
    allowed = ENTERPRISE_EVENTS if kind == "enterprise" else INDIVIDUAL_EVENTS
    if event not in allowed:
        raise HistoryError(line, "event", f"not an event of an {kind}", event)
    department = _text(obj, "department", line, required=event == "rating")
    if department is not None and department not in table.departments:
        known = list(table.departments)
        raise HistoryError(
            line, "department", f"unknown department (expected one of {known})", department
        )
    if department is not None and not table.may_record(department, event):
        issuers = ", ".join(table.issuers[event])
        raise HistoryError(
            line, "department", f"{event} is recorded by {issuers} only", department
        )
    grade = _text(obj, "grade", line, required=event == "rating")
    if grade is not None:
        if event != "rating":
            raise HistoryError(line, "grade", "only a rating has a grade", grade)
        assert department is not None
        if not table.is_valid_grade(department, grade):
            scale = list(table.departments[department].grades)
            raise HistoryError(
                line, "grade", f"not a {department} grade (expected one of {scale})", grade
            )
    return CreditEvent(entity, kind, when, event, department, grade)  # type: ignore[arg-type]


def parse_history(lines: Iterable[str], table: CreditTable | None = None) -> Iterator[CreditEvent]:
    """Parse history lines lazily, one event per non-blank line.

    Also checks that an entity keeps one kind throughout.

    Raises:
        HistoryError: on the first bad line.
    """
    table = table or default_table()
    kinds: dict[str, str] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        obj = _decode(text, number)
        event = parse_record(obj, number, table)
        first = kinds.setdefault(event.entity, event.kind)
        if first != event.kind:
            raise HistoryError(
                number, "kind", f"entity {event.entity!r} was an {first} earlier", event.kind
            )
        yield event


def _decode(text: str, number: int) -> Any:
    """One line's JSON object, or the line's :class:`HistoryError` (never another exception)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryError(number, "record", f"not valid JSON: {exc.msg}", text.strip()) from None
    except RecursionError:
        raise HistoryError(number, "record", "not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise HistoryError(number, "record", f"not valid JSON: {exc}".split(";")[0]) from None
    if "\\u" in text:
        # A \u escape can make a lone surrogate, which no UTF-8 output can carry.
        _check_text(obj, number)
    return obj


def _check_text(obj: Any, number: int) -> None:
    if isinstance(obj, dict):
        for key, value in obj.items():
            _check_text(key, number)
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise HistoryError(
                        number, str(key), "not Unicode text (a lone surrogate)", value
                    ) from None
    elif isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            raise HistoryError(number, "record", "a key is not Unicode text") from None


def group_by_entity(events: Iterable[CreditEvent]) -> dict[str, list[CreditEvent]]:
    """Group events by entity, each list in the order given (first-seen entity order)."""
    grouped: dict[str, list[CreditEvent]] = {}
    for event in events:
        grouped.setdefault(event.entity, []).append(event)
    return grouped


def read_history(
    path: str | os.PathLike[str], table: CreditTable | None = None
) -> dict[str, list[CreditEvent]]:
    """Read and check a whole history file, grouped by entity (see :func:`group_by_entity`).

    Raises:
        HistoryError: the first bad line.
        OSError, UnicodeDecodeError: the file cannot be read.
    """
    with open(path, encoding="utf-8") as handle:
        return group_by_entity(parse_history(handle, table))
