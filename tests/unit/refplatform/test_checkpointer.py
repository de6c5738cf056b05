"""WAL checkpoints run by the background thread, not by the commits."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from refplatform.checkpointer import Checkpointer
from refplatform.db import Database

_ROWS = 3000


def _fill(path: Path) -> sqlite3.Connection:
    """A WAL database whose writes stay in the log (automatic checkpoints off)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    for i in range(_ROWS):
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"{i:0100d}",))
    return conn  # closing the last connection would checkpoint: the caller keeps it open


def _wait(predicate: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_the_thread_copies_the_log_into_the_database_file(tmp_path: Path) -> None:
    logged, control = tmp_path / "logged.db", tmp_path / "control.db"
    kept = [_fill(logged), _fill(control)]
    data = _ROWS * 100
    # Without a checkpoint the rows live only in the log (this is what gives the test power).
    assert control.stat().st_size < data / 10 and logged.stat().st_size < data / 10
    worker = Checkpointer(str(logged), interval_s=0.02)
    worker.start()
    try:
        assert _wait(lambda: worker.checkpoints >= 2)
    finally:
        worker.stop()
    assert logged.stat().st_size > data
    assert control.stat().st_size < data / 10
    assert not worker._thread.is_alive()
    for conn in kept:
        conn.close()


def test_the_database_hands_checkpoints_to_its_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'a.db'}", checkpoint_interval_s=0.02)
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        checkpointer = db._checkpointer
        assert checkpointer is not None
        assert _wait(lambda: checkpointer.checkpoints >= 1)
    finally:
        db.dispose()
    assert not checkpointer._thread.is_alive()
    plain = Database(f"sqlite:///{tmp_path / 'b.db'}", checkpoint_interval_s=None)
    try:
        with plain.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        assert plain._checkpointer is None
    finally:
        plain.dispose()


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        Checkpointer("x.db", interval_s=0)
