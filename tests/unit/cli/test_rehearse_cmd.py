"""``customs-sim rehearse``: a mistake is one line and exit 2 before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[3]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--from", "2026-03-12T08:00"],
         "error: --from: outside the simulated period 2026-03-10T00:00:00+08:00 to "
         "2026-03-11T00:00:00+08:00 (got 2026-03-12T08:00:00+08:00)"),
        (["--from", "soon"], "error: --from: not a date-time like 2026-03-10T09:00 (got 'soon')"),
        (["--hours", "-1"], "error: --hours: must be greater than 0 (got -1.0)"),
        (["--ports", "xinhai,atlantis"],
         "error: --ports: unknown port id; known: xinhai, nangang, haikou, yangpu, basuo, "
         "sanya_port, qinglan, meilan, phoenix, boao (got 'atlantis')"),
        (["--processes", "parade"], "error: --processes: unknown process 'parade' (one of "),
        (["--faults", "flood"],
         "error: --faults: unknown fault 'flood' (one of kill, db_lock, network_cut)"),
        (["--speed", "0"], "error: --speed: must be greater than 0 (got 0)"),
        (["--slo", "missing-slo.yaml"], "error: --slo: no such file (got missing-slo.yaml)"),
        (["--set", "ports.xinhai.channels=3"],
         "error: --set: ports.xinhai.channels: unknown key; did you mean "),
    ],
)
def test_a_mistake_is_one_line_and_exit_2(tmp_path: Path, args: list[str], line: str) -> None:
    out = tmp_path / "rehearsal"
    result = CliRunner().invoke(app, ["rehearse", BASELINE, *args, "--out", str(out)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith(line), lines
    assert not out.exists()


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    taken = tmp_path / "file"
    taken.write_text("x")
    result = CliRunner().invoke(app, ["rehearse", BASELINE, "--out", str(taken)])
    assert (result.exit_code, result.output.strip()) == (
        2, f"error: --out: not a directory (got {taken})")
