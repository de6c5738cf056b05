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

The model fills one :class:`RecordGroup` per port and flow (preallocated Python lists: assigning
a float into a list is the cheapest write on the simulation's hot path), and :func:`concat`
turns the groups into one :class:`Records` table of NumPy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "AMOUNT_COLUMNS",
    "CATEGORY_COLUMNS",
    "FLAG_COLUMNS",
    "IDENTITY_COLUMNS",
    "RECORD_COLUMNS",
    "STRING_COLUMNS",
    "TIME_COLUMNS",
    "RecordGroup",
    "Records",
    "concat",
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
    "id", *CATEGORY_COLUMNS, *IDENTITY_COLUMNS, *FLAG_COLUMNS, *AMOUNT_COLUMNS, *TIME_COLUMNS
)
"""Every column of the records table, in file order."""

_NAN = math.nan


@dataclass
class RecordGroup:
    """The journeys of one flow at one port, filled in place by the model.

    Attributes:
        port: port id.
        flow: flow name.
        arrival: arrival times (known before the run).
        tier, route: one string per journey.
        violation, detected: one flag per journey.
        times: segment column -> a list of floats, NaN until the model writes it.
        ids: identity column -> one string per journey (missing columns are empty strings).
        amounts: amount column -> one integer per journey (missing columns are zeros).
    """

    port: str
    flow: str
    arrival: Sequence[float]
    tier: Sequence[str]
    route: Sequence[str]
    violation: Sequence[bool]
    detected: Sequence[bool]
    times: dict[str, list[float]] = field(default_factory=dict)
    ids: Mapping[str, Sequence[str]] = field(default_factory=dict)
    amounts: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.arrival)
        for name in TIME_COLUMNS[1:]:
            self.times.setdefault(name, [_NAN] * n)

    def __len__(self) -> int:
        return len(self.arrival)


@dataclass(frozen=True)
class Records:
    """The records table: column name -> NumPy array, all of the same length."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def select(self, mask: np.ndarray) -> Records:
        """The rows where ``mask`` is true."""
        return Records({k: v[mask] for k, v in self.columns.items()})


def concat(groups: Sequence[RecordGroup]) -> Records:
    """One table from the groups, ids numbered in group order."""
    total = sum(len(g) for g in groups)
    cols: dict[str, np.ndarray] = {"id": np.arange(total, dtype=np.int64)}
    for name in STRING_COLUMNS:
        parts = [np.asarray(_category(g, name), dtype=object) for g in groups]
        cols[name] = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    for name in AMOUNT_COLUMNS:
        ints = [np.asarray(g.amounts.get(name, np.zeros(len(g))), dtype=np.int64) for g in groups]
        cols[name] = np.concatenate(ints) if ints else np.empty(0, dtype=np.int64)
    for name in FLAG_COLUMNS:
        parts = [np.asarray(getattr(g, name), dtype=bool) for g in groups]
        cols[name] = np.concatenate(parts) if parts else np.empty(0, dtype=bool)
    cols["arrival"] = _floats([g.arrival for g in groups])
    for name in TIME_COLUMNS[1:]:
        cols[name] = _floats([g.times[name] for g in groups])
    return Records({name: cols[name] for name in RECORD_COLUMNS})


def _category(group: RecordGroup, name: str) -> Sequence[str]:
    if name == "port":
        return [group.port] * len(group)
    if name == "flow":
        return [group.flow] * len(group)
    if name in IDENTITY_COLUMNS:
        return group.ids.get(name, [""] * len(group))
    values: Sequence[str] = getattr(group, name)
    return values


def _floats(parts: Sequence[Sequence[float]]) -> np.ndarray:
    if not parts:
        return np.empty(0, dtype=np.float64)
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts])
