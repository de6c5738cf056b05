"""Loading scenarios: defaults, ``extends``, ``--set``, and one clear line for each mistake."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.scenario.loading import apply_override, deep_merge, parse_override

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_is_the_embedded_baseline(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "empty.yaml", ""))
    assert scenario == Scenario()


def test_file_overrides_defaults_and_keeps_the_rest(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "s.yaml", "name: what-if\nhorizon_hours: 48\n"))
    assert (scenario.name, scenario.horizon_hours) == ("what-if", 48)
    assert scenario.seed == Scenario().seed


def test_extends_chain_and_set_overrides(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "name: base\nseed: 7\nhorizon_hours: 12\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    scenario = load_scenario(child, ["horizon_hours=6", "description=fog what-if"])
    assert (scenario.name, scenario.seed, scenario.horizon_hours) == ("child", 7, 6)
    assert scenario.description == "fog what-if"


def test_start_is_local_shanghai_time(tmp_path: Path) -> None:
    naive = load_scenario(write(tmp_path, "a.yaml", "start: 2026-02-15T08:00:00\n"))
    utc = load_scenario(write(tmp_path, "b.yaml", "start: 2026-02-15T00:00:00Z\n"))
    assert naive.start == utc.start
    assert naive.start.hour == 8 and naive.start.utcoffset() is not None


def test_deep_merge_replaces_a_mapping_whose_kind_changes() -> None:
    base = {"service": {"kind": "uniform", "low": 1, "high": 2}, "n": 1}
    merged = deep_merge(base, {"service": {"kind": "exponential", "mean": 3}})
    assert merged == {"service": {"kind": "exponential", "mean": 3}, "n": 1}
    assert deep_merge(base, {"service": {"high": 5}})["service"] == {
        "kind": "uniform",
        "low": 1,
        "high": 5,
    }
    assert base["service"] == {"kind": "uniform", "low": 1, "high": 2}  # inputs untouched


def test_override_into_a_list_item() -> None:
    doc = {"dated": [{"multiplier": 1.0, "label": "a"}, {"multiplier": 2.0, "label": "b"}]}
    parts, value = parse_override("dated.1.multiplier=3.5")
    out = apply_override(doc, parts, value)
    assert out["dated"][1] == {"multiplier": 3.5, "label": "b"}
    assert doc["dated"][1]["multiplier"] == 2.0


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("horizon_hours: 24\nnmae: x\n", "error: {f}: nmae: unknown key"),
        (
            "horizon_hours: lots\n",
            "error: {f}: horizon_hours: Input should be a valid number, "
            "unable to parse string as a number (got 'lots')",
        ),
        (
            "horizon_hours: -3\n",
            "error: {f}: horizon_hours: Input should be greater than 0 (got -3)",
        ),
        ("seed: -1\n", "error: {f}: seed: Input should be greater than or equal to 0 (got -1)"),
        ("name: [unclosed\n", "error: {f}: line 2, column 1: broken YAML: "),
        (
            "- a list\n",
            "error: {f}: a scenario must be a mapping of keys to values (got ['a list'])",
        ),
        ("extends: nowhere.yaml\n", "error: {f}: extends: no such file (got 'nowhere.yaml')"),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "negative",
        "negative-seed",
        "broken-yaml",
        "not-mapping",
        "missing-parent",
    ],
)
def test_bad_scenarios_give_one_line_and_exit_2(tmp_path: Path, text: str, line: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(line.format(f=path))


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {missing}: no such file"


def test_error_names_the_file_the_value_came_from(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", "horizon_hours: 0\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: c\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.file == str(parent)
    assert info.value.path == "horizon_hours"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("horizon_hours=0", "error: --set: horizon_hours: Input should be greater than 0 (got 0)"),
        ("nosuch.key=1", "error: --set: nosuch: unknown key"),
        (
            "horizon_hours",
            "error: --set: horizon_hours: an override must look like "
            "dotted.path=value (got 'horizon_hours')",
        ),
    ],
)
def test_bad_overrides(tmp_path: Path, override: str, message: str) -> None:
    path = write(tmp_path, "ok.yaml", "name: ok\n")
    result = runner.invoke(app, ["validate", str(path), "--set", override])
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(b)


def test_valid_file_validates(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml", "name: ok\n")
    result = runner.invoke(app, ["validate", str(path), "--set", "horizon_hours=2"])
    assert result.exit_code == 0
    assert "valid scenario ok" in result.stdout


def test_schema_command_prints_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert '"additionalProperties": false' in result.stdout
    assert '"horizon_hours"' in result.stdout


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "horizon_hours: {}\n")
    proc = subprocess.run(
        [sys.executable, "-c", "from sim.cli import main; main()", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"error: {path}: horizon_hours: ")
