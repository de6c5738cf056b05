"""Streaming a run's records to Parquet by row groups, and its KPIs computed back from the file.

A year of the baseline is ~6.9 M journeys. Held whole (Python lists while simulating, then a
NumPy table, then an Arrow table) it peaks near 3 GB. Streamed, memory follows the simulated
day instead:

- the run calls :meth:`RecordStream.flush` at each simulated midnight: in every group, the
  leading journeys that have finished (released, and aboard a ferry when the group boards one)
  are written as one Parquet row group with the other groups' (columns as
  :data:`~sim.results.records.RECORD_COLUMNS` lists them, the same Arrow types as
  :func:`sim.results.io.write_records`), and their pages are dropped;
- at the horizon :meth:`RecordStream.close` writes the rest, finished or not, as they stand.

Rows are therefore in day order, and within a flush in ``id`` order (the ``id`` of a journey is
its position in the whole run's groups, exactly as :func:`~sim.results.records.concat` numbers
it). A run that fits in one flush (a day or less) writes one row group in ``id`` order, the same
file :func:`sim.results.io.write_records` writes.

:func:`kpis_from_file` computes the KPIs without the whole table in memory: the island-wide
KPIs from the supervised trucks, each port's from that port's rows, each part read back from
the file and sorted by ``id`` so every sum runs in the same order as
:func:`~sim.results.compute_kpis` on the whole table; the result is the same, byte for byte
(a test checks it on every shipped scenario shortened).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.results.io import canonical_json, records_from_table, records_table, stage_file
from sim.results.kpis import PORT_ROW_COLUMNS, compute_kpis, port_kpis
from sim.results.memory import release_memory
from sim.results.records import (
    AMOUNT_COLUMNS,
    IDENTITY_COLUMNS,
    RECORD_COLUMNS,
    RecordGroup,
    Records,
    rows,
)
from sim.results.run import RunResult

__all__ = ["TRUCK_FLOW", "RecordStream", "StreamedOutputs", "kpis_from_file"]

TRUCK_FLOW = "cargo_truck"
"""The flow whose records the island-wide KPIs are computed from."""

_COMPRESSION = "zstd"


class RecordStream:
    """Writes the records of one run to ``path`` as Parquet row groups while it runs.

    Args:
        path: the file to write (created or replaced; write to a temporary and rename for
            atomicity).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | None = None
        self._done: dict[int, int] = {}  # id(group) -> journeys written
        self.rows_written = 0

    def _first_ids(self, groups: Sequence[RecordGroup]) -> list[int]:
        firsts, total = [], 0
        for g in groups:
            firsts.append(total)
            total += len(g)
        return firsts

    def _write(self, parts: list[Records]) -> None:
        if not parts:
            return
        table = records_table(
            Records({k: np.concatenate([p[k] for p in parts]) for k in parts[0].columns})
        )
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema, compression=_COMPRESSION)
        self._writer.write_table(table, row_group_size=max(len(table), 1))
        self.rows_written += len(table)

    def flush(self, groups: Sequence[RecordGroup]) -> None:
        """Write every group's leading finished journeys as one row group, and drop them."""
        parts = []
        for group, first in zip(groups, self._first_ids(groups), strict=True):
            done = self._done.get(id(group), 0)
            until = group.finished_until(done)
            if until > done:
                parts.append(rows(group, done, until, first))
                group.drop_before(until)
                self._done[id(group)] = until
        self._write(parts)
        release_memory()  # the day's pages just went: hand them back

    def close(self, groups: Sequence[RecordGroup]) -> None:
        """Write what is left of every group (finished or not) and close the file."""
        parts = []
        for group, first in zip(groups, self._first_ids(groups), strict=True):
            done = self._done.get(id(group), 0)
            if len(group) > done:
                parts.append(rows(group, done, len(group), first))
                group.drop_before(len(group))
                self._done[id(group)] = len(group)
        self._write(parts)
        if self._writer is None:  # no journey at all: an empty file with the schema
            empty = rows(RecordGroup("", "", [], [], [], [], []), 0, 0, 0)
            self._writer = pq.ParquetWriter(
                self.path, records_table(empty).schema, compression=_COMPRESSION
            )
            self._writer.write_table(records_table(empty))
        self._writer.close()


# The KPIs read categories, flags, times and the listing grounds (inspection by ground); the
# other identities and the amounts are for workloads. (If compute_kpis ever reads one of these,
# the byte-for-byte test of kpis_from_file fails.)
_KPI_COLUMNS = tuple(
    c for c in RECORD_COLUMNS
    if c == "grounds" or c not in (*IDENTITY_COLUMNS, *AMOUNT_COLUMNS)
)
# A port's own KPIs need neither its name on every row nor the listing grounds (island-wide).
_PORT_KPI_COLUMNS = tuple(c for c in _KPI_COLUMNS if c not in ("port", "grounds"))


