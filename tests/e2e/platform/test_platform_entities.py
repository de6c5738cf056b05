"""Registering entities: identifier checks, duplicates, unknown entities."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.platform_support import ADMIN, id_number, uscc


def test_register_and_read_back(client: Any) -> None:
    body = {
        "id": "E9",
        "kind": "enterprise",
        "code": uscc(9),
        "name": "海南椰风贸易有限公司",
        "registered_in_hainan": True,
    }
    r = client.post("/v1/entities", headers=ADMIN, json=body)
    assert r.status_code == 201, r.text
    assert client.get("/v1/entities/E9", headers=ADMIN).json() == body


def test_check_characters_are_verified(client: Any, problem: Any) -> None:
    good = uscc(3)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    r = client.post(
        "/v1/entities", headers=ADMIN, json={"id": "E3", "kind": "enterprise", "code": bad}
    )
    body = problem(r, 422)
    assert body["code"] == "invalid_code" and body["field"] == "body.code"
    assert bad in body["detail"]
    person = id_number(4)
    wrong = person[:-1] + ("0" if person[-1] != "0" else "1")
    r = client.post(
        "/v1/entities", headers=ADMIN, json={"id": "P4", "kind": "individual", "code": wrong}
    )
    assert problem(r, 422)["field"] == "body.code"
    r = client.post(
        "/v1/entities", headers=ADMIN, json={"id": "P4", "kind": "individual", "code": person}
    )
    assert r.status_code == 201


def test_duplicates_conflict(client: Any, problem: Any) -> None:
    body = {"id": "E1", "kind": "enterprise", "code": uscc(1)}
    assert client.post("/v1/entities", headers=ADMIN, json=body).status_code == 201
    assert problem(client.post("/v1/entities", headers=ADMIN, json=body), 409)["field"] == "body.id"
    again = {**body, "id": "E2"}
    r = client.post("/v1/entities", headers=ADMIN, json=again)
    assert problem(r, 409)["field"] == "body.code"


def test_unknown_entity_is_404(client: Any, problem: Any) -> None:
    assert problem(client.get("/v1/entities/nope", headers=ADMIN), 404)["code"] == "unknown_entity"
