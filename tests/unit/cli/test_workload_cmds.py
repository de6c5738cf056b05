"""``customs-sim workload`` and ``workload replay``: a user's mistake is one line and exit 2."""

from __future__ import annotations

import socket
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.workload import read_workload

ROOT = Path(__file__).resolve().parents[3]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
runner = CliRunner()
SMALL = ["--set", "population.enterprises.count=3000", "--set",
         "population.individuals.count=20000", "--set", "goods.enterprises=200"]


def _invoke(*args: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output.strip().splitlines()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--ports", "xinhai,atlantis"],
         "error: --ports: unknown port id; known: xinhai, nangang, haikou, yangpu, basuo, "
         "sanya_port, qinglan, meilan, phoenix, boao (got 'atlantis')"),
        (["--hours", "0"], "error: --hours: must be greater than 0 (got 0.0)"),
        (["--from", "2026-03-12T08:00"],
         "error: --from: outside the simulated period 2026-03-10T00:00:00+08:00 to "
         "2026-03-11T00:00:00+08:00 (got 2026-03-12T08:00:00+08:00)"),
        (["--from", "yesterday"],
         "error: --from: not a date-time like 2026-03-10T09:00 (got 'yesterday')"),
        (["--from", "2026-03-10T20:00", "--hours", "6"],
         "error: --hours: the period would end after the simulated period's end "
         "2026-03-11T00:00:00+08:00 (4 hours left after --from; got 6.0)"),
        (["--set", "policy.declarants=shares"],
         "error: policy.declarants: a workload needs identities from the synthetic population "
         "(got 'shares')"),
    ],
)
def test_bad_export_options_are_one_line(tmp_path: Path, args: list[str], line: str) -> None:
    out = tmp_path / "w.parquet"
    code, lines = _invoke("workload", BASELINE, *args, "--out", str(out))
    assert (code, lines) == (2, [line])
    assert not out.exists() and not list(tmp_path.iterdir())


def test_export_writes_the_file_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "w.parquet"
    code, lines = _invoke("workload", "export", BASELINE, *SMALL, "--from", "2026-03-10T09:00",
                          "--hours", "1", "--ports", "xinhai", "--out", str(out))
    assert code == 0, lines
    info, calls = read_workload(out)
    assert info.ports == ("xinhai",) and info.hours == 1.0 and len(calls) > 100
    text = "\n".join(lines)
    assert "calls per operation" in text and "timed calls per hour" in text
    assert f"{len(calls)} calls" in lines[-1] and str(out) in lines[-1]
    # the default command is export: same arguments, same bytes
    again = tmp_path / "again.parquet"
    code, _ = _invoke("workload", BASELINE, *SMALL, "--from", "2026-03-10T09:00", "--hours", "1",
                      "--ports", "xinhai", "--out", str(again))
    assert code == 0 and again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize(
    ("make", "tail"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_text("id,seq\n1,2\n"), "not a Parquet workload file"),
        (lambda p: pq.write_table(pa.table({"seq": [1]}), p), "not a customs-sim-workload/1 file"),
    ],
)
def test_an_unreadable_workload_is_one_line(tmp_path: Path, make: object, tail: str) -> None:
    path = tmp_path / "w.parquet"
    make(path)  # type: ignore[operator]
    code, lines = _invoke("workload", "replay", str(path))
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: {path}: {tail}")


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("w") / "w.parquet"
    code, lines = _invoke("workload", BASELINE, *SMALL, "--from", "2026-03-10T10:00",
                          "--hours", "0.25", "--ports", "meilan", "--out", str(out))
    assert code == 0, lines
    return out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_target_is_one_line(
    workload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", "x" * 40)
    url = f"http://127.0.0.1:{_closed_port()}"
    code, lines = _invoke("workload", "replay", str(workload), "--target", url)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: --target: cannot reach {url}")


@pytest.mark.parametrize(
    ("target", "env", "start"),
    [
        ("http://192.0.2.1:8000", "x" * 40, "error: --target: 192.0.2.1 is not loopback"),
        ("ftp://127.0.0.1/", "x" * 40, "error: --target: not an http(s) URL"),
        ("http://127.0.0.1:9", "", "error: --target: set REFPLATFORM_ADMIN_TOKEN"),
    ],
)
def test_bad_targets_are_refused_before_any_call(
    workload: Path, monkeypatch: pytest.MonkeyPatch, target: str, env: str, start: str
) -> None:
    monkeypatch.setenv("REFPLATFORM_ADMIN_TOKEN", env)
    code, lines = _invoke("workload", "replay", str(workload), "--target", target)
    assert code == 2 and len(lines) == 1 and lines[0].startswith(start), lines


@pytest.mark.slow
def test_replay_on_a_started_platform_checks_every_answer(workload: Path) -> None:
    code, lines = _invoke("workload", "replay", str(workload))
    assert code == 0, lines
    assert lines[-1].endswith(f"0 mismatches -> {workload.parent / 'mismatches.jsonl'}")
    assert (workload.parent / "mismatches.jsonl").read_text() == ""
