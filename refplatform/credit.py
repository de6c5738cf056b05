"""Credit in the database: stored history events in, :mod:`sim.rules.credit` decisions out.

The platform stores each entity's dated history (``history_events``) and asks the rules, never
its own code, for the tier: :func:`classification` replays the stored events through
``sim.rules.credit.classify`` as of a date. An entity with no history is on the whitelist (the
rules' default for everyone not certified or listed).

Tier changes are pushed to the departments concerned: after every event :func:`refresh_feed`
recomputes the entity's notifications with ``sim.rules.credit.notifications`` up to a horizon
that covers every pending automatic removal, inserts the ones not yet in the feed (one row per
department) and withdraws those a back-dated event made untrue. A department reads its feed in
id order, so a cursor (``after``) never misses a change.

For listing a tier's members on a date, :func:`refresh_spans` stores each entity's tier over all
days as spans (``tier_spans``, from ``sim.rules.credit.tier_timeline`` up to the same horizon),
on registration and after every event. :class:`HistoryCache` keeps the histories the
declaration hot path classifies, keyed by the entity's ``credit_version``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from refplatform.declaration_store import HistoryRow
from refplatform.models import Entity, HistoryEvent, Notification, TierSpan
from sim.rules.credit import (
    Classification,
    CreditEvent,
    CreditTable,
    EventKind,
    default_table,
    notifications,
    tier_timeline,
)
from sim.rules.oracle import tier_as_of

__all__ = [
    "FIRST_DAY",
    "HistoryCache",
    "classification",
    "classification_record",
    "events_of",
    "refresh_feed",
    "refresh_spans",
    "tier_of",
    "tier_spans",
]

FIRST_DAY = dt.date(1, 1, 1)
"""Where every entity's first tier span starts (before any history, it is on the whitelist)."""

# Category-2 grounds lapse three years after the latest listing: look that far past the last
# event (plus a margin) so every automatic removal is in the feed before its date arrives.
_HORIZON_DAYS = 366 * 4


def events_of(session: Session, entity: Entity, until: dt.date | None = None) -> list[CreditEvent]:
    """The entity's stored history as rule events, in the order they were recorded.

    Args:
        session: An open session.
        entity: The entity.
        until: Only events on or before this date, if given.

    Returns:
        The events (same-day events keep their recording order, as the rules require).
    """
    query = select(
        HistoryEvent.date, HistoryEvent.event, HistoryEvent.department, HistoryEvent.grade
    ).where(HistoryEvent.entity_id == entity.id)
    if until is not None:
        query = query.where(HistoryEvent.date <= until)
    rows = session.execute(query.order_by(HistoryEvent.id)).all()
    kind: Any = entity.kind
    return [
        CreditEvent(entity.id, kind, row.date, row.event, row.department, row.grade) for row in rows
    ]


def classification(
    session: Session, entity: Entity, as_of: dt.date, table: CreditTable
) -> Classification:
    """The entity's classification on ``as_of``: the oracle's tier query on its history.

    Args:
        session: An open session.
        entity: The entity.
        as_of: The date.
        table: The credit scale table of the platform's rules.

    Returns:
        The classification (whitelist, no grounds, for an entity without history).
    """
    kind: Any = entity.kind
    return tier_as_of(entity.id, kind, events_of(session, entity, as_of), as_of, table)


def tier_of(session: Session, entity: Entity, as_of: dt.date, table: CreditTable) -> str:
    """Just the tier of :func:`classification`."""
    return classification(session, entity, as_of, table).tier


class HistoryCache:
    """Entities' histories as last read by this process, keyed by their ``credit_version``.

    The declaration hot path classifies the declarant on every call; reading its history each
    time would double the statements per declaration. Every event bumps the entity's
    ``credit_version`` in the same transaction, and the hot path reads that version with the
    book row it locks anyway, so a cached history is used only while it is current, also
    across worker processes. Histories are replaced whole, never mutated, so a lock-free read
    of a slightly stale entry is harmless: its version no longer matches and it is reloaded.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._limit = limit
        self._entries: dict[str, tuple[int, list[CreditEvent]]] = {}

    def events(
        self,
        load: Callable[[str], Sequence[HistoryRow]],
        entity_id: str,
        kind: str,
        version: int,
    ) -> list[CreditEvent]:
        """The entity's events at ``version`` (``load(entity_id)`` when not cached)."""
        hit = self._entries.get(entity_id)
        if hit is not None and hit[0] == version:
            return hit[1]
        # Stored rows were checked against the rules' literals when they were recorded.
        any_kind: Any = kind
        events = [
            CreditEvent(
                entity_id, any_kind, r.date, cast(EventKind, r.event), r.department, r.grade
            )
            for r in load(entity_id)
        ]
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[entity_id] = (version, events)
        return events

    def tier(
        self,
        load: Callable[[str], Sequence[HistoryRow]],
        entity_id: str,
        kind: str,
        version: int,
        as_of: dt.date,
        table: CreditTable,
    ) -> str:
        """The entity's tier on ``as_of`` by ``sim.rules.credit.classify`` with ``table``."""
        return self.classification(load, entity_id, kind, version, as_of, table).tier

    def classification(
        self,
        load: Callable[[str], Sequence[HistoryRow]],
        entity_id: str,
        kind: str,
        version: int,
        as_of: dt.date,
        table: CreditTable,
    ) -> Classification:
        """The entity's classification (tier and active grounds) on ``as_of``, by the oracle."""
        any_kind: Any = kind
        return tier_as_of(entity_id, any_kind, self.events(load, entity_id, kind, version),
                          as_of, table)


