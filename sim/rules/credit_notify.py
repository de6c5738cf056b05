"""Tier-change notifications: who is told, when, and why.

Classification results are pushed to the departments concerned. Every change of an entity's tier
becomes one :class:`Notification` dated the exact day the new tier starts: the day of the event
that caused it, or the day a ground lapsed by time (three years after its latest listing event),
even when nothing was recorded that day. The addressees are the table's ``notify`` list plus every
department behind the grounds that started or ended, in the table's department order.

Two ways in:

- :func:`notifications` replays one entity's history over a date range (exact dates);
- :func:`notify_change` compares two classifications of one entity, for a caller that already
  classifies day by day; the notification is dated the later classification's day, which is
  exact only when the two are one day apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sim.rules.credit_classify import Classification, Ground, Tier, tier_timeline
from sim.rules.credit_table import CreditTable, default_table
from sim.rules.history import CreditEvent, EntityKind

__all__ = [
    "Notification",
    "departments_to_notify",
    "history_notifications",
    "notifications",
    "notify_change",
]


@dataclass(frozen=True, slots=True)
class Notification:
    """One tier change of one entity, as pushed to the departments concerned.

    Attributes:
        entity: the entity's key.
        kind: ``enterprise`` or ``individual``.
        date: the first day of the new tier.
        before: the tier until the day before.
        after: the tier from ``date``.
        departments: the departments to notify, in table order.
        grounds: the grounds active from ``date``.
        ended: the grounds that ended on ``date``.
    """

    entity: str
    kind: EntityKind
    date: date
    before: Tier
    after: Tier
    departments: tuple[str, ...]
    grounds: tuple[Ground, ...]
    ended: tuple[Ground, ...] = ()

    def to_record(self) -> dict[str, Any]:
        """The notification as plain JSON data (ISO dates; ``from``/``to`` for the tiers)."""
        return {
            "entity": self.entity,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "from": self.before,
            "to": self.after,
            "departments": list(self.departments),
            "grounds": [g.to_record() for g in self.grounds],
            "ended": [g.to_record() for g in self.ended],
        }


def departments_to_notify(
    grounds: Iterable[Ground], table: CreditTable | None = None
) -> tuple[str, ...]:
    """The table's ``notify`` departments plus those behind ``grounds``, in table order."""
    table = table or default_table()
    wanted = set(table.notify)
    for ground in grounds:
        wanted.update(ground.departments)
    return tuple(sorted(wanted, key=lambda d: (table.department_order(d), d)))


def notifications(
    events: Iterable[CreditEvent],
    end: date,
    start: date | None = None,
    table: CreditTable | None = None,
) -> list[Notification]:
    """Every tier change of one entity dated within ``start..end`` (both inclusive).

    Args:
        events: the entity's history (non-empty; see :func:`classify`).
        end: the last day of the range; later events are ignored.
        start: the first day of the range (default: from the beginning of the history).
        table: the scale table (default: the packaged one).

    Returns:
        The notifications in date order. Successive ranges that meet without overlapping
        (``start`` = previous ``end`` + 1 day) together give each change exactly once.
    """
    table = table or default_table()
    events = list(events)
    entity, kind = events[0].entity, events[0].kind
    return [
        Notification(
            entity,
            kind,
            change.date,
            change.before,
            change.after,
            departments_to_notify((*change.grounds, *change.ended), table),
            change.grounds,
            change.ended,
        )
        for change in tier_timeline(events, end, table)
        if start is None or change.date >= start
    ]


def history_notifications(
    history: Mapping[str, Iterable[CreditEvent]],
    end: date,
    start: date | None = None,
    table: CreditTable | None = None,
) -> list[Notification]:
    """:func:`notifications` for every entity of a grouped history, by date then entity."""
    found = [
        note for events in history.values() for note in notifications(events, end, start, table)
    ]
    found.sort(key=lambda n: (n.date, n.entity))
    return found


def _ended_on(ground: Ground, latest: date) -> date:
    if ground.lapses is not None and ground.lapses <= latest:
        return ground.lapses
    return latest


def notify_change(
    before: Classification, after: Classification, table: CreditTable | None = None
) -> Notification | None:
    """The notification between two classifications of one entity, or None if the tier held.

    The notification is dated ``after.as_of``; ended grounds are those active before and not
    after (matched by category, source and since), each with the day it ended as ``lapses``
    (its own lapse date if it lapsed by time, else ``after.as_of``).

    Raises:
        ValueError: the classifications are of different entities, or not in date order.
    """
    if before.entity != after.entity:
        raise ValueError(f"two entities: {before.entity!r} and {after.entity!r}")
    if after.as_of < before.as_of:
        raise ValueError(f"classifications out of order: {before.as_of} after {after.as_of}")
    if before.tier == after.tier:
        return None
    still = {(g.category, g.source, g.since) for g in after.grounds}
    # A ground that lapsed by time ended on its own lapse date; others by after.as_of.
    ended = tuple(
        Ground(g.category, g.source, g.since, _ended_on(g, after.as_of), g.departments)
        for g in before.grounds
        if (g.category, g.source, g.since) not in still
    )
    return Notification(
        after.entity,
        after.kind,
        after.as_of,
        before.tier,
        after.tier,
        departments_to_notify((*after.grounds, *ended), table),
        after.grounds,
        ended,
    )
