"""Request dependencies: the database, the caller, and who may do what.

The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool,
and three thread hops per request cost more than the work they do.

Route handlers receive the :class:`~refplatform.db.Database` and open their own transactions
(``with db.write() as session``), so a 2xx answer is only ever sent after its transaction has
committed. The caller comes from the ``Authorization: Bearer`` header, checked by
:class:`refplatform.lookups.Lookups` (the idempotency middleware has usually checked it already
for this request, and its check is reused): the admin token in constant time against the one
configured, issued tokens in the database every time (so an expired or revoked token is refused
at once, on every worker). No token, or an unknown, expired or revoked one, is a 401; a token
whose role may not do this is a 403.

Who may do what (function-level authorisation): goods operations (qualification, books, entries,
transfers, processing, declarations, batch exit lists, consolidated declarations) are the
enterprise's own acts, done by its own token or by the admin, never by an officer acting for it
(:data:`Writer`); customs acts (suspending batch exit, recording inspection results, departure
checks, registering entities) are staff's (:data:`Staff`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from refplatform.db import Database
from refplatform.errors import Problem
from refplatform.lookups import Lookups, TokenCheck
from refplatform.request_context import TOKEN_CHECK
from refplatform.security import Principal
from refplatform.settings import Settings
from sim.api.fields import ID_PATTERN, MAX_DB_ID
from sim.api.tokens import Role
from sim.rules.config import RulesConfig

__all__ = [
    "BEARER_SECURITY",
    "Caller",
    "Db",
    "DirectWriter",
    "PathDbId",
    "PathId",
    "QueryCursor",
    "QueryLimit",
    "Rules",
    "Staff",
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
    checked = request.scope.get(TOKEN_CHECK)
    if checked is not None and checked[0] == token:
        check: TokenCheck = checked[1]
    else:
        lookups: Lookups = request.app.state.lookups
        check = await lookups.token(token)
    if check.principal is None:
        raise _unauthorized(f"the bearer token is {check.refused}")
    return check.principal


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
"""Admin or officer: customs acts, inspection results, look-ups across entities."""
Writer = Annotated[Principal, Depends(require(Role.ADMIN, Role.ENTERPRISE))]
"""Who may act on goods: an enterprise on its own books (checked per book), the admin on any;
an officer never acts as an enterprise."""
DirectWriter = Annotated[Principal, Depends(require_direct(Role.ADMIN, Role.ENTERPRISE))]
""":data:`Writer` as a single dependency (the hot path)."""
PathId = Annotated[str, Path(min_length=1, max_length=64, pattern=ID_PATTERN)]
"""A client-chosen id in a path (:data:`sim.api.fields.Id`)."""
PathDbId = Annotated[int, Path(ge=1, le=MAX_DB_ID)]
"""A platform-generated id in a path (:data:`sim.api.fields.DbId`): 2**63 is invalid input."""
QueryCursor = Annotated[int, Query(ge=0, le=MAX_DB_ID)]
"""``after``: the ``next`` of the previous page (:data:`sim.api.fields.Cursor`)."""
QueryLimit = Annotated[int, Query(ge=1, le=1000)]
"""``limit``: a page holds at most 1000 items."""
BEARER_SECURITY: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
"""``openapi_extra`` for a route authenticated by :func:`require_direct`."""
