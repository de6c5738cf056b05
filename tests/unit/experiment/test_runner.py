"""Experiments on tiny scenarios: replications by index on one world, CRN, precision."""

from __future__ import annotations

import math

import pytest

from sim.experiment import ArmSpec, SerialExecutor, run_experiment
from sim.results import canonical_json, compute_kpis
from sim.results.rows import KpiKey, kpi_rows
from sim.world import build_world, run_scenario
from tests.unit.experiment.support import busy, tiny

ISLAND_MEAN = KpiKey("", "", "", "clearance_time_s.mean")


def test_replication_set_is_replications_of_one_world() -> None:
    scenario = tiny()
    run = run_experiment("replications", [ArmSpec("base", scenario)], 3, SerialExecutor())
    (arm,) = run.experiment.arms
    assert arm.replications == (0, 1, 2)
    # replication 1 of the set is replication 1 of the scenario in its world
    world = build_world(scenario)
    alone = {r.key: r.value for r in kpi_rows(compute_kpis(
        run_scenario(scenario, replication=1, world=world)))}  # fmt: skip
    in_set = {row.key: row.value for label, rep, row in run.rows if rep == 1}
    assert in_set.keys() == alone.keys()
    assert all(in_set[k] == alone[k] or (math.isnan(in_set[k]) and math.isnan(alone[k]))
               for k in alone)  # fmt: skip
    estimate = arm.estimate(ISLAND_MEAN)
    assert estimate is not None and estimate.interval.n == 3
    values = [row.value for _, _, row in run.rows if row.key == ISLAND_MEAN]
    assert estimate.interval.mean == pytest.approx(sum(values) / 3)
    assert 0 < estimate.interval.half_width < math.inf
    # the same experiment twice: the same bytes
    again = run_experiment("replications", [ArmSpec("base", scenario)], 3, SerialExecutor())
    assert canonical_json(again.experiment.to_dict()) == canonical_json(run.experiment.to_dict())


def test_common_random_numbers_narrow_the_interval_of_a_policy_change() -> None:
    """Key-attention trucks all scanned: the paired interval of B - A is narrower than the
    unpaired one for the island's clearance time and share released without a stop."""
    a = busy()
    b = busy(policy__tiers__key_attention__random_floor=1.0)
    run = run_experiment("comparison", [ArmSpec("A", a), ArmSpec("B", b)], 6, SerialExecutor())
    diffs = {d.key: d for d in run.experiment.differences}
    for key in (ISLAND_MEAN, KpiKey("", "", "", "seamless_clearance_share")):
        d = diffs[key]
        assert d.paired.n == 6
        assert d.paired.mean == pytest.approx(d.b.mean - d.a.mean)
        assert d.paired.half_width < d.unpaired.half_width, key
    rate = diffs[KpiKey("", "", "key_attention", "inspection_rate")]
    assert rate.significant() and rate.paired.mean > 0
    assert rate.b.mean == pytest.approx(1.0)
    assert rate.verdict().startswith("B raises inspection rate for key-attention declarants by")
    # an unchanged port is the same in both arms, replication by replication
    sailings = [d for k, d in diffs.items() if k.metric == "ferry.sailings_scheduled"]
    assert sailings and all(d.paired.half_width == 0.0 for d in sailings)


def test_precision_adds_replications_until_reached() -> None:
    scenario = busy(hours=12.0)
    run = run_experiment(
        "replications", [ArmSpec("s", scenario)], 2, SerialExecutor(), precision=0.25,
        max_replications=40,
    )  # fmt: skip
    e = run.experiment
    n = len(e.arms[0].replications)
    assert e.precision_reached is True and 2 < n <= 40
    island = e.arms[0].estimate(ISLAND_MEAN)
    assert island is not None and island.interval.relative_half_width <= 0.25
    capped = run_experiment(
        "replications", [ArmSpec("s", scenario)], 2, SerialExecutor(), precision=1e-6,
        max_replications=4,
    )  # fmt: skip
    assert capped.experiment.precision_reached is False
    assert capped.experiment.arms[0].replications == (0, 1, 2, 3)


def test_inconsistent_designs_are_refused() -> None:
    scenario = tiny(hours=1.0)
    with pytest.raises(ValueError, match="two arms"):
        run_experiment("comparison", [ArmSpec("A", scenario)], 2, SerialExecutor())
    with pytest.raises(ValueError, match="precision"):
        run_experiment("replications", [ArmSpec("A", scenario)], 2, SerialExecutor(), precision=2)
