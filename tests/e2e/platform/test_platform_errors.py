"""Bad input is a 4xx problem+json naming the field; never a 500."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.platform_support import ADMIN, walk_routes


def test_malformed_json_names_the_body(client: Any, problem: Any) -> None:
    r = client.post(
        "/v1/entities", headers={**ADMIN, "Content-Type": "application/json"}, content=b"{not json"
    )
    body = problem(r, 422)
    assert body["code"] == "invalid_json" and body["field"].startswith("body")


def test_missing_wrong_and_unknown_fields_are_named(client: Any, problem: Any) -> None:
    r = client.post("/v1/entities", headers=ADMIN, json={"kind": "enterprise", "code": "x"})
    assert problem(r, 422)["field"] == "body.id"
    r = client.post(
        "/v1/entities", headers=ADMIN, json={"id": "E1", "kind": "company", "code": "x"}
    )
    assert problem(r, 422)["field"] == "body.kind"
    r = client.post(
        "/v1/entities",
        headers=ADMIN,
        json={"id": "E1", "kind": "enterprise", "code": "x", "colour": "red"},
    )
    body = problem(r, 422)
    assert body["field"] == "body.colour"
    assert any(e["field"] == "body.colour" for e in body["errors"])


def test_no_route_answers_500_to_garbage(app: Any, client: Any) -> None:
    garbage: list[Any] = [
        None,
        0,
        "x",
        [],
        {},
        {"id": None},
        [1, 2],
        {"quantity": -1},
        {"date": "2026-02-30"},
        "\u0000",
        1e308,
    ]
    for route, prefix in walk_routes(app.routes):
        path = (prefix + route.path).replace("{", "").replace("}", "")
        for method in route.methods:
            for payload in garbage:
                r = client.request(method, path, headers=ADMIN, json=payload)
                assert r.status_code < 500, (method, path, payload, r.text)
                if r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_path_is_problem_404(client: Any, problem: Any) -> None:
    assert problem(client.get("/v1/nothing-here", headers=ADMIN), 404)["code"] == "not_found"
