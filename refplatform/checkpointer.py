"""WAL checkpoints off the request path.

In WAL mode SQLite appends every commit to the write-ahead log; a *checkpoint* copies the logged
pages back into the database file (and, with ``synchronous=NORMAL``, syncs it to disk) so the log
can start over. By default the connection that commits the transaction crossing 1,000 logged
pages runs the checkpoint itself, inside its ``COMMIT``: that one request waits for a file copy
and an ``fsync``, tens of milliseconds on a busy disk, and under load every request queued behind
it waits too. Those stalls, not the average cost, set a declaration stream's p99.

:class:`Checkpointer` moves the work to a thread of its own: the platform's connections turn the
automatic checkpoint off (``PRAGMA wal_autocheckpoint=0``) and the thread runs
``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval_s`` seconds on its own connection. A passive
checkpoint never blocks readers or writers (it copies what no reader still needs), and ``sqlite3``
releases the interpreter lock while SQLite works, so requests go on meanwhile. The log is still
reset whenever a checkpoint has caught up, so it stays bounded by what is written per interval.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["Checkpointer"]

_log = logging.getLogger("refplatform.checkpointer")


class Checkpointer:
    """A daemon thread checkpointing one SQLite database's WAL at a fixed interval.

    Args:
        path: The database file.
        interval_s: Seconds between checkpoints.
    """

    def __init__(self, path: str, interval_s: float = 0.25) -> None:
        if interval_s <= 0:
            raise ValueError(f"interval_s must be > 0 (got {interval_s})")
        self.path = path
        self.interval_s = interval_s
        self.checkpoints = 0
        """Checkpoints run so far (for tests and diagnostics)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpointer", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self) -> None:
        """Run a last checkpoint and end the thread (idempotent)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            while True:
                stopping = self._stop.wait(self.interval_s)
                self.checkpoint(conn)
                if stopping:
                    return
        finally:
            conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        """One passive checkpoint; a failure is logged, never raised (the next one retries)."""
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except sqlite3.Error as exc:
            _log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
