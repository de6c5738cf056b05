"""Dated credit-history events, as columns, and the processes that plant them.

A credit history is a list of dated events (``rating``, ``smuggling_penalty``, ``violation`` ...)
per entity; the credit rules turn it into a tier on any date. For a million entities the history
is held as an :class:`EventTable`: parallel NumPy arrays (entity row, day, event code, department,
grade), never a Python object per event.

Events are planted by two kinds of process, both vectorised over all entities at once:

- **Poisson events** (penalties, listings, individuals' violations): each entity's count over
  the window is Poisson with its annual rate times the window's length, and the days are uniform
  over the window. Rates can differ per entity (risky entities incur more).
- **Alternating states** (a department's rating at its lowest grade or not, AEO certified or
  not): a two-state renewal process. The state at the window start is drawn from the stationary
  share and, if it is the marked state, written as an event on the first day (the state carried
  in from before the window); then exponential sojourns alternate, each at least a day long so
  that no two changes of one entity fall on the same day. The loop runs over "next change" for all
  chains at once and ends when every chain has left the window.

Days are integers: days since 1970-01-01 (``datetime64[D]`` as int).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules.history import EVENTS

__all__ = [
    "CATEGORY2_EVENTS",
    "EVENTS",
    "EventTable",
    "alternating_events",
    "poisson_events",
]

# EVENTS (the history format's event names, from sim.rules.history) is indexed by int8 code here.

CATEGORY2_EVENTS: tuple[str, ...] = (
    "smuggling_penalty",
    "serious_dishonesty_listed",
    "legal_ground_listed",
    "violation",
)
"""Events that list an entity until three years pass without recurrence."""

_EMPTY_I64 = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class EventTable:
    """Credit-history events as parallel columns.

    Attributes:
        entity: row number of the entity in its table (int64).
        day: date of the event, days since 1970-01-01 (int64).
        event: index into :data:`EVENTS` (int8).
        department: index into ``departments`` or -1 (int8).
        grade: index into that department's grades (best first) or -1 (int8).
        lowest: whether the rating lists the entity (its grade is recognised as the unified
            scale's lowest level) (bool).
        aeo_effect: +1 if the event makes the entity AEO (``aeo_certified``, a customs rating
            at an AEO grade), -1 if it ends AEO (``aeo_revoked``, any other customs rating),
            0 otherwise (int8).
        departments: department keys that ``department`` indexes.
        grades: per department key, its grades from best to lowest.
    """

    entity: np.ndarray
    day: np.ndarray
    event: np.ndarray
    department: np.ndarray
    grade: np.ndarray
    lowest: np.ndarray
    aeo_effect: np.ndarray
    departments: tuple[str, ...] = ()
    grades: tuple[tuple[str, ...], ...] = ()

    def __len__(self) -> int:
        return len(self.entity)

    @staticmethod
    def build(
        entity: np.ndarray,
        day: np.ndarray,
        event: str | np.ndarray,
        *,
        department: np.ndarray | None = None,
        grade: np.ndarray | None = None,
        lowest: np.ndarray | None = None,
        aeo_effect: np.ndarray | None = None,
    ) -> EventTable:
        """Events of one name (``event`` a string) or mixed names (an int8 code array).

        ``aeo_effect`` defaults to +1 for ``aeo_certified``, -1 for ``aeo_revoked``, else 0;
        pass it for customs ratings.
        """
        n = len(entity)
        codes = (
            np.full(n, EVENTS.index(event), dtype=np.int8)
            if isinstance(event, str)
            else np.asarray(event, dtype=np.int8)
        )
        if aeo_effect is None:
            aeo_effect = (
                (codes == EVENTS.index("aeo_certified")).astype(np.int8)
                - (codes == EVENTS.index("aeo_revoked")).astype(np.int8)
            )
        return EventTable(
            entity=np.asarray(entity, dtype=np.int64),
            day=np.asarray(day, dtype=np.int64),
            event=codes,
            department=np.full(n, -1, np.int8) if department is None else department,
            grade=np.full(n, -1, np.int8) if grade is None else grade,
            lowest=np.zeros(n, bool) if lowest is None else lowest,
            aeo_effect=np.asarray(aeo_effect, dtype=np.int8),
        )

    @staticmethod
    def concat(
        parts: list[EventTable],
        departments: tuple[str, ...] = (),
        grades: tuple[tuple[str, ...], ...] = (),
    ) -> EventTable:
        """All ``parts`` in one table, sorted by day then entity (stable: ties keep part order).

        Same-day events of one entity apply in table order, so parts must be given in the order
        their same-day events should apply.
        """
        if not parts:
            parts = [EventTable.build(_EMPTY_I64, _EMPTY_I64, _EMPTY_I64.astype(np.int8))]
        entity = np.concatenate([p.entity for p in parts])
        day = np.concatenate([p.day for p in parts])
        order = np.lexsort((entity, day))
        return EventTable(
            entity=entity[order],
            day=day[order],
            event=np.concatenate([p.event for p in parts])[order],
            department=np.concatenate([p.department for p in parts])[order],
            grade=np.concatenate([p.grade for p in parts])[order],
            lowest=np.concatenate([p.lowest for p in parts])[order],
            aeo_effect=np.concatenate([p.aeo_effect for p in parts])[order],
            departments=departments,
            grades=grades,
        )

    def select(self, mask: np.ndarray) -> EventTable:
        """The events where ``mask`` holds (order kept)."""
        return EventTable(
            self.entity[mask], self.day[mask], self.event[mask], self.department[mask],
            self.grade[mask], self.lowest[mask], self.aeo_effect[mask], self.departments,
            self.grades,
        )


def poisson_events(
    rng: np.random.Generator, rate_per_year: np.ndarray, start: int, end: int
) -> tuple[np.ndarray, np.ndarray]:
    """Entities and days of Poisson events over ``[start, end)`` (days).

    Args:
        rng: the stream to draw from.
        rate_per_year: expected events per entity-year, one per entity.
        start: first day of the window.
        end: day after the last day of the window.

    Returns:
        ``(entity, day)`` arrays, unsorted.
    """
    years = (end - start) / 365.2425
    counts = rng.poisson(np.asarray(rate_per_year, dtype=float) * years)
    entity = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    day = start + rng.integers(0, end - start, size=len(entity), dtype=np.int64)
    return entity, day


def alternating_events(
    rng: np.random.Generator,
    entity: np.ndarray,
    on_share: np.ndarray,
    mean_on_days: np.ndarray,
    mean_off_days: np.ndarray,
    start: int,
    end: int,
    *,
    until: int | None = None,
    future: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Changes of a two-state (off/on) process per chain over ``[start, end)`` (or ``until``).

    Args:
        rng: the stream to draw from.
        entity: the entity of each chain.
        on_share: probability each chain is "on" at ``start``.
        mean_on_days: mean sojourn in "on", per chain (days).
        mean_off_days: mean sojourn in "off", per chain (days); ``inf`` for never switching on.
        start: first day of the window.
        end: day after the last day of the window.
        until: continue the process to this day (exclusive) past ``end``: the change that
            crosses ``end`` is the one already drawn, later sojourns come from ``future``, so
            the changes before ``end`` are exactly those without ``until``.
        future: the stream of the sojourns after ``end`` (required with ``until``).

    Returns:
        ``(chain, day, on)``: for every change, the chain index, the day and the new state. A
        chain "on" at the start has a change to "on" dated ``start``.
    """
    n = len(entity)
    on = rng.random(n) < on_share
    chains = [np.flatnonzero(on)]
    days = [np.full(len(chains[0]), start, dtype=np.int64)]
    states = [np.ones(len(chains[0]), dtype=bool)]
    t = np.full(n, start, dtype=np.float64)
    alive = np.arange(n)
    for phase_rng, limit in ((rng, end), (future, until)):
        if limit is None or phase_rng is None:
            break
        if phase_rng is not rng:  # the crossing change was drawn in the first phase
            alive = np.flatnonzero(t < limit)
            on[alive] = ~on[alive]
            chains.append(alive)
            days.append(t[alive].astype(np.int64))
            states.append(on[alive].copy())
        while alive.size:
            mean = np.where(on[alive], mean_on_days[alive], mean_off_days[alive])
            with np.errstate(invalid="ignore"):
                step = 1.0 + np.floor(phase_rng.exponential(1.0, alive.size) * mean)
            t[alive] += step
            inside = t[alive] < limit
            alive = alive[inside]
            on[alive] = ~on[alive]
            chains.append(alive)
            days.append(t[alive].astype(np.int64))
            states.append(on[alive].copy())
    return np.concatenate(chains), np.concatenate(days), np.concatenate(states)