def classification_record(result: Classification) -> dict[str, Any]:
    """The JSON answer for a classification: entity, as_of, tier, grounds, AEO status."""
    record = result.to_record()
    record["as_of"] = result.as_of.isoformat()
    record["kind"] = result.kind
    record["aeo_certified"] = result.aeo_certified
    return record


def refresh_feed(
    session: Session, entity: Entity, events: Sequence[CreditEvent], table: CreditTable
) -> int:
    """Bring the notification feed of one entity in line with its history.

    Args:
        session: A write session.
        entity: The entity whose history just changed.
        events: Its whole history (:func:`events_of`).
        table: The credit scale table (who is notified, the scales).

    Returns:
        How many notification rows were added.
    """
    wanted: dict[tuple[str, dt.date, str, str], dict[str, Any]] = {}
    if events:
        horizon = max(e.date for e in events) + dt.timedelta(days=_HORIZON_DAYS)
        for note in notifications(events, horizon, table=table):
            record = note.to_record()
            for department in note.departments:
                wanted[(department, note.date, note.before, note.after)] = record
    existing = session.execute(
        select(
            Notification.id,
            Notification.department,
            Notification.date,
            Notification.old_tier,
            Notification.new_tier,
        ).where(Notification.entity_id == entity.id)
    ).all()
    have = {(r.department, r.date, r.old_tier or "", r.new_tier): r.id for r in existing}
    stale = [rid for key, rid in have.items() if key not in wanted]
    if stale:
        session.execute(delete(Notification).where(Notification.id.in_(stale)))
    added = 0
    for key in sorted(wanted, key=lambda k: (k[1], k[0])):
        if key in have:
            continue
        department, day, before, after = key
        session.add(
            Notification(
                department=department,
                entity_id=entity.id,
                date=day,
                old_tier=before,
                new_tier=after,
                body=wanted[key],
            )
        )
        added += 1
    return added


def tier_spans(
    events: Sequence[CreditEvent], table: CreditTable | None = None
) -> list[tuple[dt.date, dt.date | None, str]]:
    """An entity's tier over all days, as ``(valid_from, valid_to, tier)`` spans.

    Computed by ``sim.rules.credit.tier_timeline`` up to the same horizon as the notification
    feed (past it no ground can lapse, so the last span is open: ``valid_to`` None).

    Args:
        events: The entity's whole history (see :func:`events_of`).
        table: The credit scale table (default: the packaged one, which the migration that
            first filled the spans used).

    Returns:
        Consecutive spans from :data:`FIRST_DAY`; the tier on day ``d`` is that of the span with
        ``valid_from <= d < valid_to``, exactly what ``classify`` says for ``d``.
    """
    starts: list[tuple[dt.date, str]] = [(FIRST_DAY, "whitelist")]
    if events:
        horizon = max(e.date for e in events) + dt.timedelta(days=_HORIZON_DAYS)
        starts += [(c.date, c.after)
                   for c in tier_timeline(events, horizon, table or default_table())]
    ends: list[dt.date | None] = [start for start, _ in starts[1:]]
    ends.append(None)
    return [(start, end, tier) for (start, tier), end in zip(starts, ends, strict=True)]


def refresh_spans(
    session: Session, entity: Entity, events: Sequence[CreditEvent], table: CreditTable
) -> None:
    """Replace the entity's stored tier spans with those of its current history.

    Args:
        session: A write session.
        entity: The entity (new, or whose history just changed).
        events: Its whole history (:func:`events_of`; none for a new entity).
        table: The credit scale table of the platform's rules.
    """
    session.execute(delete(TierSpan).where(TierSpan.entity_id == entity.id))
    session.add_all(
        TierSpan(entity_id=entity.id, valid_from=start, valid_to=end, tier=tier)
        for start, end, tier in tier_spans(events, table)
    )
