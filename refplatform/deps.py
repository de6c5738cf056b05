"""Request dependencies: the database, the caller, and who may do what.

The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
and three thread hops per request cost more than the work they do (the one blocking step, a
token look-up the process has not cached yet, is sent to the pool explicitly).

Route handlers receive the :class:`~refplatform.db.Database` and open their own transactions
(``with db.write() as session``), so a 2xx answer is only ever sent after its transaction has
committed. The caller comes from the ``Authorization: Bearer`` header: the admin token is
compared in constant time with the one configured; other tokens are looked up by their SHA-256
(and cached in the process: tokens are never changed once issued). No token, or an unknown one,
is a 401; a known token with the wrong role is a 403.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from refplatform.db import Database
from refplatform.errors import Problem
from refplatform.models import ApiToken
from refplatform.security import Principal, hash_token
from refplatform.settings import Settings
from sim.api.tokens import Role
from sim.rules.config import RulesConfig

__all__ = [
    "BEARER_SECURITY",
    "Caller",
    "Db",
    "DirectWriter",
    "Rules",
    "Staff",
    "TokenCache",
    "Writer",
    "get_db",
    "get_principal",
    "get_rules",
    "get_settings",
    "require",
    "require_direct",
    "require_entity_access",
]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /v1/tokens")
_CACHE_LIMIT = 50_000


class TokenCache:
    """Issued tokens seen by this process (a token never changes once issued).

    Args:
        admin_token: The admin role's token from the settings (its digest is kept, not it).
    """

    def __init__(self, admin_token: SecretStr | None = None) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, Principal] = {}
        self.admin_digest = (
            None if admin_token is None else hash_token(admin_token.get_secret_value())
        )

    def get(self, token_hash: str) -> Principal | None:
        return self._known.get(token_hash)

    def put(self, principal: Principal) -> None:
        with self._lock:
            if len(self._known) >= _CACHE_LIMIT:
                self._known.clear()
            self._known[principal.token_hash] = principal


async def get_db(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    """The application's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_rules(request: Request) -> RulesConfig:
    """The rules' configuration every decision takes (``REFPLATFORM_RULES``)."""
    rules: RulesConfig = request.app.state.settings.rules
    return rules


def _unauthorized(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorized",
        detail,
        field="header.Authorization",
        headers={"WWW-Authenticate": 'Bearer realm="refplatform"'},
    )


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Authenticate the caller from its bearer token.

    Raises:
        Problem: 401 when the token is missing or unknown.
    """
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("a bearer token is required")
    return await _authenticate(request, credentials.credentials)


async def _authenticate(request: Request, token: str) -> Principal:
    digest = hash_token(token)
    cache: TokenCache = request.app.state.token_cache
    if cache.admin_digest is not None and hmac.compare_digest(digest, cache.admin_digest):
        return Principal(Role.ADMIN, None, digest)
    known = cache.get(digest)
    if known is not None:
        return known
    db: Database = request.app.state.db
    row = await run_in_threadpool(_lookup, db, digest)
    if row is None:
        raise _unauthorized("the bearer token is not known")
    principal = Principal(Role(row.role), row.entity, digest)
    cache.put(principal)
    return principal


def _lookup(db: Database, digest: str) -> Any:
    with db.read() as session:
        return session.execute(
            select(ApiToken.role, ApiToken.entity).where(ApiToken.token_hash == digest)
        ).first()


def require(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    """A dependency admitting only callers with one of ``roles``.

    Args:
        roles: The roles allowed.

    Returns:
        A dependency that returns the principal or raises a 403 problem.
    """
    allowed = frozenset(roles)

    async def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        _admit(principal, allowed)
        return principal

    return _check


def require_direct(*roles: Role) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """Like :func:`require`, as *one* dependency reading the ``Authorization`` header itself.

    For the hot path: every dependency costs FastAPI work per request, and :func:`require`
    is three (the role check, :func:`get_principal`, the ``HTTPBearer`` scheme). The same
    header parsing, the same answers (401 without a usable bearer token, 403 for a role not
    in ``roles``). A route using it declares the bearer scheme in its OpenAPI entry itself
    (``openapi_extra=BEARER_SECURITY``).

    Args:
        roles: The roles allowed.

    Returns:
        A dependency that returns the principal or raises a 401/403 problem.
    """
    allowed = frozenset(roles)

    async def _check(request: Request) -> Principal:
        # As HTTPBearer(auto_error=False) reads it: "<scheme> <credentials>".
        scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
        if not token or scheme.lower() != "bearer":
            raise _unauthorized("a bearer token is required")
        principal = await _authenticate(request, token)
        _admit(principal, allowed)
        return principal

    return _check


def _admit(principal: Principal, allowed: frozenset[Role]) -> None:
    if principal.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise Problem(
            403, "forbidden", f"role {principal.role.value!r} may not do this (needs {names})"
        )


def require_entity_access(principal: Principal, entity_id: str) -> None:
    """Refuse an enterprise token acting on another entity's data.

    Staff roles (admin, officer) see everything; an enterprise only itself; a department no
    entity's goods data.

    Args:
        principal: The caller.
        entity_id: The entity owning the data.

    Raises:
        Problem: 403 when the caller may not touch the entity's data.
    """
    if principal.role in (Role.ADMIN, Role.OFFICER):
        return
    if principal.role is Role.ENTERPRISE and principal.entity == entity_id:
        return
    raise Problem(403, "forbidden", "this token may not act on another entity's data")


Db = Annotated[Database, Depends(get_db)]
Rules = Annotated[RulesConfig, Depends(get_rules)]
"""The platform's rules: risk model, credit scale table, tariff, duty-free quota."""
Caller = Annotated[Principal, Depends(get_principal)]
Staff = Annotated[Principal, Depends(require(Role.ADMIN, Role.OFFICER))]
"""Admin or officer: decisions, inspection results, look-ups across entities."""
Writer = Annotated[Principal, Depends(require(Role.ADMIN, Role.OFFICER, Role.ENTERPRISE))]
"""Who may act on goods: staff on any book, an enterprise on its own (checked per book)."""
DirectWriter = Annotated[
    Principal, Depends(require_direct(Role.ADMIN, Role.OFFICER, Role.ENTERPRISE))
]
""":data:`Writer` as a single dependency (the hot path)."""
BEARER_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
"""``openapi_extra`` for a route authenticated by :func:`require_direct`."""
