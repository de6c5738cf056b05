"""``customs-sim validate [--show [--only PATH]]`` and ``customs-sim schema``."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def test_show_prints_the_resolved_scenario_which_loads_back_the_same(tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "scanner_outage.yaml"  # extends baseline.yaml
    overrides = ["seed=7", "ports.xinhai.resources.customs_channels=10"]
    result = runner.invoke(
        app, ["validate", str(scenario), "--show", "--set", overrides[0], "--set", overrides[1]]
    )
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.output)
    assert shown["seed"] == 7 and shown["name"] == "scanner_outage"
    assert shown["ports"]["xinhai"]["resources"]["customs_channels"] == 10
    assert shown["ports"]["nangang"]["resources"]["customs_channels"] == 6  # a default
    copy = tmp_path / "resolved.yaml"
    copy.write_text(result.output)
    expected = load_scenario(scenario, overrides)
    assert load_scenario(copy) == expected


def test_show_only_prints_one_part_under_its_keys() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios/baseline.yaml"), "--show",
                                 "--only", "ports.xinhai.resources"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["ports"]["xinhai"]["resources"]["customs_channels"] == 8
    assert "nangang" not in result.output


def test_show_only_a_path_that_is_not_there_is_one_line() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios/baseline.yaml"), "--show",
                                 "--only", "ports.xinhai.resource"])  # fmt: skip
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --only: ports.xinhai.resource: unknown key; did you mean ports.xinhai.resources?"
    ]


def test_only_needs_show() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios/baseline.yaml"),
                                 "--only", "seed"])  # fmt: skip
    assert result.exit_code == 2 and "--only: needs --show" in result.output


def test_validate_without_show_says_valid() -> None:
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios/baseline.yaml")])
    assert result.exit_code == 0 and "valid scenario baseline" in result.output


def test_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "Scenario"
