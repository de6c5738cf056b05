"""Helpers for the platform tests: valid identifiers, a throwaway PostgreSQL cluster, servers.

The PostgreSQL cluster is created in a temporary directory from the binaries of the machine
(Debian's ``postgresql-15``), owned by an unprivileged system user because ``initdb`` refuses
to run as root, listening on a free loopback port, with ``fsync=off`` (it is thrown away).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ADMIN_TOKEN = "test-admin-token-0123456789-abcdefghijklmnop"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PG_USER = "refplatform_pg"


def uscc(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n`` (GB 32100-2015)."""
    body = f"9146{n:013d}"  # 17 characters: the check character is appended
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def id_number(n: int, born: str = "19900101") -> str:
    """A valid resident identity number, distinct for each ``n`` (GB 11643-1999).

    Digits 7-14 are the birth date ``born`` (YYYYMMDD), 15-17 the sequence ``n``.
    """
    body = f"460100{born}{n % 1000:03d}"
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body))
    value = (12 - total % 11) % 11
    return body + ("X" if value == 10 else str(value))


def walk_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[Any, str]]:
    """Every API route of an application with the prefix it is mounted under.

    Follows included routers both as older FastAPI flattens them (``APIRoute`` in
    ``app.routes``) and as newer FastAPI keeps them (an included-router node holding the
    ``original_router`` and its include prefix), so routes added later are covered too.
    """
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield route, prefix
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from walk_routes(route.original_router.routes, inner)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def pg_bin() -> Path | None:
    """The directory of PostgreSQL 15's binaries, or None if they are not installed."""
    for candidate in ("/usr/lib/postgresql/15/bin", os.environ.get("PG_BIN", "")):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PgCluster:
    """A running throwaway PostgreSQL cluster."""

    bindir: Path
    root: Path
    port: int
    as_user: list[str]
    counter: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create a fresh empty database and return its SQLAlchemy URL."""
        import psycopg

        self.counter += 1
        name = f"t{os.getpid()}_{self.counter}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_pg_cluster() -> PgCluster:
    """Create and start a cluster; raises RuntimeError with the reason when it cannot."""
    bindir = pg_bin()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="refplatform-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        if subprocess.run(["id", "-u", PG_USER], capture_output=True).returncode != 0:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    PG_USER,
                ],
                check=True,
                capture_output=True,
            )
        shutil.chown(root, PG_USER)
        as_user = ["runuser", "-u", PG_USER, "--"]
    os.chmod(root, 0o700)
    port = free_port()
    data = root / "data"
    run = subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0:
        raise RuntimeError(f"initdb failed: {run.stderr.strip()}")
    opts = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    )
    run = subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {run.stderr.strip()} {log[-500:]}")
    return PgCluster(bindir, root, port, as_user)


class ThreadServer:
    """A uvicorn server for an app object, in a thread of this process, on a free port."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Poll ``/healthz`` until it answers 200 (or the process died / time ran out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not become healthy")
