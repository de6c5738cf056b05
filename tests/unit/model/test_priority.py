"""Priority by tier at the port's resources: served by class, never interrupted, FIFO within one."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import pytest
import simpy

from sim.model import simulate
from sim.model.resources import ScheduledResource, follow_timeline
from sim.results import Records
from sim.scenario import Scenario, load_scenario
from sim.scenario.priority import PRIORITY_RESOURCES, Priority

Job = tuple[str, float, int, float]


def _served(
    arrivals: list[Job], capacity: int, timeline: list[tuple[float, int]] | None = None
) -> list[tuple[str, float]]:
    """Who got the resource when: ``(name, arrival, class, hold)`` jobs on one resource."""
    env = simpy.Environment()
    resource = ScheduledResource(env, capacity)
    order: list[tuple[str, float]] = []

    def job(name: str, arrival: float, cls: int, hold: float) -> Generator[Any, Any, None]:
        yield env.timeout(arrival)
        with resource.request(priority=cls) as req:
            yield req
            order.append((name, env.now))
            yield env.timeout(hold)

    for spec in arrivals:
        env.process(job(*spec))
    if timeline:
        env.process(follow_timeline(env, resource, timeline))
    env.run()
    return order


def test_a_freed_slot_goes_to_the_first_waiting_request_of_the_best_class() -> None:
    order = _served([("w1", 0, 1, 10), ("w2", 1, 1, 10), ("a1", 2, 0, 10), ("w3", 3, 1, 10),
                     ("a2", 4, 0, 10)], capacity=1)  # fmt: skip
    # w1 is served at once and never interrupted; then both AEO in arrival order, then the rest
    assert order == [("w1", 0), ("a1", 10), ("a2", 20), ("w2", 30), ("w3", 40)]


def test_without_classes_it_is_first_come_first_served() -> None:
    jobs = [(f"j{k}", float(k), 0, 10.0) for k in range(6)]
    assert [name for name, _ in _served(jobs, capacity=2)] == [f"j{k}" for k in range(6)]


def test_a_capacity_rise_admits_waiting_requests_by_class() -> None:
    jobs = [("w1", 0, 1, 5), ("w2", 1, 1, 5), ("a1", 2, 0, 5), ("k1", 3, 2, 5)]
    order = _served(jobs, capacity=0, timeline=[(0.0, 0), (10.0, 2)])
    assert order[:2] == [("a1", 10), ("w1", 10)]  # two slots: the AEO, then the oldest other
    assert order[2:] == [("w2", 15), ("k1", 15)]  # then the classes 1 and 2 in turn


def test_priority_classes_from_the_policy() -> None:
    default = Priority()
    assert default.classes() == (0, 1, 1)  # aeo, whitelist, key_attention
    assert [r for r in PRIORITY_RESOURCES if default.applies_to(r)] == [
        "scanners", "inspection_bays", "officers"
    ]  # fmt: skip
    three = Priority(served_first=["aeo", "whitelist"], customs_channels=True)
    assert three.classes() == (0, 1, 2) and three.applies_to("customs_channels")
    assert not Priority(served_first=[]).applies_to("scanners")
    with pytest.raises(KeyError):
        default.applies_to("ferries")
    with pytest.raises(ValueError, match="listed twice"):
        Priority.model_validate({"served_first": ["aeo", "aeo"]})


def _busy_scanner(*overrides: str) -> Scenario:
    """One port whose single scanner queues: everyone scanned, a third of them AEO."""
    return load_scenario(
        "scenarios/theory/priority_scanner.yaml",
        ["horizon_hours=24", "warmup_hours=0", "policy.tier_shares.aeo=0.33",
         "policy.tier_shares.whitelist=0.67", *overrides],
    )  # fmt: skip


def _served_while_waiting(recs: Records, start: str, end: str, waiter: str, taker: str) -> int:
    """How many ``taker`` trucks got the resource while a ``waiter`` truck was waiting for it."""
    t = recs["tier"]
    queued_at, got_at = recs[start], recs[end]
    w = (t == waiter) & (got_at > queued_at)
    taken = np.sort(got_at[(t == taker) & ~np.isnan(got_at)])
    lo = np.searchsorted(taken, queued_at[w], side="right")
    hi = np.searchsorted(taken, got_at[w], side="left")
    return int(np.sum(hi - lo))


def _overtakes(recs: Records, start: str, end: str, waiter: str, taker: str) -> int:
    """Pairs where a ``taker`` truck queued after a ``waiter`` truck and was served before it."""
    t = recs["tier"]
    done = ~np.isnan(recs[end])
    qw, gw = recs[start][(t == waiter) & done], recs[end][(t == waiter) & done]
    qt, gt = recs[start][(t == taker) & done], recs[end][(t == taker) & done]
    return int(np.sum((qt[None, :] > qw[:, None]) & (gt[None, :] < gw[:, None])))


def test_no_whitelist_truck_is_scanned_while_an_aeo_truck_waits() -> None:
    recs = simulate(_busy_scanner()).records
    assert np.sum(recs["scan_start"] > recs["channel_end"]) > 500  # the scanner queues a lot
    assert _served_while_waiting(recs, "channel_end", "scan_start", "aeo", "whitelist") == 0
    assert _overtakes(recs, "channel_end", "scan_start", "whitelist", "aeo") > 100
    assert _overtakes(recs, "channel_end", "scan_start", "aeo", "aeo") == 0  # FIFO in a class
    assert _overtakes(recs, "channel_end", "scan_start", "whitelist", "whitelist") == 0
    aeo, other = recs["tier"] == "aeo", recs["tier"] == "whitelist"
    wait = recs["scan_start"] - recs["channel_end"]
    assert np.nanmean(wait[aeo]) * 3 < np.nanmean(wait[other])
    # off: first come first served, so nobody overtakes, in either class
    fifo = simulate(_busy_scanner("policy.priority.scanners=false")).records
    assert _overtakes(fifo, "channel_end", "scan_start", "whitelist", "aeo") == 0
    assert _overtakes(fifo, "channel_end", "scan_start", "aeo", "whitelist") == 0
    assert _served_while_waiting(fifo, "channel_end", "scan_start", "aeo", "whitelist") > 100
    # the same trucks and service times: only the order changed
    assert np.array_equal(fifo["arrival"], recs["arrival"])
    assert np.array_equal(fifo["tier"], recs["tier"])


def test_the_channels_stay_first_come_first_served_by_default() -> None:
    lane = ["ports.yangpu.resources.customs_channels=1", "ports.yangpu.resources.scanners=2",
            "ports.yangpu.service.channel={kind: deterministic, value: 30}"]  # fmt: skip
    recs = simulate(_busy_scanner(*lane)).records
    assert np.sum(recs["channel_start"] > recs["arrival"]) > 500
    for waiter, taker in (("aeo", "whitelist"), ("whitelist", "aeo")):
        assert _overtakes(recs, "arrival", "channel_start", waiter, taker) == 0
    on = simulate(_busy_scanner(*lane, "policy.priority.customs_channels=true")).records
    assert _served_while_waiting(on, "arrival", "channel_start", "aeo", "whitelist") == 0
    assert _overtakes(on, "arrival", "channel_start", "whitelist", "aeo") > 50
