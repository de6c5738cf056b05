"""Idempotency-Key: a repeat gets the first answer and creates nothing, also when racing."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from refplatform.idempotency import IdempotencyMiddleware
from refplatform.models import ApiToken, Declaration, Entity, IdempotencyKey
from refplatform.routes import declarations as declarations_routes
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


def _lose_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server 'dies' after each request ran but before its answer was stored."""
    monkeypatch.setattr(IdempotencyMiddleware, "_store", lambda *_args: None)


def _time_passes(app: Any) -> None:
    """Every pending reservation is now older than the stale limit (60 s)."""
    with app.state.db.write() as session:
        session.execute(
            update(IdempotencyKey).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
            )
        )


def test_a_request_whose_writes_committed_is_never_run_twice(
    api: Any, app: Any, client: Any, problem: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    decl = declaration(3)
    entity = {"id": "E9", "kind": "enterprise", "code": uscc(9)}
    _lose_answers(monkeypatch)
    # The hot path (its own SQLite transaction / Core on PostgreSQL) and an ORM route.
    first_d = client.post("/v1/declarations", headers={**own, "Idempotency-Key": "d"}, json=decl)
    first_e = client.post("/v1/entities", headers={**ADMIN, "Idempotency-Key": "e"}, json=entity)
    assert (first_d.status_code, first_e.status_code) == (201, 201)
    monkeypatch.undo()
    _time_passes(app)
    again_d = client.post("/v1/declarations", headers={**own, "Idempotency-Key": "d"}, json=decl)
    again_e = client.post("/v1/entities", headers={**ADMIN, "Idempotency-Key": "e"}, json=entity)
    assert problem(again_d, 409)["code"] == "idempotency_answer_lost"
    assert problem(again_e, 409)["code"] == "idempotency_answer_lost"
    assert balance(api.platform, "B1") == 7  # written off once
    assert _count(app, Declaration) == 1
    assert _count(app, Entity) == 2  # E1 and E9, once


def test_a_request_that_committed_nothing_is_taken_over(
    api: Any, app: Any, client: Any, problem: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=2)
    too_much = declaration(5)
    headers = {**own, "Idempotency-Key": "t"}
    _lose_answers(monkeypatch)
    assert problem(client.post("/v1/declarations", headers=headers, json=too_much), 409)
    monkeypatch.undo()
    _time_passes(app)
    # Refused: nothing committed, so the stale reservation is taken over and the request runs.
    r = client.post("/v1/declarations", headers=headers, json=too_much)
    assert problem(r, 409)["code"] == "insufficient_balance"
    replay = client.post("/v1/declarations", headers=headers, json=too_much)
    assert replay.headers["idempotent-replayed"] == "true" and replay.content == r.content
    assert balance(api.platform, "B1") == 2


def test_a_request_that_crashed_after_its_commit_is_not_run_again(
    api: Any, app: Any, client: Any, problem: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    body = declaration(3)
    headers = {**own, "Idempotency-Key": "c"}

    def crash(_value: Any) -> str:
        raise RuntimeError("the answer could not be built")

    # The declaration commits, then building its answer fails: a 500, and the key stays taken.
    monkeypatch.setattr(declarations_routes, "json_text", crash)
    assert problem(client.post("/v1/declarations", headers=headers, json=body), 500)
    monkeypatch.undo()
    _time_passes(app)
    r = client.post("/v1/declarations", headers=headers, json=body)
    assert problem(r, 409)["code"] == "idempotency_answer_lost"
    assert balance(api.platform, "B1") == 7 and _count(app, Declaration) == 1
