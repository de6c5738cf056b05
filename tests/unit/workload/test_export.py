"""The workload export: every call of a period, in order, tied together, with the answers."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

import numpy as np
import pytest

from sim.scenario import Scenario
from sim.workload import Call, WorkloadError, WorkloadInfo, export_workload, resolve_period
from sim.world import build_world, run_scenario
from tests.unit.workload.conftest import small_scenario

Exported = tuple[WorkloadInfo, list[Call]]


def test_setup_comes_first_and_timed_calls_keep_their_order(exported: Exported) -> None:
    _, calls = exported
    phases = [c.phase for c in calls]
    n_setup = phases.count("setup")
    assert 0 < n_setup < len(calls) and set(phases[:n_setup]) == {"setup"}
    assert [c.seq for c in calls] == list(range(len(calls)))
    timed = [c.intended_s for c in calls[n_setup:]]
    assert timed == sorted(timed) and timed[0] >= 0 and timed[-1] < 4 * 3600
    assert all(c.intended_s == 0 for c in calls[:n_setup])
    ops = Counter(c.operation for c in calls[n_setup:])
    for op in ("declaration", "batch_exit_list", "departure_check", "tier_query",
               "first_line_entry", "inspection_result"):
        assert ops[op] > 0, op


def test_every_call_names_an_actor_and_its_dependencies_come_first(exported: Exported) -> None:
    _, calls = exported
    registered = set()
    for c in calls:
        if c.operation == "register_entity":
            registered.add(c.body_json()["id"])
        assert c.actor_role in {"admin", "officer", "enterprise", "department"}
        assert (c.actor_role == "enterprise") == (c.actor_entity == c.partition != "")
        assert c.partition in registered  # an entity exists before anything touches it
        assert c.depends_on is None or c.depends_on < c.seq
        assert (c.idempotency_key != "") == (c.method == "POST")
    keys = [c.idempotency_key for c in calls if c.idempotency_key]
    assert len(keys) == len(set(keys))


def test_inspection_results_name_their_declaration(exported: Exported) -> None:
    _, calls = exported
    by_seq = {c.seq: c for c in calls}
    results = [c for c in calls if c.operation == "inspection_result"]
    assert results
    for r in results:
        decl = by_seq[r.depends_on]  # type: ignore[index]
        assert decl.operation == "declaration" and "{depends_on.id}" in r.path
        expected = r.expected_json()
        assert expected["reference"] == decl.body_json()["reference"]
        assert expected["channel"] == decl.expected_json()["channel"] in {"scan", "inspection"}
        assert r.intended_s >= (decl.intended_s if decl.phase == "timed" else 0)


def test_a_declaration_expects_what_the_model_decided(small: Scenario, exported: Exported) -> None:
    """Tier, channel and indicators in the call are the journey record's of the same truck."""
    _, calls = exported
    result = run_scenario(small)
    rec = result.records
    row = {ref: i for i, ref in enumerate(rec["reference"].tolist()) if ref}
    decls = [c for c in calls if c.operation == "declaration" and c.phase == "timed"]
    assert len(decls) > 20
    for c in decls:
        body, want = c.body_json(), c.expected_json()
        i = row[body["reference"]]
        assert rec["entity"][i] == c.actor_entity and rec["book"][i] == body["book"]
        assert rec["tier"][i] == want["tier"] and rec["port"][i] == body["port"] == c.port
        assert ",".join(body["risk_indicators"]) == rec["risk_indicators"][i]
        # the record keeps the last channel: a scan with an anomaly ends in inspection
        assert rec["route"][i] == want["channel"] or (
            want["channel"] == "scan" and rec["route"][i] == "inspection")
        assert abs(rec["arrival"][i] - small_start_offset(small, c)) < 1e-6


def small_start_offset(small: Scenario, c: Call) -> float:
    """The model time of a timed call of the 08:00 period."""
    return 8 * 3600.0 + c.intended_s


