"""Goods shipments are the supervised trucks: one truck per shipment, at its port, on its day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np
import pytest

from sim.model import simulate
from sim.model.goods_flow import GoodsEnterprise
from sim.model.shipments import SHIPMENT_KINDS, run_goods, schedule_trucks
from sim.model.truck_clock import TruckClock
from sim.results import canonical_json, compute_kpis
from sim.results.run import RunResult
from sim.rng import RandomStreams
from sim.scenario import Scenario

DAY = 86_400.0


def _scenario(**goods: object) -> Scenario:
    return Scenario.model_validate(
        {"horizon_hours": 48, "goods": {"enterprises": 600, **goods}}
    )


def _trucks_by_port_day(result: RunResult) -> Counter[tuple[str, int]]:
    rec = result.records
    trucks = rec["flow"] == "cargo_truck"
    days = (rec["arrival"][trucks] // DAY).astype(int).tolist()
    return Counter(zip(rec["port"][trucks].tolist(), days, strict=True))


def _shipments_by_port_day(result: RunResult) -> Counter[tuple[str, int]]:
    ev = result.goods
    assert ev is not None
    return Counter(
        (p, int(t // DAY))
        for k, p, t in zip(ev.kind, ev.port, ev.time_s, strict=True)
        if k in SHIPMENT_KINDS
    )


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    return simulate(_scenario())


def test_every_truck_is_one_shipment_per_port_and_day(baseline: RunResult) -> None:
    trucks = _trucks_by_port_day(baseline)
    assert trucks == _shipments_by_port_day(baseline)
    assert {d for _, d in trucks} == {0, 1} and len({p for p, _ in trucks}) == 10
    goods = compute_kpis(baseline)["goods"]
    shipped = Counter(goods["declarations"]["by_port"]) + Counter(
        goods["batch_exit"]["shipments_by_port"]
    )
    arrivals = {p: k["arrivals"] for p, k in compute_kpis(baseline)["ports"].items()}
    assert arrivals == {p: shipped.get(p, 0) for p in arrivals}


def test_truck_times_are_the_shipment_times(baseline: RunResult) -> None:
    ev = baseline.goods
    assert ev is not None
    rec = baseline.records
    for port in ("xinhai", "basuo"):
        mine = rec["arrival"][(rec["flow"] == "cargo_truck") & (rec["port"] == port)]
        shipped = sorted(t for k, p, t in zip(ev.kind, ev.port, ev.time_s, strict=True)
                         if k in SHIPMENT_KINDS and p == port)  # fmt: skip
        assert np.array_equal(mine, np.array(shipped))
    # basuo is open 08:00-20:00: its trucks come in those hours only
    basuo = rec["arrival"][(rec["flow"] == "cargo_truck") & (rec["port"] == "basuo")]
    hours = (basuo % DAY) / 3600
    assert len(basuo) and np.all((hours >= 8) & (hours < 20))


def test_xinhai_and_south_port_carry_about_80_percent(baseline: RunResult) -> None:
    arrivals = {p: k["arrivals"] for p, k in compute_kpis(baseline)["ports"].items()}
    share = (arrivals["xinhai"] + arrivals["nangang"]) / sum(arrivals.values())
    assert share == pytest.approx(0.80, abs=0.03)


def test_trucks_carry_their_enterprises_tiers() -> None:
    scenario = _scenario()
    streams = RandomStreams(scenario.seed)
    flow = run_goods(scenario, streams)
    shipments = schedule_trucks(flow, scenario)
    ev = flow.events
    result = simulate(scenario)
    rec = result.records
    for port, s in shipments.items():
        tiers = rec["tier"][(rec["flow"] == "cargo_truck") & (rec["port"] == port)]
        expected = [flow.firms[ev.enterprise[i]].tier for i in s.event.tolist()]
        assert tiers.tolist() == expected
    # a key-attention-only world declares as key-attention, whatever the policy's shares
    bad = [GoodsEnterprise(f"K{i}", "key_attention", False, False) for i in range(200)]
    rec = simulate(scenario, goods_enterprises=bad).records
    trucks = rec["flow"] == "cargo_truck"
    assert trucks.sum() > 100 and set(rec["tier"][trucks].tolist()) == {"key_attention"}


def test_violations_are_planted_at_the_enterprises_rates() -> None:
    scenario = _scenario()
    cheats = [GoodsEnterprise(f"C{i}", "whitelist", False, False, 1.0) for i in range(100)]
    honest = [GoodsEnterprise(f"H{i}", "whitelist", False, False, 0.0) for i in range(100)]
    rec = simulate(scenario, goods_enterprises=cheats + honest).records
    trucks = rec["flow"] == "cargo_truck"
    # the flag follows the enterprise, not a draw at the tier's rate
    assert 0.3 < rec["violation"][trucks].mean() < 0.7
    all_cheats = simulate(scenario, goods_enterprises=cheats).records
    t = all_cheats["flow"] == "cargo_truck"
    assert t.sum() > 50 and all_cheats["violation"][t].all()


def test_batch_exit_adoption_keeps_the_traffic_and_changes_the_split() -> None:
    low = simulate(_scenario(batch_exit_adoption=0.1, missing_permit_rate=0.0))
    high = simulate(_scenario(batch_exit_adoption=0.8, missing_permit_rate=0.0))
    assert _trucks_by_port_day(low) == _trucks_by_port_day(high)
    assert np.array_equal(low.records["arrival"], high.records["arrival"])
    kl, kh = compute_kpis(low)["goods"], compute_kpis(high)["goods"]
    assert kh["batch_exit"]["shipments"] > 3 * kl["batch_exit"]["shipments"]
    assert kh["declarations"]["total"] < kl["declarations"]["total"]
    total = kl["declarations"]["total"] + kl["batch_exit"]["shipments"]
    assert total == kh["declarations"]["total"] + kh["batch_exit"]["shipments"]


def test_same_seed_same_bytes_other_seed_other_trucks() -> None:
    a = canonical_json(compute_kpis(simulate(_scenario())))
    assert a == canonical_json(compute_kpis(simulate(_scenario())))
    other = Scenario.model_validate({**_scenario().model_dump(by_alias=True), "seed": 7})
    assert a != canonical_json(compute_kpis(simulate(other)))


def test_a_port_with_no_shipments_has_no_trucks() -> None:
    shares = {"xinhai": 0.7, "nangang": 0.3}
    result = simulate(_scenario(port_shares=shares))
    kpis = compute_kpis(result)
    rec = result.records
    trucks = rec["flow"] == "cargo_truck"
    assert set(rec["port"][trucks].tolist()) == {"xinhai", "nangang"}
    assert kpis["ports"]["yangpu"]["arrivals"] == 0
    # its duty-free travellers and other flows are unaffected
    assert kpis["ports"]["meilan"]["arrivals"] == 0
    assert np.any((rec["port"] == "meilan") & (rec["flow"] == "duty_free_traveller"))


def test_switched_off_trucks_are_poisson_at_per_day() -> None:
    scenario = _scenario(drives_trucks=False)
    result = simulate(scenario)
    trucks = result.records["flow"] == "cargo_truck"
    expected = 2 * sum(scenario.ports.get(p).flows.cargo_truck.per_day  # type: ignore[union-attr]
                       for p in scenario.active_ports)  # fmt: skip
    assert trucks.sum() == pytest.approx(expected, rel=0.05)
    assert _trucks_by_port_day(result) != _shipments_by_port_day(result)


def test_calendar_multipliers_scale_each_ports_shipments() -> None:
    base = _scenario()
    rules = {"calendar": {"dated": [
        {"start": "2026-03-10", "end": "2026-03-11", "multiplier": 0.5, "flows": ["cargo_truck"]},
        {"start": "2026-03-11", "end": "2026-03-11", "multiplier": 4.0, "flows": ["cargo_truck"],
         "ports": ["yangpu"]},
        {"start": "2026-03-10", "end": "2026-03-11", "multiplier": 3.0, "flows": ["vehicle"]},
    ]}}  # fmt: skip
    busy = Scenario.model_validate({**base.model_dump(by_alias=True), **rules})
    a, b = _trucks_by_port_day(simulate(base)), _trucks_by_port_day(simulate(busy))
    total_a, total_b = sum(a.values()), sum(b.values())
    assert 0.45 < (total_b - b["yangpu", 1]) / (total_a - a["yangpu", 1]) < 0.6
    assert b["yangpu", 1] > 1.5 * a["yangpu", 1]  # 0.5 x 4 = 2x on that port and day
    assert b["yangpu", 0] < a["yangpu", 0]


def test_truck_clock_follows_the_profile_and_the_horizon() -> None:
    hours = {"p": [0.0] * 8 + [1.0] * 4 + [0.0] * 12}  # 08:00-12:00 only
    clock = TruckClock(hours, datetime(2026, 3, 10, 9, 0), 30 * 3600.0, RandomStreams(1))
    assert clock.covers("p") and not clock.covers("q")
    times = [clock.time(k, "p") for k in (0, 1) for _ in range(2_000)]
    day0 = [t for t in times[:2_000] if t is not None]
    day1 = [t for t in times[2_000:] if t is not None]
    # day 0 started at 09:00: only 09:00-12:00 is in the run, three quarters of the day's trucks
    assert 0.70 < len(day0) / 2_000 < 0.80 and min(day0) >= 0 and max(day0) < 3 * 3600
    # day 1: 08:00-12:00 local = 23 h to 27 h after the start, all inside the 30 h horizon
    assert len(day1) == 2_000 and min(day1) >= 23 * 3600 and max(day1) < 27 * 3600


def test_each_truck_carries_its_shipments_identity_and_decision(baseline: RunResult) -> None:
    """Entity, book, reference or shipment id, indicators and channel come from the goods event."""
    ev = baseline.goods
    assert ev is not None
    rec = baseline.records
    trucks = np.flatnonzero(rec["flow"] == "cargo_truck")
    by_ref = {ev.ref[i]: i for i, k in enumerate(ev.kind) if k in SHIPMENT_KINDS}
    seen = Counter()
    for r in trucks.tolist():
        ref = rec["reference"][r] or rec["shipment"][r]
        assert bool(rec["reference"][r]) != bool(rec["shipment"][r])  # one or the other
        i = by_ref[ref]
        kind = ev.kind[i]
        seen[kind] += 1
        assert (kind == "declaration") == bool(rec["reference"][r])
        assert rec["entity"][r] == ev.entity[ev.enterprise[i]]
        assert rec["book"][r] == f"BK-{rec['entity'][r]}"
        assert rec["risk_indicators"][r] == ev.indicators[i]
        assert rec["tier"][r] == ev.tier[i] and rec["violation"][r] == ev.violation[i]
        # the channel the oracle chose is the truck's first channel (an anomaly may escalate)
        route = rec["route"][r]
        assert route == ev.channel[i] or (ev.channel[i] == "scan" and route == "inspection")
    assert seen["declaration"] > 100 and seen["batch_shipment"] > 10
    assert len(set(rec["reference"][trucks].tolist()) - {""}) == seen["declaration"]


def test_trucks_take_their_enterprises_tier_on_the_trucks_date() -> None:
    """A tier lookup by date (the population's classification) decides each truck's tier."""
    scenario = _scenario()
    first = (scenario.start.date() - datetime(1970, 1, 1).date()).days

    def listed_on_day_two(firms: np.ndarray, days: np.ndarray) -> np.ndarray:
        return np.where(days == first + 1, 2, 1).astype(np.int8)  # key_attention, whitelist

    rec = simulate(scenario, goods_tiers=listed_on_day_two).records
    trucks = rec["flow"] == "cargo_truck"
    day = (rec["arrival"][trucks] // DAY).astype(int)
    tiers = rec["tier"][trucks]
    assert set(tiers[day == 0].tolist()) == {"whitelist"}
    assert set(tiers[day == 1].tolist()) == {"key_attention"}
