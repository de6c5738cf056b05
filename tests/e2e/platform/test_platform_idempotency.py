"""Idempotency-Key, as Stripe does it: a repeat gets the first answer and creates nothing, also
when racing; the key belongs to the principal and names one request (route and parameters as
JSON values); the answer is stored with the effect, so a retry after a crash gets it; 401s and
validation failures are not stored; keys expire after 24 hours."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

import refplatform.db
from refplatform import declaration_store
from refplatform.models import ApiToken, AuditEntry, Declaration, Entity, IdempotencyKey
from refplatform.settings import Settings
from sim.api import TokenIn
from tests.e2e.platform.goods_flow import balance, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, ThreadServer, uscc


def _count(app: Any, model: Any) -> int:
    with app.state.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_repeat_returns_first_answer(app: Any, client: Any) -> None:
    headers = {**ADMIN, "Idempotency-Key": "issue-1"}
    first = client.post("/v1/tokens", headers=headers, json={"role": "officer"})
    second = client.post("/v1/tokens", headers=headers, json={"role": "officer"})
    assert first.status_code == second.status_code == 201
    assert first.content == second.content  # the same token, not a new one
    assert second.headers["idempotent-replayed"] == "true"
    assert _count(app, ApiToken) == 1
    third = client.post(
        "/v1/tokens", headers={**ADMIN, "Idempotency-Key": "issue-2"}, json={"role": "officer"}
    )
    assert third.json()["token"] != first.json()["token"]
    assert _count(app, ApiToken) == 2


def test_errors_are_replayed_too(client: Any, problem: Any) -> None:
    headers = {**ADMIN, "Idempotency-Key": "dup"}
    body = {"id": "E1", "kind": "enterprise", "code": uscc(1)}
    assert client.post("/v1/entities", headers=headers, json=body).status_code == 201
    assert client.post("/v1/entities", headers=ADMIN, json=body).status_code == 409
    # The repeat with the key still answers the first 201, not the 409 a new request gets.
    assert client.post("/v1/entities", headers=headers, json=body).status_code == 201


def test_same_key_other_body_is_refused(client: Any, problem: Any) -> None:
    headers = {**ADMIN, "Idempotency-Key": "k"}
    assert client.post("/v1/tokens", headers=headers, json={"role": "officer"}).status_code == 201
    r = client.post("/v1/tokens", headers=headers, json={"role": "admin"})
    assert problem(r, 422)["code"] == "idempotency_key_reused"


def test_keys_are_scoped_to_the_caller(api: Any, client: Any, app: Any) -> None:
    officer = api.token("officer")
    body = {"id": "E1", "kind": "enterprise", "code": uscc(1)}
    r1 = client.post("/v1/entities", headers={**ADMIN, "Idempotency-Key": "same"}, json=body)
    body2 = {"id": "E2", "kind": "enterprise", "code": uscc(2)}
    r2 = client.post("/v1/entities", headers={**officer, "Idempotency-Key": "same"}, json=body2)
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert _count(app, Entity) == 2


def test_bad_key_is_a_problem(client: Any, problem: Any) -> None:
    r = client.post(
        "/v1/tokens", headers={**ADMIN, "Idempotency-Key": "x" * 300}, json={"role": "officer"}
    )
    assert problem(r, 422)["field"] == "header.Idempotency-Key"


def test_racing_repeats_create_one_thing(app: Any) -> None:
    body = {"id": "E7", "kind": "enterprise", "code": uscc(7), "name": "race"}
    headers = {**ADMIN, "Idempotency-Key": "race-1"}
    with ThreadServer(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:

        def _post(_: int) -> tuple[int, bytes]:
            r = http.post("/v1/entities", headers=headers, json=body)
            return r.status_code, r.content

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(_post, range(32)))
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1
    assert _count(app, Entity) == 1
    assert _count(app, IdempotencyKey) == 1


def _stored(app: Any, key: str) -> int:
    """Rows stored for ``key`` (whoever's)."""
    with app.state.db.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.key == key)
            )
            or 0
        )


def _time_passes(app: Any, seconds: float) -> None:
    """Every stored key is now ``seconds`` older."""
    with app.state.db.write() as session:
        for row in session.scalars(select(IdempotencyKey)).all():
            row.created_at = row.created_at - dt.timedelta(seconds=seconds)


def test_a_retry_after_a_crash_after_the_commit_gets_the_original_answer(
    api: Any, app: Any, client: Any, problem: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**own, "Idempotency-Key": "c"}

    def crash() -> None:
        raise RuntimeError("the process died between the commit and the answer")

    # The hot path (its own SQLite transaction / Core on PostgreSQL) and an ORM route: each
    # commits its effect, then 'dies' before answering.
    monkeypatch.setattr(refplatform.db, "committed", crash)
    assert problem(client.post("/v1/declarations", headers=headers, json=declaration(3)), 500)
    entity = {"id": "E9", "kind": "enterprise", "code": uscc(9)}
    keyed_admin = {**ADMIN, "Idempotency-Key": "e"}
    assert problem(client.post("/v1/entities", headers=keyed_admin, json=entity), 500)
    monkeypatch.undo()
    # The retries find the answers stored with the effects: the original ones, with their ids.
    again = client.post("/v1/declarations", headers=headers, json=declaration(3))
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    with app.state.db.read() as session:
        stored = session.scalars(select(Declaration)).all()
    assert [(d.id, d.reference) for d in stored] == [
        (again.json()["id"], again.json()["reference"])
    ]
    assert balance(api.platform, "B1") == 7  # written off once
    again_e = client.post("/v1/entities", headers=keyed_admin, json=entity)
    assert again_e.status_code == 201 and again_e.json()["id"] == "E9"
    assert _count(app, Entity) == 2  # E1 and E9, once


