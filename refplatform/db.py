"""The database: one engine per application, sessions for reading and for writing.

Two back ends, one code path:

- **SQLite** (the default): the file is opened in WAL mode so readers never block the writer,
  with ``synchronous=NORMAL`` (a commit survives a crash of the process, which is what the
  durability test kills; only a power loss can lose the last commits), foreign keys on, and a
  busy timeout for other processes. SQLite has a single writer, so a *write session* takes an
  in-process lock and opens its transaction with ``BEGIN IMMEDIATE``: writers queue on the lock
  in order instead of spinning in SQLite's busy handler, and a second worker process queues on
  the database lock. Every write is therefore serialised, which also serialises the writes to
  one account book. WAL checkpoints run in a background thread (:mod:`refplatform.checkpointer`)
  rather than inside whichever commit fills the log.
- **PostgreSQL** (``postgresql+psycopg://``): transactions run concurrently at READ COMMITTED;
  code that changes an account book first locks its row with ``SELECT ... FOR UPDATE``
  (:func:`refplatform.books.lock_book`), which serialises writes per book only.

Every write transaction, on either back end, also claims the idempotency key of the request it
serves (first) and stores the request's answer and its audit record (last), in the same
transaction (:mod:`refplatform.request_context`).

The SQLite file is created readable and writable by its owner only (0600; SQLite gives its WAL
and shared-memory files the same mode): it holds the platform's records and token digests.

:class:`Database` owns the engine and hands out sessions; :func:`upgrade` brings the schema to
the newest Alembic revision, programmatically, from the migrations shipped inside the package.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from refplatform.checkpointer import Checkpointer
from refplatform.request_context import (
    claim,
    claim_raw,
    committed,
    finish,
    finish_raw,
    rolled_back,
)

__all__ = ["Database", "sqlite_error", "upgrade"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_engine(
    url: str, busy_timeout_ms: int, pool_size: int, *, auto_checkpoint: bool
) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        pool_size=pool_size,
        max_overflow=pool_size,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not auto_checkpoint:
            # refplatform.checkpointer runs the checkpoints, off the request path.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the database's write lock up front: no deadlock-prone
        # upgrade from a read lock half-way through. Sent on the DB-API connection itself (a
        # statement through SQLAlchemy's execution machinery costs more than SQLite's BEGIN);
        # an error is wrapped as SQLAlchemy would wrap it.
        sql = "BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN"
        try:
            conn.connection.dbapi_connection.execute(sql)
        except sqlite3.Error as exc:
            raise sqlite_error(sql, exc) from exc

    # WAL is a property of the database file: set it once, not on every new connection (the
    # switch takes a lock, and new connections appear whenever the pool grows).
    raw = engine.raw_connection()  # outside any transaction (the driver is in autocommit)
    try:
        raw.cursor().execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()
    return engine


class Database:
    """An engine and its session factories.

    Args:
        url: SQLAlchemy URL (``sqlite:///file.db`` or ``postgresql+psycopg://...``).
        busy_timeout_ms: SQLite only: how long to wait for another process's write lock.
        pool_size: Connections kept in the pool.
        checkpoint_interval_s: SQLite only: seconds between the WAL checkpoints a background
            thread runs (:mod:`refplatform.checkpointer`); None leaves them to SQLite, inside
            the commit that fills the log.
    """

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 10_000,
        pool_size: int = 40,
        checkpoint_interval_s: float | None = 0.25,
    ) -> None:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            # Plain postgresql:// would mean psycopg2; psycopg (3) is the driver shipped.
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed.render_as_string(hide_password=False)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database in (None, "", ":memory:"):
                raise ValueError("SQLite needs a database file, not an in-memory database")
            # The file is created on first start, its directory is not: a mistyped path should
            # be an error, not a new directory tree.
            folder = Path(parsed.database).resolve().parent
            if not folder.is_dir():
                raise ValueError(f"no directory {folder} for the SQLite file")
            self.sqlite_path: str | None = str(Path(parsed.database).resolve())
            self._busy_timeout_ms = busy_timeout_ms
            _create_private(self.sqlite_path)
            self.engine = _sqlite_engine(
                self.url,
                busy_timeout_ms,
                pool_size,
                auto_checkpoint=checkpoint_interval_s is None,
            )
        else:
            self.sqlite_path = None
            self.engine = create_engine(
                parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False
            )
        self._write_engine = self.engine.execution_options(write=True)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = sessionmaker(bind=self._write_engine, expire_on_commit=False)
        # One SQLite writer at a time in this process; PostgreSQL needs no such lock.
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._sqlite_writer: Connection | None = None
        self._checkpointer: Checkpointer | None = None
        if self.is_sqlite and checkpoint_interval_s is not None:
            self._checkpointer = Checkpointer(str(parsed.database), checkpoint_interval_s)
            self._checkpointer.start()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; its transaction is rolled back at the end."""
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits at the end, or rolls back on an exception.

        On SQLite the session holds the process's write lock and the database's write lock
        (``BEGIN IMMEDIATE``) for its whole life, on the one connection kept for writers.
        """
        if self._write_lock is not None:
            with (
                self.write_connection() as conn,
                Session(
                    bind=conn, expire_on_commit=False, join_transaction_mode="rollback_only"
                ) as session,
            ):
                # The session joins the kept writer connection's transaction; flushing here
                # sends every change before write_connection commits (or rolls back).
                yield session
                session.flush()
        else:
            try:
                with self._writer() as session, session.begin():
                    claim(session)
                    yield session
                    session.flush()
                    finish(session)
            except BaseException:
                rolled_back()
                raise
            committed()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """Like :meth:`write`, for SQLAlchemy Core: a connection in a write transaction."""
        try:
            if self._write_lock is not None:
                with self._write_lock:
                    conn = self._kept_writer()
                    with conn.begin():
                        claim(conn)
                        yield conn
                        finish(conn)
            else:
                with self._write_engine.begin() as conn:
                    claim(conn)
                    yield conn
                    finish(conn)
        except BaseException:
            rolled_back()
            raise
        committed()

    @contextmanager
    def sqlite_write(self) -> Iterator[sqlite3.Connection]:
        """SQLite only: the writer's DB-API connection between ``BEGIN IMMEDIATE`` and ``COMMIT``.

        For the hot path (second-line declarations): SQLAlchemy's transaction bookkeeping costs
        more than SQLite's own BEGIN and COMMIT. Same lock, same connection, same transaction
        semantics as :meth:`write_connection`: commit at the end, roll back on an exception;
        the driver's errors raised as SQLAlchemy's (``OperationalError`` for a busy database).
        """
        if self._write_lock is None:
            raise RuntimeError("sqlite_write needs a SQLite database")
        with self._write_lock:
            raw: sqlite3.Connection = self._kept_writer().connection.dbapi_connection  # type: ignore[assignment]
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise sqlite_error("BEGIN IMMEDIATE", exc) from exc
            try:
                claim_raw(raw)
                yield raw
                finish_raw(raw)
            except BaseException:
                raw.rollback()
                rolled_back()
                raise
            try:
                raw.commit()
            except sqlite3.Error as exc:
                raw.rollback()
                rolled_back()
                raise sqlite_error("COMMIT", exc) from exc
        committed()

    def _kept_writer(self) -> Connection:
        # SQLite: writers take turns on the lock, so one connection kept for them saves a pool
        # check-out and the ROLLBACK the pool issues on every check-in. Call with the lock held.
        writer = self._sqlite_writer
        if writer is None or writer.closed or writer.invalidated:
            if writer is not None:
                writer.close()
            self._sqlite_writer = writer = self._write_engine.connect()
        return writer

    def sqlite_reader(self) -> sqlite3.Connection:
        """SQLite only: a new read-only DB-API connection (for one thread's per-request reads).

        In autocommit mode, so each statement reads the latest committed state.
        """
        if self.sqlite_path is None:
            raise RuntimeError("sqlite_reader needs a SQLite database")
        conn = sqlite3.connect(self.sqlite_path, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
        conn.execute("PRAGMA query_only=1")
        return conn

    def ping(self) -> None:
        """Run ``SELECT 1``; raises (a SQLAlchemy error) if the database does not answer."""
        if not self.is_sqlite:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        # SQLite: straight on a pooled DB-API connection, outside any transaction (the driver
        # is in autocommit), so no BEGIN and ROLLBACK around it.
        raw = self.engine.raw_connection()
        try:
            raw.cursor().execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise sqlite_error("SELECT 1", exc) from exc
        finally:
            raw.close()

    def dispose(self) -> None:
        """Close every pooled connection (after a last WAL checkpoint, on SQLite)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._sqlite_writer is not None:
            self._sqlite_writer.close()
            self._sqlite_writer = None
        self.engine.dispose()


def _create_private(path: str) -> None:
    """Create the SQLite file empty and owner-only (0600) unless it exists already."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def sqlite_error(sql: str, exc: sqlite3.Error, params: tuple[Any, ...] = ()) -> Exception:
    """``exc`` from ``sqlite3`` as SQLAlchemy would raise it.

    ``IntegrityError``, ``OperationalError`` for a busy database ...: the error handlers then
    treat SQL sent straight to the driver as on every other route.
    """
    return DBAPIError.instance(sql, params, exc, sqlite3.Error)


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (``alembic upgrade head``).

    Works from an installed package: the migration scripts are located next to this module,
    not through an ``alembic.ini`` in the working directory.

    Args:
        db: The database to migrate.
        revision: Target revision; the newest by default.
    """
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    # Concurrent starts (several workers) queue: SQLite on its write lock (BEGIN IMMEDIATE),
    # PostgreSQL on a transaction-scoped advisory lock.
    with db._write_engine.begin() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(5150001)"))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
