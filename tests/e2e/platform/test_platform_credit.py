"""Credit feed and look-ups: tiers as of a date, grounds, members, department feeds."""

from __future__ import annotations

from typing import Any

from tests.e2e.platform.platform_support import ADMIN


def _event(client: Any, entity: str, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/v1/entities/{entity}/events", headers=headers, json=body)


def test_penalty_lists_for_three_years_then_lapses(api: Any, client: Any) -> None:
    api.enterprise("E1")
    r = _event(
        client,
        "E1",
        ADMIN,
        date="2026-03-01",
        event="smuggling_penalty",
        department="anti_smuggling",
    )
    assert r.status_code == 201, r.text
    assert (r.json()["tier_before"], r.json()["tier_after"]) == ("whitelist", "key_attention")
    tier = client.get("/v1/entities/E1/tier", headers=ADMIN, params={"as_of": "2027-01-01"})
    body = tier.json()
    assert body["tier"] == "key_attention"
    assert body["grounds"][0]["category"] == 2 and body["grounds"][0]["since"] == "2026-03-01"
    lapses = body["grounds"][0]["lapses"]
    day_before = client.get(
        "/v1/entities/E1/tier", headers=ADMIN, params={"as_of": "2029-03-01"}
    ).json()
    on_lapse = client.get("/v1/entities/E1/tier", headers=ADMIN, params={"as_of": lapses}).json()
    assert day_before["tier"] == "key_attention" and on_lapse["tier"] == "whitelist"
    before = client.get(
        "/v1/entities/E1/tier", headers=ADMIN, params={"as_of": "2026-02-28"}
    ).json()
    assert before["tier"] == "whitelist" and before["grounds"] == []


def test_aeo_and_members_by_tier(api: Any, client: Any) -> None:
    for e in ("E1", "E2", "E3"):
        api.enterprise(e)
    customs = api.token("department", "customs")
    r = _event(client, "E2", customs, date="2026-01-10", event="rating", grade="advanced_certified")
    assert r.status_code == 201 and r.json()["department"] == "customs"
    r = _event(client, "E3", ADMIN, date="2026-01-10", event="rating", department="tax", grade="D")
    assert r.json()["tier_after"] == "key_attention"
    officer = api.token("officer")

    def members(tier: str) -> list[str]:
        r = client.get(f"/v1/tiers/{tier}/members", headers=officer, params={"as_of": "2026-02-01"})
        return list(r.json()["members"])

    assert (members("aeo"), members("whitelist"), members("key_attention")) == (
        ["E2"],
        ["E1"],
        ["E3"],
    )
    page = client.get(
        "/v1/tiers/whitelist/members", headers=officer, params={"as_of": "2025-01-01", "limit": 2}
    ).json()
    assert page["members"] == ["E1", "E2"] and page["next"] == "E2"


def test_department_feed(api: Any, client: Any, problem: Any) -> None:
    api.enterprise("E1")
    tax = api.token("department", "tax")
    maritime = api.token("department", "maritime")
    r = _event(client, "E1", tax, date="2026-01-10", event="rating", grade="D")
    assert r.json()["tier_after"] == "key_attention"
    _event(client, "E1", tax, date="2026-06-01", event="rating", grade="B")
    feed = client.get("/v1/notifications", headers=tax).json()
    changes = [(n["date"], n["from"], n["to"]) for n in feed["notifications"]]
    assert changes == [
        ("2026-01-10", "whitelist", "key_attention"),
        ("2026-06-01", "key_attention", "whitelist"),
    ]
    assert feed["notifications"][0]["grounds"][0]["source"] == "tax"
    # The cursor gives nothing twice.
    later = client.get("/v1/notifications", headers=tax, params={"after": feed["next"]}).json()
    assert later["notifications"] == []
    # Another department reads its own feed only.
    r = client.get("/v1/notifications", headers=maritime, params={"department": "tax"})
    assert problem(r, 403)["field"] == "query.department"
    # A department posts for itself only.
    r = _event(
        client, "E1", maritime, date="2026-07-01", event="rating", department="tax", grade="D"
    )
    assert problem(r, 403)["code"] == "forbidden"


def test_bad_events_name_the_field(api: Any, client: Any, problem: Any) -> None:
    api.enterprise("E1")
    api.individual("P1")
    r = _event(client, "E1", ADMIN, date="2026-01-10", event="rating", department="tax", grade="Z")
    body = problem(r, 422)
    assert body["code"] == "invalid_event" and body["field"] == "body.grade"
    r = _event(client, "E1", ADMIN, date="2026-01-10", event="coronation")
    assert problem(r, 422)["field"] == "body.event"
    r = _event(client, "P1", ADMIN, date="2026-01-10", event="smuggling_penalty")
    assert problem(r, 422)["field"] == "body.event"
    r = _event(client, "nobody", ADMIN, date="2026-01-10", event="violation")
    assert problem(r, 404)["code"] == "unknown_entity"
    r = client.post("/v1/tokens", headers=ADMIN, json={"role": "department", "entity": "fbi"})
    assert problem(r, 422)["field"] == "body.entity"


def test_enterprise_reads_its_own_tier_only(api: Any, client: Any, problem: Any) -> None:
    own = api.enterprise("E1")
    api.enterprise("E2")
    r = client.get("/v1/entities/E1/tier", headers=own, params={"as_of": "2026-01-01"})
    assert r.json()["tier"] == "whitelist"
    r = client.get("/v1/entities/E2/tier", headers=own, params={"as_of": "2026-01-01"})
    assert problem(r, 403)["code"] == "forbidden"
    r = client.get("/v1/tiers/aeo/members", headers=own, params={"as_of": "2026-01-01"})
    assert problem(r, 403)["code"] == "forbidden"
