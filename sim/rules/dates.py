"""Dates the rules accept: a plausible window for every record, and the facts a date must follow.

Every operation the rules decide carries a date, and a date can be impossible in two ways:

- **implausible** whatever the facts: a credit event in year 9999, a shipment in 1066. Dates are
  kept inside :data:`FIRST_PLAUSIBLE` .. :data:`LAST_PLAUSIBLE` (assumed bounds, wide enough for
  any credit history and any simulated period; past them, date arithmetic such as "the 25th of
  the next month" or "three years after the listing" would leave the calendar). The platform's
  API refuses such a date as invalid input (:mod:`sim.api.fields`), a history file as a bad line
  (:mod:`sim.rules.history`).
- **before a fact it depends on**: a declaration before the second line opened
  (:data:`SECOND_LINE_OPENED`), before its book was opened or before its goods were released; a
  booking before the release; an inspection before the declaration. :func:`not_before` refuses
  it with ``invalid_date`` and the two dates in the refusal's context. Never against the wall
  clock: a workload replays simulated dates, future ones included.
"""

from __future__ import annotations

from datetime import date

from sim.rules.refusals import Reason, Refusal

__all__ = ["FIRST_PLAUSIBLE", "LAST_PLAUSIBLE", "SECOND_LINE_OPENED", "is_plausible", "not_before"]

FIRST_PLAUSIBLE = date(1970, 1, 1)
"""The earliest date a record may carry [A]."""

LAST_PLAUSIBLE = date(2099, 12, 31)
"""The latest date a record may carry [A]."""

SECOND_LINE_OPENED = date(2025, 12, 18)
"""Special customs operations began (the island closed): no second-line exit before it [S]
(docs/sources.md: shangbao-2025-12-18)."""


def is_plausible(day: date) -> bool:
    """Whether ``day`` lies in the plausible window (both ends included)."""
    return FIRST_PLAUSIBLE <= day <= LAST_PLAUSIBLE


def not_before(on: date, earliest: date | None, what: str, **context: object) -> None:
    """Refuse an operation dated ``on`` before ``earliest`` (the date of a fact it needs).

    Args:
        on: the operation's date.
        earliest: the date of the fact (None: no such fact is known, nothing to check).
        what: the fact, in words, e.g. ``"the book was opened"``.
        context: more facts for the refusal (e.g. ``item="beef"``).

    Raises:
        Refusal: ``invalid_date`` with ``on`` and ``earliest`` (ISO dates) in its context.
    """
    if earliest is not None and on < earliest:
        raise Refusal(
            Reason.INVALID_DATE,
            f"{on.isoformat()} is before {what} ({earliest.isoformat()})",
            on=on.isoformat(), earliest=earliest.isoformat(), **context,
        )
