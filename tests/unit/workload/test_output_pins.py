"""The workload a period exports, pinned: making the export faster must not change one call.

The export is tuned for speed (columns instead of objects, the order and the ties between calls
computed with NumPy, the Parquet columns built once); none of it may change what is written.
The small scenario's four morning hours (travellers crossing before the period among them, so
set-up, timed calls and the ties between partitions are all there) are pinned by a digest of
the file: its metadata, its row-group sizes and every column's values in file order (the
Parquet file's own bytes also carry the writer's version, which a pyarrow upgrade changes).

A deliberate change of the model or of the export changes the digest: re-pin it in the same
commit, saying why the calls changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from sim.workload import COLUMNS, Call, WorkloadInfo, write_workload

Exported = tuple[WorkloadInfo, list[Call]]

PINNED = "1280aa145a1c79b4888d856f93f5031624365ef7d33474e877ee423b225f31d0"


def _workload_digest(path: Path) -> str:
    """sha256 of the metadata, the row-group sizes and every column's values, in file order."""
    source = pq.ParquetFile(path)
    digest = hashlib.sha256()
    digest.update(str(source.schema_arrow).encode())
    digest.update(repr(source.schema_arrow.metadata).encode())
    meta = source.metadata
    digest.update(repr([meta.row_group(k).num_rows for k in range(meta.num_row_groups)]).encode())
    table = source.read()
    assert table.column_names == [name for name, _ in COLUMNS]
    for name in table.column_names:
        digest.update(name.encode())
        digest.update(repr(table.column(name).to_pylist()).encode())
    return digest.hexdigest()


def test_the_small_mornings_workload_is_the_pinned_one(tmp_path: Path, exported: Exported) -> None:
    info, calls = exported
    path = tmp_path / "w.parquet"
    write_workload(path, info, calls)
    # what the pin covers: set-up before and in the run, timed calls, ties between partitions
    assert {c.phase for c in calls} == {"setup", "timed"}
    assert any(c.phase == "setup" and c.operation == "departure_check"
               and '"date":"2026-03-10"' in c.body for c in calls)
    assert sum(c.depends_on is not None for c in calls) > 20
    assert _workload_digest(path) == PINNED
