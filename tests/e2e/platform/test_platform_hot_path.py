"""The declaration hot path: served by DirectRoute, books cached by version, on both databases."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel

from refplatform.direct_route import DirectRoute
from tests.e2e.platform.goods_flow import balance, declaration, ready_book

_BODY = declaration(1)


def test_bad_bodies_answer_like_every_other_route(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    json_own = {**own, "Content-Type": "application/json"}
    r = client.post("/v1/declarations", headers=json_own, content=b"{not json")
    assert problem(r, 422)["code"] == "invalid_json"
    r = client.post("/v1/declarations", headers=json_own, content=b"")
    assert problem(r, 422)["field"] == "body"
    r = client.post(
        "/v1/declarations", headers={**own, "Content-Type": "text/plain"}, content=b"{}"
    )
    assert problem(r, 422)["field"] == "body"
    r = client.post("/v1/declarations", headers=own, json={**_BODY, "lines": [{"qty": 1}]})
    body = problem(r, 422)
    assert body["field"] == "body.lines.0.item" and body["code"] == "invalid_input"
    r = client.post("/v1/declarations", headers=own, json={**_BODY, "colour": "red"})
    assert problem(r, 422)["field"] == "body.colour"
    r = client.post("/v1/declarations", headers=own, json={**_BODY, "date": "2026-02-30"})
    assert problem(r, 422)["field"] == "body.date"
    assert balance(api.platform, "B1") == 5  # nothing was written off by any of them


def test_the_token_is_checked_before_the_body(api: Any, client: Any, problem: Any) -> None:
    ready_book(api.platform, "E1", "B1", qty=5)
    r = client.post("/v1/declarations", content=b"{not json")
    assert problem(r, 401)["code"] == "unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = client.post("/v1/declarations", headers={"Authorization": "Bearer nobody"}, json=_BODY)
    assert problem(r, 401)["code"] == "unauthorized"
    department = api.token("department", "customs")
    assert problem(client.post("/v1/declarations", headers=department, json=_BODY), 403)


def test_openapi_documents_the_hot_path_like_any_route(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    post = doc["paths"]["/v1/declarations"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/DeclarationIn")
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/DeclarationOut"
    )
    assert post["security"] == [{"HTTPBearer": []}]
    assert "422" in post["responses"] and "409" in post["responses"]


def test_a_book_changed_by_another_route_is_read_again(api: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    assert client.post("/v1/declarations", headers=own, json=_BODY).status_code == 201
    # The hot path now holds B1 decoded at its version; a first-line entry changes the book
    # through the ORM route. The next declaration must see the new goods, not the cached book.
    r = client.post(
        "/v1/books/B1/entries",
        headers=own,
        json={
            "entry_id": "B1-IN2",
            "item": "beef",
            "code": "0202.30",
            "qty": 100,
            "value_fen": 1_000_000,
            "released": "2026-01-20",
        },
    )
    assert r.status_code == 201, r.text
    r = client.post("/v1/books/B1/entries/B1-IN2/booking", headers=own, json={"on": "2026-01-21"})
    assert r.status_code == 201, r.text
    r = client.post(
        "/v1/declarations", headers=own, json={**_BODY, "lines": [{"item": "beef", "qty": 50}]}
    )
    assert r.status_code == 201, r.text
    assert balance(api.platform, "B1") == 5 - 1 + 100 - 50


def test_a_refused_declaration_leaves_no_trace_in_the_cache(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=3)
    assert client.post("/v1/declarations", headers=own, json=_BODY).status_code == 201
    taken = {**_BODY, "reference": "R-1"}
    assert client.post("/v1/declarations", headers=own, json=taken).status_code == 201
    # Same reference again: refused after the book was read, so its transaction rolls back.
    assert problem(client.post("/v1/declarations", headers=own, json=taken), 409)
    assert balance(api.platform, "B1") == 1
    r = client.post(
        "/v1/declarations", headers=own, json={**_BODY, "lines": [{"item": "beef", "qty": 2}]}
    )
    assert problem(r, 409)["code"] == "insufficient_balance"
    assert client.post("/v1/declarations", headers=own, json=_BODY).status_code == 201
    assert balance(api.platform, "B1") == 0


class _Thing(BaseModel):
    n: int


def test_direct_route_refuses_an_endpoint_it_cannot_serve() -> None:
    async def sync_dependency_free(thing: _Thing, request: Request) -> Response:
        return Response()

    DirectRoute("/ok", sync_dependency_free, methods=["POST"])  # fits: builds

    def not_async(thing: _Thing) -> Response:
        return Response()

    async def query_param(thing: _Thing, n: int) -> Response:
        return Response()

    for endpoint in (not_async, query_param):
        try:
            DirectRoute("/x", endpoint, methods=["POST"])
        except TypeError as exc:
            assert "DirectRoute" in str(exc)
        else:
            raise AssertionError(f"{endpoint.__name__} was accepted")
