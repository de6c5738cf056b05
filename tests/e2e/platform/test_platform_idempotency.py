"""Idempotency-Key: a repeat gets the first answer and creates nothing, also when racing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from refplatform.models import ApiToken, Entity, IdempotencyKey
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
