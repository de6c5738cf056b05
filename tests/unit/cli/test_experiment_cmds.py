"""``run --replications``, ``compare``, ``sweep`` and ``report``: outputs, tables, one-line
errors with exit 2 and nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.cli import app

ROOT = Path(__file__).resolve().parents[3]
BASELINE = str(ROOT / "scenarios/baseline.yaml")
STRICT = str(ROOT / "scenarios/strict_key_attention.yaml")
# small and quick: a few hours, shares instead of a population, Poisson trucks
QUICK = ["--set", "horizon_hours=4", "--set", "policy.declarants=shares",
         "--set", "goods.enabled=false"]  # fmt: skip
runner = CliRunner()


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_compare_writes_experiment_rows_and_report(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, output = _invoke("compare", BASELINE, STRICT, *QUICK, "--set", "horizon_hours=6",
                           "-n", "4", "--workers", "1", "--out", str(out))  # fmt: skip
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == [
        "experiment.json", "replications.parquet", "report.html"
    ]  # fmt: skip
    data = json.loads((out / "experiment.json").read_text())
    assert data["kind"] == "comparison"
    assert [a["scenario"] for a in data["arms"]] == ["baseline", "strict_key_attention"]
    rows = pq.read_table(out / "replications.parquet")
    assert set(rows.column("arm").to_pylist()) == {"A", "B"}
    assert set(rows.column("replication").to_pylist()) == {0, 1, 2, 3}
    verdict = r"- B raises inspection rate for key-attention declarants by [0-9.]+ pp \["
    assert re.search(verdict, output)
    assert "paired" in output and "unpaired" in output
    html = (out / "report.html").read_text()
    assert "Comparison: baseline vs strict_key_attention" in html and "<svg" in html
    assert not list(tmp_path.glob(".*"))  # the staging directory is gone


def test_run_replications_and_report_rerenders_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "reps"
    code, output = _invoke("run", BASELINE, *QUICK, "--replications", "3", "--precision", "0.5",
                           "--workers", "1", "--out", str(out))  # fmt: skip
    assert code == 0, output
    assert "headline KPIs over" in output and "95% interval" in output
    assert "precision 50.0%" in output and "reached with" in output
    assert "warm-up: the scenario's 0 h" in output
    first = (out / "report.html").read_bytes()
    code, output = _invoke("report", str(out))
    assert code == 0, output
    assert (out / "report.html").read_bytes() == first


def test_sweep_runs_every_point_of_the_grid(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code, output = _invoke(
        "sweep", BASELINE, *QUICK, "--param", "ports.xinhai.resources.customs_channels=2,8",
        "--param", "policy.tiers.key_attention.random_floor=0.2,1.0", "-n", "2",
        "--workers", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    data = json.loads((out / "experiment.json").read_text())
    assert [a["label"] for a in data["arms"]] == [
        "customs_channels=2, random_floor=0.2", "customs_channels=2, random_floor=1.0",
        "customs_channels=8, random_floor=0.2", "customs_channels=8, random_floor=1.0",
    ]  # fmt: skip
    assert data["sweep_params"] == [
        "ports.xinhai.resources.customs_channels", "policy.tiers.key_attention.random_floor"
    ]  # fmt: skip
    assert "Sweep: baseline" in (out / "report.html").read_text()


def test_a_single_run_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "one"
    code, output = _invoke("run", BASELINE, *QUICK, "--out", str(out))
    assert code == 0, output
    assert {p.name for p in out.iterdir()} == {"kpis.json", "records.parquet", "report.html"}
    assert "Run report: baseline" in (out / "report.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", BASELINE, STRICT, "-n", "0"], "error: --replications: at least 1 (got 0)"),
        (["compare", BASELINE, STRICT, "--dask", "localhost"],
         "error: --dask: 'localhost' is not a scheduler address like tcp://HOST:PORT"),
        (["compare", BASELINE, STRICT, "--workers", "0"], "error: --workers: at least 1 (got 0)"),
        (["compare", BASELINE, STRICT, "--set", "seed=1", "--set", "horizon_hours=-1"],
         "error: --set: horizon_hours: Input should be greater than 0 (got -1)"),
        (["sweep", BASELINE, "--param", "ports.xinhai.resources.customs_channels"],
         "error: --param: 'ports.xinhai.resources.customs_channels': a parameter must look like "
         "dotted.path=v1,v2,..."),
        (["sweep", BASELINE], "error: --param: a sweep needs at least one parameter"),
        (["sweep", BASELINE, "--param", "ports.xinhai.resources.customs_channels=8,-1"],
         "error: --param: ports.xinhai.resources.customs_channels: Input should be greater than "
         "or equal to 0 (got -1)"),
        (["sweep", BASELINE, "--param", "ports.xinhai.no_such_field=1,2"],
         "error: --param: ports.xinhai.no_such_field: unknown key"),
        (["run", BASELINE, "--precision", "0.05"],
         "error: --precision, --workers and --dask need --replications N"),
        (["run", BASELINE, "-n", "2", "--precision", "5"],
         "error: --precision: a relative half-width between 0 and 1, e.g. 0.05 (got 5.0)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, output = _invoke(*args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert output.strip().splitlines() == [message]
    assert not (tmp_path / "out").exists()


def test_a_comparison_needs_one_seed(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(f"extends: {BASELINE}\nname: other\nseed: 5\n")
    code, output = _invoke("compare", BASELINE, str(other), "--out", str(tmp_path / "o"))
    assert code == 2
    assert output.strip().splitlines() == [
        f"error: {other}: seed: B's seed (5) differs from A's (20251218); a paired comparison "
        "needs the same seed (use --set seed=N)"
    ]


def test_report_of_a_directory_without_results(tmp_path: Path) -> None:
    code, output = _invoke("report", str(tmp_path))
    assert code == 2
    assert output.strip().splitlines() == [
        f"error: {tmp_path}: no results a report can show here (known kinds: experiment, run)"
    ]
    code, output = _invoke("report", str(tmp_path / "missing"))
    assert (code, output.strip()) == (2, f"error: {tmp_path / 'missing'}: no such directory")
    (tmp_path / "experiment.json").write_text("{not json")
    code, output = _invoke("report", str(tmp_path))
    assert code == 2 and output.startswith(f"error: {tmp_path / 'experiment.json'}: not valid JSON")
    assert len(output.strip().splitlines()) == 1
