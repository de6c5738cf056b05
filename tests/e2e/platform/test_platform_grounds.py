"""The platform routes a key-attention declarant as its strictest listing ground, as the oracle.

Two enterprises on the key-attention list declare the same clean goods (no risk indicator) under
references whose random-selection number lies between the key-attention tier's floor (0.2) and
the dishonesty grounds' (0.8): the one listed for a smuggling penalty (a dishonest enterprise
for customs, inspected at least 80% of the time) is scanned; the one listed for a tax D rating
(no published minimum: the tier's treatment) is released. Each answer is the oracle's decision
with the declarant's grounds as of the declaration date.
"""

from __future__ import annotations

from typing import Any

from sim.rules.config import default_rules
from sim.rules.risk import selection_draw
from tests.e2e.platform.goods_flow import declaration, ready_book
from tests.e2e.platform.platform_support import ADMIN


def _references(prefix: str, n: int) -> list[str]:
    """References whose random-selection number is in [0.2, 0.8) under the packaged model."""
    seed = default_rules().risk.selection_seed
    out, k = [], 0
    while len(out) < n:
        ref = f"{prefix}-{k}"
        if 0.2 <= selection_draw(seed, ref) < 0.8:
            out.append(ref)
        k += 1
    return out


def _list(client: Any, entity: str, **event: Any) -> None:
    r = client.post(f"/v1/entities/{entity}/events", headers=ADMIN,
                    json={"date": "2026-01-20", **event})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["tier_after"] == "key_attention"


def test_a_dishonesty_ground_raises_the_floor_another_ground_does_not(
    api: Any, client: Any
) -> None:
    smuggler = ready_book(api.platform, "E1", "B1", qty=10)
    taxed = ready_book(api.platform, "E2", "B2", qty=10)
    _list(client, "E1", event="smuggling_penalty", department="anti_smuggling")
    _list(client, "E2", event="rating", department="tax", grade="D")
    grounds = client.get("/v1/entities/E1/tier", headers=ADMIN, params={"as_of": "2026-02-01"})
    assert [g["source"] for g in grounds.json()["grounds"]] == ["smuggling_penalty"]
    for headers, book, prefix, expected in ((smuggler, "B1", "SM", "scan"),
                                            (taxed, "B2", "TX", "release")):  # fmt: skip
        for ref in _references(prefix, 3):
            r = client.post("/v1/declarations", headers=headers,
                            json=declaration(1, book, reference=ref))  # fmt: skip
            assert r.status_code == 201, r.text
            out = r.json()
            assert (out["tier"], out["risk_score"]) == ("key_attention", 0.0)
            assert out["channel"] == expected, (prefix, ref)
    # Before the listing the same declarant is on the whitelist (floor 0.02): released.
    early = declaration(1, "B1", reference=_references("EARLY", 1)[0], date="2026-01-19")
    r = client.post("/v1/declarations", headers=smuggler, json=early)
    assert (r.json()["tier"], r.json()["channel"]) == ("whitelist", "release")