def test_a_request_that_committed_nothing_runs_again(
    api: Any, app: Any, client: Any, problem: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**own, "Idempotency-Key": "t"}

    def fail(_self: Any, _txn: Any, *_args: Any) -> None:
        raise RuntimeError("the book could not be written")

    monkeypatch.setattr(declaration_store._SqliteTxn, "update_book", fail)
    monkeypatch.setattr(declaration_store._CoreTxn, "update_book", fail)
    assert problem(client.post("/v1/declarations", headers=headers, json=declaration(3)), 500)
    monkeypatch.undo()
    assert _stored(app, "t") == 0  # rolled back with the effect
    r = client.post("/v1/declarations", headers=headers, json=declaration(3))
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert balance(api.platform, "B1") == 7


def test_refusals_are_replayed_but_unauthenticated_and_invalid_requests_are_not_stored(
    api: Any, app: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=2)
    too_much = {**own, "Idempotency-Key": "r"}
    refused = client.post("/v1/declarations", headers=too_much, json=declaration(5))
    assert problem(refused, 409)["code"] == "insufficient_balance"
    replay = client.post("/v1/declarations", headers=too_much, json=declaration(5))
    assert replay.headers["idempotent-replayed"] == "true" and replay.content == refused.content
    # 401 and a request validation failure: nothing kept, the same key may be sent again.
    bad_token = {"Authorization": "Bearer not-a-token", "Idempotency-Key": "v"}
    assert problem(client.post("/v1/declarations", headers=bad_token, json=declaration(1)), 401)
    invalid = {**own, "Idempotency-Key": "v"}
    bad = client.post("/v1/declarations", headers=invalid, json=declaration(0))
    assert problem(bad, 422)["code"] == "invalid_input"
    assert (_stored(app, "r"), _stored(app, "v")) == (1, 0)  # the refusal only
    fixed = client.post("/v1/declarations", headers=invalid, json=declaration(1))
    assert fixed.status_code == 201, fixed.text
    assert balance(api.platform, "B1") == 1


def test_unauthenticated_requests_write_nothing(app: Any, client: Any, problem: Any) -> None:
    before = _count(app, AuditEntry)
    for auth in ("Bearer not-a-token", "Basic eDp5", ""):
        headers = {"Authorization": auth, "Idempotency-Key": "k"} if auth else {}
        r = client.post("/v1/tokens", headers=headers, json={"role": "officer"})
        assert problem(r, 401)["code"] == "unauthorized"
    assert _stored(app, "k") == 0 and _count(app, AuditEntry) == before


def test_the_scope_is_the_principal_not_the_header_text(api: Any, app: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    token = own["Authorization"].removeprefix("Bearer ")
    answers = [
        client.post(
            "/v1/declarations",
            headers={"Authorization": f"{scheme} {token}", "Idempotency-Key": "once"},
            json=declaration(1),
        )
        for scheme in ("Bearer", "bearer", "BEARER")
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.content for a in answers}) == 1
    assert _count(app, Declaration) == 1 and balance(api.platform, "B1") == 9
    # Another token of the same enterprise is the same principal: its retry is a repeat too.
    second = api.platform.issue_token(TokenIn(role="enterprise", entity="E1")).token
    again = client.post(
        "/v1/declarations",
        headers={"Authorization": f"Bearer {second}", "Idempotency-Key": "once"},
        json=declaration(1),
    )
    assert again.content == answers[0].content and _count(app, Declaration) == 1


def test_parameters_are_compared_as_json_values(api: Any, app: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**own, "Idempotency-Key": "json", "Content-Type": "application/json"}
    body = declaration(1, reference="R1")
    first = client.post("/v1/declarations", headers=headers, content=json.dumps(body))
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = client.post("/v1/declarations", headers=headers, content=reordered)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    assert _count(app, Declaration) == 1


def test_a_key_used_on_another_route_is_refused(
    api: Any, app: Any, client: Any, problem: Any
) -> None:
    ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**ADMIN, "Idempotency-Key": "route"}
    on = {"on": "2026-02-01"}
    admitted = client.post("/v1/books/B1/batch-exit/admission", headers=headers, json=on)
    assert admitted.status_code == 201, admitted.text
    # The same caller, key and body on another route: refused, not answered with the first.
    other = client.post("/v1/books/B1/batch-exit/reinstatement", headers=headers, json=on)
    body = problem(other, 422)
    assert body["code"] == "idempotency_key_reused"
    assert "POST /v1/books/B1/batch-exit/admission" in body["detail"]
    assert _stored(app, "route") == 1


def test_keys_expire(api: Any, app: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**own, "Idempotency-Key": "day"}
    first = client.post("/v1/declarations", headers=headers, json=declaration(1))
    assert app.state.settings.idempotency_ttl_s == 86_400  # the default: 24 hours
    _time_passes(app, 86_400 - 60)
    kept = client.post("/v1/declarations", headers=headers, json=declaration(1))
    assert kept.headers.get("idempotent-replayed") == "true"
    _time_passes(app, 120)
    fresh = client.post("/v1/declarations", headers=headers, json=declaration(1))
    assert fresh.status_code == 201 and "idempotent-replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    assert balance(api.platform, "B1") == 8


def test_the_ttl_is_a_setting() -> None:
    assert Settings.from_env({"REFPLATFORM_IDEMPOTENCY_TTL_S": "60"}).idempotency_ttl_s == 60
