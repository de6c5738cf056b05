"""``customs-sim serve``: starts, logs JSON lines, stops on SIGTERM; user errors exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.platform.platform_support import ADMIN_TOKEN, free_port, wait_healthy

CLI = [sys.executable, "-c", "from sim.cli import main; main()", "serve"]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "REFPLATFORM_ADMIN_TOKEN": ADMIN_TOKEN},
    )


def test_port_in_use_is_one_error_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = _run(["--db", f"sqlite:///{tmp_path / 'p.db'}", "--port", str(port)])
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --port:"), run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "mysql+nodriver://x/y",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "sqlite:///:memory:",
    ],
)
def test_bad_db_url_is_one_error_line(url: str) -> None:
    run = _run(["--db", url, "--port", str(free_port())])
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --db:"), run.stderr


def test_a_short_admin_token_is_one_error_line_that_does_not_show_it(tmp_path: Path) -> None:
    run = subprocess.run(
        [*CLI, "--db", f"sqlite:///{tmp_path / 'p.db'}", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "REFPLATFORM_ADMIN_TOKEN": "change-me"},
    )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: environment: REFPLATFORM_ADMIN_TOKEN: needs at least 32 characters (got 9)"
    )


@pytest.mark.slow
def test_serves_logs_json_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "s.db"
    proc = subprocess.Popen(
        [*CLI, "--db", f"sqlite:///{db}", "--port", str(port)],
        env={**os.environ, "REFPLATFORM_ADMIN_TOKEN": ADMIN_TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        assert db.exists()  # created on first start
        r = httpx.post(
            base + "/v1/tokens",
            json={"role": "officer"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert r.status_code == 201
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # uvicorn finishes in-flight work, runs the shutdown, then re-raises SIGTERM (exit -15).
    assert proc.returncode in (0, -signal.SIGTERM)
    text = err.decode()
    assert "Application shutdown complete" in text and "Traceback" not in text
    access = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    posted = [a for a in access if a["path"] == "/v1/tokens"]
    assert posted and posted[0]["status"] == 201 and posted[0]["method"] == "POST"
    assert {"ts", "client", "ms", "bytes"} <= posted[0].keys()


def test_sqlite_in_a_missing_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.db"
    run = _run(["--db", f"sqlite:///{target}", "--port", str(free_port())])
    assert run.returncode == 2
    assert run.stderr.strip().startswith("error: --db:") and "no directory" in run.stderr
    assert not target.parent.exists()  # a typo makes no directory tree


def test_bad_environment_is_one_error_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [*CLI, "--db", f"sqlite:///{tmp_path / 'e.db'}", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "REFPLATFORM_RULES": '{"duty_free_quota_fen": "lots"}'},
    )
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: environment: REFPLATFORM_RULES.duty_free_quota_fen: Input should be a valid "
        "integer, unable to parse string as an integer (got 'lots')"
    )


@pytest.mark.slow
def test_a_scenarios_policy_decides_on_the_platform(tmp_path: Path) -> None:
    """``serve --scenario FILE --set ...``: a what-if quota reaches the platform's answers."""
    port = free_port()
    scenario = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"
    proc = subprocess.Popen(
        [*CLI, "--db", f"sqlite:///{tmp_path / 'w.db'}", "--port", str(port), "--no-access-log",
         "--scenario", str(scenario), "--set", "population.individuals.duty_free_quota_fen=500"],
        env={**os.environ, "REFPLATFORM_ADMIN_TOKEN": ADMIN_TOKEN},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)
        traveller = "460100199001010019"
        r = httpx.post(base + "/v1/entities", headers=admin,
                       json={"id": "P1", "kind": "individual", "code": traveller})
        assert r.status_code == 201, r.text
        r = httpx.post(base + "/v1/travellers/P1/departure-checks", headers=admin,
                       json={"date": "2026-03-10", "port": "meilan",
                             "purchases": [{"amount_fen": 501}]})
        assert r.status_code == 201, r.text
        assert r.json()["quota_fen"] == 500 and r.json()["decision"] == "over_quota"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_set_without_a_scenario_is_one_error_line() -> None:
    run = _run(["--port", str(free_port()), "--set", "seed=3"])
    assert run.returncode == 2
    assert run.stderr.strip() == "error: --set: needs --scenario (got 'seed=3')"
