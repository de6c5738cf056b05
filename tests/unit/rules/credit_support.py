"""Shared helper of the credit-rule tests: one history event from a few words."""

from __future__ import annotations

from typing import Any

from sim.rules.credit import CreditEvent, parse_record


def ev(
    day: str,
    event: str,
    dept: str | None = None,
    grade: str | None = None,
    *,
    entity: str = "E1",
    kind: str = "enterprise",
) -> CreditEvent:
    """A parsed (so checked) history event of ``entity`` on ``day``."""
    record: dict[str, Any] = {"entity": entity, "kind": kind, "date": day, "event": event}
    if dept is not None:
        record["department"] = dept
    if grade is not None:
        record["grade"] = grade
    return parse_record(record)
