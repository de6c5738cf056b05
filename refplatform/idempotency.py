"""Idempotency keys: a repeated POST gets the first answer and changes nothing.

A client that is not sure its POST arrived (a timeout, a dropped connection) sends it again with
the same ``Idempotency-Key`` header. The platform answers the repeat with the status and body of
the first answer, byte for byte, and creates nothing new, also when the repeats race each other.

How: an ASGI middleware, in front of every route.

1. *Reserve first.* Before the request runs, a row ``(scope, key)`` is inserted and committed;
   the scope is the caller (the SHA-256 of its token) and the route (method and path), and a
   unique constraint on ``(scope, key)`` makes exactly one of racing inserts win.
2. The winner runs the request, buffers the answer, stores it in the row, then sends it. An
   answer of 5xx (or a crash in the handler) deletes the reservation, so the client may retry.
3. A loser reads the row: a stored answer is replayed (with ``Idempotent-Replayed: true``);
   a pending one is polled until it completes, for at most ``wait_s`` seconds (then 409
   ``idempotency_in_progress``). The same key with a different body is a 422
   ``idempotency_key_reused``.

A reservation left pending by a server that died between steps 1 and 2 is taken over after
``stale_after_s`` seconds, unless the request's own writes had committed: every write
transaction of a request with a key marks the key ``executed`` in that same transaction
(:mod:`refplatform.idempotent_writes`). A retry of an executed request whose answer was never
stored gets 409 ``idempotency_answer_lost`` and is not run again; one that failed with a 5xx
after its writes committed has that answer stored and replayed, like any first answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from refplatform.db import Database
from refplatform.idempotent_writes import ACTIVE_KEY
from refplatform.models import IdempotencyKey
from sim.api.problems import PROBLEM_JSON

__all__ = ["IdempotencyMiddleware"]

_HEADER = b"idempotency-key"
_MAX_KEY = 255
_POLL_S = 0.01


@dataclass(frozen=True, slots=True)
class _Stored:
    status: int
    content_type: str
    body: bytes
    replayed: bool = False


def _problem(status: int, code: str, detail: str) -> _Stored:
    body = {
        "type": f"urn:refplatform:problem:{code}",
        "title": "Conflict" if status == 409 else "Unprocessable content",
        "status": status,
        "detail": detail,
        "code": code,
        "field": "header.Idempotency-Key",
    }
    return _Stored(status, PROBLEM_JSON, json.dumps(body).encode())


class IdempotencyMiddleware:
    """ASGI middleware making every POST with an ``Idempotency-Key`` idempotent.

    Args:
        app: The wrapped application.
        db: Where reservations and answers are stored.
        wait_s: How long a repeat waits for the first request to finish.
        stale_after_s: Age after which a pending reservation is taken over.
    """

    def __init__(
        self, app: ASGIApp, db: Database, wait_s: float = 10.0, stale_after_s: float = 60.0
    ) -> None:
        self.app = app
        self.db = db
        self.wait_s = wait_s
        self.stale_after_s = stale_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        key_raw = auth = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                key_raw = value
            elif name == b"authorization":
                auth = value
        if key_raw is None or auth is None:
            # Without a caller there is no scope; the route answers 401 anyway.
            await self.app(scope, receive, send)
            return
        key = key_raw.decode("latin-1").strip()
        if not key or len(key) > _MAX_KEY:
            await _send(
                send,
                _problem(
                    422,
                    "invalid_idempotency_key",
                    f"Idempotency-Key must be 1 to {_MAX_KEY} characters",
                ),
            )
            return
        body = await _read_body(receive)
        request_hash = hashlib.sha256(body).hexdigest()
        caller = hashlib.sha256(auth).hexdigest()[:32]
        id_scope = f"{caller} POST {scope['path']}"

        outcome = await self._claim(id_scope, key, request_hash)
        if outcome is not None:
            await _send(send, outcome)
            return

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

        async def _capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].extend(message.get("body", b""))

        try:
            active = ACTIVE_KEY.set((id_scope, key))  # the request's writes mark it executed
            try:
                await self.app(scope, _replay(body), _capture)
            finally:
                ACTIVE_KEY.reset(active)  # before the middleware's own writes below
        except BaseException:
            await run_in_threadpool(self._release, id_scope, key, None)
            raise
        status = int(captured["status"])
        content_type = next(
            (v.decode("latin-1") for n, v in captured["headers"] if n == b"content-type"), ""
        )
        answer = _Stored(status, content_type, bytes(captured["body"]))
        if status >= 500:
            await run_in_threadpool(self._release, id_scope, key, answer)
        else:
            await run_in_threadpool(self._store, id_scope, key, answer)
        await send(
            {"type": "http.response.start", "status": status, "headers": captured["headers"]}
        )
        await send({"type": "http.response.body", "body": bytes(captured["body"])})

    async def _claim(self, id_scope: str, key: str, request_hash: str) -> _Stored | None:
        """Reserve the key (None: we run the request) or return the answer to replay."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_s
        while True:
            won, row = await run_in_threadpool(self._reserve, id_scope, key, request_hash)
            if won:
                return None
            if row is None:
                continue  # the holder released it between our insert and our read: retry
            if row.request_hash != request_hash:
                return _problem(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request body",
                )
            if row.status_code is not None:
                return _Stored(
                    row.status_code, row.content_type or "", row.response_body or b"", True
                )
            age = (dt.datetime.now(dt.UTC) - _aware(row.created_at)).total_seconds()
            if age > self.stale_after_s and row.executed:
                return _problem(
                    409,
                    "idempotency_answer_lost",
                    "a request with this Idempotency-Key was carried out, but the platform "
                    "stopped before its answer was stored: read the result instead of retrying",
                )
            if age > self.stale_after_s:
                await run_in_threadpool(self._release, id_scope, key, None)
                continue
            if loop.time() >= deadline:
                return _problem(
                    409,
                    "idempotency_in_progress",
                    "a request with this Idempotency-Key is still being processed",
                )
            await asyncio.sleep(_POLL_S)

    def _reserve(self, id_scope: str, key: str, request_hash: str) -> tuple[bool, Any]:
        try:
            with self.db.write() as session:
                session.add(IdempotencyKey(scope=id_scope, key=key, request_hash=request_hash))
            return True, None
        except IntegrityError:
            pass
        with self.db.read() as session:
            row = session.execute(
                select(
                    IdempotencyKey.request_hash,
                    IdempotencyKey.status_code,
                    IdempotencyKey.content_type,
                    IdempotencyKey.response_body,
                    IdempotencyKey.created_at,
                    IdempotencyKey.executed,
                ).where(IdempotencyKey.scope == id_scope, IdempotencyKey.key == key)
            ).first()
        return False, row

    def _store(self, id_scope: str, key: str, answer: _Stored) -> None:
        with self.db.write() as session:
            session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.scope == id_scope, IdempotencyKey.key == key)
                .values(
                    status_code=answer.status,
                    content_type=answer.content_type,
                    response_body=answer.body,
                )
            )

    def _release(self, id_scope: str, key: str, answer: _Stored | None) -> None:
        """Give a pending key back, unless the request's writes committed (``executed``).

        An executed request keeps its key: its 5xx ``answer`` is stored and replayed like any
        first answer; without one (the handler crashed), the key stays pending and a retry is
        told the answer was lost, never run again.
        """
        with self.db.write() as session:
            result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
                delete(IdempotencyKey).where(
                    IdempotencyKey.scope == id_scope,
                    IdempotencyKey.key == key,
                    IdempotencyKey.status_code.is_(None),
                    IdempotencyKey.executed.is_(False),
                )
            )
            gone = result.rowcount
        if not gone and answer is not None:
            self._store(id_scope, key, answer)


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def _receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        # After the body, the only thing left to hear is the client going away.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return _receive


async def _send(send: Send, answer: _Stored) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if answer.replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
