"""Queues at every resource, the wait before inspection split in two, and the bottleneck.

Hand-made records pin the formulas; model runs check that the monitored queues agree with the
records and that a scanner outage shows up as a scanner queue and as the port's bottleneck.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.model import simulate
from sim.results import FerryStats, RecordGroup, RunResult, compute_kpis, concat
from sim.results.bottleneck import NO_QUEUE, identify_bottleneck
from sim.scenario import load_scenario

NAN = math.nan
ROOT = Path(__file__).resolve().parents[3]


def _inspected_trucks() -> RecordGroup:
    """Three trucks at one port, one bay and one officer (times in seconds):

    truck 0: channel 0-10, straight to inspection: bay at 10, officer at 10, inspected to 100;
    truck 1: channel 5-15, bay asked at 15, free at 100; officer busy until 100 too -> 100-160;
    truck 2: channel 20-30, scan 30-40, review asked at 40, officer free at 160 -> 160-170,
             anomaly: bay asked at 170, got at 170, officer at 170, inspected to 190.
    """
    g = RecordGroup("yangpu", "cargo_truck", [0.0, 5.0, 20.0], ["whitelist"] * 3,
                    ["inspection"] * 3, [False] * 3, [False] * 3)  # fmt: skip
    t = g.times
    t["channel_start"], t["channel_end"] = [0.0, 5.0, 20.0], [10.0, 15.0, 30.0]
    t["scan_start"], t["scan_end"] = [NAN, NAN, 30.0], [NAN, NAN, 40.0]
    t["review_start"], t["review_end"] = [NAN, NAN, 160.0], [NAN, NAN, 170.0]
    t["bay_start"] = [10.0, 100.0, 170.0]
    t["inspection_start"], t["inspection_end"] = [10.0, 100.0, 170.0], [100.0, 160.0, 190.0]
    t["release"] = [100.0, 160.0, 190.0]
    return g


def _result(groups: list[RecordGroup], horizon: float = 200.0, **extra: object) -> RunResult:
    return RunResult("t", 1, 0, "2026-03-10T00:00:00+08:00", horizon, 0.0, ("yangpu",),
                     {"yangpu": "seaport"}, concat(groups),
                     {"yangpu": {"customs_channels": 400.0, "scanners": 200.0,
                                 "inspection_bays": 200.0, "officers": 200.0}},
                     **extra)  # type: ignore[arg-type]  # fmt: skip


def test_the_wait_before_inspection_is_split_into_bay_and_officer() -> None:
    port = compute_kpis(_result([_inspected_trucks()]))["ports"]["yangpu"]
    seg = port["segments_mean_s"]
    # bay waits: 0, 85 (15 -> 100), 0; officer waits in the bay: 0, 0, 0
    assert seg["inspection_bay_wait"] == pytest.approx(85 / 3)
    assert seg["inspection_officer_wait"] == 0.0
    assert seg["review_wait"] == 120.0  # truck 2 waited 40 -> 160 for the officer
    queues = port["queues"]
    assert queues["inspection_bays"]["peak"] == 1
    assert queues["inspection_bays"]["wait_s"] == {"requests": 3, "waited": 1, "mean": 85 / 3,
                                                   "p95": pytest.approx(76.5), "max": 85.0}
    # officers: only truck 2's image review waits (40 -> 160); nobody waits in a bay
    assert queues["officers"]["peak"] == 1 and queues["officers"]["wait_s"]["max"] == 120.0
    assert queues["officers"]["mean_waiting"] == pytest.approx(120 / 200)
    assert queues["scanners"]["peak"] == 0 and queues["customs_channels"]["peak"] == 0
    # a bay is busy while held: 10-100, 100-160, 170-190 = 170 of 200 bay-seconds
    assert port["utilisation"]["inspection_bays"] == pytest.approx(170 / 200)


def test_a_bay_held_while_its_officer_is_awaited_counts_as_busy() -> None:
    g = _inspected_trucks()
    g.times["inspection_start"][1] = 130.0  # the officer joins truck 1 30 s after its bay
    g.times["inspection_end"][1] = 160.0
    port = compute_kpis(_result([g]))["ports"]["yangpu"]
    assert port["segments_mean_s"]["inspection_officer_wait"] == pytest.approx(10.0)
    assert port["utilisation"]["inspection_bays"] == pytest.approx(170 / 200)
    assert port["utilisation"]["officers"] == pytest.approx((90 + 30 + 10 + 20) / 200)


def test_arrivals_and_releases_count_the_same_trucks() -> None:
    # warm-up 50: truck 0 arrived before it (released in the window: not counted), truck 3 is
    # still inside at the end.
    g = RecordGroup("yangpu", "cargo_truck", [10.0, 60.0, 70.0, 90.0], ["aeo"] * 4,
                    ["release"] * 4, [False] * 4, [False] * 4)  # fmt: skip
    g.times["channel_start"] = [10.0, 60.0, 70.0, 90.0]
    g.times["channel_end"] = g.times["release"] = [55.0, 65.0, 75.0, NAN]
    res = RunResult("t", 1, 0, "", 100.0, 50.0, ("yangpu",), {"yangpu": "seaport"}, concat([g]),
                    {"yangpu": {"customs_channels": 50.0}})  # fmt: skip
    port = compute_kpis(res)["ports"]["yangpu"]
    assert (port["arrivals"], port["released"], port["in_system_at_end"]) == (3, 2, 1)


@pytest.mark.parametrize(
    ("waiting", "expected"),
    [
        ({"customs_channels": 0.2, "scanners": 3.0, "officers": 1.0}, "scanners"),
        ({"customs_channels": 0.0, "scanners": NO_QUEUE / 2}, None),
        ({"customs_channels": 0.5, "ferry": 12.0}, "ferry"),
    ],
)
def test_the_bottleneck_is_the_resource_with_the_most_journeys_waiting(
    waiting: dict[str, float], expected: str | None
) -> None:
    port: dict[str, object] = {
        "queues": {k: {"mean_waiting": v} for k, v in waiting.items() if k != "ferry"},
        "utilisation": {"scanners": 0.4},
    }
    if "ferry" in waiting:
        port["ferry"] = {"delayed_mean": waiting["ferry"], "load_factor": 0.9}
    found = identify_bottleneck(port)
    assert found.resource == expected
    if expected == "scanners":
        assert found.utilisation == 0.4 and found.describe() == "scanners 3.0"
    if expected is None:
        assert found.describe() == "none"


def test_ties_go_to_the_busier_resource() -> None:
    port = {"queues": {"officers": {"mean_waiting": 1.0}, "scanners": {"mean_waiting": 1.0}},
            "utilisation": {"officers": 0.9, "scanners": 0.3}}  # fmt: skip
    assert identify_bottleneck(port).resource == "officers"


def test_ferry_delay_counts_only_the_wait_past_the_first_sailing() -> None:
    # Sailings at 10, 20, 30 (room 1); vehicles join at 0, 1, 2: they board at 10, 20, 30.
    # Each one's first sailing is 10: vehicle 1 is delayed 10 s, vehicle 2 20 s.
    v = RecordGroup("xinhai", "vehicle", [0.0, 1.0, 2.0], [""] * 3, ["non_customs"] * 3,
                    [False] * 3, [False] * 3)  # fmt: skip
    v.times["release"] = [0.0, 1.0, 2.0]
    v.times["boarding"] = [10.0, 20.0, 30.0]
    facts = FerryStats(5, 1.0, 3, 0, scheduled=(10.0, 20.0, 30.0), departures=(10.0, 20.0, 30.0),
                       lane_units={"vehicle": 1.0})  # fmt: skip
    res = RunResult("t", 1, 0, "", 40.0, 0.0, ("xinhai",), {"xinhai": "strait_roro"},
                    concat([v]), {"xinhai": {}}, ferries={"xinhai": facts})  # fmt: skip
    ferry = compute_kpis(res)["ports"]["xinhai"]["ferry"]
    assert ferry["delayed"] == 2
    assert ferry["delayed_mean"] == pytest.approx((10 + 20) / 40)
    assert ferry["load_factor"] == 1.0 and ferry["boarded"] == 3
    assert ferry["boarding_wait_s"]["max"] == 28.0
    assert ferry["waiting_hourly"] == [pytest.approx((10 + 19 + 28) / 40)]


def test_staging_is_the_time_from_arrival_to_the_call() -> None:
    v = RecordGroup("xinhai", "vehicle", [0.0, 1.0, 2.0], [""] * 3, ["non_customs"] * 3,
                    [False] * 3, [False] * 3)  # fmt: skip
    v.times["release"] = [0.0, 10.0, NAN]  # vehicle 1 called at 10, vehicle 2 never
    v.times["boarding"] = [10.0, 20.0, NAN]
    facts = FerryStats(5, 1.0, 2, 0, staged=2, scheduled=(10.0, 20.0), departures=(10.0, 20.0))
    res = RunResult("t", 1, 0, "", 40.0, 0.0, ("xinhai",), {"xinhai": "strait_roro"},
                    concat([v]), {"xinhai": {}}, ferries={"xinhai": facts})  # fmt: skip
    ferry = compute_kpis(res)["ports"]["xinhai"]["ferry"]
    assert ferry["staging_peak"] == 2 and ferry["staged"] == 2
    assert ferry["waiting_peak"] == 1  # staged vehicles are not at the port


def test_a_scanner_outage_is_a_scanner_queue_and_the_bottleneck() -> None:
    only = ["active_ports=[xinhai]"]
    base = compute_kpis(simulate(load_scenario(ROOT / "scenarios/baseline.yaml", only)))
    out = compute_kpis(simulate(load_scenario(ROOT / "scenarios/scanner_outage.yaml", only)))
    before, during = base["ports"]["xinhai"], out["ports"]["xinhai"]
    assert before["queues"]["scanners"]["peak"] <= 1 < during["queues"]["scanners"]["peak"]
    assert during["queues"]["scanners"]["wait_s"]["mean"] > 10 * 60
    assert during["segments_mean_s"]["scan_wait"] > 60
    assert during["bottleneck"]["resource"] == "scanners"
    assert before["bottleneck"]["resource"] != "scanners"


def test_the_monitored_queue_agrees_with_the_records() -> None:
    """The resource's own queue and the records' channel waits give the same step function."""
    scenario = load_scenario(ROOT / "scenarios/theory/mmc.yaml", ["horizon_hours=24"])
    result = simulate(scenario)
    port = compute_kpis(result)["ports"]["yangpu"]
    assert port["queues"]["customs_channels"]["peak"] == port["queue_peak"] > 0
    hourly = np.array(port["queue_hourly"])
    assert port["queues"]["customs_channels"]["mean_waiting"] == pytest.approx(
        hourly[: int(24 - scenario.warmup_hours)].mean(), rel=1e-9
    )


def test_observed_figures_are_read_at_their_moment() -> None:
    from sim.results.run import ObservedFigure

    # Five vehicles join at 0..4 s and board at 10, 10, 20, 30, never; holding area of 2.
    v = RecordGroup("xinhai", "vehicle", [0.0, 1.0, 2.0, 3.0, 4.0], [""] * 5,
                    ["non_customs"] * 5, [False] * 5, [False] * 5)  # fmt: skip
    v.times["release"] = [0.0, 1.0, 2.0, 3.0, 4.0]
    v.times["boarding"] = [10.0, 10.0, 20.0, 30.0, NAN]
    figures = tuple(
        ObservedFigure(at, measure, ("xinhai",), value, bound, 0.0, "test")
        for at, measure, value, bound in [
            (5.0, "waiting", 5, "about"), (5.0, "holding", 2, "about"),
            (15.0, "outside", 2, "at_least"), (20.0, "boarded", 2, "about"),
            (25.0, "longest_wait_hours", 1, "at_most"),
        ]
    )  # fmt: skip
    res = RunResult("t", 1, 0, "2018-02-21T08:00:00+08:00", 40.0, 0.0, ("xinhai",),
                    {"xinhai": "strait_roro"}, concat([v]), {"xinhai": {}},
                    ferries={"xinhai": FerryStats(2, 2.0, 3, 0)}, observed=figures)  # fmt: skip
    rows = compute_kpis(res)["observed"]
    assert [r["model"] for r in rows] == [5, 2, 1, 2, pytest.approx(22 / 3600)]
    assert [r["met"] for r in rows] == [None, None, False, None, True]
    assert rows[2]["gap"] == -1 and rows[0]["at"] == "2018-02-21T08:00:05+08:00"
