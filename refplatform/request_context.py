"""A write request's context, and what its transactions record with the effect they commit.

While the platform serves an authenticated ``POST``, :data:`CURRENT` holds its
:class:`RequestContext`: who is asking (the principal), the method, path and operation, and the
``Idempotency-Key`` with the digest of the request it names (a context variable: each request is
its own task, and the thread pool copies the context to the thread a route runs in). Every write
transaction of the database (:class:`refplatform.db.Database`, whichever of its write paths a
route takes) then does two things in that same transaction:

1. first, :func:`claim`: insert the key's row (unique per principal and key). A repeat racing
   the first request waits for it (SQLite: the write lock; PostgreSQL: the unique index) and
   then fails with :class:`KeyTaken`, so the idempotency middleware answers it with the first
   request's answer; nothing of the repeat is committed;
2. last, :func:`finish`: store the answer in the key's row (the route built it inside the
   transaction with :func:`respond`) and append the write to the audit trail (token id, role,
   entity, time, method, path, operation, key, status).

So an effect, its stored answer and its audit record commit together or not at all: a client
retrying after a crash finds either nothing (and the request runs) or the original answer with
the id it created. A request that is refused writes nothing, and the middleware stores its
refusal afterwards in a transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from fastapi import Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from refplatform.models import AuditEntry, IdempotencyKey
from refplatform.security import Principal

__all__ = [
    "CURRENT",
    "TOKEN_CHECK",
    "UNEXECUTED",
    "KeyTaken",
    "RequestContext",
    "claim",
    "claim_raw",
    "committed",
    "finish",
    "finish_raw",
    "json_text",
    "respond",
    "rolled_back",
]

_JSON = "application/json"
_ENCODER = json.JSONEncoder(separators=(",", ":"))


def json_text(value: Any) -> str:
    """``value`` as compact JSON text (one encoder, built once, for every answer)."""
    return _ENCODER.encode(value)


class KeyTaken(Exception):
    """The request's idempotency key was committed by another request first."""


@dataclass(slots=True)
class RequestContext:
    """One authenticated write request.

    Attributes:
        principal: Who is asking.
        method, path: The request.
        operation: The operation's name (``sim.api.operations``), if the path is one.
        key: The ``Idempotency-Key``, if any.
        request_hash: The digest of the request the key names.
        claimed: The key's row was inserted by one of this request's transactions.
        answer: ``(status, content type, body)`` built by :func:`respond`.
        committed: A transaction committed the answer with the effect.
    """

    principal: Principal
    method: str
    path: str
    operation: str | None
    key: str | None = None
    request_hash: str = ""
    claimed: bool = False
    answer: tuple[int, str, bytes] | None = None
    committed: bool = False


CURRENT: ContextVar[RequestContext | None] = ContextVar("refplatform_request", default=None)
"""The write request being served, if any."""

TOKEN_CHECK = "refplatform.token_check"
"""ASGI scope key: ``(token, TokenCheck)`` of the request's bearer token, checked once by the
idempotency middleware and reused by the route's authentication."""
UNEXECUTED = "refplatform.unexecuted"
"""ASGI scope key set by the error handlers when a request was refused before its route acted
(authentication, request validation): its answer is not kept for its idempotency key."""


def respond(
    payload: Any, status: int = 201, adapter: TypeAdapter[Any] | None = None
) -> Response:
    """The JSON answer of a write, recorded as the request's answer (call it in the transaction).

    Args:
        payload: A pydantic model, or plain data (validated by ``adapter`` when given).
        status: The success status.
        adapter: The answer's type, to validate and serialise plain data.

    Returns:
        The response to return from the route, byte for byte what a repeat will get.
    """
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json().encode()
    elif adapter is not None:
        body = adapter.dump_json(adapter.validate_python(payload))
    else:
        body = json_text(payload).encode()
    ctx = CURRENT.get()
    if ctx is not None:
        ctx.answer = (status, _JSON, body)
    return Response(body, status_code=status, media_type=_JSON)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _key_row(ctx: RequestContext) -> dict[str, Any]:
    return {
        "scope": ctx.principal.scope,
        "key": ctx.key,
        "request_hash": ctx.request_hash,
        "method": ctx.method,
        "path": ctx.path,
        "created_at": _now(),
    }


