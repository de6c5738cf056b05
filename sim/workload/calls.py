"""A workload: every platform call a simulated period implies, in order, with its expected answer.

A workload is a table with one row per HTTP call (:data:`COLUMNS`). The first rows are the
*set-up* (``phase = setup``): the state the platform must hold when the period starts — the
entities and their credit histories, qualifications, account books, first-line entries and
bookings, everything those books went through before the period. Set-up calls have no
intended time (``intended_s = 0``): they are sent as fast as the target takes them. Then come
the *timed* calls (``phase = timed``) of the period, in order of ``intended_s``, the seconds
from the period start at which the model says the call happens.

Each call names its actor (``actor_role`` and ``actor_entity``: an enterprise acts for itself,
officers and departments for customs), a ``partition`` (the entity whose state it touches: one
partition's calls must be sent in order) and, where it needs another partition's earlier answer
or effect, ``depends_on`` (that call's ``seq``). A path may hold ``{depends_on.id}``: the ``id``
of the answer of the call it depends on (an inspection result names the declaration the
platform created). ``expected_status`` and ``expected`` (a JSON object of dotted answer paths
and their values: channel, duties, tier, refusal code ...) are the oracle's answer
(:mod:`sim.rules.oracle`), as the model computed it.

On disk a workload is Parquet (:func:`write_workload`): the set-up in the first row group, then
one row group per simulated hour of the period (empty hours included, so row group ``h + 1`` is
hour ``h``), and in the file's metadata the :class:`WorkloadInfo`: the scenario, seed, period,
ports and the rules' configuration the expectations were computed with (a platform started for
the workload is configured with it).
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from sim.results.io import write_atomic

__all__ = [
    "COLUMNS",
    "FORMAT",
    "Call",
    "WorkloadError",
    "WorkloadInfo",
    "read_workload",
    "write_workload",
]

FORMAT = "customs-sim-workload/1"
"""The format name and version written into every workload file."""

_META_KEY = b"customs_sim_workload"


class WorkloadError(ValueError):
    """A workload cannot be made or read; the message is one line naming what and where."""


class Call(NamedTuple):
    """One platform call of a workload (see the module docstring for the columns).

    A named tuple: a workload holds 10^5 of them, and a tuple is made and read fastest.
    """

    seq: int
    phase: str
    intended_s: float
    operation: str
    method: str
    path: str
    body: str
    idempotency_key: str
    actor_role: str
    actor_entity: str
    partition: str
    depends_on: int | None
    port: str
    expected_status: int
    expected: str

    def body_json(self) -> Any:
        """The body as data (None for a call without a body)."""
        return orjson.loads(self.body) if self.body else None

    def expected_json(self) -> dict[str, Any]:
        """The expected answer fields as data."""
        # orjson: a load test parses every call's expectation on its hot path.
        value: dict[str, Any] = orjson.loads(self.expected) if self.expected else {}
        return value


COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("seq", pa.int64()),
    ("phase", pa.dictionary(pa.int8(), pa.string())),
    ("intended_s", pa.float64()),
    ("operation", pa.dictionary(pa.int8(), pa.string())),
    ("method", pa.dictionary(pa.int8(), pa.string())),
    ("path", pa.string()),
    ("body", pa.string()),
    ("idempotency_key", pa.string()),
    ("actor_role", pa.dictionary(pa.int8(), pa.string())),
    ("actor_entity", pa.string()),
    ("partition", pa.string()),
    ("depends_on", pa.int64()),
    ("port", pa.dictionary(pa.int8(), pa.string())),
    ("expected_status", pa.int16()),
    ("expected", pa.string()),
)
"""The workload's columns and their Arrow types, in file order."""

_SCHEMA = pa.schema([pa.field(name, kind) for name, kind in COLUMNS])
_PLAIN = pa.schema([pa.field(name, kind.value_type if pa.types.is_dictionary(kind) else kind)
                    for name, kind in COLUMNS])


