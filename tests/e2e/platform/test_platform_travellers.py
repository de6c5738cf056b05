"""The departure check of duty-free purchases against the annual quota (integer fen)."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.platform_support import ADMIN, id_number

QUOTA = 10_000_000  # 100,000 CNY in fen


def _check(client: Any, who: str, date: str, *amounts: int) -> Any:
    return client.post(
        f"/v1/travellers/{who}/departure-checks",
        headers=ADMIN,
        json={"date": date, "port": "meilan", "purchases": [{"amount_fen": a} for a in amounts]},
    )


def test_quota_counts_the_calendar_year(api: Any, client: Any) -> None:
    api.individual("P1")  # born 1990: an adult
    first = _check(client, "P1", "2026-03-01", 6_000_000, 3_999_999).json()
    assert first["decision"] == "pass" and first["remaining_fen"] == 1
    exact = _check(client, "P1", "2026-05-01", 1).json()
    assert exact["decision"] == "pass" and exact["used_fen"] == QUOTA
    over = _check(client, "P1", "2026-06-01", 250).json()
    assert over["decision"] == "over_quota" and over["excess_fen"] == 250
    next_year = _check(client, "P1", "2027-01-01", QUOTA).json()
    assert next_year["decision"] == "pass" and next_year["used_before_fen"] == 0


def test_minors_and_bad_input(api: Any, client: Any, problem: Any) -> None:
    born = id_number(7, born="20080302")  # 18 on 2026-03-02
    r = client.post(
        "/v1/entities", headers=ADMIN, json={"id": "kid", "kind": "individual", "code": born}
    )
    assert r.status_code == 201, r.text
    assert _check(client, "kid", "2026-03-01", 100).json()["decision"] == "underage"
    assert _check(client, "kid", "2026-03-02", 100).json()["decision"] == "pass"
    api.enterprise("E1")
    assert problem(_check(client, "E1", "2026-03-01", 100), 422)["code"] == "not_an_individual"
    assert problem(_check(client, "ghost", "2026-03-01", 100), 404)["code"] == "unknown_entity"
    r = _check(client, "kid", "2026-03-01", -5)
    assert problem(r, 422)["field"] == "body.purchases.0.amount_fen"
