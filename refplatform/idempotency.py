"""Who is asking, and idempotency keys: a repeated POST gets the first answer and changes nothing.

An ASGI middleware in front of every route. For each request it first checks the bearer token
(:class:`refplatform.lookups.Lookups`: every time, so an expired or revoked token is refused at
once) and leaves the result for the route's own authentication. For an authenticated ``POST`` it
sets the request's context (:mod:`refplatform.request_context`): every write transaction the
request commits then records it in the audit trail, with its ``Idempotency-Key`` if it has one.

Idempotency, as Stripe does it:

- **Scope**: a key belongs to the authenticated principal (an enterprise or department, whichever
  of its tokens it uses; an officer or an issued admin token by its token), never to the raw
  ``Authorization`` text.
- **Same request**: a key names one request: its method, its path and its parameters compared as
  JSON values (the same body re-serialised, its members in another order, is the same request).
  The key used again for another route or other parameters is refused with 422
  ``idempotency_key_reused``, naming the request it was first used for.
- **One effect**: the key's row is written by the request's own transaction, first, and its
  answer last, so the effect and the answer commit together. A repeat racing the first waits for
  it and gets its answer; a retry after a crash finds the original answer (with the id it
  created) or nothing at all, and then runs.
- **What is kept**: answers of requests the platform acted on, refusals included (409/422 with a
  rule's reason, 403, 404), replayed byte for byte with ``Idempotent-Replayed: true``. Not kept:
  401s, request validation failures (a bad field, a bad body), 413 and 5xx answers; the same
  key may be sent again, fixed.
- **Expiry**: a key's answer is kept for ``ttl_s`` (24 hours by default); after that the key is
  free again. Expired keys are also purged in the background, at most once a minute.
- **Unauthenticated requests write nothing**: no key is looked at, no row reserved.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import json
import logging
import time
from typing import Any

from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from refplatform.db import Database
from refplatform.lookups import Lookups, StoredAnswer, TokenCheck
from refplatform.models import IdempotencyKey
from refplatform.request_context import (
    CURRENT,
    TOKEN_CHECK,
    UNEXECUTED,
    KeyTaken,
    RequestContext,
)
from sim.api.operations import find_operation
from sim.api.problems import PROBLEM_JSON

__all__ = ["IdempotencyMiddleware", "fingerprint"]

_log = logging.getLogger("refplatform.idempotency")
_HEADER = b"idempotency-key"
_MAX_KEY = 255
_PURGE_EVERY_S = 60.0


def _problem(status: int, code: str, detail: str) -> StoredAnswer:
    body = {
        "type": f"urn:refplatform:problem:{code}",
        "title": "Conflict" if status == 409 else "Unprocessable content",
        "status": status,
        "detail": detail,
        "code": code,
        "field": "header.Idempotency-Key",
    }
    now = dt.datetime.now(dt.UTC)
    return StoredAnswer("", "", "", status, PROBLEM_JSON, json.dumps(body).encode(), now)


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """The digest of a request: method, path, query and the body's JSON *value*.

    Members are sorted and whitespace dropped, so one body re-serialised is the same request; a
    body that is not JSON is taken byte for byte.
    """
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), allow_nan=False
        ).encode()
    except (ValueError, TypeError, RecursionError):
        canonical = b"raw:" + body
    digest = hashlib.sha256(f"{method} {path}?".encode())
    digest.update(query)
    digest.update(b"\n")
    digest.update(canonical)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4096)
def _operation(method: str, path: str) -> str | None:
    op = find_operation(method, path)
    return None if op is None else op.name


class IdempotencyMiddleware:
    """ASGI middleware: the caller's token, the write context, idempotency keys.

    Args:
        app: The wrapped application.
        db: Where keys and answers are stored.
        lookups: The per-request reads (tokens, stored answers).
        ttl_s: How long a key keeps its answer.
    """

    def __init__(self, app: ASGIApp, db: Database, lookups: Lookups, ttl_s: float) -> None:
        self.app = app
        self.db = db
        self.lookups = lookups
        self.ttl_s = ttl_s
        self._next_purge = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key_raw = auth = None
        for name, value in scope["headers"]:
            if name == _HEADER:
                key_raw = value
            elif name == b"authorization":
                auth = value
        check = await self._check(scope, auth)
        if scope["method"] != "POST" or check is None or check.principal is None:
            # Reads, and requests nobody is authenticated for: nothing is written for them.
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        ctx = RequestContext(check.principal, "POST", path, _operation("POST", path))
        if key_raw is None:
            await self._run(ctx, scope, receive, send)
            return
        key = key_raw.decode("latin-1").strip()
        if not key or len(key) > _MAX_KEY or not key.isprintable():
            await _send(
                send,
                _problem(
                    422,
                    "invalid_idempotency_key",
                    f"Idempotency-Key must be 1 to {_MAX_KEY} printable characters",
                ),
            )
            return
        body = await _read_body(receive)
        ctx.key = key
        ctx.request_hash = fingerprint("POST", path, scope.get("query_string", b""), body)
        self._purge_if_due()
        stored = await self.lookups.stored_answer(ctx.principal.scope, key)
        if stored is not None and self._expired(stored):
            await run_in_threadpool(self._forget, ctx.principal.scope, key, stored.created_at)
            stored = None
        if stored is not None:
            await _send(send, _replay(stored, ctx))
            return
        await self._keyed(ctx, scope, body, send)

    async def _check(self, scope: Scope, auth: bytes | None) -> TokenCheck | None:
        if auth is None:
            return None
        scheme, token = get_authorization_scheme_param(auth.decode("latin-1"))
        if not token or scheme.lower() != "bearer":
            return None
        check = await self.lookups.token(token)
        scope[TOKEN_CHECK] = (token, check)
        return check

    async def _run(self, ctx: RequestContext, scope: Scope, receive: Receive, send: Send) -> None:
        active = CURRENT.set(ctx)
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT.reset(active)

    async def _keyed(self, ctx: RequestContext, scope: Scope, body: bytes, send: Send) -> None:
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

        async def _capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].extend(message.get("body", b""))

        try:
            await self._run(ctx, scope, _replay_body(body), _capture)
        except KeyTaken:
            # Another request committed this key first (a racing repeat): its answer is ours.
            stored = await self.lookups.stored_answer(ctx.principal.scope, ctx.key or "")
            first = stored or _problem(409, "conflict", "read the result and retry")
            await _send(send, _replay(first, ctx))
            return
        status = int(captured["status"])
        content = bytes(captured["body"])
        content_type = next(
            (v.decode("latin-1") for n, v in captured["headers"] if n == b"content-type"), ""
        )
        if ctx.claimed and not ctx.committed and status < 500:
            # The effect committed with the key but without its answer: a route that did not
            # build its answer in its transaction (a bug; every route does). Stored late.
            await run_in_threadpool(self.late_answer, ctx, status, content_type, content)
        elif not ctx.committed and status < 500 and not scope.get(UNEXECUTED):
            # Nothing was committed (a refusal, a 404 ...): keep the answer in its own
            # transaction; if a racing repeat committed first, answer what it stored.
            won = await run_in_threadpool(self._store, ctx, status, content_type, content)
            if not won:
                stored = await self.lookups.stored_answer(ctx.principal.scope, ctx.key or "")
                if stored is not None:
                    await _send(send, _replay(stored, ctx))
                    return
        start = {"type": "http.response.start", "status": status, "headers": captured["headers"]}
        await send(start)
        await send({"type": "http.response.body", "body": content})

    # -- storage -----------------------------------------------------------------------------

    def _expired(self, stored: StoredAnswer) -> bool:
        age = (dt.datetime.now(dt.UTC) - stored.created_at).total_seconds()
        return age >= self.ttl_s

    def _store(self, ctx: RequestContext, status: int, content_type: str, body: bytes) -> bool:
        row = IdempotencyKey(
            scope=ctx.principal.scope,
            key=ctx.key,
            request_hash=ctx.request_hash,
            method=ctx.method,
            path=ctx.path,
            status_code=status,
            content_type=content_type,
            response_body=body,
        )
        try:
            with self.db.write() as session:  # CURRENT is not set here: no claim, no audit
                session.add(row)
        except IntegrityError:
            return False
        return True

    def late_answer(
        self, ctx: RequestContext, status: int, content_type: str, body: bytes
    ) -> None:
        """Store the answer of an effect committed without it (logged: it should not happen)."""
        _log.error("%s %s committed its effect without its answer", ctx.method, ctx.path)
        with self.db.write() as session:
            session.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.scope == ctx.principal.scope,
                    IdempotencyKey.key == ctx.key,
                    IdempotencyKey.status_code.is_(None),
                )
                .values(status_code=status, content_type=content_type, response_body=body)
            )

    def _forget(self, scope: str, key: str, created_at: dt.datetime) -> None:
        with self.db.write() as session:
            session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.scope == scope,
                    IdempotencyKey.key == key,
                    IdempotencyKey.created_at <= created_at,
                )
            )

    def _purge_if_due(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + _PURGE_EVERY_S
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, self._purge)

    def _purge(self) -> None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.ttl_s)
        try:
            with self.db.write() as session:
                session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
        except Exception:  # the next purge retries; a request must not depend on this one
            _log.exception("purging expired idempotency keys failed")


def _replay(stored: StoredAnswer, ctx: RequestContext) -> StoredAnswer:
    """What a request gets for a key already answered: the answer, or why not."""
    if stored.request_hash != ctx.request_hash:
        same_route = (stored.method, stored.path) == (ctx.method, ctx.path)
        what = (
            "other parameters" if same_route else f"another request ({stored.method} {stored.path})"
        )
        return _problem(
            422, "idempotency_key_reused", f"this Idempotency-Key was used before with {what}"
        )
    if stored.status is None:
        return _problem(
            409,
            "idempotency_answer_lost",
            "a request with this Idempotency-Key was carried out but its answer is not stored: "
            "read the result instead of retrying",
        )
    return stored


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


def _replay_body(body: bytes) -> Receive:
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


async def _send(send: Send, answer: StoredAnswer) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
    ]
    if answer.request_hash:  # a stored answer, not a problem made here
        headers.append((b"idempotent-replayed", b"true"))
    assert answer.status is not None
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
