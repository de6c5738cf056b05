"""``customs-sim serve``: run the reference customs platform (uvicorn + ``refplatform``).

The database is opened and migrated before the server starts, so a bad ``--db`` URL or an
unreachable database ends in one error line and exit status 2, like a port already in use.
The server binds to loopback unless ``--host`` says otherwise, logs one JSON line per request
on stderr, and shuts down gracefully on SIGTERM or Ctrl-C (in-flight requests finish).

``--scenario FILE [--set ...]`` configures the platform's rules from a scenario: its risk model
and treatment by tier (``policy:``), credit scales (``credit:``), tariff changes
(``goods.tariff``) and duty-free quota (``Scenario.rules_config()``, handed to every worker as
``REFPLATFORM_RULES``), so a what-if policy decides on the platform exactly as in the model.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import SetOption, err_console, fail, load_or_exit

__all__ = ["register", "serve"]


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Same option uvicorn sets, so a port only in TIME_WAIT is not reported as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                fail(f"--port: {host}:{port} is already in use (got {port})")
            fail(f"--host: cannot bind {host}:{port}: {exc.strerror} (got {host})")


def _open_database(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from refplatform.db import Database, upgrade

    try:
        parsed = make_url(url)
        shown = url if parsed.password is None else parsed.render_as_string(hide_password=True)
    except ArgumentError:
        fail(f"--db: not a database URL (got {url!r})")
    try:
        db = Database(url)
    except (ArgumentError, ValueError, ImportError, OSError) as exc:
        fail(f"--db: cannot use this database: {exc} (got {shown})")
    try:
        upgrade(db)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        fail(f"--db: cannot open the database: {reason} (got {shown})")
    finally:
        db.dispose()


def serve(
    db: Annotated[
        str,
        typer.Option(help="Database URL: sqlite:///FILE or postgresql+psycopg://USER@HOST/DB."),
    ] = "sqlite:///refplatform.db",
    host: Annotated[str, typer.Option(help="Interface to bind (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="One JSON line per request on stderr.")] = True,
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Decide with this scenario's rules (policy, credit scales, tariff, quota).",
            metavar="FILE",
        ),
    ] = None,
    set_: SetOption = None,
) -> None:
    """Run the reference customs platform until SIGTERM or Ctrl-C."""
    import uvicorn

    from refplatform.settings import Settings, SettingsError

    if scenario is not None:
        rules = load_or_exit(scenario, set_).rules_config()
        os.environ["REFPLATFORM_RULES"] = rules.model_dump_json()
    elif set_:
        fail(f"--set: needs --scenario (got {set_[0]!r})")
    try:
        Settings.from_env()  # what every worker will read; a bad variable stops us here
    except SettingsError as exc:
        fail(f"environment: {exc}")
    _open_database(db)
    _check_port_free(host, port)
    if "REFPLATFORM_ADMIN_TOKEN" not in os.environ:
        err_console.print(
            "warning: REFPLATFORM_ADMIN_TOKEN is not set: no token can be issued", markup=False
        )
    # Workers build their application from the environment (uvicorn imports a factory by name).
    os.environ["REFPLATFORM_DB_URL"] = db
    os.environ["REFPLATFORM_MIGRATE"] = "0"  # done above, once, before any worker starts
    os.environ["REFPLATFORM_ACCESS_LOG"] = "1" if access_log else "0"
    uvicorn.run(
        "refplatform.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # ours is structured (refplatform.accesslog)
        log_level="info",
        timeout_graceful_shutdown=10,
        server_header=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``customs-sim`` app."""
    app.command()(serve)
