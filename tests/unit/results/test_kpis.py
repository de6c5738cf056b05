"""KPIs from hand-made records: counting processes, Little's law, canonical JSON, files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from sim.results import (
    FerryStats,
    RecordGroup,
    RunResult,
    canonical_json,
    compute_kpis,
    concat,
    read_records,
    wilson_interval,
    write_kpis,
    write_records,
)
from sim.results.timeseries import busy_seconds, level_at_entries, step, time_average, window_peak

NAN = math.nan


def test_step_function_peak_and_average() -> None:
    entry = np.array([0.0, 1.0, 2.0, NAN])
    exit_ = np.array([3.0, 2.0, NAN, NAN])
    times, levels = step(entry, exit_, end=10.0)
    # N: 1 on [0,1), 2 on [1,2), 2 on [2,3) (one out, one in at 2), 1 from 3 on
    assert window_peak(times, levels, 0, 10) == 2
    avg = time_average(times, levels, np.array([0.0, 2.0, 10.0]))
    assert list(avg) == [1.5, (2 + 7) / 8]
    assert busy_seconds(entry, exit_, 0.0, 10.0) == 3 + 1 + 8
    assert list(level_at_entries(entry[:3], exit_[:3])) == [0, 1, 1]


def _truck_group(arrival: list[float], release: list[float], tiers: list[str]) -> RecordGroup:
    n = len(arrival)
    g = RecordGroup(
        "yangpu", "cargo_truck", arrival, tiers, ["release"] * n, [False] * n, [False] * n
    )
    g.times["channel_start"] = list(arrival)
    g.times["channel_end"] = list(release)
    g.times["release"] = list(release)
    return g


def _result(groups: list[RecordGroup], warmup: float = 0.0, horizon: float = 100.0) -> RunResult:
    return RunResult(
        scenario="t",
        seed=1,
        replication=0,
        start="2026-03-10T00:00:00+08:00",
        horizon_s=horizon,
        warmup_s=warmup,
        ports=("yangpu",),
        port_kinds={"yangpu": "seaport"},
        records=concat(groups),
        capacity_s={"yangpu": {"customs_channels": 200.0}},
    )


def test_littles_law_and_clearance_on_a_known_sample() -> None:
    g = _truck_group([10.0, 20.0, 30.0, 90.0], [20.0, 50.0, 40.0, NAN], ["aeo", "whitelist"] * 2)
    kpis = compute_kpis(_result([g]))
    port = kpis["ports"]["yangpu"]
    assert port["arrivals"] == 4 and port["released"] == 3 and port["in_system_at_end"] == 1
    assert port["clearance_time_s"]["mean"] == pytest.approx(50 / 3)
    # time in process: 10 + 30 + 10 + 10 (censored at 100) = 60 over 100 s
    ll = kpis["littles_law"]["yangpu"]
    assert ll["L"] == pytest.approx(0.6) and ll["lambda_W"] == pytest.approx(0.04 * 15)
    assert port["utilisation"]["customs_channels"] == pytest.approx(60 / 200)
    assert kpis["tiers"]["aeo"]["declarations"] == 2


def test_warmup_excludes_early_arrivals() -> None:
    g = _truck_group([10.0, 60.0], [20.0, 70.0], ["aeo", "aeo"])
    kpis = compute_kpis(_result([g], warmup=50.0))
    assert kpis["ports"]["yangpu"]["arrivals"] == 1
    assert kpis["ports"]["yangpu"]["clearance_time_s"]["p50"] == 10.0


def test_ferry_overflow_counts_entries_into_a_full_holding_area() -> None:
    v = RecordGroup("xinhai", "vehicle", [0.0, 1.0, 2.0, 3.0], [""] * 4, ["non_customs"] * 4,
                    [False] * 4, [False] * 4)  # fmt: skip
    v.times["release"] = list(v.arrival)
    v.times["boarding"] = [10.0, 10.0, 20.0, NAN]
    res = RunResult("t", 1, 0, "", 30.0, 0.0, ("xinhai",), {"xinhai": "strait_roro"},
                    concat([v]), {"xinhai": {}},
                    ferries={"xinhai": FerryStats(2, 2, 3, 1)})  # fmt: skip
    ferry = compute_kpis(res)["ports"]["xinhai"]["ferry"]
    # Four wait at once: two in the holding area (its capacity, never more), two outside it.
    assert ferry["waiting_peak"] == 4 and ferry["holding_peak"] == 2
    assert ferry["outside_peak"] == 2 and ferry["overflow"] == 2
    assert ferry["waiting_at_end"] == 1 and ferry["boarded"] == 3


def test_wilson_interval() -> None:
    lo, hi = wilson_interval(10, 100)
    assert lo == pytest.approx(0.0552, abs=1e-3) and hi == pytest.approx(0.1744, abs=1e-3)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_canonical_json_is_stable_and_null_for_nan(tmp_path: Path) -> None:
    data = {"b": 0.1 + 0.2, "a": [NAN, np.float64(1.5), np.int64(3), True]}
    text = canonical_json(data)
    assert text == canonical_json(dict(reversed(list(data.items()))))
    assert json.loads(text) == {"a": [None, 1.5, 3, True], "b": 0.3}
    write_kpis(tmp_path / "out/kpis.json", data)
    assert (tmp_path / "out/kpis.json").read_text() == text


def test_records_round_trip_through_parquet(tmp_path: Path) -> None:
    g = _truck_group([1.0, 2.0], [3.0, NAN], ["aeo", "key_attention"])
    records = concat([g])
    write_records(tmp_path / "r.parquet", records)
    back = read_records(tmp_path / "r.parquet")
    assert list(back["tier"]) == ["aeo", "key_attention"]
    assert np.array_equal(back["release"], records["release"], equal_nan=True)
    assert [p.name for p in tmp_path.iterdir()] == ["r.parquet"]


def test_write_outputs_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.results.io as io

    g = _truck_group([1.0], [2.0], ["aeo"])
    io.write_outputs(tmp_path, {"v": 1}, concat([g]))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(before) == {"kpis.json", "records.parquet"}

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(io.pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        io.write_outputs(tmp_path, {"v": 2}, concat([g]))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
