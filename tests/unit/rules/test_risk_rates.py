"""Control rates computed exactly, checked by sampling and against the national credit rules."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from sim.rules.risk import RiskModel, packaged_risk_model
from sim.rules.risk_rates import control_rates, score_distribution
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[3]
MODEL = packaged_risk_model()


def test_score_distribution_is_the_enumeration_of_every_indicator_combination() -> None:
    for violating in (False, True):
        dist = score_distribution(MODEL, violating)
        assert sum(dist.values()) == pytest.approx(1.0)
        brute: dict[float, float] = {}
        for shown in itertools.product((False, True), repeat=len(MODEL.features)):
            p, score = 1.0, 0.0
            for on, f in zip(shown, MODEL.features, strict=True):
                q = f.prevalence_violating if violating else f.prevalence_clean
                p *= q if on else 1 - q
                score += f.weight if on else 0.0
            brute[score] = brute.get(score, 0.0) + p
        assert dist.keys() == brute.keys()
        assert all(dist[s] == pytest.approx(brute[s]) for s in brute)


@pytest.mark.parametrize(
    ("tier", "grounds", "share"),
    [("aeo", (), 0.002), ("whitelist", (), 0.01), ("key_attention", (), 0.05),
     ("key_attention", ("customs",), 0.05), ("key_attention", ("smuggling_penalty",), 0.3)],
)  # fmt: skip
def test_control_rates_agree_with_sampled_routing(
    tier: str, grounds: tuple[str, ...], share: float
) -> None:
    rng = np.random.default_rng(11)
    n = 400_000
    violating = rng.random(n) < share
    p_clean = np.array([f.prevalence_clean for f in MODEL.features])
    p_bad = np.array([f.prevalence_violating for f in MODEL.features])
    shown = rng.random((n, len(MODEL.features))) < np.where(violating[:, None], p_bad, p_clean)
    multiplier, floor = MODEL.routing.treatment(tier, grounds)
    adjusted = shown @ np.array([f.weight for f in MODEL.features]) * multiplier
    stop = (adjusted >= MODEL.scan_threshold) | (rng.random(n) < floor)
    inspection = adjusted >= MODEL.inspection_threshold
    rates = control_rates(MODEL, tier, grounds, share)
    for sampled, exact in ((stop.mean(), rates.stop), (inspection.mean(), rates.inspection)):
        assert abs(sampled - exact) < 4 * np.sqrt(exact * (1 - exact) / n) + 1e-9


@pytest.mark.parametrize("share", [0.0, 0.002, 0.01, 0.05])
def test_aeo_is_inspected_below_a_fifth_of_the_whitelist_rate(share: float) -> None:
    """GAC Order 251: AEO below 20% of the routine-management average (docs/sources.md)."""
    aeo = control_rates(MODEL, "aeo", (), share).stop
    whitelist = control_rates(MODEL, "whitelist", (), share).stop
    assert 0 < aeo < 0.2 * whitelist


@pytest.mark.parametrize("ground", ["customs", "smuggling_penalty"])
@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_dishonest_enterprises_are_inspected_at_least_80_percent(ground: str, share: float) -> None:
    """GAC Order 237: an enterprise customs rates dishonest is inspected 80% of the time or more."""
    assert control_rates(MODEL, "key_attention", (ground,), share).stop >= 0.8
    assert control_rates(MODEL, "key_attention", (ground, "tax"), share).stop >= 0.8


def test_other_grounds_are_inspected_more_than_the_whitelist_but_below_the_minimum() -> None:
    """'More inspection' for key attention (mhsc10-tiers); no published minimum: ~35% [A]."""
    whitelist = control_rates(MODEL, "whitelist", (), 0.01).stop
    for ground in ("tax", "serious_dishonesty_listed", "legal_ground_listed"):
        rate = control_rates(MODEL, "key_attention", (ground,), 0.05).stop
        assert 3 * whitelist < rate < 0.8


def test_a_scenario_policy_gives_its_own_rates() -> None:
    scenario = load_scenario(
        ROOT / "scenarios" / "baseline.yaml",
        ["policy.grounds.tax={inspection_multiplier: 3.0, random_floor: 0.9}"],
    )
    model: RiskModel = scenario.policy.risk_model()
    assert model == scenario.rules_config().risk  # what the platform is handed
    assert control_rates(model, "key_attention", ("tax",)).stop >= 0.9
    assert control_rates(model, "key_attention", ("customs",)).stop >= 0.8  # packaged kept
    with pytest.raises(ValueError, match="violation share"):
        control_rates(model, "aeo", (), 1.5)