def _audit_row(ctx: RequestContext) -> dict[str, Any]:
    p = ctx.principal
    return {
        "at": _now(),
        "token_id": p.token_id,
        "role": p.role.value,
        "entity": p.entity,
        "method": ctx.method,
        "path": ctx.path,
        "operation": ctx.operation,
        "idempotency_key": ctx.key,
        "status": ctx.answer[0] if ctx.answer else None,
    }


# -- SQLAlchemy sessions and connections ---------------------------------------------------------


def claim(executor: Session | Connection) -> None:
    """First in a write transaction: insert the active key's row (see the module docstring).

    Raises:
        KeyTaken: another request committed the key first.
    """
    ctx = CURRENT.get()
    if ctx is None or ctx.key is None or ctx.claimed:
        return
    try:
        executor.execute(insert(IdempotencyKey), [_key_row(ctx)])
    except IntegrityError as exc:
        raise KeyTaken(ctx.key) from exc
    ctx.claimed = True


def finish(executor: Session | Connection) -> None:
    """Last in a write transaction: the answer into the key's row, the write into the trail."""
    ctx = CURRENT.get()
    if ctx is None:
        return
    if ctx.claimed and ctx.answer is not None:
        status, content_type, body = ctx.answer
        executor.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.scope == ctx.principal.scope, IdempotencyKey.key == ctx.key)
            .values(status_code=status, content_type=content_type, response_body=body)
        )
    executor.execute(insert(AuditEntry), [_audit_row(ctx)])


def committed() -> None:
    """After a write transaction committed: its answer, if it had one, is stored."""
    ctx = CURRENT.get()
    if ctx is not None and ctx.claimed and ctx.answer is not None:
        ctx.committed = True


def rolled_back() -> None:
    """After a write transaction rolled back: its claim of the key went with it."""
    ctx = CURRENT.get()
    if ctx is not None and not ctx.committed:
        ctx.claimed = False


# -- the SQLite hot path (statements straight to the driver) ---------------------------------

_CLAIM_SQL = (
    "INSERT INTO idempotency_keys (scope, key, request_hash, method, path, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_ANSWER_SQL = (
    "UPDATE idempotency_keys SET status_code = ?, content_type = ?, response_body = ? "
    "WHERE scope = ? AND key = ?"
)
_AUDIT_SQL = (
    "INSERT INTO audit_log (at, token_id, role, entity, method, path, operation, "
    "idempotency_key, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _sqlite_time(moment: dt.datetime) -> str:
    # The text SQLAlchemy's SQLite dialect writes for a DateTime (UTC, naive).
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def claim_raw(raw: sqlite3.Connection) -> None:
    """:func:`claim` on a SQLite DB-API connection's open transaction."""
    ctx = CURRENT.get()
    if ctx is None or ctx.key is None or ctx.claimed:
        return
    row = _key_row(ctx)
    try:
        raw.execute(
            _CLAIM_SQL,
            (row["scope"], row["key"], row["request_hash"], row["method"], row["path"],
             _sqlite_time(row["created_at"])),
        )
    except sqlite3.IntegrityError as exc:
        raise KeyTaken(ctx.key) from exc
    ctx.claimed = True


def finish_raw(raw: sqlite3.Connection) -> None:
    """:func:`finish` on a SQLite DB-API connection's open transaction."""
    ctx = CURRENT.get()
    if ctx is None:
        return
    if ctx.claimed and ctx.answer is not None:
        status, content_type, body = ctx.answer
        raw.execute(_ANSWER_SQL, (status, content_type, body, ctx.principal.scope, ctx.key))
    a = _audit_row(ctx)
    raw.execute(
        _AUDIT_SQL,
        (_sqlite_time(a["at"]), a["token_id"], a["role"], a["entity"], a["method"], a["path"],
         a["operation"], a["idempotency_key"], a["status"]),
    )
