"""A platform client acting as someone: actors and their tokens, idempotency keys, raw calls.

Every request is sent *as an actor*: the admin (with the admin token the client was given), an
officer, a department, an enterprise, or an explicit bearer token. ``client.as_enterprise("E1")``
is a view of the same client (same connections, same token cache, same counters) acting as
that enterprise; the first time a view needs its token, the client issues one with the admin
token (``POST /v1/tokens``) and caches it; a cached token the platform no longer knows (401) is
issued again, once.

Every write carries an ``Idempotency-Key``, the caller's or a generated one, so a retry of it is
safe: the platform answers a repeat with the first answer.

Two ways to call:

- the typed operations (:mod:`sim.client.endpoints`): ``sim.api`` models in and out, errors as
  typed exceptions (:mod:`sim.client.errors`);
- :meth:`PlatformBase.raw`: any method, path, body text or object and headers, answered with
  the exact status, headers and parsed body, never an exception for an error status (what a
  replay of recorded calls needs).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from sim.api.operations import ISSUE_TOKEN, Operation
from sim.api.tokens import Role, TokenIn, TokenOut
from sim.client.errors import ContractViolation, NoToken, api_error
from sim.client.plan import Plan, Send, exchange, runs
from sim.client.retry import ClientStats, RetryPolicy

__all__ = ["DEFAULT_TIMEOUT_S", "Actor", "PlatformBase", "RawAnswer", "new_idempotency_key"]

H = TypeVar("H", httpx.Client, httpx.AsyncClient)
T = TypeVar("T")

DEFAULT_TIMEOUT_S = 10.0
"""Connect, read, write and pool timeout of a client that makes its own connection pool."""

_JSON = "application/json"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a request is sent as.

    Attributes:
        role: The token's role (None for an explicit token of unknown role).
        entity: The enterprise id (``enterprise``) or department key (``department``).
        token: An explicit bearer token; None to use the admin token or an issued one.
    """

    role: Role | None
    entity: str | None = None
    token: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        if self.role is None:
            return "a given token"
        return self.role.value + (f" {self.entity}" if self.entity else "")


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """A platform's answer, exactly.

    Attributes:
        status: The HTTP status.
        headers: The headers, names in lower case.
        content: The body's bytes.
        body: The body parsed as JSON; the text when it is not JSON; None when empty.
        retries: How many retries the call needed (see :class:`~sim.client.retry.RetryPolicy`).
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    body: Any
    retries: int = 0

    @classmethod
    def of(cls, response: httpx.Response, retries: int = 0) -> RawAnswer:
        """Read an ``httpx`` response."""
        content = response.content
        body: Any = None
        if content:
            try:
                body = json.loads(content)
            except (ValueError, UnicodeDecodeError):
                body = content.decode("utf-8", "replace")
        headers = {name.lower(): value for name, value in response.headers.items()}
        return cls(response.status_code, headers, content, body, retries)


@dataclass
class _Shared:
    """What a client and all its actor views share."""

    base_url: str
    admin_token: str | None
    timeout: float | None
    retry: RetryPolicy
    stats: ClientStats = field(default_factory=ClientStats)
    tokens: dict[tuple[str, str | None], str] = field(default_factory=dict)
    owns_http: bool = False


def new_idempotency_key() -> str:
    """A fresh idempotency key (random: a key names one intended request, not its content)."""
    return uuid.uuid4().hex


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _content(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, BaseModel):
        return body.model_dump_json(by_alias=True, exclude_unset=True).encode()
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class PlatformBase(Generic[H]):
    """State, actors and the two ways to call, shared by the sync and the async client.

    Args:
        base_url: The platform's URL, e.g. ``http://127.0.0.1:8000``; not needed with ``http``.
        admin_token: The admin role's token: the default actor, and what issues the others'.
        token: Act with this bearer token by default instead of as the admin.
        http: An ``httpx`` client to send with (e.g. FastAPI's ``TestClient``); the caller
            keeps ownership (closing this client does not close it). Its base URL is used.
        timeout: Seconds for each connect, read, write and pool wait; default
            :data:`DEFAULT_TIMEOUT_S`, or the injected client's own setting.
        retry: Retries of transient failures; none by default.

    Raises:
        ValueError: when neither ``base_url`` nor ``http`` is given.
    """

    _http: H
    _shared: _Shared
    _actor: Actor | None

    def __init__(
        self,
        base_url: str | None = None,
        *,
        admin_token: str | None = None,
        token: str | None = None,
        http: H | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if http is None:
            if base_url is None:
                raise ValueError("a platform client needs base_url or an http client")
            http = self._new_http(base_url, DEFAULT_TIMEOUT_S if timeout is None else timeout)
            owns, timeout = True, None  # the pool's own setting applies to every request
        else:
            owns = False
        self._http = http
        base = str(http.base_url).rstrip("/")
        self._shared = _Shared(base, admin_token, timeout, retry or RetryPolicy(), owns_http=owns)
        self._actor = Actor(None, None, token) if token else Actor(Role.ADMIN)

    def _new_http(self, base_url: str, timeout: float) -> H:
        raise NotImplementedError

    # -- who is acting -----------------------------------------------------------------------

    @property
    def actor(self) -> Actor | None:
        """Who this view's requests are sent as (None: no token at all)."""
        return self._actor

    @property
    def base_url(self) -> str:
        """The platform's URL."""
        return self._shared.base_url

    @property
    def stats(self) -> ClientStats:
        """Requests sent and retries made, by this client and all its views."""
        return self._shared.stats

    def _view(self, actor: Actor | None) -> Self:
        view = copy.copy(self)
        view._actor = actor
        return view

    def as_admin(self) -> Self:
        """A view acting as the admin (with the client's admin token)."""
        return self._view(Actor(Role.ADMIN))

    def as_officer(self) -> Self:
        """A view acting as a customs officer (a token issued on first use)."""
        return self._view(Actor(Role.OFFICER))

    def as_enterprise(self, entity_id: str) -> Self:
        """A view acting as the registered enterprise ``entity_id``."""
        return self._view(Actor(Role.ENTERPRISE, entity_id))

    def as_department(self, department: str) -> Self:
        """A view acting as a department (``customs``, ``tax`` ...)."""
        return self._view(Actor(Role.DEPARTMENT, department))

    def as_actor(self, role: Role | str, entity: str | None = None) -> Self:
        """A view acting as ``role`` (and ``entity``, for enterprises and departments).

        Raises:
            ValueError: for an unknown role, or an entity where the role takes none (or none
                where it needs one).
        """
        role = Role(role)
        needs = role in (Role.ENTERPRISE, Role.DEPARTMENT)
        if needs != (entity is not None):
            what = "needs an entity" if needs else "takes no entity"
            raise ValueError(f"a {role.value} actor {what} (got {entity!r})")
        return self._view(Actor(role, entity))

    def with_token(self, token: str) -> Self:
        """A view sending ``token`` as its bearer token."""
        return self._view(Actor(None, None, token))

    def anonymous(self) -> Self:
        """A view sending no token at all."""
        return self._view(None)

    # -- the two ways to call ----------------------------------------------------------------

    @runs
    def token(self) -> Plan[str]:
        """This view's bearer token (issued with the admin token and cached on first use).

        Raises:
            NoToken: for an anonymous view, or when a token is needed and no admin token was
                given.
        """
        bearer = yield from self._bearer()
        if bearer is None:
            raise NoToken("an anonymous client has no token")
        return bearer

    @runs
    def raw(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | Literal[False] | None = None,
    ) -> Plan[RawAnswer]:
        """Send any request and return the answer exactly, whatever its status.

        Args:
            method: The HTTP method.
            path: The path, with or without a query string.
            body: JSON text (``str`` or ``bytes``, sent as is), a pydantic model, or any
                JSON-able object; None for no body.
            headers: Extra headers; an ``Authorization`` here replaces the actor's token.
            params: Query parameters.
            idempotency_key: For a write: the key to send; None generates one (unless
                ``headers`` has one); False sends none.

        Returns:
            The answer: status, headers, body (parsed), retries.

        Raises:
            PlatformUnreachable: when no answer came.
            NoToken: when the actor's token cannot be had.
        """
        method = method.upper()
        content = _content(body)
        sent = dict(headers or {})
        names = {name.lower() for name in sent}
        if "authorization" not in names:
            bearer = yield from self._bearer()
            if bearer is not None:
                sent["Authorization"] = f"Bearer {bearer}"
        if content is not None and "content-type" not in names:
            sent["Content-Type"] = _JSON
        keyed = method not in _SAFE and idempotency_key is not False
        if keyed and "idempotency-key" not in names:
            sent["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        send = Send(method, path, sent, content, query or None, self._url(path))
        response, retries = yield from exchange(send, self._shared.retry, self._shared.stats)
        return RawAnswer.of(response, retries)

    def _call(
        self,
        op: Operation[T],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: BaseModel | None = None,
        key: str | None = None,
    ) -> Plan[T]:
        """The plan of one typed operation: send it, check the answer, parse it."""
        url_path = op.url_path(path or {})
        content = _content(body)
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        fixed = {"Accept": _JSON}
        if content is not None:
            fixed["Content-Type"] = _JSON
        if op.writes:
            fixed["Idempotency-Key"] = key or new_idempotency_key()
        for first_try in (True, False):
            bearer = (yield from self._bearer()) if op.auth else None
            headers = fixed if bearer is None else {**fixed, "Authorization": f"Bearer {bearer}"}
            send = Send(op.method, url_path, headers, content, params or None, self._url(url_path))
            response, _ = yield from exchange(send, self._shared.retry, self._shared.stats)
            if response.status_code == 401 and first_try and self._forget(bearer):
                continue  # an issued token the platform no longer knows: issue a new one
            break
        return _answer(op, response, url_path)

    # -- tokens ------------------------------------------------------------------------------

    def _bearer(self) -> Plan[str | None]:
        actor, shared = self._actor, self._shared
        if actor is None:
            return None
        if actor.token is not None:
            return actor.token
        if actor.role is Role.ADMIN:
            if shared.admin_token is None:
                raise NoToken("cannot act as admin: the client was given no admin token")
            return shared.admin_token
        assert actor.role is not None  # an actor without a role carries its token
        slot = (actor.role.value, actor.entity)
        cached = shared.tokens.get(slot)
        if cached is not None:
            return cached
        if shared.admin_token is None:
            raise NoToken(f"cannot act as {actor}: no admin token was given to issue its token")
        issue = TokenIn(role=actor.role, entity=actor.entity)
        issued: TokenOut = yield from self._view(Actor(Role.ADMIN))._call(ISSUE_TOKEN, body=issue)
        shared.tokens[slot] = issued.token
        return issued.token

    def _forget(self, bearer: str | None) -> bool:
        tokens = self._shared.tokens
        for slot, token in list(tokens.items()):
            if token == bearer:
                del tokens[slot]
                return True
        return False

    def _url(self, path: str) -> str:
        return self._shared.base_url + path


def _answer(op: Operation[T], response: httpx.Response, path: str) -> T:
    status = response.status_code
    if status >= 400:
        raise api_error(status, response.content, method=op.method, path=path)
    if status != op.status:
        raise ContractViolation(op.name, status, f"status {status}, not {op.status}")
    try:
        return op.answer.validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ContractViolation(op.name, status, f"{where}: {first['msg']}") from None
