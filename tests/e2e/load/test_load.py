"""Load tests end to end: Locust replays a workload open-model against the reference platform.

- the measurement: a target frozen for one second (SIGSTOP/SIGCONT) in a constant-rate run
  shows in the response time from the intended moment, not in the service time;
- the check: a platform that answers one channel wrongly fails the run (exit 1) with exactly
  the scanned declarations and their results counted and written as mismatches, and two
  worker processes count the same as Locust run directly in one;
- the bounds: a target that goes silent ends the run within seconds, one line, exit 2;
- the headroom search runs whole steps, each on a fresh platform.
"""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from loadtests.launch import LOCUSTFILE, run_replay
from loadtests.options import ReplayOptions
from sim.client import LocalPlatform, start_platform
from sim.results.load import LoadResult, read_load_result
from sim.workload import Call, WorkloadInfo
from tests.e2e.load.conftest import constant_rate, env_for

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from sim.cli import main; main()", "load"]


def test_a_pause_shows_from_the_intended_moment_and_not_in_service_time(
        platform: LocalPlatform, tmp_path: Path) -> None:
    """200 calls/s for 8 s, 8 connections (as wrk2's); the server frozen from 3.5 s to 4.5 s."""
    workload = constant_rate(tmp_path / "rate.parquet", rate=200, seconds=8)
    paused: list[float] = []

    def freeze(event: dict[str, object]) -> None:
        if event["event"] == "timed_start":
            at = float(event["t0"]) + 3.5 - time.time()  # type: ignore[arg-type]

            def pause_for_a_second() -> None:
                platform.pause()
                paused.append(time.monotonic())
                time.sleep(1.0)
                platform.resume()
                paused.append(time.monotonic())

            threading.Timer(at, pause_for_a_second).start()

    options = ReplayOptions(workload=str(workload), connections=8)
    run = run_replay(options, platform.base_url, platform.admin_token, tmp_path / "out",
                     deadline_s=90, progress=freeze)
    assert len(paused) == 2 and paused[1] - paused[0] >= 1.0
    result = run.result
    assert result is not None and result.aborted is None, run.message
    assert result.run.sent == result.run.matched == 1600
    assert result.run.response_ms.p99 > 700, result.run.response_ms
    assert result.run.service_ms.p99 < 400, result.run.service_ms
    assert result.run.response_ms.p99 > 2.5 * result.run.service_ms.p99
    assert result.run.dropped >= 100, "starts held back by the frozen server are late"
    points = {p.t_s: p for p in result.timeline}
    assert points[3.0].p99_ms > 400 and points[4.0].p99_ms > 200
    assert max(points[t].p99_ms for t in (0.0, 1.0, 2.0)) < 300
    # Locust's own statistics carry the time from the intended moment too
    with (tmp_path / "out" / "locust_stats.csv").open() as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "health")
    assert float(row["99%"]) > 700


def _scanned(calls: list[Call]) -> set[int]:
    """The declarations the rules send to a scan, and the inspection results that name them
    (set-up and timed)."""
    scans = {c.seq for c in calls if c.operation == "declaration"
             and c.expected_json()["channel"] == "scan"}
    results = {c.seq for c in calls if c.operation == "inspection_result" and c.depends_on
               in scans}
    return scans | results


def _broken_platform(info: WorkloadInfo) -> LocalPlatform:
    return start_platform(extra_env={"REFPLATFORM_RULES": json.dumps(info.rules),
                                     "REFPLATFORM_FAULTS": "scan_as_release"})


def _mismatched_seqs(directory: Path) -> set[int]:
    lines = (directory / "mismatches.jsonl").read_text().splitlines()
    return {json.loads(line)["seq"] for line in lines}


