"""Function-level authorisation (OWASP API5) and tokens (issue 13).

- Each department posts only its own kinds of credit events (the tax department no smuggling
  penalty); officers never act as an enterprise; a transfer into another enterprise's book waits
  for that enterprise; no enterprise reaches another's book or batch exit through *any* route
  (a sweep over every route that names a book, so a route added later is covered);
- tokens expire and can be revoked, and a revoked token is refused at once, also by another
  worker process.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from refplatform.models import ApiToken, AuditEntry
from sim.api import TokenIn
from sim.api.operations import OPERATIONS
from sim.client import start_platform
from tests.e2e.platform.goods_flow import balance, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, walk_routes

GOODS_ACTS = {
    "file_qualification", "file_book", "first_line_entry", "book_entry", "settle_entry",
    "purchase", "transfer", "accept_transfer", "reject_transfer", "withdraw_transfer",
    "process", "declare", "admit_batch_exit", "reinstate_batch_exit", "file_batch_list",
    "consolidate",
}
"""The enterprise's own acts: by its token or the admin's, never an officer's."""


def _event(client: Any, headers: dict[str, str], **body: Any) -> Any:
    body = {"date": "2026-03-01", **body}
    return client.post("/v1/entities/E1/events", headers=headers, json=body)


def test_a_department_posts_only_its_own_kinds_of_event(
    api: Any, client: Any, problem: Any
) -> None:
    api.enterprise("E1")
    tax, customs = api.token("department", "tax"), api.token("department", "customs")
    anti = api.token("department", "anti_smuggling")
    for headers, event in ((tax, "smuggling_penalty"), (tax, "aeo_certified"),
                           (anti, "aeo_certified"), (anti, "legal_ground_listed")):
        body = problem(_event(client, headers, event=event), 403)
        assert (body["code"], body["field"]) == ("forbidden", "body.event"), event
    assert _event(client, tax, event="rating", grade="D").status_code == 201
    assert _event(client, tax, event="serious_dishonesty_listed").status_code == 201
    assert _event(client, anti, event="smuggling_penalty").status_code == 201
    assert _event(client, customs, event="aeo_certified").status_code == 201
    # The admin may post for a department, but not an event that department does not record.
    r = _event(client, ADMIN, event="smuggling_penalty", department="tax")
    assert problem(r, 422)["code"] == "invalid_event"


def test_officers_never_act_as_an_enterprise(api: Any, client: Any, problem: Any) -> None:
    ready_book(api.platform, "E1", "B1", qty=5)
    officer = api.token("officer")
    acts = [op for op in OPERATIONS if op.name in GOODS_ACTS]
    assert {op.name for op in acts} == GOODS_ACTS
    for op in acts:
        path = re.sub(r"\{[^}]+\}", "1", op.path).replace("books/1", "books/B1")
        body = problem(client.post(path, headers=officer, json={}), 403)
        assert body["code"] == "forbidden", op.name
    assert balance(api.platform, "B1") == 5


def _book_routes(app: Any) -> Iterator[tuple[str, str]]:
    """Every (method, path) that names a book, in its path or as the body's ``book``."""
    for route, prefix in walk_routes(app.routes):
        full = prefix + route.path
        if "{book_id}" in full or full in ("/v1/batch-exit/lists", "/v1/declarations"):
            path = full.replace("{book_id}", "B1")
            path = re.sub(r"\{[^}]+\}", "IN1", path)
            for method in sorted(route.methods - {"HEAD"}):
                yield method, path


