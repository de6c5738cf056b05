"""Channel decisions: a declaration's risk indicators and tier -> release, scan or inspection.

The decision itself is ``sim.rules.risk``'s: the score is the sum of the weights of the risk
indicators the declaration shows (:func:`~sim.rules.risk.risk_score`), scaled by the tier's
multiplier and compared with the thresholds, with a random-selection floor per tier
(:func:`~sim.rules.risk.route`). This module holds the platform's *data* for it,
:class:`RiskPolicy`, whose defaults equal the scenario defaults of the model
(``sim/scenario/policy.py``; every figure there is an assumption [A]), and the one draw the rule
needs. The draw is not random: ``u_select`` is a hash of the declaration's reference and the
policy's ``selection_seed``, so the same declaration always gets the same channel and a workload
generator that knows the seed can predict every decision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.rules.risk import RoutingPolicy, risk_score, route

__all__ = ["RiskPolicy", "decide", "selection_draw"]


def _features() -> dict[str, float]:
    return {
        "declared_value_mismatch": 3.0,
        "high_risk_commodity": 2.0,
        "prior_record": 2.5,
        "route_anomaly": 1.5,
        "new_consignor": 1.0,
    }


class RiskPolicy(BaseModel):
    """The risk model and routing policy the platform applies [A].

    Attributes:
        features: Risk indicator -> weight.
        scan_threshold: Adjusted score at or above which the goods are scanned.
        inspection_threshold: Adjusted score at or above which they go to inspection.
        multipliers: Tier -> factor on the score.
        floors: Tier -> probability of a random scan when the score does not flag.
        selection_seed: Mixed into the random-selection hash.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    features: dict[str, float] = Field(default_factory=_features)
    scan_threshold: float = Field(3.0, gt=0)
    inspection_threshold: float = Field(6.0, gt=0)
    multipliers: dict[str, float] = Field(
        default_factory=lambda: {"aeo": 0.2, "whitelist": 1.0, "key_attention": 3.0}
    )
    floors: dict[str, float] = Field(
        default_factory=lambda: {"aeo": 0.005, "whitelist": 0.02, "key_attention": 0.2}
    )
    selection_seed: str = "refplatform"

    @model_validator(mode="after")
    def _complete(self) -> RiskPolicy:
        if self.inspection_threshold < self.scan_threshold:
            raise ValueError("inspection_threshold must be >= scan_threshold")
        for name in ("multipliers", "floors"):
            missing = {"aeo", "whitelist", "key_attention"} - set(getattr(self, name))
            if missing:
                raise ValueError(f"{name} lacks tiers {sorted(missing)}")
        return self

    def routing(self) -> RoutingPolicy:
        """The plain policy ``sim.rules.risk.route`` takes."""
        return RoutingPolicy(
            scan_threshold=self.scan_threshold,
            inspection_threshold=self.inspection_threshold,
            multipliers=dict(self.multipliers),
            floors=dict(self.floors),
        )


def selection_draw(seed: str, reference: str) -> float:
    """A uniform number in [0, 1) determined by ``seed`` and the declaration reference."""
    digest = hashlib.blake2b(f"{seed}\x00{reference}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def decide(
    policy: RiskPolicy, routing: RoutingPolicy, indicators: Sequence[str], tier: str, reference: str
) -> tuple[float, str]:
    """Score a declaration and choose its channel.

    Args:
        policy: The platform's risk policy (feature weights, seed).
        routing: ``policy.routing()``, built once.
        indicators: The risk indicators the declaration shows (names of ``policy.features``).
        tier: The declarant's credit tier on the declaration date.
        reference: The declaration's reference (seeds the random selection).

    Returns:
        ``(score, channel)``; the channel is ``release``, ``scan`` or ``inspection``.
    """
    names = list(policy.features)
    shown = set(indicators)
    score = risk_score([n in shown for n in names], [policy.features[n] for n in names])
    return score, route(score, tier, selection_draw(policy.selection_seed, reference), routing)
