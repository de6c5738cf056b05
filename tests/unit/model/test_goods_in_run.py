"""The goods flow inside a model run: the goods block of kpis.json and the batch-exit what-if."""

from __future__ import annotations

from pathlib import Path

from sim.model import simulate
from sim.results import compute_kpis
from sim.results.io import canonical_json
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[3]
# one small port keeps the truck part cheap; the goods flow does not depend on active ports
SHORT = ["active_ports=[boao]", "goods.enterprises=80"]


def test_baseline_run_reports_a_goods_block() -> None:
    scenario = Scenario.model_validate({"active_ports": ["boao"], "horizon_hours": 48})
    kpis = compute_kpis(simulate(scenario))
    goods = kpis["goods"]
    assert goods["enterprises"] == scenario.goods.enterprises == 3_900
    assert goods["declarations"]["total"] > 0
    assert goods["duty_assessed_fen"]["total"]["total_fen"] > 0
    assert canonical_json(kpis) == canonical_json(compute_kpis(simulate(scenario)))


def test_goods_can_be_switched_off() -> None:
    scenario = Scenario.model_validate({"active_ports": ["boao"], "horizon_hours": 6,
                                        "goods": {"enabled": False}})
    assert "goods" not in compute_kpis(simulate(scenario))


def test_warmup_excludes_goods_events() -> None:
    base = {"active_ports": ["boao"], "horizon_hours": 48}
    full = compute_kpis(simulate(Scenario.model_validate(base)))["goods"]
    late = compute_kpis(simulate(Scenario.model_validate({**base, "warmup_hours": 24})))["goods"]
    assert 0 < late["declarations"]["total"] < full["declarations"]["total"]


def test_batch_exit_adoption_what_if() -> None:
    path = ROOT / "scenarios/batch_exit_adoption.yaml"
    high = load_scenario(path, SHORT)
    assert high.goods.batch_exit_adoption == 0.8
    low = load_scenario(path, [*SHORT, "goods.batch_exit_adoption=0.1"])
    kh = compute_kpis(simulate(high))["goods"]
    kl = compute_kpis(simulate(low))["goods"]
    assert kh["batch_exit"]["share"] > 0.5 > 0.2 > kl["batch_exit"]["share"]
    assert kh["batch_exit"]["consolidated_declarations"] > kl["batch_exit"][
        "consolidated_declarations"]
    assert kh["declarations"]["total"] < kl["declarations"]["total"]
    # the same first-line imports in both runs: common random numbers
    assert kh["first_line"] == kl["first_line"]
