"""The shipped what-ifs: each asks its question, differs from its reference only where it
says, and moves the KPI it is about (on a shortened run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.results import compute_kpis
from sim.scenario import Scenario, load_scenario
from sim.world import build_world, run_scenario

ROOT = Path(__file__).resolve().parents[3]
WHAT_IFS = {
    "aeo_expansion": "baseline",
    "strict_key_attention": "baseline",
    "fog_in_the_rush": "spring_festival_peak",
    "xinhai_more_channels": "baseline",
}
FAST = ["policy.declarants=shares", "goods.enabled=false"]


def _load(name: str, *overrides: str) -> Scenario:
    scenario: Scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", overrides)
    return scenario


def _diff(a: Any, b: Any, path: str = "") -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return {p for k in a.keys() | b.keys() for p in _diff(a.get(k), b.get(k), f"{path}.{k}")}
    return set() if a == b else {path.lstrip(".")}


@pytest.mark.parametrize("name", sorted(WHAT_IFS))
def test_a_what_if_asks_its_question_and_changes_only_what_it_says(name: str) -> None:
    what_if, reference = _load(name), _load(WHAT_IFS[name])
    assert what_if.name == name
    assert what_if.description.startswith("What if") and "?" in what_if.description
    changed = _diff(reference.model_dump(mode="json"), what_if.model_dump(mode="json"))
    expected = {
        "aeo_expansion": {"population.enterprises.aeo_share"},
        "strict_key_attention": {"policy.tiers.key_attention.random_floor"},
        "fog_in_the_rush": {"horizon_hours", "events.weather"},
        "xinhai_more_channels": {"ports.xinhai.resources.customs_channels",
                                 "ports.xinhai.resources.scanners"},
    }[name]  # fmt: skip
    assert changed == expected | {"name", "description"}


def test_aeo_expansion_doubles_the_aeo_share_of_the_goods_enterprises() -> None:
    small = ["population.enterprises.count=20000", "population.individuals.count=2000"]

    def aeo_share(name: str) -> float:
        firms = build_world(_load(name, *small)).goods_enterprises
        assert firms
        return sum(f.tier == "aeo" for f in firms) / len(firms)

    base, more = aeo_share("baseline"), aeo_share("aeo_expansion")
    assert 1.6 < more / base < 2.6


def test_strict_key_attention_scans_every_key_attention_truck() -> None:
    kpis = compute_kpis(run_scenario(_load("strict_key_attention", "horizon_hours=6", *FAST)))
    assert kpis["tiers"]["key_attention"]["declarations"] > 0
    assert kpis["tiers"]["key_attention"]["inspection_rate"] == 1.0


def test_fog_in_the_rush_cancels_the_sailings_and_fills_the_holding_areas() -> None:
    fog = compute_kpis(run_scenario(_load("fog_in_the_rush", "horizon_hours=12", *FAST)))
    clear = compute_kpis(run_scenario(_load("spring_festival_peak", "horizon_hours=12", *FAST)))
    for port in ("xinhai", "nangang"):
        f, c = fog["ports"][port]["ferry"], clear["ports"][port]["ferry"]
        assert f["sailings_cancelled"] > 0 == c["sailings_cancelled"]
        assert f["holding_peak"] >= c["holding_peak"]
        assert f["holding_peak"] == _capacity(f) and f["outside_peak"] > 0 == c["outside_peak"]
        assert f["waiting_at_end"] > 2 * c["waiting_at_end"]


def _capacity(ferry: dict[str, Any]) -> int:
    """The holding area's capacity: fog fills it to the brim."""
    return int(ferry["holding_capacity"])
