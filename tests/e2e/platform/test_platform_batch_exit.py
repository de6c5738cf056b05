"""Batch exit through the API: admission by tier, lists, monthly consolidation, suspension."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.goods_flow import balance, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN


def _ship(client: Any, headers: dict[str, str], sid: str, on: str, qty: int = 1) -> Any:
    return client.post(
        "/v1/batch-exit/lists",
        headers=headers,
        json={
            "book": "B1",
            "shipment_id": sid,
            "item": "beef",
            "qty": qty,
            "on": on,
            "port": "yangpu",
        },
    )


def test_month_of_shipments_consolidated(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10, value_fen=1_000_000)
    body = problem(_ship(client, own, "S0", "2026-02-01"), 409)
    assert body["code"] == "batch_exit_not_enabled"
    r = client.post("/v1/books/B1/batch-exit/admission", headers=own, json={"on": "2026-02-01"})
    assert r.status_code == 201 and r.json()["enabled"] is True, r.text
    first = _ship(client, own, "S1", "2026-02-03", 2)
    assert first.status_code == 201, first.text
    assert first.json()["release_note"] and first.json()["duties"]["total_fen"] > 0
    second = _ship(client, own, "S2", "2026-02-20", 3)
    assert second.status_code == 201
    assert balance(api.platform, "B1") == 5
    r = client.post(
        "/v1/books/B1/consolidated-declarations",
        headers=own,
        json={"year": 2026, "month": 2, "on": "2026-02-27"},
    )
    assert problem(r, 409)["code"] == "period_not_ended"
    r = client.post(
        "/v1/books/B1/consolidated-declarations",
        headers=own,
        json={"year": 2026, "month": 2, "on": "2026-03-20"},
    )
    assert r.status_code == 201, r.text
    decl = r.json()
    assert decl["shipment_ids"] == ["S1", "S2"] and decl["qty"] == 5 and decl["late"] is False
    assert decl["due"] == "2026-03-25"
    # The month's tax is what each shipment's list assessed, paid together.
    assert decl["duties"]["total_fen"] == (
        first.json()["duties"]["total_fen"] + second.json()["duties"]["total_fen"]
    )
    r = client.post(
        "/v1/books/B1/consolidated-declarations",
        headers=own,
        json={"year": 2026, "month": 2, "on": "2026-03-21"},
    )
    assert problem(r, 409)["code"] == "already_declared"


def test_late_declaration_suspends_until_reinstated(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    client.post("/v1/books/B1/batch-exit/admission", headers=own, json={"on": "2026-02-01"})
    assert _ship(client, own, "S1", "2026-02-03").status_code == 201
    status = client.get("/v1/books/B1/batch-exit", headers=own, params={"on": "2026-03-26"})
    assert "late_consolidated_declaration" in status.json()["suspended"]
    r = _ship(client, own, "S2", "2026-03-26")
    assert problem(r, 409)["code"] == "batch_exit_suspended"
    r = client.post(
        "/v1/books/B1/consolidated-declarations",
        headers=own,
        json={"year": 2026, "month": 2, "on": "2026-03-27"},
    )
    assert r.status_code == 201 and r.json()["late"] is True
    r = client.post("/v1/books/B1/batch-exit/reinstatement", headers=own, json={"on": "2026-03-28"})
    assert r.status_code == 201 and r.json()["suspended"] == [], r.text
    assert _ship(client, own, "S3", "2026-03-29").status_code == 201


def test_key_attention_loses_batch_exit(api: Any, client: Any, problem: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    client.post("/v1/books/B1/batch-exit/admission", headers=own, json={"on": "2026-02-01"})
    r = client.post(
        "/v1/entities/E1/events",
        headers=ADMIN,
        json={"date": "2026-02-10", "event": "smuggling_penalty", "department": "anti_smuggling"},
    )
    assert r.json()["tier_after"] == "key_attention"
    body = problem(_ship(client, own, "S1", "2026-02-11"), 409)
    assert body["code"] == "batch_exit_suspended" and "tier_lost" in body["context"]["causes"]
    # A declaration the same day is routed with the key-attention tier (the history cache
    # sees the new event).
    r = client.post(
        "/v1/declarations",
        headers=own,
        json=declaration(1, date="2026-02-11"),
    )
    assert r.status_code == 201 and r.json()["tier"] == "key_attention"
    # ... and a declaration dated before the penalty with the tier of that day.
    r = client.post(
        "/v1/declarations",
        headers=own,
        json=declaration(1, date="2026-02-09"),
    )
    assert r.json()["tier"] == "whitelist"
