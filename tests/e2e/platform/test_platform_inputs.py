"""Inputs that used to crash the platform or slip past its contract (issue 13), each a 4xx now.

- ids and cursors of 2**63 and above: invalid input, after the access check;
- dates outside the plausible window (a credit event near year 9999, a batch-exit list dated
  9999-12-20, which used to break that book's batch exit for good);
- ids that could be created and never reached again (``/``, ``..``);
- bodies that are not UTF-8 JSON: one answer on every route, the hot path included;
- ``qty: true`` and ``qty: "1"``; a port that is not one of the ten;
- the OpenAPI document lists every status a route can answer, and 405 lists every method.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.platform.goods_flow import declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, walk_routes

BIG = 2**63  # one past the largest id the database holds


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: what is checked here happens before the database is asked anything."""
    return f"sqlite:///{tmp_path / 'platform.db'}"


def test_ids_and_cursors_past_the_database_are_invalid_input(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    officer = api.token("officer")
    department = api.token("department", "tax")
    # Who is asking is settled first: no token is a 401, a role that may not is a 403 ...
    assert problem(client.get(f"/v1/declarations/{BIG}"), 401)["code"] == "unauthorized"
    inspection = {"on": "2026-02-01", "channel": "scan", "result": "clear"}
    r = client.post(f"/v1/declarations/{BIG}/inspection", headers=own, json=inspection)
    assert problem(r, 403)["code"] == "forbidden"
    # ... then the id, without a look-up: invalid input naming the field.
    for headers in (ADMIN, officer, own):
        body = problem(client.get(f"/v1/declarations/{BIG}", headers=headers), 422)
        assert body["field"] == "path.declaration_id"
    r = client.post(f"/v1/declarations/{BIG}/inspection", headers=officer, json=inspection)
    assert problem(r, 422)["field"] == "path.declaration_id"
    for path, headers in (
        (f"/v1/declarations?book=B1&after={BIG}", own),
        (f"/v1/notifications?after={BIG}", department),
        (f"/v1/transfers?book=B1&after={BIG * 2**40}", own),
        (f"/v1/audit?after={BIG}", officer),
    ):
        assert problem(client.get(path, headers=headers), 422)["field"] == "query.after", path
    largest = 2**63 - 1  # still a valid id: simply not found
    r = client.get(f"/v1/declarations/{largest}", headers=ADMIN)
    assert problem(r, 404)["code"] == "unknown_declaration"


def test_dates_outside_the_plausible_window_are_refused(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    for day in ("9999-12-31", "9998-01-01", "1066-10-14"):
        r = client.post(
            "/v1/entities/E1/events",
            headers=ADMIN,
            json={"date": day, "event": "smuggling_penalty", "department": "customs"},
        )
        assert problem(r, 422)["field"] == "body.date", day
    assert client.post("/v1/books/B1/batch-exit/admission", headers=own,
                       json={"on": "2026-02-01"}).status_code == 201
    far = {"book": "B1", "shipment_id": "S9", "item": "beef", "qty": 1, "on": "9999-12-20",
           "port": "yangpu"}
    assert problem(client.post("/v1/batch-exit/lists", headers=own, json=far), 422)["field"] == (
        "body.on"
    )
    # ... and the book's batch exit still works: its status, a shipment, a query date.
    status = client.get("/v1/books/B1/batch-exit", params={"on": "2026-03-01"}, headers=own)
    assert status.status_code == 200 and status.json()["enabled"] is True
    near = {**far, "shipment_id": "S1", "on": "2026-02-03"}
    assert client.post("/v1/batch-exit/lists", headers=own, json=near).status_code == 201
    r = client.get("/v1/books/B1/batch-exit", params={"on": "9999-12-31"}, headers=own)
    assert problem(r, 422)["field"] == "query.on"
    r = client.get("/v1/entities/E1/tier", params={"as_of": "0"}, headers=ADMIN)
    assert problem(r, 422)["field"] == "query.as_of"  # not 1970-01-01


@pytest.mark.parametrize("bad", ["a/b", "..", "x..y", ".", "-/..", "dot."])
def test_ids_that_could_never_be_reached_are_refused(
    bad: str, api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    r = client.post("/v1/books", headers=own, json={"id": bad, "entity": "E1", "on": "2026-01-05"})
    assert problem(r, 422)["field"] == "body.id"
    entry = {"entry_id": bad, "item": "beef", "code": "0202.30", "qty": 1, "value_fen": 1,
             "released": "2026-01-06"}
    r = client.post("/v1/books/B1/entries", headers=own, json=entry)
    assert problem(r, 422)["field"] == "body.entry_id"
    entity = {"id": bad, "kind": "enterprise", "code": "91460000000000001A"}
    assert problem(client.post("/v1/entities", headers=ADMIN, json=entity), 422)["field"] == (
        "body.id"
    )


def _post_routes(app: Any) -> list[str]:
    paths = []
    for route, prefix in walk_routes(app.routes):
        if "POST" in route.methods:
            paths.append(re.sub(r"\{[^}]+\}", "1", prefix + route.path))
    return paths


def test_undecodable_bodies_answer_the_same_on_every_route(
    app: Any, api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    paths = _post_routes(app)
    assert "/v1/declarations" in paths and len(paths) >= 20
    for path in paths:
        for raw in (b"\xff\xfe\x00", b"{not json", b'{"a": "\xed\xa0\x80"}'):
            for headers in (ADMIN, own):
                r = client.post(
                    path, headers={**headers, "Content-Type": "application/json"}, content=raw
                )
                if r.status_code == 403:  # the enterprise may not use a staff route at all
                    continue
                body = problem(r, 422)
                assert (body["code"], body["field"].split(".")[0]) == ("invalid_json", "body"), (
                    path, raw, body
                )


@pytest.mark.parametrize("qty", [True, "1", 1.0])
def test_quantities_are_strict_integers(qty: Any, api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    body = {**declaration(1), "lines": [{"item": "beef", "qty": qty}]}
    r = client.post("/v1/declarations", headers=own, json=body)
    assert problem(r, 422)["field"] == "body.lines.0.qty"
    entry = {"entry_id": "X", "item": "beef", "code": "0202.30", "qty": qty, "value_fen": 1,
             "released": "2026-01-06"}
    assert problem(client.post("/v1/books/B1/entries", headers=own, json=entry), 422)["field"] == (
        "body.qty"
    )


def test_the_document_says_what_each_route_can_answer(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    port = spec["components"]["schemas"]["DeclarationIn"]["properties"]["port"]
    assert len(port["enum"]) == 10 and "xinhai" in port["enum"]
    for path, methods in spec["paths"].items():
        for method, entry in methods.items():
            documented = set(entry["responses"])
            if path.startswith("/v1/"):
                assert {"401", "403", "404", "409", "413", "422", "500", "503"} <= documented, (
                    method, path
                )
            else:
                assert "503" in documented, (method, path)  # /healthz: the database is down


def test_a_wrong_method_is_told_every_method_of_the_path(client: Any, problem: Any) -> None:
    for path, allowed in (
        ("/v1/declarations", "GET, HEAD, POST"),
        ("/v1/books/B1", "GET, HEAD"),
        ("/v1/tokens", "POST"),
    ):
        for method in ("OPTIONS", "PUT", "DELETE"):
            r = client.request(method, path, headers=ADMIN)
            assert problem(r, 405)["code"] == "method_not_allowed"
            assert r.headers["allow"] == allowed, (method, path)
