"""Journey records: one row per journey, as columns, with the time of every segment.

After the WCO Time Release Study, a journey through a port is a chain of timed segments:
arrival, waiting for a channel, the channel pass, waiting for and undergoing an H986 scan, the
officer's image review, waiting for an inspection bay, then (in the bay) for an officer, manual
inspection, release and (at the strait) boarding a ferry. Each is a column of seconds since the
scenario start; a segment the journey did not go through is NaN. Categorical columns (port,
flow, tier, route) are strings.

A journey also says *who* and *what*, so that it can be sent to a platform and its answer
checked (:mod:`sim.workload`): the ``entity`` (an enterprise's unified social credit code or a
traveller's identity number), the declaration ``reference``, the account ``book``, the batch-exit
``shipment``, the ``risk_indicators`` the goods showed (comma-separated names), the declarant's
listing ``grounds`` when it is on the key-attention list, and for a duty-free traveller the
purchases presented (``purchase_fen``) and what the traveller had used of the year's quota before
(``used_before_fen``). Empty strings and zeros where they do not apply.

The model fills one :class:`RecordGroup` per port and flow, and :func:`concat` turns the groups
into one :class:`Records` table of NumPy arrays. Every per-journey column of a group is a
:class:`Column`: a list cut into fixed pages of :data:`PAGE` journeys (assigning a float into a
list is the cheapest write on the simulation's hot path; a page costs one shift and one mask
more). Pages are what lets a long run stream its records: journeys arrive in order, so once
every journey of a page has finished (released, and aboard when the group boards a ferry), the
page can be written out (:mod:`sim.results.stream`) and dropped, and memory follows the
simulated day rather than the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.results.columns import PAGE, Column, narrow

__all__ = [
    "AMOUNT_COLUMNS",
    "CATEGORY_COLUMNS",
    "FLAG_COLUMNS",
    "IDENTITY_COLUMNS",
    "PAGE",
    "RECORD_COLUMNS",
    "STRING_COLUMNS",
    "TIME_COLUMNS",
    "Column",
    "RecordGroup",
    "Records",
    "Times",
    "concat",
    "rows",
]

TIME_COLUMNS: tuple[str, ...] = (
    "arrival",
    "channel_start",
    "channel_end",
    "scan_start",
    "scan_end",
    "review_start",
    "review_end",
    "bay_start",
    "inspection_start",
    "inspection_end",
    "release",
    "boarding",
)
"""Segment times in seconds since the scenario start (NaN when not applicable or not reached).

``bay_start`` is when a truck sent to manual inspection took a bay; ``inspection_start`` when an
officer joined it there, so bay_start -> inspection_start is the wait for an officer with a bay
held."""

CATEGORY_COLUMNS: tuple[str, ...] = ("port", "flow", "tier", "route")
"""``route`` is release / scan / inspection for declarations, non_customs or duty_free_check
otherwise, backlog for supervised trucks already cleared and waiting for a ferry when the run
starts; ``tier`` is empty for journeys that do not declare."""

IDENTITY_COLUMNS: tuple[str, ...] = (
    "entity", "reference", "book", "shipment", "risk_indicators", "grounds"
)
"""Who and what a journey is (strings, empty where they do not apply); ``grounds`` are the
declarant's active listing grounds that day (comma-separated sources, for key-attention)."""

AMOUNT_COLUMNS: tuple[str, ...] = ("purchase_fen", "used_before_fen")
"""Duty-free purchases presented and the year's quota used before (integer fen; 0 otherwise)."""

STRING_COLUMNS: tuple[str, ...] = (*CATEGORY_COLUMNS, *IDENTITY_COLUMNS)

FLAG_COLUMNS: tuple[str, ...] = ("violation", "detected")

RECORD_COLUMNS: tuple[str, ...] = (
    "id",
    *CATEGORY_COLUMNS,
    *IDENTITY_COLUMNS,
    *FLAG_COLUMNS,
    *AMOUNT_COLUMNS,
    *TIME_COLUMNS,
)
"""Every column of the records table, in file order."""

_NAN = math.nan

class Times(dict[str, Column]):
    """Segment columns by name; a plain sequence assigned to a name becomes a :class:`Column`."""

    def __setitem__(self, name: str, values: Iterable[Any]) -> None:
        # a column of its own (still compact if untouched), so writes never alias another
        super().__setitem__(name, values.copy() if isinstance(values, Column) else Column(values))


_PAGED = frozenset({"arrival", "tier", "route", "violation", "detected"})


