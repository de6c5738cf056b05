"""The model's vectorised routing agrees with the pure rules, and tiers follow their shares."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.routing import SharesTierSource, TierDraw, decide, inspect, route_codes
from sim.rules.risk import ROUTES, RoutingPolicy, assess_risk, is_detected, route
from sim.rules.tiers import TIERS
from sim.scenario import Scenario


def test_vectorised_route_agrees_with_the_rule() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    score = rng.choice([0.0, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 9.5], size=n)
    tier = rng.integers(0, 3, size=n)
    u = rng.random(n)
    routing = Scenario().policy.routing()
    codes = route_codes(score, tier, u, routing)
    expected = [
        route(float(s), TIERS[t], float(v), routing) for s, t, v in zip(score, tier, u, strict=True)
    ]
    assert [ROUTES[c] for c in codes] == expected
    assert {"release", "scan", "inspection"} <= set(expected)  # the table exercised every route


def test_decisions_match_the_rules_for_detection() -> None:
    policy = Scenario().policy
    n = 20000
    days = np.zeros(n, dtype=np.int64)
    draw = SharesTierSource(policy).draw("xinhai", "cargo_truck", days, np.random.default_rng(1))
    assert draw is not None
    refs = [f"R{i}" for i in range(n)]
    d = decide(draw, policy, refs, np.random.default_rng(2))
    found = inspect(d.first, draw.violation, policy.detection, np.random.default_rng(3))
    det = policy.detection.model_dump()
    # detection only where the final channel can catch it
    for i in np.flatnonzero(draw.violation)[:200]:
        final = ROUTES[found.final[i]]
        if found.detected[i]:
            assert is_detected(True, final, 0.0, det)
    assert not found.detected[~draw.violation].any()
    # scanned trucks with an anomaly end in inspection
    assert np.all(found.final[(d.first == 1) & found.anomaly] == 2)


def test_vectorised_decisions_are_the_oracles_one_by_one() -> None:
    """Score, indicators and channel of each Poisson truck equal assess_risk on its reference."""
    policy = Scenario().policy
    model = policy.risk_model()
    n = 3000
    days = np.zeros(n, dtype=np.int64)
    draw = SharesTierSource(policy).draw("xinhai", "cargo_truck", days, np.random.default_rng(1))
    assert draw is not None
    refs = [f"S1R0-TR-xinhai-{i}" for i in range(n)]
    d = decide(draw, policy, refs, np.random.default_rng(2))
    for i in range(n):
        shown = [x for x in d.indicators[i].split(",") if x]
        one = assess_risk(shown, TIERS[draw.tier[i]], refs[i], model)
        assert one.channel == ROUTES[d.first[i]] and one.score == d.score[i]
    assert set(d.first.tolist()) == {0, 1, 2}


def test_tier_shares_and_violation_rates() -> None:
    policy = Scenario().policy
    n = 200_000
    days = np.zeros(n, dtype=np.int64)
    draw = SharesTierSource(policy).draw("x", "cargo_truck", days, np.random.default_rng(5))
    assert draw is not None
    assert (
        SharesTierSource(policy).draw("x", "duty_free_traveller", days, np.random.default_rng(5))
        is None
    )
    shares = np.bincount(draw.tier, minlength=3) / n
    assert np.allclose(shares, [0.15, 0.80, 0.05], atol=0.005)
    key = draw.tier == 2
    assert abs(draw.violation[key].mean() - 0.05) < 0.006


def test_a_custom_tier_source_plugs_in() -> None:
    """The seam: a tier source that makes every declarant key-attention and a violator."""

    class AllBad:
        def draw(
            self, port: str, flow: str, days: np.ndarray, rng: np.random.Generator
        ) -> TierDraw | None:
            if flow != "cargo_truck":
                return None
            n = len(days)
            return TierDraw(tier=np.full(n, 2, dtype=np.int8), violation=np.ones(n, dtype=bool))

    from sim.model import simulate

    # Poisson trucks: with goods driving them, the shipments' enterprises declare instead
    scenario = Scenario.model_validate(
        {"active_ports": ["haikou"], "horizon_hours": 6, "goods": {"drives_trucks": False}}
    )
    result = simulate(scenario, tier_source=AllBad())
    trucks = result.records
    assert len(trucks) > 0
    assert set(trucks["tier"]) == {"key_attention"} and trucks["violation"].all()
    # violators score high and key-attention multiplies: few are released without a stop
    # (only those showing no feature at all and escaping the 20% random floor, ~5%)
    assert np.mean(trucks["route"] == "release") < 0.15


@given(
    rows=st.lists(
        st.tuples(
            st.floats(0, 20, allow_nan=False),
            st.integers(0, 2),
            st.floats(0, 1, exclude_max=True, allow_nan=False),
        ),
        min_size=1,
        max_size=50,
    ),
    scan=st.floats(0.1, 10),
    extra=st.floats(0, 10),
    mult=st.lists(st.floats(0, 5), min_size=3, max_size=3),
    floors=st.lists(st.floats(0, 1), min_size=3, max_size=3),
)
def test_twin_agrees_for_any_policy(
    rows: list[tuple[float, int, float]],
    scan: float,
    extra: float,
    mult: list[float],
    floors: list[float],
) -> None:
    policy = RoutingPolicy(
        scan_threshold=scan,
        inspection_threshold=scan + extra,
        multipliers=dict(zip(TIERS, mult, strict=True)),
        floors=dict(zip(TIERS, floors, strict=True)),
    )
    score = np.array([r[0] for r in rows])
    tier = np.array([r[1] for r in rows])
    u = np.array([r[2] for r in rows])
    codes = route_codes(score, tier, u, policy)
    assert [ROUTES[c] for c in codes] == [route(s, TIERS[t], v, policy) for s, t, v in rows]
