"""Starting the reference platform for a run: a real server on loopback, stopped without a trace.

:func:`start_platform` starts ``customs-sim serve`` (uvicorn serving ``refplatform``) in a
subprocess, in a session of its own, and returns a :class:`LocalPlatform` once ``/healthz``
answers:

- on a free port of 127.0.0.1 (or the one asked for);
- with a fresh database: SQLite in a temporary directory by default, or the URL given;
- with a generated admin token (256 random bits) and the platform's ``REFPLATFORM_*``
  environment: inherited ``REFPLATFORM_*`` variables are dropped (a run never depends on the
  shell it was started from) and ``extra_env`` is added (e.g. a scenario's policy);
- with N worker processes.

Leaving the ``with`` block, also by an exception or Ctrl-C, stops the whole process group
(SIGTERM, then SIGKILL for what is left), so no worker outlives it, and removes the temporary
directory. A start that fails raises :class:`PlatformStartError` with one line: the server's
own last line on stderr (a bad database URL, a port in use ...) or what timed out.

For fault drills and load tests, on the running platform: :meth:`LocalPlatform.kill` (SIGKILL,
no graceful shutdown), :meth:`~LocalPlatform.restart` on the same database, port and token,
:meth:`~LocalPlatform.pause` / :meth:`~LocalPlatform.resume` (SIGSTOP / SIGCONT: the server
stops answering while connections stay open), and the server's process ids.

The server is started as a program, never imported: :mod:`sim.client` does not depend on
``refplatform``.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from sim.client.clients import AsyncPlatformClient, PlatformClient
from sim.client.errors import PlatformError

__all__ = ["LOOPBACK", "LocalPlatform", "PlatformStartError", "start_platform"]

LOOPBACK = "127.0.0.1"
_ENV_PREFIX = "REFPLATFORM_"
_ADMIN_ENV = "REFPLATFORM_ADMIN_TOKEN"
_MIN_TOKEN = 32
_PORT_TRIES = 3
_POLL_S = 0.05


class PlatformStartError(PlatformError):
    """The reference platform did not start (the message is one line: why)."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")


def _group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (Linux ``/proc``; zombies excluded)."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            members.append(int(entry.name))
    return sorted(members)