def _read(path: Path, where: dict[str, str], names: Sequence[str] = _KPI_COLUMNS) -> Records:
    """The rows where every ``column == value`` of ``where``, in ``id`` order (the columns
    ``names`` only).

    Row group by row group (a simulated day each), in two passes: the ``where`` columns first,
    to know which rows each day keeps and so how many in all, then the columns, each day's
    kept rows copied into columns allocated once at their final size. So nothing but the part
    itself and one day of rows is ever held (a year's port is millions of rows: joining a
    year of daily pieces would hold them twice).
    """
    source = pq.ParquetFile(path)
    count = source.metadata.num_row_groups
    keep: list[pa.Array] = []
    for k in range(count):
        day = source.read_row_group(k, columns=list(where))
        mask = pa.array(np.ones(day.num_rows, dtype=bool))
        for column, value in where.items():
            equal = pc.equal(day.column(column).cast(pa.string()), value).combine_chunks()
            mask = pc.and_(mask, equal)
        keep.append(mask)
    total = sum(mask.true_count for mask in keep)
    columns: dict[str, np.ndarray] = {}
    at = 0
    for k in range(count):
        day = source.read_row_group(k, columns=list(names)).filter(keep[k])
        part = records_from_table(day)
        del day
        if not columns:  # each column's type as the file gives it
            columns = {name: np.empty(total, dtype=part[name].dtype) for name in names}
        n = len(part)
        for name in names:
            columns[name][at : at + n] = part[name]
        at += n
    order = np.argsort(columns["id"], kind="stable")
    if not np.all(order[:-1] < order[1:]):
        for name in list(columns):  # the old column goes as the reordered one comes
            columns[name] = columns[name][order]
    return Records(columns)


def kpis_from_file(result: RunResult, path: Path) -> dict[str, Any]:
    """The KPIs of ``result`` whose records were streamed to ``path`` (see the module doc).

    Args:
        result: the run (its ``records`` are not used; they may be empty).
        path: the records file written by :class:`RecordStream`.

    Returns:
        What :func:`~sim.results.compute_kpis` returns for the whole table.
    """
    meta = pq.ParquetFile(path).metadata
    total = meta.num_rows
    release_memory()  # what the run freed, before reading its records back
    trucks = _read(path, {"flow": TRUCK_FLOW})
    kpis = compute_kpis(dataclasses.replace(result, records=trucks))
    counted = sum(int(c.sum()) for flows in result.counted.values() for c in flows.values())
    kpis["entities"] = total + counted
    kpis["records"] = total
    for port in result.ports:
        # the island-wide and goods KPIs came with the part above; a port's own only here
        # the port's trucks with every column the KPIs read, its other rows with fewer
        mine = _read(path, {"port": port}, PORT_ROW_COLUMNS)
        its_trucks = _read(path, {"port": port, "flow": TRUCK_FLOW}, _PORT_KPI_COLUMNS)
        kpis["ports"][port], kpis["littles_law"][port] = port_kpis(result, port, mine, its_trucks)
        del mine, its_trucks
        release_memory()  # before the next port's rows: a year's port is millions
    return kpis


class StreamedOutputs:
    """``kpis.json`` and a streamed ``records.parquet`` in a directory, both or neither.

    The records stream into a temporary file beside their final name; :meth:`publish` computes
    the KPIs from it, stages ``kpis.json`` and renames both into place; :meth:`discard` (call it
    on any failure) removes the temporaries and leaves the directory as it was.

    Args:
        directory: the output directory (created if missing).
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._records = stage_file(directory / "records.parquet", lambda tmp: None)
        self.stream = RecordStream(self._records)
        self._kpis: Path | None = None

    def publish(self, result: RunResult) -> dict[str, Any]:
        """Compute the KPIs from the streamed records, write both files; return the KPIs."""
        kpis = kpis_from_file(result, self._records)
        text = canonical_json(kpis)
        self._kpis = stage_file(
            self.directory / "kpis.json", lambda tmp: tmp.write_text(text, encoding="utf-8")
        )
        os.replace(self._records, self.directory / "records.parquet")
        os.replace(self._kpis, self.directory / "kpis.json")
        return kpis

    def discard(self) -> None:
        """Remove whatever was staged."""
        for path in (self._records, self._kpis):
            if path is not None:
                path.unlink(missing_ok=True)
