"""``customs-sim run``: outputs written, byte-identical for the same seed, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from sim.cli import app
from sim.results import RECORD_COLUMNS, read_records

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _run(out: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["run", str(ROOT / "scenarios/baseline.yaml"), "--out", str(out / "baseline"), *args]
    )
    return result.exit_code, result.output


def test_run_writes_kpis_and_records(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "--set", "horizon_hours=6")
    assert code == 0, output
    kpis = json.loads((tmp_path / "baseline/kpis.json").read_text())
    assert {"scenario", "seed", "horizon_s", "entities", "ports", "tiers", "detection",
            "littles_law"} <= set(kpis)  # fmt: skip
    assert kpis["horizon_s"] == 6 * 3600 and len(kpis["ports"]) == 10
    xinhai = kpis["ports"]["xinhai"]
    assert {"arrivals", "released", "in_system_at_end", "clearance_time_s", "queue_peak",
            "utilisation"} <= set(xinhai)  # fmt: skip
    assert set(xinhai["clearance_time_s"]) == {"mean", "p50", "p95", "p99"}
    assert set(kpis["tiers"]) == {"aeo", "whitelist", "key_attention"}
    records = read_records(tmp_path / "baseline/records.parquet")
    assert list(records.columns) == list(RECORD_COLUMNS)
    assert len(records) == kpis["records"] > 0
    trucks = records["flow"] == "cargo_truck"
    assert np.sum(trucks) >= xinhai["arrivals"]
    assert "xinhai" in output and "records.parquet" in output
    assert not list((tmp_path / "baseline").glob(".*"))  # no temp file left behind


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    assert _run(tmp_path / "a", "--set", "horizon_hours=4", "--seed", "5")[0] == 0
    assert _run(tmp_path / "b", "--set", "horizon_hours=4", "--seed", "5")[0] == 0
    assert _run(tmp_path / "c", "--set", "horizon_hours=4", "--seed", "6")[0] == 0
    a = (tmp_path / "a/baseline/kpis.json").read_bytes()
    assert a == (tmp_path / "b/baseline/kpis.json").read_bytes()
    assert a != (tmp_path / "c/baseline/kpis.json").read_bytes()
    assert json.loads(a)["seed"] == 5


def test_bad_override_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "--set", "ports.xinhai.flows.cargo_truck.per_day=0")
    assert code == 2
    assert output.strip().splitlines() == [
        "error: --set: ports.xinhai.flows.cargo_truck.per_day: "
        "Input should be greater than 0 (got 0)"
    ]
    assert not (tmp_path / "baseline").exists()


def test_bytes_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Two fresh processes with different hash seeds write the same kpis.json."""
    import os
    import subprocess
    import sys

    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        code = (
            "from sim.cli import app; app(['run', 'scenarios/baseline.yaml', '--set', "
            f"'horizon_hours=2', '--out', {str(out / 'baseline')!r}])"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs.append((out / "baseline/kpis.json").read_bytes())
    assert outputs[0] == outputs[1]
