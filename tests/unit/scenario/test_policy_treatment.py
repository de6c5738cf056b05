"""The policy's treatment by listing ground and priority by tier: loaded, checked, handed on."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.results import compute_kpis
from sim.rules.risk import packaged_risk_model
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.world import run_scenario

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"


def _refused(path: Path, overrides: list[str]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    assert "\n" not in str(info.value)
    return info.value


def test_the_defaults_are_the_packaged_risk_model() -> None:
    policy = Scenario().policy
    assert policy.risk_model() == packaged_risk_model()
    assert set(policy.grounds) == {"customs", "smuggling_penalty"}
    assert policy.grounds["customs"].random_floor == 0.8
    schema = Scenario.model_json_schema()["$defs"]["Policy"]["properties"]
    assert "[S] gac-order-237" in schema["grounds"]["description"]
    assert "[A]" in schema["grounds"]["description"]


def test_a_ground_setting_merges_and_reaches_the_platform() -> None:
    loaded = load_scenario(BASELINE, ["policy.grounds.tax={inspection_multiplier: 4, "
                                      "random_floor: 0.5}",
                                      "policy.grounds.customs.random_floor=0.95"])  # fmt: skip
    grounds = loaded.rules_config().risk.grounds
    assert (grounds["tax"].multiplier, grounds["tax"].random_floor) == (4.0, 0.5)
    assert grounds["customs"].random_floor == 0.95
    assert grounds["smuggling_penalty"].random_floor == 0.8  # untouched


@pytest.mark.parametrize(
    ("override", "path", "says"),
    [
        ("policy.grounds.weather={inspection_multiplier: 1, random_floor: 0.1}",
         "policy.grounds.weather", "no such listing ground"),
        ("policy.grounds.customs.random_floor=1.5", "policy.grounds.customs.random_floor",
         "less than or equal to 1"),
        ("policy.priority.served_first=[aeo, aeo]", "policy.priority.served_first",
         "listed twice"),
        ("policy.priority.scanner=true", "policy.priority.scanner",
         "did you mean policy.priority.scanners"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_one_line_naming_its_path(override: str, path: str, says: str) -> None:
    err = _refused(BASELINE, [override])
    assert err.file == "--set" and err.path == path and says in err.message, str(err)


def test_a_department_added_to_the_credit_table_may_have_a_treatment(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "credit:\n  departments:\n    ports_authority: {grades: [good, bad], "
        "unified: [good, lowest]}\n  notify: [customs]\n"
        "policy:\n  grounds:\n    ports_authority: {inspection_multiplier: 3, random_floor: 0.5}\n"
    )
    assert load_scenario(mine, refuse_ignored=False).policy.grounds["ports_authority"]


def test_grounds_are_refused_where_tiers_come_from_shares() -> None:
    err = _refused(MMC, ["policy.grounds.customs.random_floor=0.5"])
    assert err.path == "policy.grounds.customs.random_floor"
    assert "ignored with policy.declarants: shares" in err.message


@pytest.mark.slow
def test_a_ground_treatment_changes_who_is_inspected_and_nothing_else() -> None:
    short = ["horizon_hours=6", "active_ports=[xinhai]", "goods.drives_trucks=false",
             "ports.xinhai.flows.cargo_truck.per_day=8000", "population.enterprises.count=3000",
             "population.individuals.count=2000",
             "population.enterprises.history.smuggling_penalty_per_year=0.08"]  # fmt: skip
    base = compute_kpis(run_scenario(load_scenario(BASELINE, short)))
    lighter = compute_kpis(run_scenario(load_scenario(
        BASELINE, [*short, "policy.grounds.smuggling_penalty.random_floor=0.0"])))  # fmt: skip
    ka, ka_light = base["tiers"]["key_attention"], lighter["tiers"]["key_attention"]
    assert ka["declarations"] == ka_light["declarations"] > 50
    assert ka_light["by_ground"]["smuggling_penalty"]["inspection_rate"] < 0.6
    assert ka["by_ground"]["smuggling_penalty"]["inspection_rate"] > 0.7
    assert base["ports"]["xinhai"]["arrivals"] == lighter["ports"]["xinhai"]["arrivals"]
    for key in ("declarations", "inspected", "manual_inspections"):  # routes, not waits
        assert base["tiers"]["whitelist"][key] == lighter["tiers"]["whitelist"][key]
