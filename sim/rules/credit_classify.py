"""Second-line credit classification: an entity's tier as a function of its history and a date.

Under the 2025 Hainan provisions on second-line clearance credit, every enterprise is on one of
three tiers and every individual on one of two:

- enterprises: ``aeo`` (advanced certified), ``key_attention``, or ``whitelist`` (everyone
  else, automatically);
- individuals: ``whitelist`` by default, or ``key_attention``.

An entity is on the key-attention list while it has at least one active *ground*:

- **category 1** (enterprises): some department's current rating is at the lowest level of the
  mutual-recognition table (see :mod:`sim.rules.credit_table`). It lapses on the date that
  department rates the entity above its lowest grade, so it has no automatic lapse date.
- **category 2** (enterprises): an administrative penalty for smuggling, a listing as seriously
  dishonest, or another legal ground. It lapses ``removal_years`` (3) after the latest event of
  that ground; a recurrence before then restarts the clock. ``serious_dishonesty_removed`` ends
  the serious-dishonesty ground at once.
- **individuals**: a violation or another legal ground, lapsing ``individual_removal_years`` (3)
  after the latest such event. They are reported as category 2 (they lapse by time).

Decisions where the rules are silent (assumptions, documented here and in the tests):

- **Three years** are counted as the PRC Civil Code (art. 201) counts periods: the listing day
  itself is not counted, the period ends on the corresponding day three years later, or on the
  last day of that month when there is none. The ground holds through that last day and has
  lapsed the next day, which is the ``lapses`` date reported: listed 2023-05-10 -> lapses
  2026-05-11; listed 2024-02-29 -> period ends 2027-02-28 -> lapses 2027-03-01.
- **Key attention outranks AEO**: a certified enterprise with an active ground is on the
  key-attention list (the provisions do not say; treating it as AEO would lower inspection of a
  penalised firm).
- **AEO** holds after ``aeo_certified`` or a customs rating in the table's ``aeo_grades``
  (``advanced_certified`` by default), until ``aeo_revoked`` or a customs rating outside them:
  the latest of these events decides.
- Each category-2 source (``smuggling_penalty``, ``serious_dishonesty_listed``,
  ``legal_ground_listed``, ``violation``) is one ground per entity, whichever department
  recorded the event; ``serious_dishonesty_removed`` ends the serious-dishonesty ground whoever
  listed it. A ground's ``since`` is the first day of its uninterrupted run: a recurrence while
  it holds keeps ``since`` and moves ``lapses``; one after it lapsed starts a new run.
- Events on the same date apply in their history order; events after ``as_of`` are ignored, so
  an as-of query is exact whatever was recorded later.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sim.rules.credit_table import CreditTable, default_table
from sim.rules.history import CreditEvent, EntityKind
from sim.rules.tiers import AEO, KEY_ATTENTION, TIERS, WHITELIST, Tier

__all__ = [
    "AEO",
    "KEY_ATTENTION",
    "LISTING_EVENTS",
    "TIERS",
    "WHITELIST",
    "Classification",
    "Ground",
    "Tier",
    "TierChange",
    "add_years",
    "classify",
    "lapse_date",
    "tier_timeline",
]


LISTING_EVENTS: frozenset[str] = frozenset(
    {"smuggling_penalty", "serious_dishonesty_listed", "legal_ground_listed", "violation"}
)
"""Events that list (or re-list) a category-2 ground; each is the ``source`` of its ground."""

# The events that end a category-2 ground early.
_REMOVALS = {"serious_dishonesty_removed": "serious_dishonesty_listed"}


def add_years(day: date, years: int) -> date:
    """The corresponding day ``years`` later; 29 February becomes 28 February in a common year."""
    target = day.year + years
    last = calendar.monthrange(target, day.month)[1]
    return day.replace(year=target, day=min(day.day, last))


def lapse_date(listed: date, years: int = 3) -> date:
    """The first day a time-limited listing made on ``listed`` no longer holds.

    The period is counted as the Civil Code counts it (see the module docstring): it ends on
    ``add_years(listed, years)``, and the listing has lapsed the day after.
    """
    return add_years(listed, years) + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Ground:
    """One active reason for the key-attention list.

    Attributes:
        category: 1 (lowest department rating) or 2 (penalty, listing, individual's violation).
        source: the department key for category 1, the listing event for category 2.
        since: the first day of this uninterrupted run of the ground.
        lapses: the day it lapses if nothing recurs (category 2), or None (category 1, which
            lapses only when the department's rating rises).
        departments: departments that issued the events behind it (for notifications).
    """

    category: Literal[1, 2]
    source: str
    since: date
    lapses: date | None
    departments: tuple[str, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """The ground as plain JSON data: category, source, since, lapses (ISO dates)."""
        return {
            "category": self.category,
            "source": self.source,
            "since": self.since.isoformat(),
            "lapses": None if self.lapses is None else self.lapses.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Classification:
    """An entity's tier on one date, with the grounds that put it there.

    Attributes:
        entity: the entity's key.
        kind: ``enterprise`` or ``individual``.
        as_of: the date classified.
        tier: ``aeo``, ``whitelist`` or ``key_attention``.
        grounds: the active grounds, by category, then since, then source.
        aeo_certified: whether the enterprise holds AEO certification that day (also when a
            ground outranks it).
    """

    entity: str
    kind: EntityKind
    as_of: date
    tier: Tier
    grounds: tuple[Ground, ...]
    aeo_certified: bool = False

    def to_record(self) -> dict[str, Any]:
        """The classification as the JSON object ``credit classify`` prints."""
        return {
            "entity": self.entity,
            "tier": self.tier,
            "grounds": [ground.to_record() for ground in self.grounds],
        }


@dataclass(frozen=True, slots=True)
class TierChange:
    """A change of an entity's tier.

    Attributes:
        date: the first day of the new tier.
        before: the tier up to the day before.
        after: the tier from ``date``.
        grounds: the grounds active on ``date`` (as known that day).
        ended: grounds that ended on ``date`` (their ``lapses`` is that date).
    """

    date: date
    before: Tier
    after: Tier
    grounds: tuple[Ground, ...]
    ended: tuple[Ground, ...] = ()


@dataclass(frozen=True, slots=True)
class _Span:
    """One uninterrupted run of a ground: active on ``since <= day < end`` (end None: open)."""

    category: Literal[1, 2]
    source: str
    since: date
    end: date | None
    departments: tuple[str, ...]

    def active(self, day: date) -> bool:
        return self.since <= day and (self.end is None or day < self.end)

    def ground(self) -> Ground:
        return Ground(self.category, self.source, self.since, self.end, self.departments)


def _ordered(events: Iterable[CreditEvent], until: date | None) -> list[CreditEvent]:
    """The events on or before ``until``, in date order; checks they are of one entity."""
    events = list(events)
    if not events:
        raise ValueError("an empty history has no entity to classify (it is on the whitelist)")
    first = events[0]
    for event in events:
        if event.entity != first.entity or event.kind != first.kind:
            raise ValueError(
                f"events of two entities mixed: {first.entity!r} ({first.kind}) and "
                f"{event.entity!r} ({event.kind})"
            )
    kept = [e for e in events if until is None or e.date <= until]
    kept.sort(key=lambda e: e.date)  # stable: same-day events keep their history order
    return kept


def _add_department(departments: tuple[str, ...], event: CreditEvent) -> tuple[str, ...]:
    if event.department is None or event.department in departments:
        return departments
    return (*departments, event.department)


def _replay(
    events: Sequence[CreditEvent], table: CreditTable
) -> tuple[list[_Span], list[tuple[date, bool]]]:
    """Replay ordered events into ground spans and AEO status changes ``(date, certified)``."""
    if not events:
        return [], []
    years = (
        table.individual_removal_years if events[0].kind == "individual" else table.removal_years
    )
    spans: list[_Span] = []
    lowest: dict[str, date] = {}  # department -> since, for open category-1 runs
    timed: dict[str, tuple[date, date, tuple[str, ...]]] = {}  # source -> since, lapses, depts
    aeo: list[tuple[date, bool]] = []

    def close(span: _Span) -> None:
        if span.end is None or span.since < span.end:  # a same-day on/off leaves no span
            spans.append(span)

    for event in events:
        day, name = event.date, event.event
        if name == "rating":
            dept, grade = event.department, event.grade
            assert dept is not None and grade is not None
            if table.is_listing_grade(dept, grade):
                lowest.setdefault(dept, day)
            elif dept in lowest:
                close(_Span(1, dept, lowest.pop(dept), day, (dept,)))
            if dept == "customs":
                aeo.append((day, table.is_aeo_grade(grade)))
        elif name in ("aeo_certified", "aeo_revoked"):
            aeo.append((day, name == "aeo_certified"))
        elif name in LISTING_EVENTS:
            run = timed.get(name)
            if run is not None and day >= run[1]:  # lapsed before this recurrence
                close(_Span(2, name, run[0], run[1], run[2]))
                run = None
            since, depts = (day, ()) if run is None else (run[0], run[2])
            timed[name] = (since, lapse_date(day, years), _add_department(depts, event))
        elif name in _REMOVALS:
            run = timed.pop(_REMOVALS[name], None)
            if run is not None:
                close(_Span(2, _REMOVALS[name], run[0], min(day, run[1]), run[2]))
    for dept, since in lowest.items():
        close(_Span(1, dept, since, None, (dept,)))
    for source, (since, lapses, depts) in timed.items():
        close(_Span(2, source, since, lapses, depts))
    return spans, aeo


def _tier(kind: EntityKind, listed: bool, certified: bool) -> Tier:
    if listed:
        return KEY_ATTENTION
    if kind == "enterprise" and certified:
        return AEO
    return WHITELIST


def _sorted_grounds(grounds: Iterable[Ground]) -> tuple[Ground, ...]:
    return tuple(sorted(grounds, key=lambda g: (g.category, g.since, g.source)))


def classify(
    events: Iterable[CreditEvent], as_of: date, table: CreditTable | None = None
) -> Classification:
    """Classify one entity on ``as_of`` from its history.

    Args:
        events: the entity's events (any order; same-day events apply in the order given).
            Events after ``as_of`` are ignored.
        as_of: the day to classify.
        table: the scale table (default: the packaged one).

    Returns:
        The tier, the active grounds with their lapse dates, and the AEO status.

    Raises:
        ValueError: no events at all (an entity without history is on the whitelist), or events
            of more than one entity.
    """
    table = table or default_table()
    events = list(events)
    ordered = _ordered(events, as_of)
    spans, aeo = _replay(ordered, table)
    grounds = _sorted_grounds(span.ground() for span in spans if span.active(as_of))
    certified = bool(aeo) and aeo[-1][1]
    entity, kind = events[0].entity, events[0].kind
    tier = _tier(kind, bool(grounds), certified)
    return Classification(entity, kind, as_of, tier, grounds, certified and kind == "enterprise")


def tier_timeline(
    events: Iterable[CreditEvent], until: date, table: CreditTable | None = None
) -> list[TierChange]:
    """Every change of an entity's tier up to ``until`` (inclusive), in date order.

    Before its first event every entity is on the whitelist, so the first change (if any) starts
    from ``whitelist``. A ground lapsing by time changes the tier on its exact lapse date.

    Args:
        events: the entity's events (see :func:`classify`).
        until: the last day considered; events after it are ignored.
        table: the scale table (default: the packaged one).

    Returns:
        The changes; the tier on any day ``d <= until`` is ``after`` of the last change on or
        before ``d`` (``whitelist`` if none), exactly as :func:`classify` would say.
    """
    table = table or default_table()
    ordered = _ordered(events, until)
    spans, aeo = _replay(ordered, table)
    # The tier can change only on an event date or where a ground ends: check those days.
    days = sorted(
        {e.date for e in ordered}
        | {s.end for s in spans if s.end is not None and s.end <= until}
        | {d for d, _ in aeo}
    )
    changes: list[TierChange] = []
    current: Tier = WHITELIST
    for day in days:
        now = classify(ordered, day, table)
        if now.tier != current:
            ended = _sorted_grounds(
                Ground(s.category, s.source, s.since, day, s.departments)
                for s in spans
                if s.end == day
            )
            changes.append(TierChange(day, current, now.tier, now.grounds, ended))
            current = now.tier
    return changes