class LocalPlatform:
    """The reference platform as a subprocess (see the module's docstring).

    Args:
        db_url: SQLAlchemy URL of the database; default: SQLite in a fresh temporary directory.
        workers: Worker processes (1 to 64).
        extra_env: More environment variables for the server (added last).
        port: The loopback port; default: a free one.
        admin_token: The admin token (at least 32 characters); default: a random one.
        startup_timeout_s: How long to wait for ``/healthz``.
        stop_timeout_s: How long a graceful stop may take before SIGKILL.
        access_log: Whether the server logs one JSON line per request (into :attr:`log_path`).

    Raises:
        ValueError: for a worker count or an admin token out of range.
    """

    def __init__(
        self,
        *,
        db_url: str | None = None,
        workers: int = 1,
        extra_env: Mapping[str, str] | None = None,
        port: int | None = None,
        admin_token: str | None = None,
        startup_timeout_s: float = 60.0,
        stop_timeout_s: float = 10.0,
        access_log: bool = False,
    ) -> None:
        if not 1 <= workers <= 64:
            raise ValueError(f"workers must be 1 to 64 (got {workers})")
        if admin_token is not None and len(admin_token) < _MIN_TOKEN:
            raise ValueError(f"an admin token needs at least {_MIN_TOKEN} characters")
        self._dir = Path(tempfile.mkdtemp(prefix="customs-sim-platform-"))
        self.db_url = db_url or f"sqlite:///{self._dir / 'platform.db'}"
        self.workers = workers
        self.admin_token = admin_token or secrets.token_urlsafe(32)
        self.log_path = self._dir / "server.log"
        self._extra_env = dict(extra_env or {})
        self._port = port
        self._fixed_port = port is not None
        self._startup_timeout_s = startup_timeout_s
        self._stop_timeout_s = stop_timeout_s
        self._access_log = access_log
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False

    # -- what it is --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port it listens on (fixed by the first start)."""
        if self._port is None:
            raise PlatformError("the platform has not been started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server process is alive (a paused one is)."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int:
        """The server's process id (uvicorn's; with several workers, their supervisor).

        Raises:
            PlatformError: when it is not running.
        """
        if self._proc is None or not self.running:
            raise PlatformError("the platform is not running")
        return self._proc.pid

    def process_ids(self) -> list[int]:
        """Every live process of the server's group: the server and its workers (Linux)."""
        return [] if self._proc is None else _group_members(self._proc.pid)

    def client(self, **options: Any) -> PlatformClient:
        """A :class:`PlatformClient` of this platform acting as admin (``options`` go to it)."""
        return PlatformClient(self.base_url, admin_token=self.admin_token, **options)

    def async_client(self, **options: Any) -> AsyncPlatformClient:
        """An :class:`AsyncPlatformClient` of this platform acting as admin."""
        return AsyncPlatformClient(self.base_url, admin_token=self.admin_token, **options)

    # -- its life ----------------------------------------------------------------------------

    def start(self) -> Self:
        """Start the server and wait until ``/healthz`` answers 200.

        Raises:
            PlatformStartError: with the reason in one line; nothing is left running.
        """
        if self._closed:
            raise PlatformError("this platform was closed; start a new one")
        if self.running:
            return self
        for attempt in range(1, _PORT_TRIES + 1):
            if (not self._fixed_port and attempt > 1) or self._port is None:
                self._port = _free_port()
            try:
                self._launch()
                self._fixed_port = True  # a restart comes back where clients look for it
                break
            except PlatformStartError as exc:
                # Another process may take a free port between our probe and the server's bind.
                taken = "already in use" in str(exc)
                if not taken or self._fixed_port or attempt == _PORT_TRIES:
                    raise
        atexit.register(self.close)
        return self

    def _command(self) -> list[str]:
        return [
            sys.executable,
            "-c",
            "from sim.cli import main; main()",
            "serve",
            "--db",
            self.db_url,
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--access-log" if self._access_log else "--no-access-log",
        ]

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIX)}
        env[_ADMIN_ENV] = self.admin_token
        env.update(self._extra_env)
        return env

    def _launch(self) -> None:
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self._command(),
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own group: stopped whole, deaf to our Ctrl-C
            )
        try:
            self._await_health(self._proc)
        except BaseException:
            self._reap()  # a failed start, or Ctrl-C while waiting: nothing is left running
            raise

    def _await_health(self, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self._startup_timeout_s
        with httpx.Client(timeout=1.0) as probe:
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    said = _last_line(self.log_path) or f"it exited with status {proc.returncode}"
                    raise PlatformStartError(f"the reference platform did not start: {said}")
                with suppress(httpx.HTTPError):
                    if probe.get(f"{self.base_url}/healthz").status_code == 200:
                        return
                time.sleep(_POLL_S)
        said = _last_line(self.log_path) or "nothing on stderr"
        raise PlatformStartError(
            f"the reference platform did not answer /healthz within "
            f"{self._startup_timeout_s:g} s (its last line: {said})"
        )

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM; SIGKILL after the stop timeout), workers too."""
        if self._proc is None:
            return
        self._signal(signal.SIGTERM)
        self._signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        with suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=self._stop_timeout_s)
        self._reap()

    def kill(self) -> None:
        """SIGKILL the server and its workers: no graceful shutdown, as in a crash."""
        if self._proc is None:
            return
        self._reap()

    def restart(self) -> Self:
        """Stop the server if it runs, and start it again on the same database, port and token.

        Raises:
            PlatformStartError: when it does not come back.
        """
        self.stop()
        return self.start()

    def pause(self) -> None:
        """Freeze the server and its workers (SIGSTOP): connections open, no answers."""
        self._signal(signal.SIGSTOP, required=True)

    def resume(self) -> None:
        """Let a paused server go on (SIGCONT)."""
        self._signal(signal.SIGCONT, required=True)

    def close(self) -> None:
        """Stop the server and remove the temporary directory (its database, its log)."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _signal(self, sig: signal.Signals, *, required: bool = False) -> None:
        if self._proc is None or (required and not self.running):
            if required:
                raise PlatformError("the platform is not running")
            return
        with suppress(ProcessLookupError):
            os.killpg(self._proc.pid, sig)

    def _reap(self) -> None:
        """SIGKILL whatever is left of the group and collect the server's exit status."""
        assert self._proc is not None
        self._signal(signal.SIGKILL)
        self._proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _group_members(self._proc.pid) and time.monotonic() < deadline:
            self._signal(signal.SIGKILL)  # workers orphaned by a killed supervisor
            time.sleep(_POLL_S)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def start_platform(**options: Any) -> LocalPlatform:
    """Start the reference platform (see :class:`LocalPlatform` for the options).

    Use it in a ``with`` block, which stops it and removes its temporary files::

        with start_platform(workers=2) as platform, platform.client() as api:
            api.health()

    Raises:
        PlatformStartError: with the reason in one line.
    """
    platform = LocalPlatform(**options)
    try:
        return platform.start()
    except BaseException:
        platform.close()
        raise
