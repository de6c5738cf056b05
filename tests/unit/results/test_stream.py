"""Records streamed by simulated day: paged columns, the same table and the same KPI bytes as
a run held in memory, and pages dropped as the days pass."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.results import canonical_json, compute_kpis, read_records, write_records
from sim.results.records import PAGE, Column, RecordGroup
from sim.results.stream import RecordStream, kpis_from_file
from sim.scenario import load_scenario
from sim.world import build_world, run_scenario

ROOT = Path(__file__).resolve().parents[3]
FAST = ["policy.declarants=shares", "goods.enabled=false"]


def test_a_column_is_a_list_in_pages() -> None:
    n = 2 * PAGE + 5
    column = Column(range(n))
    assert len(column) == n and column[PAGE + 1] == PAGE + 1 and column[n - 1] == n - 1
    column[PAGE] = -1
    assert column.slice(PAGE - 1, PAGE + 2) == [PAGE - 1, -1, PAGE + 1]
    assert column == [*range(PAGE), -1, *range(PAGE + 1, n)]
    assert np.asarray(column, dtype=float)[PAGE] == -1.0
    column.drop_before(PAGE + 3)  # only whole pages before it go
    assert column.dropped() == 1 and column[PAGE + 2] == PAGE + 2
    with pytest.raises(IndexError, match="already written out"):
        column[PAGE - 1]
    filled = Column.filled(math.nan, PAGE + 1)
    assert len(filled) == PAGE + 1 and math.isnan(filled[PAGE])


def test_a_column_of_few_strings_reads_back_through_its_dictionary() -> None:
    """Tiers and routes are kept dictionary-encoded; a page made from them (for a write) and a
    value read without one give the strings given, nulls included."""
    values = [("aeo", "whitelist", "key_attention")[i % 3] for i in range(3 * PAGE)]
    column = Column(values)
    assert column[PAGE + 1] == values[PAGE + 1]  # read, no page made
    column[PAGE + 2] = "written"  # a write makes page 1 from the dictionary
    assert column.values() == [*values[:PAGE + 2], "written", *values[PAGE + 3:]]
    with_nulls = [None if i % 5 == 0 else ("a", "b")[i % 2] for i in range(2 * PAGE)]
    assert Column(with_nulls).values() == with_nulls


def test_a_journey_finishes_when_released_and_aboard_if_it_boards() -> None:
    group = RecordGroup("xinhai", "vehicle", [0.0, 1.0, 2.0], [""] * 3, ["x"] * 3,
                        [False] * 3, [False] * 3)  # fmt: skip
    group.times["release"] = [0.0, 1.0, math.nan]
    assert group.finished_until(0) == 2
    group.boards = True
    group.times["boarding"][0] = 5.0
    assert group.finished_until(0) == 1  # the second is released but not aboard


@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("baseline", ["horizon_hours=30"]),  # a population world, goods-driven trucks
        ("fog_in_the_rush", [*FAST, "horizon_hours=50"]),  # a ferry backlog across midnights
        ("theory/mmc", ["horizon_hours=30", "warmup_hours=5"]),  # a warm-up
    ],
)
def test_streaming_writes_the_same_table_and_the_same_kpis(
    tmp_path: Path, name: str, overrides: list[str]
) -> None:
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", overrides)
    world = build_world(scenario)
    held = run_scenario(scenario, world=world)
    path = tmp_path / "records.parquet"
    streamed = run_scenario(scenario, world=world, records_to=RecordStream(path))
    assert len(streamed.records) == 0
    assert canonical_json(kpis_from_file(streamed, path)) == canonical_json(compute_kpis(held))
    days = math.ceil(scenario.horizon_hours / 24)
    assert pq.ParquetFile(path).metadata.num_row_groups == days
    table = read_records(path)
    order = np.argsort(table["id"])
    for column, values in held.records.columns.items():
        assert np.array_equal(table[column][order], values, equal_nan=values.dtype.kind == "f")


def test_a_run_of_one_day_writes_the_file_write_records_writes(tmp_path: Path) -> None:
    scenario = load_scenario(ROOT / "scenarios/baseline.yaml", [*FAST, "horizon_hours=20"])
    held = run_scenario(scenario)
    write_records(tmp_path / "held.parquet", held.records)
    run_scenario(scenario, records_to=RecordStream(tmp_path / "streamed.parquet"))
    assert (tmp_path / "held.parquet").read_bytes() == (tmp_path / "streamed.parquet").read_bytes()


class _Watch(RecordStream):
    """Counts the journeys still held in memory after each flush."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.held_after_flush: list[int] = []

    def flush(self, groups: list[RecordGroup]) -> None:  # type: ignore[override]
        super().flush(groups)
        self.held_after_flush.append(
            sum(len(g) - g.arrival.dropped() * PAGE for g in groups)  # type: ignore[attr-defined]
        )


def test_memory_follows_the_day_not_the_horizon(tmp_path: Path) -> None:
    scenario = load_scenario(ROOT / "scenarios/baseline.yaml", [*FAST, "horizon_hours=96"])
    watch = _Watch(tmp_path / "records.parquet")
    run_scenario(scenario, records_to=watch)
    total = watch.rows_written
    assert len(watch.held_after_flush) == 3  # midnights inside the horizon
    # after each midnight, journeys of past days are gone but for the last partial page of
    # each group: what remains held is the journeys still to come (pre-drawn) and less than
    # a page per group of the past
    pages = 10 * 3 * PAGE
    for day, held in enumerate(watch.held_after_flush, start=1):
        assert held <= total * (4 - day) / 4 * 1.15 + pages
    assert watch.held_after_flush == sorted(watch.held_after_flush, reverse=True)
