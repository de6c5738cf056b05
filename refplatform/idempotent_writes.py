"""An idempotent request's writes mark its key *executed* in their own transaction.

The idempotency middleware (:mod:`refplatform.idempotency`) reserves a key before a request runs
and stores the answer after it; both in transactions of their own, so it works for every route
without the routes' help. That leaves one window: a server that dies after the request's write
committed but before its answer was stored. A retry would find a pending reservation, take it
over once stale, and run the request a second time.

This module closes it. While the middleware serves a request with a key, the key is the *active*
one (a context variable: each request is its own task, and the thread pool copies the context
to the thread it runs a route in). Every write transaction the database commits, whatever the
route and whichever of its write paths (:class:`refplatform.db.Database`), first sets
``executed`` on the active key's row. The flag commits or rolls back with the request's own
writes, so after a crash the row says whether the request's effects exist: if they do, a retry
is told the answer was lost (409 ``idempotency_answer_lost``) instead of executing again.
"""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

__all__ = ["ACTIVE_KEY", "mark", "mark_raw"]

ACTIVE_KEY: ContextVar[tuple[str, str] | None] = ContextVar("refplatform_active_key", default=None)
"""``(scope, key)`` of the idempotency key of the request being served, if it has one."""

_MARK = text("UPDATE idempotency_keys SET executed = :yes WHERE scope = :scope AND key = :key")
_MARK_RAW = "UPDATE idempotency_keys SET executed = 1 WHERE scope = ? AND key = ?"


def _params() -> dict[str, Any] | None:
    active = ACTIVE_KEY.get()
    return None if active is None else {"yes": True, "scope": active[0], "key": active[1]}


def mark(executor: Session | Connection) -> None:
    """In the open transaction of a session or connection: mark the active key executed."""
    params = _params()
    if params is not None:
        executor.execute(_MARK, params)


def mark_raw(raw: sqlite3.Connection) -> None:
    """On a SQLite DB-API connection's open transaction: mark the active key executed."""
    active = ACTIVE_KEY.get()
    if active is not None:
        raw.execute(_MARK_RAW, active)
