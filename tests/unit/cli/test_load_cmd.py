"""``customs-sim load``: a user's mistake is one line and exit 2, before anything is sent or
written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.workload import Call, WorkloadInfo, write_workload

runner = CliRunner()


@pytest.fixture
def workload(tmp_path: Path) -> Path:
    calls = [Call(i, "timed", float(i), "health", "GET", "/healthz", "", "", "admin", "",
                  f"p{i}", None, "", 200, "{}") for i in range(10)]
    info = WorkloadInfo("probe", 0, 0, "2026-03-10T09:00:00+08:00", 0.01, (), {})
    path = tmp_path / "w.parquet"
    write_workload(path, info, calls)
    return path


def _error(args: list[str]) -> str:
    result = runner.invoke(app, ["load", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_usage_errors_name_the_option_and_the_value(workload: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    base = ["--workload", str(workload), "--out", str(out)]
    assert _error(["--workload", str(tmp_path / "none.parquet"), "--out", str(out)]) == \
        f"error: --workload: {tmp_path / 'none.parquet'}: no such file"
    assert _error([*base, "--speed", "0"]) == "error: --speed: must be greater than 0 (got 0)"
    assert _error([*base, "--target", "http://10.1.2.3:8000"]).startswith(
        "error: --target: 10.1.2.3 is not loopback; pass --allow-remote")
    assert _error([*base, "--find-max", "--target", "http://127.0.0.1:9"]).startswith(
        "error: --find-max: every step needs the platform in the workload's starting state")
    assert _error([*base, "--speed", "0.001"]).startswith(
        "error: --speed: the run would take about")
    bad = tmp_path / "slo.yaml"
    bad.write_text("run: {p99_ms: -5}\n")
    assert _error([*base, "--slo", str(bad)]) == \
        f"error: {bad}: run.p99_ms: must not be negative (got -5)"
    file = tmp_path / "file"
    file.write_text("")
    assert _error(["--workload", str(workload), "--out", str(file)]) == \
        f"error: --out: is a file, not a directory (got {file})"
    assert not out.exists(), "nothing is written for a usage error"


def test_an_unreachable_target_is_one_line(workload: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", "x" * 40)
    line = _error(["--workload", str(workload), "--out", str(tmp_path / "o"),
                   "--target", "http://127.0.0.1:9"])
    assert line.startswith("error: --target: cannot reach http://127.0.0.1:9")
    monkeypatch.delenv("REFPLATFORM_ADMIN_TOKEN")
    line = _error(["--workload", str(workload), "--out", str(tmp_path / "o"),
                   "--target", "http://127.0.0.1:9"])
    assert line == "error: --target: set REFPLATFORM_ADMIN_TOKEN to the target's admin token"
    assert not (tmp_path / "o").exists()


def test_the_harness_never_imports_locust_or_gevent() -> None:
    """Locust runs in its own processes: gevent's monkey-patching cannot reach the harness."""
    probe = ("import sys, sim.cli, loadtests.launch, loadtests.headroom, loadtests.slo; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'gevent', 'locust', 'geventhttpclient', 'zmq', 'greenlet'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
