"""Every setting takes effect, or is refused: fields a scenario's mode ignores.

Each refusal is checked twice: the loader refuses the setting in the mode that ignores it (one
line, naming the field and the mode), and the model really does ignore it there (a run with
and without the change gives the same kpis.json bytes), so no rule refuses a setting that
would have mattered. In the mode that reads the field, the same setting loads and changes the
outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.results import canonical_json, compute_kpis
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.relevance import ignored_settings
from sim.world import run_scenario

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "scenarios" / "theory" / "mmc.yaml"
SHARES_POISSON = ["policy.declarants=shares", "goods.drives_trucks=false"]
TIER_SHARES = "policy.tier_shares={aeo: 0.5, whitelist: 0.45, key_attention: 0.05}"


def _refused(path: Path, overrides: list[str]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value


@pytest.mark.parametrize(
    ("overrides", "field", "mode"),
    [
        ([TIER_SHARES], "policy.tier_shares.aeo", "policy.declarants: population"),
        (["policy.tier_shares.aeo=0.5"], "policy.tier_shares.aeo", "declarants: population"),
        (["policy.declarants=shares", TIER_SHARES], "policy.tier_shares.aeo",
         "goods.drives_trucks: true"),
        (["policy.tiers.whitelist.violation_rate=0.2"], "policy.tiers.whitelist.violation_rate",
         "policy.declarants: population"),
        (["goods.tier_shares={aeo: 0.5, whitelist: 0.45, key_attention: 0.05}"],
         "goods.tier_shares.aeo", "policy.declarants: population"),
        (["goods.encouraged_share=0.9"], "goods.encouraged_share", "declarants: population"),
        (["ports.xinhai.flows.cargo_truck.per_day=900"], "ports.xinhai.flows.cargo_truck.per_day",
         "goods.drives_trucks: true"),
        (["goods.enabled=false", "goods.enterprises=10"], "goods.enterprises",
         "goods.enabled: false"),
        (["active_ports=[yangpu]", "ports.xinhai.resources.customs_channels=4"],
         "ports.xinhai.resources.customs_channels", "port xinhai is not simulated"),
        (["policy.declarants=shares", "population.enterprises.aeo_share=0.06"],
         "population.enterprises.aeo_share", "policy.declarants: shares"),
        (["population.enterprises.batch_exit_share=0.8"], "population.enterprises.batch_exit_share",
         "goods.batch_exit_adoption"),
        (["policy.declarants=shares", "policy.detection.duty_free_check=0.9"],
         "policy.detection.duty_free_check", "policy.declarants: shares"),
    ],
)  # fmt: skip
def test_a_setting_the_mode_ignores_is_refused_in_one_line(
    overrides: list[str], field: str, mode: str
) -> None:
    err = _refused(BASELINE, overrides)
    assert err.file == "--set" and err.path == field, str(err)
    assert "ignored" in err.message and mode in err.message, str(err)
    assert "\n" not in str(err)


def test_a_file_setting_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("policy:\n  tier_shares: {aeo: 0.3, whitelist: 0.65, key_attention: 0.05}\n")
    err = _refused(path, [])
    assert str(err).startswith(f"{path}: policy.tier_shares.aeo: ignored with policy.declarants")
    assert str(err).endswith("(got 0.3)")


def test_restating_a_default_is_not_a_setting() -> None:
    # baseline.yaml restates policy.tier_shares and the violation rates with their defaults.
    assert load_scenario(BASELINE, ["policy.tier_shares.aeo=0.15"]) == load_scenario(BASELINE)


def test_the_fields_load_in_the_modes_that_read_them() -> None:
    shares = load_scenario(BASELINE, [*SHARES_POISSON, TIER_SHARES,
                                      "policy.tiers.whitelist.violation_rate=0.2"])  # fmt: skip
    assert shares.policy.tier_shares.aeo == 0.5
    drawn = load_scenario(BASELINE, ["policy.declarants=shares", "goods.encouraged_share=0.9"])
    assert drawn.goods.encouraged_share == 0.9
    poisson = load_scenario(BASELINE, ["goods.drives_trucks=false",
                                       "ports.xinhai.flows.cargo_truck.per_day=900"])  # fmt: skip
    assert poisson.ports.xinhai.flows.cargo_truck is not None
    assert poisson.ports.xinhai.flows.cargo_truck.per_day == 900
    assert load_scenario(MMC, [TIER_SHARES]).policy.tier_shares.aeo == 0.5


def test_the_population_commands_still_read_the_population_section() -> None:
    overrides = ["policy.declarants=shares", "population.enterprises.aeo_share=0.06"]
    loaded = load_scenario(BASELINE, overrides, refuse_ignored=False)
    assert loaded.population.enterprises.aeo_share == 0.06


def test_an_ignored_setting_is_named_even_when_it_breaks_a_rule_of_its_section() -> None:
    err = _refused(BASELINE, ["policy.tier_shares.aeo=0.5"])  # the shares no longer sum to 1
    assert err.path == "policy.tier_shares.aeo" and "ignored" in err.message
    # ... but a value that is wrong in itself is reported as wrong.
    err = _refused(BASELINE, ["ports.xinhai.flows.cargo_truck.per_day=0"])
    assert "greater than 0" in err.message


def _kpis(data: dict[str, Any]) -> str:
    return canonical_json(compute_kpis(run_scenario(Scenario.model_validate(data))))


def _small(**changes: Any) -> dict[str, Any]:
    data = Scenario().model_dump(by_alias=True)
    data.update(active_ports=["nangang"], horizon_hours=4.0)
    data["population"]["enterprises"]["count"] = 3_000
    data["population"]["individuals"]["count"] = 10_000
    data["goods"]["enterprises"] = 400
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return data


@pytest.mark.slow
def test_what_is_refused_really_has_no_effect_and_what_is_read_does() -> None:
    shares = {"aeo": 0.5, "whitelist": 0.45, "key_attention": 0.05}
    base = _kpis(_small())
    # Refused in the default world: the outputs do not move when the model is given them.
    assert _kpis(_small(policy__tier_shares=shares)) == base
    assert _kpis(_small(goods__tier_shares=shares)) == base
    assert _kpis(_small(ports__nangang__flows__cargo_truck__per_day=4000.0)) == base
    white = dict(_small()["policy"]["tiers"]["whitelist"], violation_rate=0.5)
    assert _kpis(_small(policy__tiers__whitelist=white)) == base
    assert _kpis(_small(population__enterprises__batch_exit_share=0.9)) == base
    # Read in the textbook mode: the same policy.tier_shares change moves the tiers.
    poisson = {"policy__declarants": "shares", "goods__drives_trucks": False}
    assert _kpis(_small(**poisson, policy__tier_shares=shares)) != _kpis(_small(**poisson))


def test_ignored_settings_work_on_a_dumped_scenario() -> None:
    data = Scenario().model_dump(mode="json", by_alias=True)
    data["policy"]["tier_shares"] = {"aeo": 0.5, "whitelist": 0.45, "key_attention": 0.05}
    found = ignored_settings(data, ["policy.tier_shares.aeo", "seed"])
    assert [i.path for i in found] == ["policy.tier_shares.aeo"]
    assert ignored_settings(data, ["seed"]) == []