def test_an_intruder_reaches_no_book_and_no_batch_exit(
    app: Any, api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    assert client.post("/v1/books/B1/batch-exit/admission", headers=own,
                       json={"on": "2026-02-01"}).status_code == 201
    intruder = api.enterprise("E2")
    before = client.get("/v1/books/B1", headers=ADMIN).json()
    bodies: dict[str, Any] = {
        "/v1/books/B1/entries": {"entry_id": "X", "item": "beef", "code": "0202.30", "qty": 1,
                                 "value_fen": 1, "released": "2026-01-06"},
        "/v1/books/B1/entries/IN1/booking": {"on": "2026-01-07"},
        "/v1/books/B1/entries/IN1/settlement": {"on": "2026-02-07"},
        "/v1/books/B1/purchases": {"item": "salt", "code": "3926.90", "qty": 1, "value_fen": 1,
                                   "on": "2026-01-08"},
        "/v1/books/B1/transfers": {"item": "beef", "qty": 1, "on": "2026-01-20"},
        "/v1/books/B1/processing": {"order_id": "P", "inputs": {"beef": 1},
                                    "outputs": {"jerky": {"code": "1602.50", "qty": 1}},
                                    "batches": 1, "on": "2026-01-22"},
        "/v1/declarations": declaration(1),
        "/v1/books/B1/batch-exit/admission": {"on": "2026-02-01"},
        "/v1/books/B1/batch-exit/suspension": {"on": "2026-02-02", "cause": "missing_permit"},
        "/v1/books/B1/batch-exit/reinstatement": {"on": "2026-02-03", "permits_in_order": True},
        "/v1/batch-exit/lists": {"book": "B1", "shipment_id": "S1", "item": "beef", "qty": 1,
                                 "on": "2026-02-03", "port": "yangpu"},
        "/v1/books/B1/consolidated-declarations": {"year": 2026, "month": 2,
                                                   "on": "2026-03-05"},
    }
    tried = []
    for method, path in _book_routes(app):
        params = {"on": "2026-02-04"} if path.endswith("/batch-exit") else None
        if path == "/v1/declarations" and method == "GET":
            params = {"book": "B1"}
        r = client.request(method, path, headers=intruder, json=bodies.get(path), params=params)
        assert problem(r, 403)["code"] == "forbidden", (method, path, r.text)
        tried.append((method, path))
    # Every book and batch-exit route was tried: a route added later joins the sweep.
    assert len(tried) >= 15 and ("POST", "/v1/books/B1/consolidated-declarations") in tried
    assert client.get("/v1/books/B1", headers=ADMIN).json() == before  # nothing changed
    trail = client.get("/v1/audit", params={"entity": "E2"}, headers=ADMIN).json()
    assert trail["records"] == []  # and no write of the intruder's took effect


def test_a_transfer_into_another_enterprise_waits_for_it(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    other = ready_book(api.platform, "E2", "B2", qty=1)
    third = api.enterprise("E3")
    offer = client.post("/v1/books/B1/transfers", headers=own,
                        json={"item": "beef", "qty": 4, "on": "2026-01-20", "to_book": "B2"})
    assert offer.json()["status"] == "pending", offer.text
    accept = f"/v1/transfers/{offer.json()['id']}/acceptance"
    on = {"on": "2026-01-21"}
    for who in (own, third):  # the sender cannot accept for the receiver, nor can anyone else
        assert problem(client.post(accept, headers=who, json=on), 403)["code"] == "forbidden"
    assert problem(client.get(f"/v1/transfers/{offer.json()['id']}", headers=third), 403)
    early = client.post(accept, headers=other, json={"on": "2026-01-19"})
    assert problem(early, 422)["code"] == "invalid_date"
    assert (balance(api.platform, "B1"), balance(api.platform, "B2")) == (10, 1)
    done = client.post(accept, headers=other, json=on)
    assert done.status_code == 200 and done.json()["decided_on"] == "2026-01-21"
    assert (balance(api.platform, "B1"), balance(api.platform, "B2")) == (6, 5)
    again = problem(client.post(accept, headers=other, json=on), 409)
    assert again["code"] == "transfer_not_pending"
    # Between two books of one enterprise the goods move at once.
    assert client.post("/v1/books", headers=own,
                       json={"id": "B1b", "entity": "E1", "on": "2026-01-05"}).status_code == 201
    same = client.post("/v1/books/B1/transfers", headers=own,
                       json={"item": "beef", "qty": 1, "on": "2026-01-22", "to_book": "B1b"})
    assert same.json()["status"] == "done" and balance(api.platform, "B1b") == 1


def _expire(app: Any, token_id: int) -> None:
    with app.state.db.write() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )


def test_tokens_expire_and_can_be_revoked(api: Any, app: Any, client: Any, problem: Any) -> None:
    api.enterprise("E1")
    issued = api.platform.issue_token(TokenIn(role="enterprise", entity="E1", expires_in_s=3600))
    assert dt.timedelta(minutes=59) < issued.expires_at - dt.datetime.now(dt.UTC) <= (
        dt.timedelta(hours=1)
    )
    default = api.platform.issue_token(TokenIn(role="officer"))
    life = default.expires_at - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=23) < life <= dt.timedelta(hours=24)  # the default: a day
    mine = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/v1/entities/E1", headers=mine).status_code == 200
    _expire(app, issued.id)
    assert "expired" in problem(client.get("/v1/entities/E1", headers=mine), 401)["detail"]
    # Revoked by the admin ...
    officer = {"Authorization": f"Bearer {default.token}"}
    assert client.get("/v1/entities/E1", headers=officer).status_code == 200
    revoked = client.post(f"/v1/tokens/{default.id}/revocation", headers=ADMIN, json={})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert "revoked" in problem(client.get("/v1/entities/E1", headers=officer), 401)["detail"]
    # ... or by the token itself, never by another one.
    third = api.platform.issue_token(TokenIn(role="officer"))
    other = api.platform.issue_token(TokenIn(role="officer"))
    theirs = {"Authorization": f"Bearer {other.token}"}
    r = client.post(f"/v1/tokens/{third.id}/revocation", headers=theirs, json={})
    assert problem(r, 403)["code"] == "forbidden"
    r = client.post(f"/v1/tokens/{other.id}/revocation", headers=theirs, json={"reason": "lost"})
    assert r.status_code == 200
    assert problem(client.post("/v1/tokens/999999/revocation", headers=ADMIN, json={}), 404)
    with app.state.db.read() as session:
        revocations = session.scalar(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.operation == "revoke_token"
            )
        )
    assert revocations == 2


@pytest.mark.slow
def test_a_revoked_token_is_refused_at_once_by_every_worker(tmp_path: Path) -> None:
    with start_platform(db_url=f"sqlite:///{tmp_path / 'w.db'}", workers=2) as platform, \
            platform.client() as api:
        issued = api.issue_token(TokenIn(role="officer"))
        headers = {"Authorization": f"Bearer {issued.token}"}

        def statuses(n: int) -> set[int]:
            seen = set()
            for _ in range(n):  # a new connection each time: both workers answer some
                with httpx.Client(base_url=platform.base_url, timeout=10) as http:
                    seen.add(http.get("/v1/tiers/aeo/members?as_of=2026-01-01",
                                      headers=headers).status_code)
            return seen

        assert statuses(20) == {200}
        api.revoke_token(issued.id)
        assert statuses(40) == {401}
