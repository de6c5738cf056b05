"""Journey records: one row per journey, as columns, with the time of every segment.

After the WCO Time Release Study, a journey through a port is a chain of timed segments:
arrival, waiting for a channel, the channel pass, waiting for and undergoing an H986 scan, the
officer's image review, waiting for and undergoing manual inspection, release and (at the strait)
boarding a ferry. Each is a column of seconds since the scenario start; a segment the journey did
not go through is NaN. Categorical columns (port, flow, tier, route) are strings.

A journey also says *who* and *what*, so that it can be sent to a platform and its answer
checked (:mod:`sim.workload`): the ``entity`` (an enterprise's unified social credit code or a
traveller's identity number), the declaration ``reference``, the account ``book``, the batch-exit
``shipment``, the ``risk_indicators`` the goods showed (comma-separated names), and for a duty-free
traveller the purchases presented (``purchase_fen``) and what the traveller had used of the
year's quota before (``used_before_fen``). Empty strings and zeros where they do not apply.

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

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
    "inspection_start",
    "inspection_end",
    "release",
    "boarding",
)
"""Segment times in seconds since the scenario start (NaN when not applicable or not reached)."""

CATEGORY_COLUMNS: tuple[str, ...] = ("port", "flow", "tier", "route")
"""``route`` is release / scan / inspection for declarations, non_customs or duty_free_check
otherwise; ``tier`` is empty for journeys that do not declare."""

IDENTITY_COLUMNS: tuple[str, ...] = ("entity", "reference", "book", "shipment", "risk_indicators")
"""Who and what a journey is (strings, empty where they do not apply)."""

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

_SHIFT = 12
PAGE = 1 << _SHIFT
"""Journeys per page of a :class:`Column` (a power of two: index -> page is a shift)."""
_MASK = PAGE - 1


class _Dropped:
    """Stands for a page that was written out: any access is an error."""

    __slots__ = ()

    def __getitem__(self, k: Any) -> Any:
        raise IndexError("this journey was already written out and dropped")

    __setitem__ = __getitem__


_DROPPED: Any = _Dropped()


def _compact(values: Iterable[Any]) -> np.ndarray | pa.Array:
    """Values as a compact array: numbers and flags unboxed, strings as one Arrow buffer."""
    if isinstance(values, np.ndarray | pa.Array):
        return values
    items = values if isinstance(values, list) else list(values)
    if not items or not isinstance(items[0], str):
        array = np.asarray(items)
        if array.dtype.kind in "biuf":
            return array
    strings = pa.array(items, type=pa.string())
    # a few distinct values (tiers, routes, ports' books): store each once
    return strings.dictionary_encode() if len(items) > 64 * _few(strings) else strings


def _few(strings: pa.Array) -> int:
    """The number of distinct values among the first thousand (a cheap estimate)."""
    return len(pa.compute.unique(strings.slice(0, 1000)))


class Column(Sequence[Any]):
    """A per-journey list in pages of :data:`PAGE`, made on first use and dropped once written.

    The values given are kept compact (a NumPy array); a page becomes a Python list (the
    model's cheap read and write) only when a journey in it is first touched, which for a
    journey is around its arrival, and is dropped once its journeys are written out. So a long
    run holds lists for the journeys in progress only. Indexing (get and set) takes
    non-negative ints; iteration, ``len``, ``==`` with a list and ``numpy.asarray`` work as on
    a list while no page was dropped.

    Args:
        values: the initial values (a NumPy array is kept as is).
    """

    __slots__ = ("_fill", "_n", "_pages", "_source")

    def __init__(self, values: Iterable[Any]) -> None:
        self._source: np.ndarray | pa.Array | None = _compact(values)
        self._fill: Any = None
        self._n = len(self._source)
        self._pages: list[Any] = [None] * ((self._n + PAGE - 1) >> _SHIFT)

    @classmethod
    def filled(cls, value: Any, n: int) -> Column:
        """``n`` copies of ``value`` (nothing is allocated until a page is used)."""
        column = cls(np.empty(0))
        column._source, column._fill, column._n = None, value, n
        column._pages = [None] * ((n + PAGE - 1) >> _SHIFT)
        return column

    def _page(self, k: int) -> list[Any]:
        """Page ``k`` as a list, made now if needed (a write is coming)."""
        page = self._pages[k]
        if page is None:
            page = self._view(k)
            self._pages[k] = page
        result: list[Any] = page
        return result

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> Any:  # type: ignore[override]  # ints only, no slices
        try:
            return self._pages[i >> _SHIFT][i & _MASK]
        except TypeError:  # None: no page made; read the compact values, make nothing
            return self._read(i)

    def _read(self, i: int) -> Any:
        if not 0 <= i < self._n:
            raise IndexError(f"journey {i} out of range ({self._n})")
        if self._source is None:
            return self._fill
        value = self._source[i]
        return value.as_py() if isinstance(value, pa.Scalar) else value.item()

    def __setitem__(self, i: int, value: Any) -> None:
        try:
            self._pages[i >> _SHIFT][i & _MASK] = value
        except TypeError:
            self._page(i >> _SHIFT)[i & _MASK] = value

    def __iter__(self) -> Iterator[Any]:
        for k in range(len(self._pages)):  # page by page: dropping behind the iterator is fine
            yield from self._view(k)

    def _view(self, k: int) -> list[Any]:
        """Page ``k``'s values: the page if made, else a temporary list (nothing kept)."""
        page: list[Any] | None = self._pages[k]
        if page is not None:
            return page[:] if page is _DROPPED else page  # _DROPPED[:] raises
        lo, hi = k << _SHIFT, min((k + 1) << _SHIFT, self._n)
        if self._source is None:
            return [self._fill] * (hi - lo)
        if isinstance(self._source, pa.Array):
            values: list[Any] = self._source.slice(lo, hi - lo).to_pylist()
            return values
        return self._source[lo:hi].tolist()  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Column | list | tuple):
            return self.values() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"Column({self.values()!r})" if self.dropped() == 0 else f"Column(n={self._n})"

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if isinstance(self._source, np.ndarray) and all(p is None for p in self._pages):
            return np.asarray(self._source, dtype=dtype)  # untouched: no list needed
        return np.asarray(self.values(), dtype=dtype)

    def values(self) -> list[Any]:
        """Every value, as one list (raises if a page was dropped)."""
        return list(self)

    def slice(self, start: int, stop: int) -> list[Any]:
        """The values of journeys ``start .. stop-1`` (their pages must not be dropped)."""
        out: list[Any] = []
        k = start
        while k < stop:
            page = self._view(k >> _SHIFT)
            end = min(stop, ((k >> _SHIFT) + 1) << _SHIFT)
            out.extend(page[k & _MASK : ((end - 1) & _MASK) + 1])
            k = end
        return out

    def copy(self) -> Column:
        """A column of its own with the same values, compact when no page was made."""
        if all(page is None for page in self._pages):
            if self._source is None:
                return Column.filled(self._fill, self._n)
            return Column(self._source)  # read-only source: sharing it is safe
        return Column(self.values())

    def drop_before(self, i: int) -> None:
        """Drop every page that lies wholly before journey ``i``."""
        for k in range(min(i >> _SHIFT, len(self._pages))):
            self._pages[k] = _DROPPED

    def dropped(self) -> int:
        """How many pages were dropped."""
        return sum(page is _DROPPED for page in self._pages)

    def held(self) -> int:
        """How many pages are held as lists."""
        return sum(isinstance(page, list) for page in self._pages)


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
    columns) is kept as a :class:`Column`.

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
        """Drop the pages of every column that lie wholly before journey ``i``."""
        for column in self.columns():
            column.drop_before(i)


@dataclass(frozen=True)
class Records:
    """The records table: column name -> NumPy array, all of the same length."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def select(self, mask: np.ndarray) -> Records:
        """The rows where ``mask`` is true (the table itself when that is every row: tables
        are never modified in place, and a year's port is millions of rows to copy)."""
        if mask.dtype == np.bool_ and len(mask) == len(self) and bool(np.all(mask)):
            return self
        return Records({k: v[mask] for k, v in self.columns.items()})


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
