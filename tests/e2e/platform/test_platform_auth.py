"""Every route but /healthz and /openapi.json needs a token; roles and ownership are enforced."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from refplatform.models import ApiToken
from tests.e2e.platform.platform_support import ADMIN, walk_routes

PUBLIC = {"/healthz", "/openapi.json"}


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route, prefix in walk_routes(app.routes):
        path = re.sub(r"\{[^}]+\}", "x1", prefix + route.path)
        found.extend((method, path) for method in sorted(route.methods))
    return found


def test_every_route_but_public_ones_needs_a_token(app: Any, client: Any, problem: Any) -> None:
    routes = _routes(app)
    assert ("POST", "/v1/tokens") in routes  # the enumeration itself found the API
    for method, path in routes:
        if path in PUBLIC:
            continue
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
            r = client.request(method, path, headers=headers, json={})
            body = problem(r, 401)
            assert body["code"] == "unauthorized", (method, path)
            assert r.headers["www-authenticate"].startswith("Bearer")


def test_public_routes_answer_without_a_token(client: Any) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    assert any(p.startswith("/v1/") for p in spec["paths"])
    assert client.get("/docs").status_code == 404  # no CDN-backed UI
    # Every /v1 route is documented, with its error answers as problem+json.
    for method, path in _routes(client.app):
        if path.startswith("/v1/"):
            templated = next(p for p in spec["paths"] if re.sub(r"\{[^}]+\}", "x1", p) == path)
            responses = spec["paths"][templated][method.lower()]["responses"]
            assert "application/problem+json" in responses["401"]["content"], (method, path)


def test_only_admin_issues_tokens(api: Any, client: Any, problem: Any) -> None:
    own = api.enterprise("E1")
    officer = api.token("officer")
    for headers in (own, officer):
        r = client.post("/v1/tokens", headers=headers, json={"role": "officer"})
        assert problem(r, 403)["code"] == "forbidden"


def test_token_rules(client: Any, problem: Any) -> None:
    r = client.post("/v1/tokens", headers=ADMIN, json={"role": "enterprise"})
    assert problem(r, 422)["field"] == "body.entity"
    r = client.post("/v1/tokens", headers=ADMIN, json={"role": "enterprise", "entity": "nobody"})
    assert problem(r, 404)["code"] == "unknown_entity"
    r = client.post("/v1/tokens", headers=ADMIN, json={"role": "pope"})
    assert problem(r, 422)["field"] == "body.role"


def test_tokens_are_stored_hashed(api: Any, app: Any) -> None:
    headers = api.token("officer")
    token = headers["Authorization"].removeprefix("Bearer ")
    with app.state.db.read() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored and token not in stored
    assert all(len(h) == 64 and token not in h for h in stored)


def test_enterprise_sees_only_itself(api: Any, client: Any, problem: Any) -> None:
    e1 = api.enterprise("E1")
    api.enterprise("E2")
    assert client.get("/v1/entities/E1", headers=e1).json()["id"] == "E1"
    assert problem(client.get("/v1/entities/E2", headers=e1), 403)["code"] == "forbidden"
    officer = api.token("officer")
    assert client.get("/v1/entities/E2", headers=officer).status_code == 200
