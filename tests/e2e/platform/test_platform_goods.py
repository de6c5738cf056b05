"""Goods: the full process through the API, decisions from sim.rules, books kept apart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from refplatform.models import Declaration
from sim.rules.goods import Movement, Regime, applicable_taxes, compute_duties, default_tariff
from tests.e2e.platform.goods_flow import BEEF, balance, declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN, ThreadServer


def _declare(client: Any, headers: dict[str, str], book: str, qty: int, **extra: Any) -> Any:
    return client.post("/v1/declarations", headers=headers, json=declaration(qty, book, **extra))


def test_declaration_writes_off_and_assesses_duties(api: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10, value_fen=1_000_000)
    r = _declare(client, own, "B1", 4, reference="D-1")
    assert r.status_code == 201, r.text
    out = r.json()
    # Zero-tariff beef to the mainland pays duty and VAT on its booked value (4/10 of it).
    expected = compute_duties(400_000, default_tariff().line(BEEF))
    assert out["duties"]["total_fen"] == expected.total_fen > 0
    assert out["duties"]["duty_fen"] == expected.duty_fen
    assert out["tier"] == "whitelist" and out["channel"] in {"release", "scan", "inspection"}
    assert balance(api.platform, "B1") == 6
    again = client.get(f"/v1/declarations/{out['id']}", headers=own).json()
    assert again == out
    listed = client.get("/v1/declarations", headers=own, params={"book": "B1"}).json()
    assert [d["reference"] for d in listed] == ["D-1"]
    r = _declare(client, own, "B1", 1, reference="D-1")
    assert r.status_code == 409 and r.json()["field"] == "body.reference"
    assert balance(api.platform, "B1") == 6


def test_channel_follows_indicators_and_tier(api: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    # Default policy: whitelist x1.0; scan at 3, inspection at 6 (weights 3.0 + 2.5 + 1.5 = 7).
    heavy = ["declared_value_mismatch", "prior_record", "route_anomaly"]
    r = _declare(client, own, "B1", 1, risk_indicators=heavy)
    assert (r.json()["risk_score"], r.json()["channel"]) == (7.0, "inspection")
    r = _declare(client, own, "B1", 1, risk_indicators=["declared_value_mismatch"])
    assert r.json()["channel"] == "scan"
    officer = api.token("officer")
    r = client.post(
        f"/v1/declarations/{r.json()['id']}/inspection",
        headers=officer,
        json={"on": "2026-02-01", "channel": "scan", "result": "clear"},
    )
    assert r.status_code == 200 and r.json()["inspection"]["result"] == "clear"
    r = client.post(
        f"/v1/declarations/{r.json()['id']}/inspection",
        headers=own,
        json={"on": "2026-02-01", "channel": "scan", "result": "clear"},
    )
    assert r.status_code == 403


def test_refusal_carries_the_rule_reason_and_changes_nothing(
    api: Any, client: Any, problem: Any
) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=3)
    body = problem(_declare(client, own, "B1", 4), 409)
    assert body["code"] == "insufficient_balance"
    assert body["context"]["balance"] == 3
    assert balance(api.platform, "B1") == 3
    r = _declare(client, own, "B1", 1, risk_indicators=["astrology"])
    assert problem(r, 422)["field"] == "body.risk_indicators"
    r = _declare(client, own, "B1", 1, port="atlantis")
    body = problem(r, 422)
    assert body["field"] == "body.port" and "xinhai" in body["detail"]
    r = _declare(client, own, "GHOST", 1)
    assert problem(r, 404)["code"] == "unknown_book"
    r = client.post("/v1/books/B1/entries/nope/booking", headers=own, json={"on": "2026-01-10"})
    assert problem(r, 422)["code"] == "unknown_item"


def test_booking_after_14_days_is_refused(api: Any, client: Any, problem: Any) -> None:
    own = api.enterprise("E1")
    client.post("/v1/qualifications", headers=own, json={"entity": "E1", "on": "2026-01-01"})
    client.post("/v1/books", headers=own, json={"id": "B1", "entity": "E1", "on": "2026-01-01"})
    r = client.post(
        "/v1/books/B1/entries",
        headers=own,
        json={
            "entry_id": "IN1",
            "item": "beef",
            "code": BEEF,
            "qty": 5,
            "value_fen": 50_000,
            "released": "2026-01-02",
        },
    )
    assert r.status_code == 201
    r = client.post("/v1/books/B1/entries/IN1/booking", headers=own, json={"on": "2026-01-17"})
    assert problem(r, 409)["code"] == "booking_overdue"


def test_enterprise_outside_hainan_is_not_qualified(api: Any, client: Any, problem: Any) -> None:
    own = api.enterprise("E1", hainan=False)
    r = client.post("/v1/qualifications", headers=own, json={"entity": "E1", "on": "2026-01-01"})
    assert problem(r, 409)["code"] == "not_eligible"
    r = client.post("/v1/books", headers=own, json={"id": "B1", "entity": "E1", "on": "2026-01-01"})
    assert problem(r, 409)["code"] == "not_qualified"


def test_enterprise_cannot_touch_another_book(api: Any, client: Any, problem: Any) -> None:
    ready_book(api.platform, "E1", "B1", qty=5)
    intruder = api.enterprise("E2")
    assert problem(client.get("/v1/books/B1", headers=intruder), 403)["code"] == "forbidden"
    assert problem(_declare(client, intruder, "B1", 1), 403)["code"] == "forbidden"
    r = client.post(
        "/v1/books/B1/entries",
        headers=intruder,
        json={
            "entry_id": "X",
            "item": "beef",
            "code": BEEF,
            "qty": 1,
            "value_fen": 1,
            "released": "2026-01-06",
        },
    )
    assert r.status_code == 403
    r = client.get("/v1/declarations", headers=intruder, params={"book": "B1"})
    assert r.status_code == 403
    r = client.post(
        "/v1/books", headers=intruder, json={"id": "B9", "entity": "E1", "on": "2026-01-05"}
    )
    assert r.status_code == 403
    r = client.post(
        "/v1/books/B1/transfers",
        headers=intruder,
        json={"item": "beef", "qty": 1, "on": "2026-01-20"},
    )
    assert r.status_code == 403
    assert balance(api.platform, "B1") == 5


def test_transfers_and_processing(api: Any, client: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    other = ready_book(api.platform, "E2", "B2", qty=1)
    r = client.post(
        "/v1/books/B1/transfers",
        headers=own,
        json={"item": "beef", "qty": 4, "on": "2026-01-20", "to_book": "B2"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["duties"]["total_fen"] == 0  # eligible to eligible: free
    # Into another enterprise's book: nothing moves until E2 accepts.
    assert r.json()["status"] == "pending"
    assert (balance(api.platform, "B1"), balance(api.platform, "B2")) == (10, 1)
    accepted = client.post(
        f"/v1/transfers/{r.json()['id']}/acceptance", headers=other, json={"on": "2026-01-20"}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "done"
    assert (balance(api.platform, "B1"), balance(api.platform, "B2")) == (6, 5)
    r = client.post(
        "/v1/books/B1/transfers", headers=own, json={"item": "beef", "qty": 1, "on": "2026-01-21"}
    )
    assert r.status_code == 201 and r.json()["duties"]["total_fen"] > 0  # to a non-eligible
    r = client.post(
        "/v1/books/B1/processing",
        headers=own,
        json={
            "order_id": "P1",
            "inputs": {"beef": 2},
            "outputs": {"jerky": {"code": "1602.50", "qty": 1}},
            "batches": 2,
            "on": "2026-01-22",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["consumed"] == {"beef": 4} and r.json()["produced"] == {"jerky": 2}
    assert (balance(api.platform, "B1"), balance(api.platform, "B1", "jerky")) == (1, 2)


def test_fifty_write_offs_against_thirty(api: Any, app: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=30)
    with ThreadServer(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:

        def _one(i: int) -> int:
            r = http.post(
                "/v1/declarations",
                headers=own,
                json=declaration(1, reference=f"RACE-{i}"),
            )
            # Once the 30 are gone the position holds 0: insufficient_balance (409).
            if r.status_code != 201:
                assert r.json()["code"] == "insufficient_balance", r.text
            return r.status_code

        with ThreadPoolExecutor(50) as pool:
            statuses = list(pool.map(_one, range(50)))
        state = http.get("/v1/books/B1", headers=ADMIN).json()
    assert statuses.count(201) == 30 and len(statuses) == 50
    assert state["state"]["positions"].get("beef", {"qty": 0})["qty"] == 0
    with app.state.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Declaration)) == 30


def test_racing_repeats_of_one_declaration_write_off_once(api: Any, app: Any) -> None:
    own = ready_book(api.platform, "E1", "B1", qty=10)
    headers = {**own, "Idempotency-Key": "decl-42"}
    body = {
        "book": "B1",
        "port": "nangang",
        "date": "2026-02-01",
        "lines": [{"item": "beef", "qty": 3}],
    }  # no reference: the platform makes one
    with ThreadServer(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:

        def _one(_: int) -> tuple[int, bytes]:
            r = http.post("/v1/declarations", headers=headers, json=body)
            return r.status_code, r.content

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(_one, range(24)))
        left = http.get("/v1/books/B1", headers=ADMIN).json()["state"]["positions"]["beef"]["qty"]
    assert {status for status, _ in answers} == {201}
    assert len({content for _, content in answers}) == 1  # the same declaration every time
    assert left == 7
    with app.state.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Declaration)) == 1


def test_racing_creations_conflict_rather_than_fail(api: Any, app: Any) -> None:
    own = api.enterprise("E1")
    assert (
        api.client.post(
            "/v1/qualifications", headers=own, json={"entity": "E1", "on": "2026-01-05"}
        ).status_code
        == 201
    )
    with ThreadServer(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as http:

        def _one(_: int) -> int:
            return http.post(
                "/v1/books", headers=own, json={"id": "B1", "entity": "E1", "on": "2026-01-05"}
            ).status_code

        with ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(_one, range(10)))
    assert sorted(statuses) == [201] + [409] * 9


def test_processed_goods_value_added_rule_at_exit(api: Any, client: Any, problem: Any) -> None:
    """Imported beef made into jerky by an encouraged enterprise: 29.9% vs 30.0% value added."""
    own = api.enterprise("E1")
    r = client.post(
        "/v1/qualifications",
        headers=own,
        json={"entity": "E1", "on": "2026-01-05", "encouraged": True},
    )
    assert r.status_code == 201 and r.json()["encouraged"] is True
    client.post("/v1/books", headers=own, json={"id": "B1", "entity": "E1", "on": "2026-01-05"})
    client.post(
        "/v1/books/B1/entries",
        headers=own,
        json={
            "entry_id": "IN1",
            "item": "beef",
            "code": BEEF,
            "qty": 20,
            "value_fen": 200_000,
            "released": "2026-01-06",
        },
    )
    client.post("/v1/books/B1/entries/IN1/booking", headers=own, json={"on": "2026-01-07"})
    r = client.post(
        "/v1/books/B1/processing",
        headers=own,
        json={
            "order_id": "P1",
            "inputs": {"beef": 1},
            "outputs": {"jerky": {"code": "1602.50", "qty": 1}},
            "batches": 20,
            "on": "2026-01-08",
        },
    )
    assert r.status_code == 201 and r.json()["regime"] == "processing_value_added", r.text
    # Two units carry 20,000 fen of imported inputs: 26,000 is exactly 30% added, 25,980 is 29.9%.
    jerky = default_tariff().line("1602.50")

    def exit_line(ref: str, price: int | None) -> Any:
        line: dict[str, Any] = {"item": "jerky", "qty": 2}
        if price is not None:
            line["price_fen"] = price
        return _declare(client, own, "B1", 0, reference=ref, lines=[line])

    assert problem(exit_line("J0", None), 422)["code"] == "missing_price"
    at = exit_line("J1", 26_000).json()["lines"][0]
    assert at["duty_exempt"] is True and at["value_added"] == 0.3
    assert at["duties"]["duty_fen"] == 0
    no_duty = applicable_taxes(
        Regime.PROCESSING_VALUE_ADDED, Movement.SECOND_LINE_EXIT, jerky, value_added_met=True
    )
    # VAT on the sale price alone (no duty in its base): 13% of 26,000.
    assert at["duties"]["vat_fen"] == compute_duties(26_000, jerky, no_duty).vat_fen == 3_380
    below = exit_line("J2", 25_980).json()["lines"][0]
    assert below["duty_exempt"] is False
    assert below["duties"]["duty_fen"] == compute_duties(25_980, jerky).duty_fen > 0
