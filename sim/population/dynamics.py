"""List dynamics: how the key-attention list grows and shrinks month by month over years.

Policy analysts ask how big the key-attention list gets, how many entities join it each month
and how many leave it automatically (a department's rating rises above its lowest grade, three
years pass without recurrence, a serious-dishonesty listing is removed). This module answers
with a monthly series computed from a history, vectorised over the whole population:

1. a history: either planted by the population's processes over ``history_years`` of warm-up
   (so the list starts in its steady state) plus the simulated years, or read from a file;
2. the tiers of every entity at every month end, from a :class:`TierTimeline` (the credit
   rules restated as intervals, checked against ``classify`` in the tests);
3. per month: list size, AEO and whitelist sizes, entities that joined (``listings``) and left
   (``removals``) the list since the previous month end, and the listing events dated in the
   month. ``size[t] = size[t-1] + listings[t] - removals[t]`` holds exactly; an entity listed
   and removed within one month appears in ``listing_events`` but in neither flow.

The first row of each kind is the baseline: the month end before the first simulated month,
with zero flows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pyarrow as pa

from sim.population.enterprises import enterprise_events
from sim.population.events import CATEGORY2_EVENTS, EVENTS, EventTable
from sim.population.individuals import violation_events
from sim.population.scales import Scales
from sim.population.timeline import TierTimeline, add_years, day_number, from_day_number
from sim.rng import RandomStreams
from sim.rules.credit import CreditEvent
from sim.scenario.population import PopulationSection

__all__ = [
    "COLUMNS",
    "dynamics_table",
    "events_from_history",
    "month_ends",
    "simulate_dynamics",
]

COLUMNS = (
    "kind", "month", "month_end", "key_attention", "aeo", "whitelist", "listings", "removals",
    "listing_events",
)


def month_ends(first_month: date, months: int) -> np.ndarray:
    """Day numbers of the month end before ``first_month`` and of the next ``months`` month ends."""
    first = np.datetime64(first_month.replace(day=1), "M")
    starts = first + np.arange(months + 1).astype("timedelta64[M]")
    result: np.ndarray = starts.astype("datetime64[D]").astype(np.int64) - 1
    return result


def _listing_events(events: EventTable) -> np.ndarray:
    """Days of the events that list (or re-list) an entity."""
    code = events.event
    listing = np.isin(code, [EVENTS.index(e) for e in CATEGORY2_EVENTS])
    listing |= (code == EVENTS.index("rating")) & events.lowest
    listed_days: np.ndarray = events.day[listing]
    return listed_days


def dynamics_table(
    kind: str, n_entities: int, events: EventTable, ends: np.ndarray, removal_years: int
) -> pa.Table:
    """The monthly series of one kind of entity.

    Args:
        kind: ``enterprise`` or ``individual``.
        n_entities: number of entities (those without events are on the whitelist).
        events: their history.
        ends: month-end day numbers, the baseline first (see :func:`month_ends`).
        removal_years: years after which a category 2 ground lapses.

    Returns:
        A table with :data:`COLUMNS`, one row per month end.
    """
    timeline = TierTimeline(n_entities, events, removal_years)
    series = timeline.series(ends)
    listed_days = np.sort(_listing_events(events))
    per_month = np.diff(np.searchsorted(listed_days, ends, side="right"), prepend=0)
    per_month[0] = 0
    months = [from_day_number(int(d)).strftime("%Y-%m") for d in ends]
    return pa.table({
        "kind": pa.array([kind] * len(ends)),
        "month": pa.array(months),
        "month_end": pa.array(ends.astype(np.int32), pa.date32()),
        "key_attention": pa.array(series["key_attention"]),
        "aeo": pa.array(series["aeo"] if kind == "enterprise" else np.zeros(len(ends), np.int64)),
        "whitelist": pa.array(series["whitelist"]),
        "listings": pa.array(series["listings"]),
        "removals": pa.array(series["removals"]),
        "listing_events": pa.array(per_month.astype(np.int64)),
    })


def events_from_history(
    history: Mapping[str, Sequence[CreditEvent]], kind: str, scales: Scales
) -> tuple[EventTable, list[str]]:
    """The events of one kind of entity in a parsed history, as an :class:`EventTable`.

    Args:
        history: events grouped by entity (as ``sim.rules.credit.read_history`` returns them;
            each entity's events in file order).
        kind: ``enterprise`` or ``individual``.
        scales: the credit rules' scales the history was checked against.

    Returns:
        The events (``entity`` numbers entities in order of first appearance) and the keys.
    """
    departments = list(scales.departments)
    keys: list[str] = []
    entity, day, code, dept, grade, lowest, effect = [], [], [], [], [], [], []
    for key, events in history.items():
        if not events or events[0].kind != kind:
            continue
        row = len(keys)
        keys.append(key)
        for event in events:
            entity.append(row)
            day.append(day_number(event.date))
            code.append(EVENTS.index(event.event))
            d = departments.index(event.department) if event.department is not None else -1
            dept.append(d)
            scale = scales.departments[event.department] if event.department else None
            g = scale.grades.index(event.grade) if scale and event.grade is not None else -1
            grade.append(g)
            lowest.append(event.event == "rating" and scale is not None
                          and event.grade in scale.listing)
            if event.event == "aeo_certified":
                effect.append(1)
            elif event.event == "aeo_revoked":
                effect.append(-1)
            elif event.event == "rating" and event.department == "customs":
                effect.append(1 if event.grade in scales.aeo_grades else -1)
            else:
                effect.append(0)
    table = EventTable.build(
        np.array(entity, dtype=np.int64), np.array(day, dtype=np.int64),
        np.array(code, dtype=np.int8), department=np.array(dept, dtype=np.int8),
        grade=np.array(grade, dtype=np.int8), lowest=np.array(lowest, dtype=bool),
        aeo_effect=np.array(effect, dtype=np.int8),
    )
    # Keep file order for same-day events of an entity: concat sorts stably by (day, entity).
    grades = tuple(s.grades for s in scales.departments.values())
    return EventTable.concat([table], tuple(departments), grades), keys


def simulate_dynamics(
    section: PopulationSection,
    scales: Scales,
    seed: int,
    first_month: date,
    years: int,
    *,
    enterprises: int,
    individuals: int = 0,
) -> pa.Table:
    """Plant histories over warm-up plus ``years`` and return the monthly series.

    Args:
        section: the scenario's population section (rates; ``history_years`` of warm-up).
        scales: the credit rules' scales.
        seed: the run's seed.
        first_month: the first simulated month (any day of it).
        years: simulated years.
        enterprises: number of enterprises.
        individuals: number of individuals (0 for none).

    Returns:
        Enterprise rows, then individual rows (if any), each baseline first.
    """
    streams = RandomStreams(seed)
    ends = month_ends(first_month, 12 * years)
    start = int(add_years(ends[:1] + 1, -section.history_years)[0])
    window = (start, int(ends[-1]) + 1)
    tables = [dynamics_table(
        "enterprise", enterprises,
        enterprise_events(section.enterprises, streams, enterprises, window, scales),
        ends, scales.removal_years,
    )]
    if individuals:
        tables.append(dynamics_table(
            "individual", individuals,
            violation_events(section.individuals, streams, individuals, window),
            ends, scales.individual_removal_years,
        ))
    return pa.concat_tables(tables)

