"""KPI formulas pinned on samples small enough to work out by hand.

Mutation testing showed that a p95 computed as the 90th percentile and a Little's-law window that
ignores the warm-up both passed the suite: the other unit samples have no warm-up and no spread
wide enough to tell percentiles apart. Each formula is pinned here on a sample where the right
answer is known exactly and every plausible mistake gives a different number.
"""

from __future__ import annotations

import math

import pytest

from sim.results import RecordGroup, RunResult, compute_kpis, concat

NAN = math.nan


def _trucks(arrival: list[float], release: list[float], tier: str = "whitelist") -> RecordGroup:
    n = len(arrival)
    group = RecordGroup(
        "yangpu", "cargo_truck", arrival, [tier] * n, ["release"] * n, [False] * n, [False] * n
    )
    group.times["channel_start"] = list(arrival)
    group.times["channel_end"] = list(release)
    group.times["release"] = list(release)
    return group


def _run(group: RecordGroup, *, warmup: float, horizon: float) -> RunResult:
    return RunResult(
        scenario="pins",
        seed=1,
        replication=0,
        start="2026-03-10T00:00:00+08:00",
        horizon_s=horizon,
        warmup_s=warmup,
        ports=("yangpu",),
        port_kinds={"yangpu": "seaport"},
        records=concat([group]),
        capacity_s={"yangpu": {"customs_channels": horizon - warmup}},
    )


def test_percentiles_are_the_named_ones_with_linear_interpolation() -> None:
    # 101 trucks with clearance times 0, 1, ..., 100 s: the q-th percentile is exactly q.
    arrival = [float(i) for i in range(101)]
    release = [2.0 * i for i in range(101)]
    kpis = compute_kpis(_run(_trucks(arrival, release), warmup=0.0, horizon=1000.0))
    for stats in (kpis["clearance_time_s"], kpis["ports"]["yangpu"]["clearance_time_s"]):
        assert stats == {"mean": 50.0, "p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert kpis["tiers"]["whitelist"]["clearance_time_s"]["p95"] == 95.0
    assert kpis["ports"]["yangpu"]["clearance_by_tier_s"]["whitelist"]["p95"] == 95.0


def test_percentiles_interpolate_between_two_values() -> None:
    # Two trucks, cleared in 0 s and 100 s: linear interpolation puts p95 at 95 and p99 at 99
    # (nearest-rank would give 100, a "higher" method 100, a "lower" one 0).
    kpis = compute_kpis(_run(_trucks([0.0, 10.0], [0.0, 110.0]), warmup=0.0, horizon=200.0))
    assert kpis["clearance_time_s"] == {"mean": 50.0, "p50": 50.0, "p95": 95.0, "p99": 99.0}


def test_littles_law_is_taken_over_the_kpi_window_after_the_warm_up() -> None:
    # Warm-up 30 s, horizon 100 s. Time in the customs process inside [30, 100]:
    #   truck 0 [10, 50] -> 20, truck 1 [40, 45] -> 5, truck 2 [60, 80] -> 20,
    #   truck 3 [70, still inside] -> 30: L = 75 / 70.
    # Arrivals in the window: trucks 1-3, sojourns 5, 20 and 30 (censored at the horizon):
    #   lambda W = 3 / 70 x 55 / 3 = 55 / 70.
    group = _trucks([10.0, 40.0, 60.0, 70.0], [50.0, 45.0, 80.0, NAN])
    littles = compute_kpis(_run(group, warmup=30.0, horizon=100.0))["littles_law"]["yangpu"]
    assert littles["L"] == pytest.approx(75 / 70, rel=1e-12)
    assert littles["lambda_W"] == pytest.approx(55 / 70, rel=1e-12)
