"""Unknown keys suggest the nearest valid path; schema paths resolve through lists and maps."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.paths import nearest_path, resolve


@pytest.mark.parametrize(
    ("unknown", "suggested"),
    [
        ("ports.xinhai.channels", "ports.xinhai.resources.customs_channels"),
        ("ports.xinhai.resources.channels", "ports.xinhai.resources.customs_channels"),
        ("ports.xinhai.officers", "ports.xinhai.resources.officer_shifts"),
        ("ports.nangang.holding_capacity", "ports.nangang.ferry.holding_capacity"),
        ("ports.xinhai.flows.cargo_truck.perday", "ports.xinhai.flows.cargo_truck.per_day"),
        ("ports.haikou.ferry.sailings", "ports.haikou.ferry.sailings_per_hour"),
        ("ports.xinhai.service.scan.mean_", "ports.xinhai.service.scan.mean"),
        ("horizon", "horizon_hours"),
        ("policy.tier_share", "policy.tier_shares"),
        ("events.weather.0.duration", "events.weather.0.duration_hours"),
    ],
)
def test_nearest_path(unknown: str, suggested: str) -> None:
    assert nearest_path(Scenario, unknown) == suggested


def test_nothing_close_suggests_nothing() -> None:
    assert nearest_path(Scenario, "ports.xinhai.zzzz") is None


def test_the_error_line_carries_the_suggestion(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "missing.yaml")
    path = tmp_path / "s.yaml"
    path.write_text("ports:\n  xinhai:\n    channels: 4\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}: ports.xinhai.channels: unknown key; "
        "did you mean ports.xinhai.resources.customs_channels?"
    )


def test_resolve_walks_models_lists_and_mappings() -> None:
    assert resolve(Scenario, ["ports", "xinhai", "resources", "customs_channels"]) == [int]
    assert resolve(Scenario, ["goods", "port_shares", "xinhai"]) == [float]
    assert resolve(Scenario, ["events", "weather", "0", "duration_hours"]) == [float]
    assert resolve(Scenario, ["ports", "meilan", "ferry", "holding_capacity"]) == [int]
    assert resolve(Scenario, ["ports", "xinhai", "channels"]) == []
