"""The reads a request makes before its route runs: whose token it is, and a key's first answer.

Every request with a bearer token is checked against the database, every time: an issued token
is accepted while it is neither expired nor revoked, so a revocation holds at once on every
worker process (there is no cache to go stale). That is one indexed read per request, and the
declaration hot path pays it too, so on SQLite it is sent straight to the driver on a read-only
connection kept per thread (WAL readers never wait for the writer); on PostgreSQL it is a Core
statement run in the thread pool. The idempotency middleware looks up a key's stored answer the
same way.

The admin token of the environment is compared in constant time with its digest and never read
from the database.
"""

from __future__ import annotations

import datetime as dt
import hmac
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from refplatform.db import Database, sqlite_error
from refplatform.models import ApiToken, IdempotencyKey
from refplatform.security import ENV_ADMIN, Principal, hash_token
from sim.api.tokens import Role

__all__ = ["Lookups", "StoredAnswer", "TokenCheck", "aware"]

_TOKEN_SQL = (
    "SELECT id, role, entity, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?"
)
_KEY_SQL = (
    "SELECT request_hash, method, path, status_code, content_type, response_body, created_at "
    "FROM idempotency_keys WHERE scope = ? AND key = ?"
)
_TOKEN_CORE = select(
    ApiToken.id, ApiToken.role, ApiToken.entity, ApiToken.expires_at, ApiToken.revoked_at
)
_KEY_CORE = select(
    IdempotencyKey.request_hash,
    IdempotencyKey.method,
    IdempotencyKey.path,
    IdempotencyKey.status_code,
    IdempotencyKey.content_type,
    IdempotencyKey.response_body,
    IdempotencyKey.created_at,
)


def aware(moment: dt.datetime) -> dt.datetime:
    """A UTC datetime with its zone (SQLite hands back naive ones; they were written in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """What a bearer token is worth now.

    Attributes:
        principal: Who it speaks for, or None when it is refused.
        refused: Why it is refused (``not known``, ``expired``, ``revoked``); empty if accepted.
    """

    principal: Principal | None
    refused: str = ""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """A key's stored row: the request it answered and the answer (None while unanswered)."""

    request_hash: str
    method: str
    path: str
    status: int | None
    content_type: str
    body: bytes
    created_at: dt.datetime


class Lookups:
    """The platform's per-request reads (see the module docstring).

    Args:
        db: The database.
        admin_token: The admin token of the environment, if any.
    """

    def __init__(self, db: Database, admin_token: SecretStr | None) -> None:
        self.db = db
        self._admin = None if admin_token is None else hash_token(admin_token.get_secret_value())
        self._local = threading.local()
        dialect = db.engine.dialect
        kind = ApiToken.__table__.c.expires_at.type.dialect_impl(dialect)
        self._moment: Callable[[Any], Any] = kind.result_processor(dialect, None) or _same

    # -- tokens ------------------------------------------------------------------------------

    async def token(self, token: str) -> TokenCheck:
        """Check a bearer token (the admin's in constant time; others in the database)."""
        digest = hash_token(token)
        if self._admin is not None and hmac.compare_digest(digest, self._admin):
            return TokenCheck(ENV_ADMIN)
        if self.db.is_sqlite:
            row = self._sqlite(_TOKEN_SQL, (digest,))
        else:
            row = await run_in_threadpool(self._core, _TOKEN_CORE, ApiToken.token_hash, digest)
        if row is None:
            return TokenCheck(None, "not known")
        token_id, role, entity, expires_at, revoked_at = row
        if revoked_at is not None:
            return TokenCheck(None, "revoked")
        if aware(self._moment(expires_at)) <= dt.datetime.now(dt.UTC):
            return TokenCheck(None, "expired")
        return TokenCheck(Principal(Role(role), entity, int(token_id)))

    # -- idempotency keys --------------------------------------------------------------------

    async def stored_answer(self, scope: str, key: str) -> StoredAnswer | None:
        """The row of ``key`` among ``scope``'s keys, if one was committed."""
        if self.db.is_sqlite:
            row = self._sqlite(_KEY_SQL, (scope, key))
        else:
            row = await run_in_threadpool(self._key_core, scope, key)
        if row is None:
            return None
        request_hash, method, path, status, content_type, body, created_at = row
        return StoredAnswer(
            request_hash,
            method,
            path,
            status,
            content_type or "",
            bytes(body or b""),
            aware(self._moment(created_at)),
        )

    # -- the two back ends -------------------------------------------------------------------

    def _sqlite(self, sql: str, params: tuple[Any, ...]) -> Any:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.db.sqlite_reader()
        try:
            return conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise sqlite_error(sql, exc, params) from exc

    def _core(self, query: Any, column: Any, value: Any) -> Any:
        with self.db.engine.connect() as conn:
            return conn.execute(query.where(column == value)).first()

    def _key_core(self, scope: str, key: str) -> Any:
        with self.db.engine.connect() as conn:
            return conn.execute(
                _KEY_CORE.where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
            ).first()


def _same(value: Any) -> Any:
    return value
