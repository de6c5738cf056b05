"""The vectorised routing treats listing grounds exactly as the pure rule does."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.routing import route_codes, treatment_arrays
from sim.rules.risk import ROUTES, RoutingPolicy, route
from sim.rules.tiers import TIERS

GROUNDS = ["", "customs", "tax", "smuggling_penalty", "customs,tax", "legal_ground_listed,tax"]


@given(
    rows=st.lists(
        st.tuples(
            st.floats(0, 20, allow_nan=False),
            st.integers(0, 2),
            st.floats(0, 1, exclude_max=True, allow_nan=False),
            st.sampled_from(GROUNDS),
        ),
        min_size=1,
        max_size=40,
    ),
    treated=st.dictionaries(
        st.sampled_from(["customs", "tax", "smuggling_penalty"]),
        st.tuples(st.floats(0, 5), st.floats(0, 1)),
    ),
)
def test_twin_agrees_with_the_rule_for_any_ground_treatment(
    rows: list[tuple[float, int, float, str]], treated: dict[str, tuple[float, float]]
) -> None:
    policy = RoutingPolicy(
        scan_threshold=3.0,
        inspection_threshold=6.0,
        multipliers={"aeo": 0.2, "whitelist": 1.0, "key_attention": 3.0},
        floors={"aeo": 0.005, "whitelist": 0.02, "key_attention": 0.2},
        grounds=treated,
    )
    score = np.array([r[0] for r in rows])
    tier = np.array([r[1] for r in rows])
    u = np.array([r[2] for r in rows])
    grounds = [r[3] for r in rows]
    codes = route_codes(score, tier, u, policy, grounds)
    expected = [route(s, TIERS[t], v, policy, g.split(",") if g else ()) for s, t, v, g in rows]
    assert [ROUTES[c] for c in codes] == expected


def test_without_grounds_the_tier_decides() -> None:
    policy = RoutingPolicy(3.0, 6.0, {"aeo": 0.2, "whitelist": 1.0, "key_attention": 3.0},
                           {"aeo": 0.0, "whitelist": 0.02, "key_attention": 0.2},
                           {"customs": (5.0, 0.9)})  # fmt: skip
    tier = np.array([2, 2, 1])
    mult, floor = treatment_arrays(tier, None, policy)
    assert mult.tolist() == [3.0, 3.0, 1.0] and floor.tolist() == [0.2, 0.2, 0.02]
    mult, floor = treatment_arrays(tier, ["customs", "", ""], policy)
    assert mult.tolist() == [5.0, 3.0, 1.0] and floor.tolist() == [0.9, 0.2, 0.02]
