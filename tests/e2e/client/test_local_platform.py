"""Starting the reference platform for a run: served on loopback, stopped without orphans,
killed, restarted on the same database, paused; failed starts in one line. Bounded in time:
every wait has a limit, and the servers are small (SQLite, one or two workers)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from pathlib import Path

import pytest

from sim.api import DepartureCheckIn, DutyFreePurchaseIn, EntityIn
from sim.client import (
    LocalPlatform,
    PlatformError,
    PlatformStartError,
    PlatformUnreachable,
    start_platform,
)
from tests.e2e.platform.platform_support import id_number

CHECK = DepartureCheckIn(
    date=dt.date(2026, 2, 1), port="meilan", purchases=[DutyFreePurchaseIn(amount_fen=150)]
)


def _alive(pids: list[int]) -> list[int]:
    """The processes of ``pids`` still running (a zombie awaiting its reaper is dead)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


@pytest.mark.slow
def test_workers_are_served_and_stopped_with_their_group() -> None:
    with start_platform(workers=2) as platform, platform.client() as api:
        assert api.health().status == "ok"
        assert platform.base_url == f"http://127.0.0.1:{platform.port}"
        assert len(platform.admin_token) >= 32
        group = platform.process_ids()
        # The supervisor, two workers (and multiprocessing's resource tracker).
        assert platform.pid in group and len(group) >= 3
        workdir = platform.log_path.parent
        assert workdir.exists()
    assert _alive(group) == []
    assert not workdir.exists()  # the temporary database and log are gone too


@pytest.mark.slow
def test_kill_restart_pause_resume(monkeypatch: pytest.MonkeyPatch) -> None:
    # Inherited REFPLATFORM_* variables do not reach the server; extra_env does.
    monkeypatch.setenv("REFPLATFORM_RULES", '{"duty_free_quota_fen": 5}')
    extra = {"REFPLATFORM_RULES": '{"duty_free_quota_fen": 100}'}
    with start_platform(extra_env=extra) as platform, platform.client(timeout=1.0) as api:
        api.register_entity(EntityIn(id="T1", kind="individual", code=id_number(1)))
        first = api.as_officer().departure_check("T1", CHECK)
        assert (first.quota_fen, first.decision) == (100, "over_quota")
        port, pids = platform.port, platform.process_ids()

        platform.kill()
        assert _alive(pids) == [] and not platform.running
        with pytest.raises(PlatformUnreachable, match=f"127.0.0.1:{port}"):
            api.health()
        with pytest.raises(PlatformError, match="not running"):
            _ = platform.pid

        platform.restart()  # same port, same database, same admin token: the client goes on
        assert platform.port == port
        assert api.get_entity("T1").code == id_number(1)
        second = api.as_officer().departure_check("T1", CHECK)
        assert second.used_before_fen == 150  # the first check's purchases were kept

        platform.pause()
        with pytest.raises(PlatformUnreachable) as frozen:
            api.health()
        assert frozen.value.timed_out
        platform.resume()
        assert api.health().status == "ok"


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    with pytest.raises(PlatformStartError) as exc:
        start_platform(db_url=url)
    message = str(exc.value)
    assert "\n" not in message and "--db:" in message and "no directory" in message


def test_a_port_in_use_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PlatformStartError, match=f"--port: 127.0.0.1:{port} is already in use"):
            start_platform(port=port)


def test_a_start_that_times_out_leaves_nothing_running() -> None:
    platform = LocalPlatform(startup_timeout_s=0.01)
    try:
        with pytest.raises(PlatformStartError, match=r"did not answer /healthz within 0.01 s"):
            platform.start()
        assert platform.process_ids() == [] and not platform.running
    finally:
        platform.close()


@pytest.mark.slow
def test_an_interrupt_inside_stops_the_server() -> None:
    group: list[int] = []
    with pytest.raises(KeyboardInterrupt), start_platform() as platform:
        group.extend(platform.process_ids())
        raise KeyboardInterrupt  # as Ctrl-C would
    assert group and _alive(group) == []


def test_options_are_checked_before_anything_starts() -> None:
    with pytest.raises(ValueError, match="workers"):
        LocalPlatform(workers=0)
    with pytest.raises(ValueError, match="32 characters"):
        LocalPlatform(admin_token="short")
    platform = LocalPlatform()
    with pytest.raises(PlatformError, match="not been started"):
        _ = platform.base_url
    platform.close()
    with pytest.raises(PlatformError, match="closed"):
        platform.start()
    assert os.environ.get("REFPLATFORM_ADMIN_TOKEN") != platform.admin_token


def test_an_interrupt_while_starting_leaves_nothing_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []

    def interrupted(self: LocalPlatform, proc: object) -> None:
        seen.extend(self.process_ids())  # the server process exists, not yet healthy
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalPlatform, "_await_health", interrupted)
    with pytest.raises(KeyboardInterrupt):
        start_platform()
    assert seen and _alive(seen) == []