def test_a_wrong_channel_fails_the_run_and_two_workers_count_as_one(
        strait_hour: tuple[Path, WorkloadInfo, list[Call]], tmp_path: Path) -> None:
    path, info, calls = strait_hour
    expected = _scanned(calls)
    timed = {c.seq for c in calls if c.phase == "timed"}
    assert len(expected & timed) >= 6, "the hour brings a few scans and their results"
    # One process: Locust's own command line runs the replay user directly.
    with _broken_platform(info) as one:
        direct = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", "1",
             "--host", one.base_url, "--workload", str(path), "--speed", "900",
             "--replay-out", str(tmp_path / "one"), "--only-summary"],
            env=env_for(one), capture_output=True, text=True, timeout=120)
    assert direct.returncode == 1, direct.stdout[-2000:] + direct.stderr[-2000:]
    single = read_load_result(tmp_path / "one" / "summary.json")
    # Two worker processes, through the command.
    with _broken_platform(info) as two:
        cli = subprocess.run(
            [*CLI, "--workload", str(path), "--target", two.base_url, "--speed", "900",
             "--processes", "2", "--out", str(tmp_path / "two")],
            env=env_for(two), capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1, cli.stdout[-2000:] + cli.stderr[-2000:]
    double = read_load_result(tmp_path / "two" / "summary.json")
    assert double.processes == 2 and single.processes == 1
    for result in (single, double):
        assert result.setup.mismatched == len(expected - timed) and result.aborted is None
        assert result.run.sent == result.run.planned == len(timed)
        assert result.run.mismatched == len(expected & timed) and result.run.errors == 0
        assert not next(c for c in result.slo if c.name == "run.mismatch_rate").holds
    counts = {op.operation: (op.sent, op.mismatched) for op in single.operations}
    assert counts == {op.operation: (op.sent, op.mismatched) for op in double.operations}
    assert _mismatched_seqs(tmp_path / "one") == _mismatched_seqs(tmp_path / "two") == expected
    first = json.loads((tmp_path / "two" / "mismatches.jsonl").read_text().splitlines()[0])
    assert "channel: expected 'scan', got 'release'" in first["differences"]
    assert "SLO broken: run.mismatch_rate" in cli.stdout
    junit = (tmp_path / "two" / "junit.xml").read_text()
    assert 'name="mismatch_rate"' in junit and "<failure" in junit
    assert "the SLO broke: " in (tmp_path / "two" / "report.html").read_text()
    for name in ("locust_stats.csv", "locust.html", "latency_over_time.csv"):
        assert (tmp_path / "two" / name).stat().st_size > 0, name


def test_a_target_that_goes_silent_ends_the_run_in_seconds(platform: LocalPlatform,
                                                             tmp_path: Path) -> None:
    workload = constant_rate(tmp_path / "rate.parquet", rate=50, seconds=30)
    proc = subprocess.Popen(
        [*CLI, "--workload", str(workload), "--target", platform.base_url, "--silence-s", "2",
         "--out", str(tmp_path / "out")],
        env=env_for(platform), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("timed phase from"):
            time.sleep(1.0)
            platform.pause()  # never resumed: the fixture's stop continues and ends it
            break
    frozen = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, out + err
    assert time.monotonic() - frozen < 12, "2 s of silence, then the run's end and the report"
    assert err.count("\n") == 1 and err.startswith("error: ") and "no answer for 2 s" in err


def test_the_headroom_search_runs_each_step_on_a_fresh_platform(tmp_path: Path) -> None:
    workload = constant_rate(tmp_path / "rate.parquet", rate=50, seconds=4)
    slo = tmp_path / "loose.yaml"
    slo.write_text(yaml.safe_dump({"operations": {"*": {"p99_ms": 5000}},
                                   "run": {"lag_p99_ms": 2000, "mismatch_rate": 0}}))
    cli = subprocess.run(
        [*CLI, "--workload", str(workload), "--find-max", "--speed", "2", "--max-speed", "4",
         "--slo", str(slo), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=150)
    assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr[-2000:]
    result: LoadResult = read_load_result(tmp_path / "out" / "summary.json")
    assert result.headroom is not None
    assert [s.speed for s in result.headroom.steps] == [2, 4]
    assert (result.headroom.held, result.headroom.stopped) == (4, "limit")
    assert result.speed == 4 and result.reference_platform
    for step in result.headroom.steps:
        assert read_load_result(tmp_path / "out" / step.directory / "summary.json").speed == \
            step.speed
    assert "holds 4x the predicted traffic of constant_rate" in cli.stdout
    assert "The target holds 4x" in (tmp_path / "out" / "report.html").read_text()


def test_locusts_web_ui_runs_the_replay_with_the_workload_as_an_option(
        platform: LocalPlatform, tmp_path: Path) -> None:
    workload = constant_rate(tmp_path / "rate.parquet", rate=50, seconds=2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ui = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", platform.base_url,
         "--workload", str(workload), "--replay-out", str(tmp_path / "out"), "-u", "1",
         "--web-host", "127.0.0.1", "--web-port", str(port), "--autostart", "--autoquit", "0"],
        env=env_for(platform), capture_output=True, text=True, timeout=90)
    assert ui.returncode == 0, ui.stdout[-2000:] + ui.stderr[-2000:]
    result = read_load_result(tmp_path / "out" / "summary.json")
    assert result.run.sent == result.run.matched == 100 and result.holds
