"""Treatment by listing ground: a key-attention declarant is routed as its strictest ground."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from pydantic import ValidationError

from sim.rules.config import RulesConfig, default_rules
from sim.rules.credit import CreditEvent, classify
from sim.rules.history import EventKind
from sim.rules.oracle import listing_grounds
from sim.rules.risk import RoutingPolicy, assess_risk, packaged_risk_model, route, unknown_ground

POLICY = RoutingPolicy(
    scan_threshold=3.0,
    inspection_threshold=6.0,
    multipliers={"aeo": 0.2, "whitelist": 1.0, "key_attention": 3.0},
    floors={"aeo": 0.0, "whitelist": 0.02, "key_attention": 0.2},
    grounds={"customs": (3.0, 0.8), "smuggling_penalty": (4.0, 0.5), "tax": (1.0, 0.1)},
)


@pytest.mark.parametrize(
    ("tier", "grounds", "expected"),
    [
        ("key_attention", (), (3.0, 0.2)),  # no known ground: the tier
        ("key_attention", ("legal_ground_listed",), (3.0, 0.2)),  # no own treatment: the tier
        ("key_attention", ("customs",), (3.0, 0.8)),
        ("key_attention", ("tax",), (1.0, 0.1)),  # a ground may be treated lighter than the tier
        ("key_attention", ("tax", "legal_ground_listed"), (3.0, 0.2)),  # the tier's is stricter
        ("key_attention", ("customs", "smuggling_penalty"), (4.0, 0.8)),  # each the largest
        ("whitelist", ("customs",), (1.0, 0.02)),  # grounds only refine key attention
        ("aeo", (), (0.2, 0.0)),
    ],
)
def test_treatment_is_the_strictest_ground(
    tier: str, grounds: tuple[str, ...], expected: tuple[float, float]
) -> None:
    assert POLICY.treatment(tier, grounds) == expected


@pytest.mark.parametrize(
    ("score", "grounds", "u", "expected"),
    [
        (0.0, (), 0.5, "release"),  # tier floor 0.2
        (0.0, ("customs",), 0.5, "scan"),  # the dishonesty floor 0.8
        (0.0, ("customs",), 0.8, "release"),  # at the floor: not selected
        (1.5, ("smuggling_penalty",), 0.9, "inspection"),  # 1.5 x 4 = 6
        (1.5, ("customs",), 0.9, "scan"),  # 1.5 x 3 = 4.5
        (1.5, ("tax",), 0.9, "release"),  # 1.5 x 1 = 1.5, floor 0.1
    ],
)
def test_route_by_ground(score: float, grounds: tuple[str, ...], u: float, expected: str) -> None:
    assert route(score, "key_attention", u, POLICY, grounds) == expected


def test_the_packaged_model_separates_the_dishonesty_grounds() -> None:
    routing = packaged_risk_model().routing
    dishonest = routing.treatment("key_attention", ("customs",))
    assert dishonest == routing.treatment("key_attention", ("smuggling_penalty",))
    assert dishonest[1] >= 0.8
    for other in ("tax", "market_supervision", "serious_dishonesty_listed", "legal_ground_listed"):
        assert routing.treatment("key_attention", (other,)) == routing.treatment("key_attention")
    assert routing.treatment("key_attention", ("tax", "smuggling_penalty")) == dishonest


def _listed(*events: tuple[str, str, str | None, str | None]) -> list[CreditEvent]:
    return [
        CreditEvent("E1", "enterprise", dt.date.fromisoformat(d), cast(EventKind, e), dept, grade)
        for d, e, dept, grade in events
    ]


def test_listing_grounds_name_each_active_source_once() -> None:
    history = _listed(
        ("2025-01-10", "smuggling_penalty", "anti_smuggling", None),
        ("2025-06-01", "smuggling_penalty", "customs", None),  # a recurrence: the same ground
        ("2025-07-01", "rating", "tax", "D"),
        ("2025-09-01", "rating", "customs", "seriously_dishonest"),
        ("2026-01-01", "rating", "tax", "B"),  # tax rises: that ground ends
    )
    assert listing_grounds(classify(history, dt.date(2025, 12, 1))) == (
        "customs", "smuggling_penalty", "tax"
    )  # fmt: skip
    assert listing_grounds(classify(history, dt.date(2026, 1, 2))) == (
        "customs", "smuggling_penalty"
    )  # fmt: skip
    assert listing_grounds(classify(history, dt.date(2025, 1, 9))) == ()


def test_assess_risk_takes_the_grounds() -> None:
    model = packaged_risk_model()
    seed = model.selection_seed
    from sim.rules.risk import selection_draw

    ref = next(f"R{k}" for k in range(1000) if 0.2 <= selection_draw(seed, f"R{k}") < 0.8)
    assert assess_risk([], "key_attention", ref, model).channel == "release"
    assert assess_risk([], "key_attention", ref, model, ("customs",)).channel == "scan"
    assert assess_risk([], "key_attention", ref, model, ("tax",)).channel == "release"


def test_ground_names_are_departments_or_listing_events() -> None:
    departments = default_rules().credit.departments
    assert unknown_ground(["customs", "tax", "smuggling_penalty", "legal_ground_listed"],
                          departments) is None  # fmt: skip
    assert unknown_ground(["customs", "smugling"], departments) == "smugling"
    data = default_rules().risk.model_dump()
    data["grounds"]["weather"] = {"multiplier": 1.0, "random_floor": 0.1}
    with pytest.raises(ValidationError, match="'weather' is no listing ground"):
        RulesConfig.model_validate({"risk": data})