@dataclass(frozen=True)
class WorkloadInfo:
    """What a workload file says about itself.

    Attributes:
        scenario: the scenario's name.
        seed: its seed.
        replication: the replication index.
        start: the period's start (local time, ISO 8601).
        hours: the period's length in hours.
        ports: the ports whose traffic was exported.
        rules: the rules' configuration (``sim.rules.config.RulesConfig`` as JSON data).
        calls: the number of calls; ``setup``: of which set-up.
    """

    scenario: str
    seed: int
    replication: int
    start: str
    hours: float
    ports: tuple[str, ...]
    rules: dict[str, Any]
    calls: int = 0
    setup: int = 0

    @property
    def start_time(self) -> datetime:
        """The period's start as a date-time."""
        return datetime.fromisoformat(self.start)

    def to_json(self) -> str:
        """The info as JSON text, with the format name."""
        data = {"format": FORMAT, **self.__dict__, "ports": list(self.ports)}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, source: str) -> WorkloadInfo:
        """Parse the metadata of ``source``.

        Raises:
            WorkloadError: not a workload of this format.
        """
        try:
            data = json.loads(text)
            if data.pop("format") != FORMAT:
                raise WorkloadError(f"{source}: not a {FORMAT} file")
            data["ports"] = tuple(data["ports"])
            return cls(**data)
        except (ValueError, KeyError, TypeError) as exc:
            if isinstance(exc, WorkloadError):
                raise
            raise WorkloadError(f"{source}: unreadable workload metadata ({exc})") from None


def _columns(calls: Sequence[Call]) -> pa.Table:
    """The calls as one table, dictionary columns still plain text (encoded per row group)."""
    if not calls:
        return _PLAIN.empty_table()
    # One column at a time (a C-level pass each): transposing 10^5 tuples with zip(*calls)
    # takes longer than building the Arrow columns.
    arrays = [pa.array(list(map(itemgetter(j), calls)), kind)
              for j, kind in enumerate(_PLAIN.types)]
    return pa.Table.from_arrays(arrays, schema=_PLAIN)


def _row_group(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows of :func:`_columns` in the file's schema, dictionaries made from these rows only."""
    if not len(table):
        return schema.empty_table()
    arrays = []
    for (_, kind), column in zip(COLUMNS, table.columns, strict=True):
        values = column.combine_chunks()
        arrays.append(values.dictionary_encode().cast(kind)
                      if pa.types.is_dictionary(kind) else values)
    return pa.Table.from_arrays(arrays, schema=schema)


def write_workload(path: Path, info: WorkloadInfo, calls: Sequence[Call]) -> None:
    """Write ``calls`` to ``path`` atomically: set-up first, then one row group per hour.

    Args:
        path: the Parquet file to write (replaced whole, or left untouched on failure).
        info: the metadata (its ``calls`` and ``setup`` counts are filled here).
        calls: the calls in ``seq`` order, set-up first.
    """
    n_setup = sum(1 for c in calls if c.phase == "setup")
    timed = calls[n_setup:]
    if any(c.phase != "timed" for c in timed):
        raise ValueError("a workload's set-up calls come before its timed calls")
    hours = max(1, int(-(-info.hours // 1)))
    bounds = [n_setup + bisect.bisect_left(timed, h * 3600.0, key=lambda c: c.intended_s)
              for h in range(1, hours)]
    edges = [0, n_setup, *bounds, len(calls)]  # the set-up, then each hour
    meta = WorkloadInfo(**{**info.__dict__, "calls": len(calls), "setup": n_setup})
    schema = _SCHEMA.with_metadata({_META_KEY: meta.to_json().encode()})
    table = _columns(calls)

    def write(tmp: Path) -> None:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
            for first, end in itertools.pairwise(edges):
                rows = _row_group(table.slice(first, end - first), schema)
                writer.write_table(rows, row_group_size=max(end - first, 1))

    write_atomic(path, write)


def read_workload(path: Path) -> tuple[WorkloadInfo, list[Call]]:
    """Read a workload file.

    Raises:
        WorkloadError: the file is missing, not Parquet, or not a workload (one line).
    """
    try:
        parquet = pq.ParquetFile(path)
    except FileNotFoundError:
        raise WorkloadError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WorkloadError(f"{path}: is a directory, not a workload file") from None
    except (OSError, pa.ArrowInvalid) as exc:
        raise WorkloadError(f"{path}: not a Parquet workload file ({exc})") from None
    raw = (parquet.schema_arrow.metadata or {}).get(_META_KEY)
    if raw is None:
        raise WorkloadError(f"{path}: not a {FORMAT} file (no workload metadata)")
    info = WorkloadInfo.from_json(raw.decode(), str(path))
    names = [name for name, _ in COLUMNS]
    missing = [n for n in names if n not in parquet.schema_arrow.names]
    if missing:
        raise WorkloadError(f"{path}: column {missing[0]!r} is missing")
    table = parquet.read(columns=names)
    return info, list(_calls(table))


def _calls(table: pa.Table) -> Iterator[Call]:
    columns = [table.column(name).to_pylist() for name, _ in COLUMNS]
    for row in zip(*columns, strict=True):
        yield Call(*row)
