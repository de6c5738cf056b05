"""The run summary names each port's bottleneck, explains the KPI window, and, for a validation
scenario, sets the model beside the reported figures."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _run(tmp_path: Path, scenario: str, *overrides: str) -> str:
    sets = [arg for o in overrides for arg in ("--set", o)]
    result = runner.invoke(app, ["run", str(ROOT / scenario), "--out", str(tmp_path), *sets])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_summary_names_the_bottleneck_and_the_window(tmp_path: Path) -> None:
    output = _run(tmp_path, "scenarios/scanner_outage.yaml", "active_ports=[xinhai, yangpu]",
                  "warmup_hours=2")  # fmt: skip
    assert "KPI window 2026-03-10 02:00 to 2026-03-11 00:00 (after a 2 h warm-up)" in output
    rows: dict[str, str] = {}
    for line in output.splitlines():  # the first table's row of each port
        if line.strip():
            rows.setdefault(line.split()[0], line)
    assert "bottleneck" in output
    assert "scanners" in rows["xinhai"]  # the outage's queue
    assert rows["yangpu"].rstrip().endswith("none")
    assert "strait ferries" in output and "outside" in output


def test_a_validation_run_prints_reported_beside_model(tmp_path: Path) -> None:
    output = _run(tmp_path, "scenarios/validation/fog_2018.yaml")
    assert "reported vs model" in output
    line = next(x for x in output.splitlines() if "2018-02-22 18:00  waiting" in x)
    assert "reported 13,251, model" in line and line.endswith("[ecns-2018-02-23]")