@dataclass
class RecordGroup:
    """The journeys of one flow at one port, filled in place by the model.

    Every sequence given or assigned (arrivals, tiers, routes, flags, segment times, identity
    columns) is kept as a :class:`Column` (give one made from a NumPy array to hold the values
    compact until the run reaches their pages).

    Attributes:
        port: port id.
        flow: flow name.
        arrival: arrival times (known before the run), in order.
        tier, route: one string per journey.
        violation, detected: one flag per journey.
        times: segment column -> a list of floats, NaN until the model writes it.
        ids: identity column -> one string per journey (missing columns are empty strings).
        amounts: amount column -> one integer per journey (missing columns are zeros).
        boards: whether the journeys end aboard a ferry (set by the ferry): a journey is
            finished when released and, if it boards, aboard.
        inputs: other per-journey columns the model reads (pre-drawn service times), dropped
            with the group's pages.
    """

    port: str
    flow: str
    arrival: Sequence[float]
    tier: Sequence[str]
    route: Sequence[str]
    violation: Sequence[bool]
    detected: Sequence[bool]
    times: Times = field(default_factory=Times)
    ids: Mapping[str, Sequence[str]] = field(default_factory=dict)
    amounts: dict[str, np.ndarray] = field(default_factory=dict)
    boards: bool = False
    inputs: list[Column] = field(default_factory=list)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PAGED and not isinstance(value, Column):
            value = Column(value)
        elif name == "amounts":  # held narrow, widened to int64 when rows are made
            value = {k: narrow(v) for k, v in value.items()}
        elif name == "ids":
            value = {k: v if isinstance(v, Column) else Column(v) for k, v in value.items()}
        elif name == "times" and not isinstance(value, Times):
            times = Times()
            for k, v in value.items():
                times[k] = v
            value = times
        object.__setattr__(self, name, value)

    def __post_init__(self) -> None:
        n = len(self.arrival)
        for name in TIME_COLUMNS[1:]:
            if name not in self.times:
                self.times[name] = Column.filled(_NAN, n)

    def __len__(self) -> int:
        return len(self.arrival)

    def finished_until(self, start: int) -> int:
        """The first journey at or after ``start`` that has not finished (or ``len``)."""
        release = self.times["release"]
        boarding = self.times["boarding"] if self.boards else None
        n = len(self)
        i = start
        while i < n:
            if release[i] != release[i] or (boarding is not None and boarding[i] != boarding[i]):
                break  # NaN: not released, or not yet aboard
            i += 1
        return i

    def columns(self) -> list[Column]:
        """Every paged column of the group."""
        return [self.arrival, self.tier, self.route, self.violation, self.detected,  # type: ignore[list-item]
                *self.times.values(), *self.ids.values(), *self.inputs]  # type: ignore[list-item]  # fmt: skip

    def drop_before(self, i: int) -> None:
        """Drop the pages of every column that lie wholly before journey ``i`` (everything
        once ``i`` is past the last journey)."""
        for column in self.columns():
            column.drop_before(i)
        if i >= len(self):
            self.amounts = {}


@dataclass(frozen=True)
class Records:
    """The records table: column name -> NumPy array, all of the same length."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def select(self, mask: np.ndarray, columns: Sequence[str] | None = None) -> Records:
        """The rows where ``mask`` is true (the table itself when that is every row: tables
        are never modified in place, and a year's port is millions of rows to copy).

        Args:
            mask: which rows.
            columns: copy only these (and ``id``); by default every column.
        """
        if columns is None:
            if mask.dtype == np.bool_ and len(mask) == len(self) and bool(np.all(mask)):
                return self
            return Records({k: v[mask] for k, v in self.columns.items()})
        return Records({k: self.columns[k][mask] for k in dict.fromkeys(("id", *columns))})


def rows(group: RecordGroup, start: int, stop: int, first_id: int) -> Records:
    """Journeys ``start .. stop-1`` of ``group`` as a table; ids from ``first_id + start``."""
    n = stop - start
    cols: dict[str, np.ndarray] = {
        "id": np.arange(first_id + start, first_id + stop, dtype=np.int64)
    }
    for name in STRING_COLUMNS:
        cols[name] = np.asarray(_category(group, name, start, stop), dtype=object)
    for name in AMOUNT_COLUMNS:
        amounts = group.amounts.get(name)
        cols[name] = (
            np.zeros(n, dtype=np.int64)
            if amounts is None
            else np.asarray(amounts[start:stop], dtype=np.int64)
        )
    for name in FLAG_COLUMNS:
        column: Column = getattr(group, name)
        cols[name] = np.asarray(column.slice(start, stop), dtype=bool)
    cols["arrival"] = np.asarray(group.arrival.slice(start, stop), dtype=np.float64)  # type: ignore[attr-defined]
    for name in TIME_COLUMNS[1:]:
        cols[name] = np.asarray(group.times[name].slice(start, stop), dtype=np.float64)
    return Records({name: cols[name] for name in RECORD_COLUMNS})


def concat(groups: Sequence[RecordGroup]) -> Records:
    """One table from the groups, ids numbered in group order."""
    parts, first = [], 0
    for g in groups:
        parts.append(rows(g, 0, len(g), first))
        first += len(g)
    if not parts:
        return rows(RecordGroup("", "", [], [], [], [], []), 0, 0, 0)
    return Records({name: np.concatenate([p[name] for p in parts]) for name in RECORD_COLUMNS})


def _category(group: RecordGroup, name: str, start: int, stop: int) -> Sequence[str]:
    if name == "port":
        return [group.port] * (stop - start)
    if name == "flow":
        return [group.flow] * (stop - start)
    if name in IDENTITY_COLUMNS:
        values = group.ids.get(name)
        return [""] * (stop - start) if values is None else values.slice(start, stop)  # type: ignore[attr-defined]
    column: Column = getattr(group, name)
    return column.slice(start, stop)
