"""Drills against the reference platform started for real: a broken rule, faults, a target.

- The whole catalogue at all ten ports on a platform whose duty-free quota is broken on purpose
  (test-only ``REFPLATFORM_FAULTS``): the drill fails at exactly the steps whose oracle answer
  the broken rule changes (predicted by planning the same drill under that rule, before
  anything is sent), at every port, and passes everything else.
- The platform killed mid-request, its database locked, the network cut after a request got
  through: every step still passes, the faults show as retries and timeouts, and the audit
  finds nothing acknowledged lost and nothing applied twice.
- ``customs-sim drill --target URL`` against a platform started apart.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.client import LocalPlatform, start_platform
from sim.drill import (
    Catalogue,
    DrillPlan,
    FaultSettings,
    connect,
    drill_population,
    load_catalogue,
    plan_drill,
    run_drill,
)
from sim.drill.catalogue import PORT_GROUPS
from sim.population import Population
from sim.results.drill import read_summary
from sim.rules.config import RulesConfig

ROOT = Path(__file__).resolve().parents[3]
SEED = 7

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue([ROOT / "scenarios" / "drills"])


@pytest.fixture(scope="module")
def population(catalogue: Catalogue) -> Population:
    from sim.scenario import Scenario

    scenario = Scenario()
    start = min(p.start for p in catalogue.processes.values())
    return drill_population(scenario.population, scenario.credit, SEED, start)


def _plan(catalogue: Catalogue, population: Population, rules: RulesConfig,
          processes: list[str] | None = None, ports: list[str] | None = None) -> DrillPlan:
    return plan_drill(catalogue.select(processes), population, rules, seed=SEED, ports=ports)


def test_a_broken_rule_fails_exactly_the_steps_that_depend_on_it_at_every_port(
    catalogue: Catalogue, population: Population
) -> None:
    rules = RulesConfig()
    plan = _plan(catalogue, population, rules)
    broken = _plan(catalogue, population,
                   rules.model_copy(update={"duty_free_quota_fen": rules.duty_free_quota_fen - 1}))
    depends = {(s.process, s.port, s.index)
               for s, b in zip(plan.steps(), broken.steps(), strict=True)
               if s.expected != b.expected}
    assert {op for s in plan.steps() if (s.process, s.port, s.index) in depends
            for op in [s.operation]} == {"departure_check"}
    assert {port for _, port, _ in depends} == set(PORT_GROUPS["airports"])
    assert {process for process, _, _ in depends} == {"duty_free_quota", "individual_violation"}

    with connect(None, rules.model_dump(mode="json"),
                 extra_env={"REFPLATFORM_FAULTS": "quota_one_fen_short"}) as platform:
        summary = run_drill(plan, platform)
    failed = {(s.process, s.port, s.index) for s in summary.steps if s.status == "fail"}
    assert failed == depends
    others = {s.status for s in summary.steps if (s.process, s.port, s.index) not in depends}
    assert others == {"pass", "not_supported"}
    unsupported = {(s.process, s.step) for s in summary.steps if s.status == "not_supported"}
    assert unsupported == {("vehicle_exit", "vehicle leaves by ro-ro ferry")}
    assert set(summary.ports) == set(PORT_GROUPS["seaports"] + PORT_GROUPS["airports"])
    over = next(s for s in summary.steps
                if s.step == "departure reaching the quota exactly" and s.port == "boao")
    assert "decision: expected 'pass', got 'over_quota'" in over.differences
    assert summary.audit is not None and summary.audit.ok
    assert summary.verdict == "fail"


def test_faults_mid_drill_lose_nothing_and_apply_nothing_twice(
    catalogue: Catalogue, population: Population
) -> None:
    rules = RulesConfig()
    plan = _plan(catalogue, population, rules, ["full_process", "batch_exit"], ["xinhai"])
    with connect(None, rules.model_dump(mode="json")) as platform:
        summary = run_drill(plan, platform, faults=["kill", "db_lock", "network_cut"],
                            settings=FaultSettings(lock_s=2.0, cut_s=1.0), timeout_s=1.0)
    assert {s.status for s in summary.steps} == {"pass"}, [
        (s.step, s.status, s.differences, s.note) for s in summary.steps if s.status != "pass"]
    kill, lock, cut = summary.faults
    assert (kill.name, lock.name, cut.name) == ("kill", "db_lock", "network_cut")
    assert kill.retries.get("connect", 0) + kill.retries.get("disconnect", 0) > 0
    assert lock.timeouts >= 1 and lock.duration_s >= 1.5
    assert cut.retries.get("disconnect", 0) >= 1 and cut.retries.get("connect", 0) >= 1
    injected = [s for s in summary.steps if (s.process, s.port, s.step) in {
        (f.process, f.port, f.step) for f in summary.faults}]
    assert len(injected) == 3 and all(s.retries > 0 for s in injected)
    audit = summary.audit
    assert audit is not None and audit.ok, audit
    expected_writes = sum(1 for s in plan.steps() if s.writes and s.expected
                          and s.expected.accepted)
    assert audit.acknowledged_writes == expected_writes
    assert audit.books_matching == audit.books_checked == 3
    assert audit.declarations_found == audit.declarations_acknowledged == 5
    assert audit.replays >= 3 and audit.replays_identical == audit.replays
    assert summary.client["retries"] >= sum(sum(f.retries.values()) for f in summary.faults)


def test_a_platform_killed_as_the_partner_accepts_moves_the_goods_once(
    catalogue: Catalogue, population: Population
) -> None:
    """One fault falls mid-run: on full_process alone, the acceptance of the transfer. The
    retry with its key (the enterprise's, whichever token) is carried out once: both books and
    both transfers stand as the oracle's."""
    rules = RulesConfig()
    plan = _plan(catalogue, population, rules, ["full_process"], ["xinhai"])
    with connect(None, rules.model_dump(mode="json")) as platform:
        summary = run_drill(plan, platform, faults=["kill"], timeout_s=1.0)
    assert {s.status for s in summary.steps} == {"pass"}, [
        (s.step, s.status, s.differences, s.note) for s in summary.steps if s.status != "pass"]
    (kill,) = summary.faults
    assert kill.step == "transfer accepted by the partner"
    accepted = next(s for s in summary.steps if s.step == kill.step)
    assert accepted.retries > 0
    audit = summary.audit
    assert audit is not None and audit.ok, audit
    assert audit.transfers_acknowledged == audit.transfers_matching == 2
    assert audit.books_checked == audit.books_matching == 2


@pytest.fixture
def target() -> Iterator[LocalPlatform]:
    with start_platform() as platform:
        yield platform


def test_the_command_drills_a_target(
    target: LocalPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", target.admin_token)
    out = tmp_path / "drill"
    result = CliRunner().invoke(app, [
        "drill", "--target", target.base_url, "--processes", "full_process,vehicle_exit",
        "--processes", "duty_free_quota", "--ports", "nangang,boao", "--faults", "network_cut",
        "--out", str(out)])
    assert result.exit_code == 3, result.output
    summary = read_summary(out / "summary.json")
    assert summary.verdict == "not_supported" and summary.target == target.base_url
    assert summary.matrix()["full_process"]["nangang"]["status"] == "pass"
    assert summary.matrix()["vehicle_exit"]["nangang"]["status"] == "not_supported"
    assert [f.name for f in summary.faults] == ["network_cut"]
    data = json.loads((out / "summary.json").read_text())
    assert data["counts"]["not_supported"] == 1 and data["counts"]["fail"] == 0
    root = ET.parse(out / "junit.xml").getroot()
    assert sum(int(s.get("skipped", "0")) for s in root.iter("testsuite")) == 1
    assert sum(int(s.get("failures", "0")) for s in root.iter("testsuite")) == 0
    assert "not supported: vehicle_exit" in result.output
    # The same drill again: its keys (fixed by the seed, owned by the principal) were used, so
    # the platform replays the first drill's answers and does nothing; every write says so.
    again = CliRunner().invoke(app, [
        "drill", "--target", target.base_url, "--processes", "full_process,vehicle_exit",
        "--processes", "duty_free_quota", "--ports", "nangang,boao", "--out",
        str(tmp_path / "again")])
    assert again.exit_code == 1, again.output
    replayed = read_summary(tmp_path / "again" / "summary.json")
    # (An officer's key belongs to its token, and the drill's officer token is new: those
    # steps run again, and fail or pass on their own merits.)
    writes = [s for s in replayed.steps if s.operation in (
        "register_entity", "file_qualification", "file_book", "first_line_entry", "transfer",
        "accept_transfer", "declare")]
    assert len(writes) == 22 and all(
        s.status == "fail" and "an earlier drill with this --seed" in s.differences[0]
        for s in writes)
    assert "give another --seed" in again.output
