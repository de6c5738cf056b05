"""The bridge end to end: the model's traffic exported, replayed on a fresh reference platform.

Every answer of the platform is the one the model computed with the oracle: the whole baseline
for two hours at all ten ports replays without a mismatch, each declaration's channel is the
model's, and a rule broken on purpose in the platform shows up exactly at the calls that depend
on it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sim.client import open_target
from sim.rules.config import default_rules
from sim.scenario import Scenario, load_scenario
from sim.workload import Call, export_workload, resolve_period
from sim.workload.replay import replay
from sim.world import build_world, run_scenario

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.yaml")


def test_the_baseline_replays_without_a_mismatch(baseline: Scenario) -> None:
    """Two hours of the morning at all ten ports on a platform left on its defaults; the
    model's channel for each declaration is the platform's answer for the same body."""
    world = build_world(baseline)
    result = run_scenario(baseline, world=world)
    period = resolve_period(baseline, datetime(2026, 3, 10, 9, 0), 2.0)
    info, calls = export_workload(baseline, period, world=world, result=result)
    channels: dict[str, str] = {}

    def keep_channel(call: Call, status: int, answer: Any) -> None:
        if call.operation == "declaration" and status == 201:
            channels[answer["reference"]] = answer["channel"]

    # The platform on its defaults (no REFPLATFORM_RULES): they are the scenario's defaults.
    assert info.rules == default_rules().model_dump(mode="json")
    with open_target(None, None) as client:
        report = replay(client, calls, on_answer=keep_channel)
    assert report.mismatches == [], report.mismatches[0].to_record()
    assert sum(report.sent.values()) == len(calls)
    sent = report.sent
    for operation, at_least in (
        ("register_entity", 1_000), ("credit_event", 50), ("qualification", 200),
        ("book_filing", 200), ("first_line_entry", 1_000), ("booking", 1_000),
        ("declaration", 150), ("batch_exit_list", 10), ("inspection_result", 5),
        ("transfer", 10), ("processing", 50), ("island_sale", 5),
        ("departure_check", 2_000), ("tier_query", 1_000),
    ):
        assert sent[operation] >= at_least, (operation, sent[operation])
    # The model's first channel for each declared truck is the platform's answer.
    ev = result.goods
    assert ev is not None
    model = {ev.ref[i]: ev.channel[i] for i, k in enumerate(ev.kind) if k == "declaration"}
    assert len(channels) == sent["declaration"]
    assert all(channels[ref] == model[ref] for ref in channels)
    assert set(channels.values()) >= {"release", "scan"}


def test_a_broken_rule_shows_exactly_where_it_matters(baseline: Scenario) -> None:
    """The platform answers 'release' for scans: the scanned declarations and their results
    mismatch, nothing else does."""
    period = resolve_period(baseline, datetime(2026, 3, 10, 8, 0), 3.0, ["xinhai", "nangang"])
    info, calls = export_workload(baseline, period)
    scanned = {c.seq for c in calls
               if c.operation == "declaration" and c.expected_json()["channel"] == "scan"}
    results = {c.seq for c in calls
               if c.operation == "inspection_result" and c.depends_on in scanned}
    assert len(scanned) >= 3, "three hours at the strait bring a few scans"
    with open_target(None, info.rules, extra_env={"REFPLATFORM_FAULTS": "scan_as_release"}) \
            as client:
        report = replay(client, calls)
    assert {m.call.seq for m in report.mismatches} == scanned | results
    for m in report.mismatches:
        assert any(d.startswith("channel: expected 'scan', got 'release'")
                   for d in m.differences), m.differences
    assert Counter(m.call.operation for m in report.mismatches)["declaration"] == len(scanned)
