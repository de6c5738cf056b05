"""The client against a scripted platform (``httpx.MockTransport``): exactly what it sends,
and what it makes of each answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sim.api import DeclarationIn, EntityIn, Health, LineIn, TokenIn, TokenOut
from sim.client import (
    ApiError,
    AsyncPlatformClient,
    Conflict,
    ContractViolation,
    Forbidden,
    NotFound,
    NoToken,
    OtherClientError,
    PlatformClient,
    PlatformUnreachable,
    RetryPolicy,
    ServerError,
    Unauthorized,
    Unprocessable,
)
from sim.rules.refusals import Reason

ADMIN = "admin-token-" + "x" * 30
ENTITY = {"id": "E1", "kind": "enterprise", "code": "C", "name": "", "registered_in_hainan": True}
DECLARATION = DeclarationIn(
    book="B1", port="xinhai", date=dt.date(2026, 2, 1), lines=[LineIn(item="beef", qty=1)]
)


def _problem(status: int, code: str, **more: Any) -> httpx.Response:
    body = {"type": f"urn:x:{code}", "title": "t", "status": status, "detail": "d", "code": code}
    body.update(more)
    return httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json"}
    )


class Script:
    """A fake platform: issues tokens, records every request, answers the rest by ``route``."""

    def __init__(self, route: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.issued = 0
        self.route = route or (lambda request: httpx.Response(201, json=ENTITY))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/v1/tokens":
            self.issued += 1
            asked = json.loads(request.content)
            token = f"T{self.issued}"
            issued = {
                "id": self.issued,
                "token": token,
                "role": asked["role"],
                "entity": asked.get("entity"),
                "expires_at": "2026-12-01T00:00:00Z",
            }
            return httpx.Response(201, json=issued)
        return self.route(request)

    def client(self, **options: Any) -> PlatformClient:
        http = httpx.Client(transport=httpx.MockTransport(self), base_url="http://platform")
        return PlatformClient(http=http, admin_token=ADMIN, **options)

    def bearer(self, index: int) -> str | None:
        return self.requests[index].headers.get("authorization")


def test_writes_carry_an_idempotency_key_reads_none() -> None:
    script = Script()
    platform = script.client()
    platform.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    platform.register_entity(EntityIn(id="E1", kind="enterprise", code="C"), idempotency_key="k-7")
    script.route = lambda request: httpx.Response(200, json=ENTITY)
    platform.get_entity("E1")
    first, second, read = script.requests
    assert len(first.headers["idempotency-key"]) == 32
    assert second.headers["idempotency-key"] == "k-7"
    assert "idempotency-key" not in read.headers
    assert json.loads(first.content) == {"id": "E1", "kind": "enterprise", "code": "C"}
    assert first.headers["content-type"] == "application/json"


def test_each_actor_gets_its_token_once() -> None:
    script = Script()
    platform = script.client()
    platform.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    assert script.bearer(0) == f"Bearer {ADMIN}"
    own = platform.as_enterprise("E1")
    own.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    own.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    platform.as_enterprise("E1").register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    issue = script.requests[1]
    assert issue.url.path == "/v1/tokens" and issue.headers["authorization"] == f"Bearer {ADMIN}"
    assert json.loads(issue.content) == {"role": "enterprise", "entity": "E1"}
    assert script.issued == 1  # shared by every view of the client
    assert [script.bearer(i) for i in (2, 3, 4)] == ["Bearer T1"] * 3
    platform.as_department("customs").token()
    platform.as_officer().token()
    assert script.issued == 3
    assert platform.with_token("mine").token() == "mine"
    platform.anonymous().register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    assert "authorization" not in script.requests[-1].headers


def test_actors_need_what_their_role_needs() -> None:
    platform = Script().client()
    with pytest.raises(ValueError, match="needs an entity"):
        platform.as_actor("enterprise")
    with pytest.raises(ValueError, match="takes no entity"):
        platform.as_actor("officer", "E1")
    with pytest.raises(ValueError):
        platform.as_actor("pharaoh")
    assert platform.as_actor("department", "tax").actor is not None
    bare = PlatformClient(http=httpx.Client(transport=httpx.MockTransport(Script())))
    with pytest.raises(NoToken, match="enterprise E1"):
        bare.as_enterprise("E1").token()
    with pytest.raises(NoToken, match="admin"):
        bare.get_entity("E1")
    with pytest.raises(NoToken):
        bare.anonymous().token()


def test_a_forgotten_token_is_issued_again_once() -> None:
    script = Script()
    platform = script.client()
    own = platform.as_enterprise("E1")
    script.route = lambda request: httpx.Response(200, json=ENTITY)
    own.get_entity("E1")
    assert script.issued == 1
    known = {"T2"}  # the platform lost T1 (a fresh database, say)
    script.route = lambda request: (
        httpx.Response(200, json=ENTITY)
        if request.headers["authorization"].removeprefix("Bearer ") in known
        else _problem(401, "unauthorized")
    )
    assert own.get_entity("E1").id == "E1"
    assert script.issued == 2
    known.clear()  # and now forgets every token: one more issue, then the 401 is the answer
    with pytest.raises(Unauthorized):
        own.get_entity("E1")
    assert script.issued == 3
    with pytest.raises(Unauthorized):
        platform.get_entity("E1")  # the admin's own token is never "forgotten"
    assert script.issued == 3


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (422, Unprocessable),
        (400, OtherClientError),
        (415, OtherClientError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_status_family_has_its_exception(status: int, kind: type[ApiError]) -> None:
    platform = Script(lambda request: _problem(status, "some_code", field="body.x")).client()
    with pytest.raises(kind) as exc:
        platform.declare(DECLARATION)
    error = exc.value
    assert (error.status, error.code, error.field) == (status, "some_code", "body.x")
    assert str(error) == f"POST /v1/declarations: {status} some_code (body.x): d"


def test_a_refusal_carries_its_reason_and_facts() -> None:
    answer = _problem(
        409,
        "insufficient_balance",
        reason="insufficient_balance",
        context={"item": "beef", "balance": 0},
    )
    platform = Script(lambda request: answer).client()
    with pytest.raises(Conflict) as exc:
        platform.declare(DECLARATION)
    assert exc.value.reason is Reason.INSUFFICIENT_BALANCE
    assert exc.value.problem is not None and exc.value.problem.context == {
        "item": "beef",
        "balance": 0,
    }


def test_an_error_that_is_not_problem_json_keeps_its_status() -> None:
    gateway = httpx.Response(502, text="<html>bad\ngateway</html>")
    platform = Script(lambda request: gateway).client()
    with pytest.raises(ServerError) as exc:
        platform.health()
    assert exc.value.code == "http_502" and exc.value.detail == "<html>bad gateway</html>"
    assert exc.value.problem is None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (httpx.Response(200, json=ENTITY), "status 200, not 201"),
        (httpx.Response(201, json={**ENTITY, "colour": "red"}), "colour: Extra inputs"),
        (httpx.Response(201, json={"id": "E1"}), "kind: Field required"),
        (httpx.Response(201, text="not json"), "Invalid JSON"),
    ],
)
def test_a_success_the_contract_does_not_allow_is_a_violation(
    answer: httpx.Response, problem: str
) -> None:
    platform = Script(lambda request: answer).client()
    with pytest.raises(ContractViolation, match=problem) as exc:
        platform.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    assert exc.value.operation == "register_entity"


def test_raw_calls_answer_exactly_and_never_raise_for_a_status() -> None:
    script = Script(lambda request: _problem(422, "invalid_input"))
    platform = script.client()
    answer = platform.as_enterprise("E1").raw(
        "post", "/v1/declarations", '{"book": "B1"}', idempotency_key="rec-1"
    )
    sent = script.requests[-1]
    assert answer.status == 422 and answer.body["code"] == "invalid_input"
    assert answer.headers["content-type"] == "application/problem+json"
    assert sent.content == b'{"book": "B1"}' and sent.headers["idempotency-key"] == "rec-1"
    assert sent.headers["authorization"] == "Bearer T1" and sent.method == "POST"
    platform.raw("POST", "/v1/x", {"a": [1, "二"]}, idempotency_key=False)
    sent = script.requests[-1]
    assert json.loads(sent.content) == {"a": [1, "二"]} and "idempotency-key" not in sent.headers
    platform.raw("GET", "/v1/x?as_of=2026-01-01", headers={"Authorization": "Bearer other"})
    sent = script.requests[-1]
    assert sent.headers["authorization"] == "Bearer other" and sent.url.query == b"as_of=2026-01-01"
    assert "idempotency-key" not in sent.headers and sent.content == b""
    platform.raw("POST", "/v1/x", b"{}", headers={"Idempotency-Key": "given"})
    assert script.requests[-1].headers["idempotency-key"] == "given"


def test_raw_bodies_that_are_not_json_come_back_as_text() -> None:
    platform = Script(lambda request: httpx.Response(200, text="plain")).client()
    answer = platform.raw("GET", "/anything")
    assert (answer.body, answer.content, answer.retries) == ("plain", b"plain", 0)
    platform = Script(lambda request: httpx.Response(204)).client()
    assert platform.raw("GET", "/anything").body is None


def test_query_parameters_skip_what_is_not_given() -> None:
    script = Script(lambda request: httpx.Response(200, json=[]))
    platform = script.client()
    assert platform.list_declarations("B 1", after=5) == []
    assert script.requests[-1].url.params == httpx.QueryParams({"book": "B 1", "after": "5"})


def test_no_answer_is_unreachable_naming_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    platform = Script(refuse).client()
    with pytest.raises(PlatformUnreachable) as exc:
        platform.get_entity("E 1")
    assert str(exc.value) == (
        "cannot reach the platform at http://platform/v1/entities/E%201: cannot connect "
        "(ConnectError: [Errno 111] Connection refused)"
    )
    assert platform.stats.requests == 1 and platform.stats.retries == 0


def test_retries_follow_the_policy_and_are_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("sim.client.clients.time.sleep", waits.append)
    answers = iter([_problem(503, "database_busy"), httpx.Response(201, json=ENTITY)])
    script = Script(lambda request: next(answers))
    platform = script.client(retry=RetryPolicy(max_retries=2, backoff_s=0.2))
    platform.register_entity(EntityIn(id="E1", kind="enterprise", code="C"))
    keys = {r.headers["idempotency-key"] for r in script.requests}
    assert len(keys) == 1  # the retry is the same request, under the same key
    assert waits == [0.2] and platform.stats.retries == 1
    assert platform.as_officer().stats is platform.stats


def test_an_explicit_timeout_reaches_an_injected_client() -> None:
    script = Script(lambda request: httpx.Response(200, json={"status": "ok"}))
    script.client(timeout=2.5).health()
    assert script.requests[-1].extensions["timeout"] == {
        "connect": 2.5,
        "read": 2.5,
        "write": 2.5,
        "pool": 2.5,
    }


def test_a_client_of_its_own_is_closed_with_it() -> None:
    with PlatformClient("http://127.0.0.1:9", admin_token=ADMIN, timeout=1) as platform:
        assert platform.base_url == "http://127.0.0.1:9"
    assert platform._http.is_closed
    with pytest.raises(ValueError, match="base_url"):
        PlatformClient()


def test_the_async_client_does_the_same() -> None:
    script = Script(lambda request: httpx.Response(200, json={"status": "ok"}))

    async def _session() -> tuple[Health, str, TokenOut]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(script), base_url="http://p")
        async with http, AsyncPlatformClient(http=http, admin_token=ADMIN) as platform:
            health = await platform.health()
            token = await platform.as_enterprise("E1").token()
            script.route = lambda request: _problem(404, "unknown_entity")
            with pytest.raises(NotFound):
                await platform.get_entity("E9")
            issued = await platform.issue_token(TokenIn(role="officer"))
            return health, token, issued

    health, token, issued = asyncio.run(_session())
    assert health.status == "ok" and token == "T1" and issued.role == "officer"
    assert "idempotency-key" in script.requests[-1].headers
