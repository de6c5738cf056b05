"""Channel decisions: the platform's risk data fed to sim.rules.risk, and the selection draw."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from refplatform.routing import RiskPolicy, decide, selection_draw


def test_selection_draw_is_deterministic_and_uniform() -> None:
    draws = [selection_draw("seed", f"D{i}") for i in range(20_000)]
    assert draws[:5] == [selection_draw("seed", f"D{i}") for i in range(5)]
    assert all(0.0 <= u < 1.0 for u in draws)
    # Each tenth of [0, 1) gets its share (binomial sd ~ 42 of 2000).
    counts = [sum(1 for u in draws if k / 10 <= u < (k + 1) / 10) for k in range(10)]
    assert all(1800 < c < 2200 for c in counts), counts
    assert selection_draw("other", "D1") != selection_draw("seed", "D1")


def test_thresholds_and_tier_multipliers() -> None:
    policy = RiskPolicy(floors={"aeo": 0.0, "whitelist": 0.0, "key_attention": 0.0})
    routing = policy.routing()
    # declared_value_mismatch (3.0): scan for whitelist (x1), release for AEO (x0.2),
    # inspection for key attention (x3 = 9 >= 6).
    flags = ["declared_value_mismatch"]
    assert decide(policy, routing, flags, "whitelist", "D1") == (3.0, "scan")
    assert decide(policy, routing, flags, "aeo", "D1") == (3.0, "release")
    assert decide(policy, routing, flags, "key_attention", "D1") == (3.0, "inspection")
    assert decide(policy, routing, [], "whitelist", "D1") == (0.0, "release")


def test_random_floor_selects_its_share() -> None:
    policy = RiskPolicy(floors={"aeo": 0.0, "whitelist": 0.0, "key_attention": 0.2})
    routing = policy.routing()
    scanned = sum(
        decide(policy, routing, [], "key_attention", f"R{i}")[1] == "scan" for i in range(5000)
    )
    assert 850 < scanned < 1150  # 20% of 5000, binomial sd ~ 28


def test_policy_is_checked() -> None:
    with pytest.raises(ValidationError):
        RiskPolicy(scan_threshold=5.0, inspection_threshold=4.0)
    with pytest.raises(ValidationError):
        RiskPolicy(floors={"aeo": 0.1})
