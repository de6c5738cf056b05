"""The audit trail (issue 13): every accepted write records who made it (token id, role,
entity), when, what and under which idempotency key, in its own transaction; refused writes
record nothing; officers read it a page at a time. Inspection results keep their history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sim.api import TokenIn
from tests.e2e.platform.goods_flow import declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only here (the trail is written by the same hooks on both back ends; the
    idempotency and contract tests cover PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'platform.db'}"


def _trail(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get("/v1/audit", headers=headers,
                          params={"after": after, "limit": 7, **params}).json()
        if not page["records"]:
            return records
        records += page["records"]
        after = page["next"]


def test_every_accepted_write_says_who_when_what_and_which_key(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    officer = api.token("officer")
    start = dt.datetime.now(dt.UTC)
    ok = client.post("/v1/declarations", headers={**own, "Idempotency-Key": "audit-1"},
                     json=declaration(1))
    refused = client.post("/v1/declarations", headers={**own, "Idempotency-Key": "audit-2"},
                          json=declaration(50))
    assert (ok.status_code, refused.status_code) == (201, 409)
    inspection = {"on": "2026-02-01", "channel": "scan", "result": "anomaly"}
    path = f"/v1/declarations/{ok.json()['id']}/inspection"
    assert client.post(path, headers=officer, json=inspection).status_code == 200

    everything = _trail(client, officer)
    assert len(everything) >= 9  # the set-up through the client wrote too, all recorded
    assert [r["id"] for r in everything] == sorted(r["id"] for r in everything)
    mine = _trail(client, officer, entity="E1")
    assert {r["role"] for r in mine} == {"enterprise"}
    declared = [r for r in mine if r["operation"] == "declare"]
    assert len(declared) == 1  # the refused one took no effect, so it is not there
    (record,) = declared
    assert record["token_id"] is not None and record["entity"] == "E1"
    assert (record["method"], record["path"]) == ("POST", "/v1/declarations")
    assert record["status"] == 201
    assert record["idempotency_key"] == "audit-1"
    assert start <= dt.datetime.fromisoformat(record["at"]) <= dt.datetime.now(dt.UTC)
    last = everything[-1]
    assert (last["operation"], last["role"], last["entity"]) == (
        "record_inspection", "officer", None
    )
    assert last["token_id"] is not None and last["token_id"] != record["token_id"]
    admin_writes = [r for r in everything if r["role"] == "admin"]
    assert admin_writes and all(r["token_id"] is None for r in admin_writes)
    # Officers and the admin read it; enterprises and departments do not.
    for headers in (own, api.token("department", "tax")):
        assert problem(client.get("/v1/audit", headers=headers), 403)["code"] == "forbidden"


def test_inspection_results_keep_their_history(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=5)
    declared = client.post("/v1/declarations", headers=own, json=declaration(1)).json()
    first = api.token("officer")
    second = {"Authorization": f"Bearer {api.platform.issue_token(TokenIn(role='officer')).token}"}
    path = f"/v1/declarations/{declared['id']}"
    results = [
        ({"on": "2026-02-01", "channel": "scan", "result": "anomaly", "findings": "dense"}, first),
        ({"on": "2026-02-02", "channel": "inspection", "result": "clear"}, ADMIN),
    ]
    for body, headers in results:
        assert client.post(path + "/inspection", headers=headers, json=body).status_code == 200
    latest = client.get(path, headers=own).json()["inspection"]
    assert (latest["channel"], latest["result"]) == ("inspection", "clear")
    history = client.get(path + "/inspections", headers=second).json()
    assert [(h["on"], h["channel"], h["result"], h["role"]) for h in history] == [
        ("2026-02-01", "scan", "anomaly", "officer"),
        ("2026-02-02", "inspection", "clear", "admin"),
    ]
    assert history[0]["findings"] == "dense" and history[0]["token_id"] is not None
    assert history[1]["token_id"] is None  # the admin token of the environment
    page = client.get(path + "/inspections", headers=ADMIN,
                      params={"after": history[0]["id"], "limit": 1}).json()
    assert [h["id"] for h in page] == [history[1]["id"]]
    assert problem(client.get(path + "/inspections", headers=own), 403)["code"] == "forbidden"
