"""Members by tier come from stored tier spans; they must agree with classifying every entity."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from tests.e2e.platform.platform_support import ADMIN

# Events the API accepts for enterprises, with who posts them (the rules' departments/grades).
_EVENTS: list[dict[str, Any]] = [
    {"event": "rating", "department": "customs", "grade": "advanced_certified"},
    {"event": "rating", "department": "tax", "grade": "D"},
    {"event": "rating", "department": "tax", "grade": "B"},
    {"event": "smuggling_penalty", "department": "anti_smuggling"},
    {"event": "violation", "department": "customs"},
]


def _members(client: Any, tier: str, as_of: dt.date, kind: str | None = None) -> list[str]:
    found: list[str] = []
    after = ""
    while True:
        params: dict[str, Any] = {"as_of": as_of.isoformat(), "after": after, "limit": 7}
        if kind:
            params["kind"] = kind
        page = client.get(f"/v1/tiers/{tier}/members", headers=ADMIN, params=params).json()
        found += page["members"]
        if page["next"] is None:
            return found
        after = page["next"]


def test_members_match_each_entitys_own_tier_on_every_date(api: Any, client: Any) -> None:
    rng = random.Random(20251218)
    entities = [f"E{n:02d}" for n in range(24)]
    for entity in entities:
        api.enterprise(entity)
    api.individual("P01")
    start = dt.date(2024, 1, 1)
    for entity in entities[:18]:
        for _ in range(rng.randint(1, 4)):
            body = dict(rng.choice(_EVENTS))
            body["date"] = (start + dt.timedelta(days=rng.randint(0, 900))).isoformat()
            r = client.post(f"/v1/entities/{entity}/events", headers=ADMIN, json=body)
            assert r.status_code in (201, 422), r.text  # 422: e.g. an event the rules refuse
    tiers = ("aeo", "whitelist", "key_attention")
    seen: set[str] = set()
    for days in (0, 200, 400, 800, 1200, 1600):  # past 3-year lapses of the penalties too
        as_of = start + dt.timedelta(days=days)
        expected: dict[str, list[str]] = {t: [] for t in tiers}
        for entity in [*entities, "P01"]:
            tier = client.get(
                f"/v1/entities/{entity}/tier", headers=ADMIN, params={"as_of": as_of.isoformat()}
            ).json()["tier"]
            expected[tier].append(entity)
        for tier in tiers:
            assert _members(client, tier, as_of) == expected[tier], (tier, as_of)
            seen |= {tier} if expected[tier] else set()
        assert _members(client, "whitelist", as_of, kind="individual") == ["P01"]
    assert seen == set(tiers)  # the histories reached every tier: the comparison has power
