"""The bytes a run writes, pinned: memory work must not change a single output byte.

Streaming, paging and compacting the run's data (issue 12's memory target) change how the
records and goods events are held, never what is written. These runs cross midnights (so the
records are flushed in several row groups) with a population world and goods-driven trucks, and
with a ferry backlog carried across days; ``kpis.json`` is pinned byte for byte, the records by
a digest of every column's values, row-group layout included (the Parquet file's own bytes
also carry the writer's version, which a pyarrow upgrade changes).

A deliberate change of the model changes these digests: re-pin them in the same commit, saying
why the outputs changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.results.records import RECORD_COLUMNS, STRING_COLUMNS
from sim.results.stream import StreamedOutputs
from sim.scenario import load_scenario
from sim.world import run_scenario

ROOT = Path(__file__).resolve().parents[3]
FAST = ["policy.declarants=shares", "goods.enabled=false"]


def _records_digest(path: Path) -> str:
    """sha256 of the row-group sizes and every column's values, in file order."""
    source = pq.ParquetFile(path)
    digest = hashlib.sha256()
    meta = source.metadata
    sizes = [meta.row_group(k).num_rows for k in range(meta.num_row_groups)]
    digest.update(repr(sizes).encode())
    table = source.read()
    assert table.column_names == list(RECORD_COLUMNS)
    for name in RECORD_COLUMNS:
        column = table.column(name)
        digest.update(name.encode())
        if name in STRING_COLUMNS:
            digest.update("\x1f".join(column.cast("string").to_pylist()).encode())
        else:
            digest.update(np.ascontiguousarray(column.to_numpy()).tobytes())
    return digest.hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "overrides", "kpis_sha256", "records_sha256"),
    [
        (  # a population world, goods-driven trucks, travellers with identities and quotas
            "baseline",
            ["horizon_hours=50"],
            "038f8efbc8ebe2d12d580fd47df05e3c6b8671bbf6082e8c551a150dd1c1a36a",
            "446fef5947edd8d152b1502125893f27402a09a832c6e02643b081a796d6f41e",
        ),
        (  # fog at the strait: a ferry backlog carried across midnights
            "fog_in_the_rush",
            [*FAST, "horizon_hours=50"],
            "0484485865648e41c2c0e6a5a00f5f45570c9d09cbf1bd9a507651fe730d01ff",
            "e934cf7a10f2f26ca17b34f3548c9338da34ca09a4fb67585f85f7eea1651710",
        ),
    ],
)
def test_a_multi_day_run_writes_the_pinned_bytes(
    tmp_path: Path, name: str, overrides: list[str], kpis_sha256: str, records_sha256: str
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", overrides)
    outputs = StreamedOutputs(tmp_path)
    outputs.publish(run_scenario(scenario, records_to=outputs.stream))
    kpis = hashlib.sha256((tmp_path / "kpis.json").read_bytes()).hexdigest()
    records = _records_digest(tmp_path / "records.parquet")
    assert (kpis, records) == (kpis_sha256, records_sha256)
