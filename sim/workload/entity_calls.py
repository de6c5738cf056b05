"""Entities on the platform: their registration and their credit history, as calls.

Every entity a workload's calls name is registered during the set-up (an admin call:
``POST /v1/entities`` with its credit code or identity number, its name and whether it is
registered in Hainan), and its credit history from the synthetic population is posted event by
event (``POST /v1/entities/{id}/events``, by the department the event comes from, or by the
admin for an event of no department), in the history's own order: same-day events apply in the
order they are recorded. Each event's expected answer is the entity's tier on the event's date
after it (:func:`sim.rules.oracle.tier_as_of`). An event dated before the period is set-up; one
dated inside it is a timed call at the first moment of its date (a day's events are in force
from its start, so no call of that day may be answered without them); later ones are not sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from itertools import repeat
from typing import NamedTuple, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.population import Population
from sim.population.events import EventTable
from sim.population.history_lines import history_records
from sim.rules.config import RulesConfig
from sim.rules.credit import CreditEvent, EventKind
from sim.rules.history import EntityKind
from sim.rules.oracle import tier_as_of
from sim.workload.builder import CallBuilder, dumps

__all__ = ["Entity", "EntityDirectory", "add_entities"]


class Entity(NamedTuple):
    """An entity to register: its key, kind, name and whether it is registered in Hainan.

    A named tuple: a peak day registers tens of thousands, and a tuple is made fastest.
    """

    key: str
    kind: str
    name: str
    hainan: bool


class EntityDirectory:
    """Looks entities up in the population: identities, names and credit histories.

    Args:
        population: the world's synthetic population.
    """

    def __init__(self, population: Population) -> None:
        self._pop = population
        # the rows last looked up: an export looks the same keys up for their registrations,
        # then for their histories, and each scan of a million identities counts
        self._last: tuple[str, list[str], np.ndarray] | None = None

    def _table(self, kind: str) -> tuple[pa.Table, str]:
        if kind == "enterprise":
            return self._pop.enterprises, "uscc"
        return self._pop.individuals, "id_number"

    def _rows(self, kind: str, keys: list[str]) -> np.ndarray:
        """The population rows of ``kind`` holding ``keys``, in the keys' order."""
        last = self._last
        if last is not None and last[0] == kind and last[1] == keys:
            return last[2]
        table, key = self._table(kind)
        column = table[key]
        # Scan the big column against the small key set (hashing the key set, not the column).
        mask = pc.is_in(column, value_set=pa.array(keys, pa.string()))
        rows = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
        row_of = dict(zip(column.take(pa.array(rows)).to_pylist(), rows.tolist(), strict=True))
        missing = [k for k in keys if k not in row_of]
        if missing:
            raise ValueError(f"entity {missing[0]!r} is not in the population")
        found = np.array([row_of[k] for k in keys], dtype=np.int64)
        self._last = (kind, list(keys), found)
        return found

    def lookup(self, kind: str, keys: list[str]) -> list[Entity]:
        """The entities of ``kind`` with these keys (credit codes or identity numbers)."""
        table, _ = self._table(kind)
        rows = pa.array(self._rows(kind, keys))
        names = table["name"].take(rows).to_pylist()
        if kind == "enterprise":
            hainan = table["hainan"].take(rows).to_pylist()
        else:
            hainan = [False] * len(keys)
        return list(map(tuple.__new__, repeat(Entity),
                        zip(keys, repeat(kind), names, map(bool, hainan), strict=False)))

    def histories(self, kind: str, keys: list[str]) -> dict[str, list[CreditEvent]]:
        """Each entity's credit history, in the order its events apply."""
        if not keys:
            return {}
        table, column = self._table(kind)
        events = self._pop.enterprise_events if kind == "enterprise" else \
            self._pop.individual_events
        rows = self._rows(kind, keys)
        mine: EventTable = events.select(np.isin(events.entity, rows))
        out: dict[str, list[CreditEvent]] = {k: [] for k in keys}
        ids = table[column].combine_chunks()
        for r in history_records([(kind, mine, ids)]):
            out[r["entity"]].append(CreditEvent(
                r["entity"], cast(EntityKind, kind), date.fromisoformat(r["date"]),
                cast(EventKind, r["event"]), r.get("department"), r.get("grade"),
            ))
        return out


def add_entities(
    builder: CallBuilder,
    directory: EntityDirectory,
    kind: str,
    keys: Iterable[str],
    rules: RulesConfig,
    *,
    start: date,
    start_offset_s: float,
    period: tuple[float, float],
) -> None:
    """Registration and credit-history calls for ``keys`` (see the module docstring).

    Args:
        builder: where the calls go.
        directory: the population's entities.
        kind: ``enterprise`` or ``individual``.
        keys: the entities' keys.
        rules: the rules' configuration (the credit scale table).
        start: the scenario's start date; ``start_offset_s`` its time after midnight.
        period: the period's model-time window ``[from, to)``.
    """
    ordered = sorted(set(keys))
    entities = directory.lookup(kind, ordered)
    # a peak day registers tens of thousands of travellers: as columns (add_many)
    builder.add_many(
        "setup", [0.0] * len(entities), "register_entity", "POST", "/v1/entities",
        [dumps({"id": e.key, "kind": kind, "code": e.key, "name": e.name,
                "registered_in_hainan": e.hainan}) for e in entities],
        "admin", "", [e.key for e in entities], 201,
        [dumps({"id": e.key, "kind": kind}) for e in entities],
        stage="register", touches_partition=True,
    )
    for key, history in directory.histories(kind, ordered).items():
        for i, event in enumerate(history):
            t = (event.date - start).days * 86_400.0 - start_offset_s
            if t >= period[1]:
                break
            after = tier_as_of(key, event.kind, history[: i + 1], event.date, rules.credit)
            body: dict[str, str] = {"date": event.date.isoformat(), "event": event.event}
            if event.department:
                body["department"] = event.department
            if event.grade:
                body["grade"] = event.grade
            timed = t >= period[0]
            builder.add(
                "timed" if timed else "setup", t if timed else float(i), "credit_event",
                "POST", f"/v1/entities/{key}/events", body,
                "department" if event.department else "admin", event.department or "", key,
                201, {"tier_after": after.tier}, stage="history", first=True, touches=(key,),
            )


def day_start_s(day: date, start: date, start_offset_s: float) -> float:
    """Model time of the first moment of ``day``."""
    return (day - start).days * 86_400.0 - start_offset_s


def day_of(t: float, start: date, start_offset_s: float) -> date:
    """The local date of model time ``t``."""
    return start + timedelta(days=int((t + start_offset_s) // 86_400.0))