def test_travellers_are_set_up_with_the_years_purchases(exported: Exported) -> None:
    _, calls = exported
    checks = [c for c in calls if c.operation == "departure_check"]
    prior = [c for c in checks if c.phase == "setup" and c.body_json()["date"] == "2026-03-09"]
    assert prior and all(c.expected_json()["used_before_fen"] == 0 for c in prior)
    timed = [c for c in checks if c.phase == "timed"]
    decisions = Counter(c.expected_json()["decision"] for c in timed)
    assert decisions["pass"] > 100
    queries = {c.partition for c in calls if c.operation == "tier_query"}
    assert queries == {c.partition for c in timed}


def test_the_same_inputs_give_the_same_calls(small: Scenario, exported: Exported) -> None:
    period = resolve_period(small, datetime(2026, 3, 10, 8, 0), 4.0)
    again = export_workload(small, period)
    assert again == exported
    other = export_workload(small, period, replication=1)[1]
    assert other != exported[1]


def test_one_port_keeps_its_entities_whole(small: Scenario) -> None:
    period = resolve_period(small, datetime(2026, 3, 10, 8, 0), 4.0, ["yangpu"])
    info, calls = export_workload(small, period)
    assert info.ports == ("yangpu",)
    timed = [c for c in calls if c.phase == "timed"]
    at = Counter(c.port for c in timed)
    assert at["yangpu"] > 0
    # whoever acts at Yangpu brings its other calls of the period; nobody else comes
    actors = {c.partition for c in timed if c.port == "yangpu"}
    assert {c.partition for c in timed} <= actors | {c.partition for c in timed
                                                      if c.operation == "transfer"}


@pytest.mark.parametrize(
    ("start", "hours", "ports", "message"),
    [
        (datetime(2026, 3, 9, 8), 2.0, None, "--from: outside the simulated period"),
        (datetime(2026, 3, 10, 8), 0.0, None, "--hours: must be greater than 0"),
        (datetime(2026, 3, 11, 5), 2.0, None, "--hours: the period would end after"),
        (None, 2.0, ["atlantis"], "--ports: unknown port id"),
    ],
)
def test_bad_periods_are_one_line(
    small: Scenario, start: datetime | None, hours: float, ports: list[str] | None, message: str
) -> None:
    with pytest.raises(WorkloadError, match=message) as exc:
        resolve_period(small, start, hours, ports)
    assert "\n" not in str(exc.value)


def test_a_scenario_without_identities_cannot_be_exported() -> None:
    shares = small_scenario(policy={"declarants": "shares"})
    with pytest.raises(WorkloadError, match=r"policy\.declarants"):
        export_workload(shares, resolve_period(shares))
    poisson = small_scenario(goods={"drives_trucks": False})
    with pytest.raises(WorkloadError, match=r"goods\.drives_trucks"):
        export_workload(poisson, resolve_period(poisson))


def test_credit_events_inside_the_period_are_timed_at_the_start_of_their_day() -> None:
    # frequent penalties and tax ratings, so that the few hundred exported enterprises have
    # some history events in five days
    population = {"enterprises": {"count": 6_000, "history": {
        "smuggling_penalty_per_year": 1.0,
        "ratings": {"tax": {"lowest_per_year": 2.0, "months_at_lowest": 1}}}},
        "individuals": {"count": 60_000}}
    scenario = small_scenario(horizon_hours=24 * 6, population=population)
    world = build_world(scenario)
    result = run_scenario(scenario, world=world)
    period = resolve_period(scenario, datetime(2026, 3, 10, 12, 0), 24 * 5.0)
    _, calls = export_workload(scenario, period, world=world, result=result)
    events = [c for c in calls if c.operation == "credit_event" and c.phase == "timed"]
    assert events, "five days of 6,000 enterprises' histories bring some events"
    for c in events:
        day = datetime.fromisoformat(c.body_json()["date"])
        assert c.intended_s == pytest.approx((day - datetime(2026, 3, 10, 12)).total_seconds())
        assert json.loads(c.expected)["tier_after"] in {"aeo", "whitelist", "key_attention"}
    assert np.all(np.diff([c.intended_s for c in calls if c.phase == "timed"]) >= 0)
