"""Clearance policy: credit tiers, listing grounds, the risk model, detection and priority.

Supervised trucks are declared by enterprises in one of three credit tiers: advanced-certified
(AEO), whitelist (everyone else, automatically) and key-attention. Under ``declarants: shares``
each truck's tier is drawn from ``tier_shares`` and a violation is planted with the tier's
``violation_rate`` (so detection and leakage can be measured); under the default
``declarants: population`` declarants come from the synthetic population, with their tier and
their active listing grounds classified as of the day.

The risk model is data: binary features with weights, each shown by clean and violating
declarations at different rates (``prevalence_clean`` / ``prevalence_violating``). The score,
times the declarant's multiplier, is compared with the scan and inspection thresholds; a
``random_floor`` selects unflagged trucks for a scan at random, by a hash of the declaration's
reference and ``risk.selection_seed``. See :mod:`sim.rules.risk`. A key-attention declarant is
treated as its strictest listing ground (``grounds``; a ground without its own treatment counts as
the tier). The defaults of the risk model and of the treatment by tier and ground are the packaged
``sim/rules/data/risk_model.yaml`` (the reference platform starts from the same file);
:meth:`Policy.risk_model` turns the section back into the rules' :class:`~sim.rules.risk.RiskModel`.
``priority`` says which waiting trucks busy resources serve first (:mod:`sim.scenario.priority`).

What is sourced (see ``docs/sources.md``): the national bounds on treatment, an AEO's average
inspection rate below 20% of that of enterprises under routine management ([S] gac-order-251),
an enterprise customs rates dishonest inspected at least 80% of the time ([S] gac-order-237),
which the two dishonesty grounds' random floor of 0.8 implements ([S] gac-dishonest-smuggling
for smuggling). Every other figure is an assumption [A]; no second-line rate is published.
:mod:`sim.rules.risk_rates` computes the rates a policy gives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.rules.risk import RiskFeature as RulesRiskFeature
from sim.rules.risk import RiskModel as RulesRiskModel
from sim.rules.risk import RoutingPolicy, packaged_risk_model
from sim.rules.risk import TierTreatment as RiskTreatment
from sim.rules.tiers import TIERS, Tier
from sim.scenario.priority import Priority
from sim.scenario.schema_base import StrictModel
from sim.scenario.validation import field_error

__all__ = [
    "Detection",
    "GroundTreatment",
    "Policy",
    "Priority",
    "RiskFeature",
    "RiskModel",
    "TierShares",
    "TierTreatment",
]


class TierShares(StrictModel):
    """Tiers of Poisson trucks in the textbook reduction (must sum to 1).

    Read only with ``policy.declarants: shares`` and Poisson trucks (``goods.drives_trucks:
    false`` or goods disabled); refused elsewhere. The other two AEO shares:
    ``population.enterprises.aeo_share`` (the default world) and ``goods.tier_shares`` (the
    goods flow's enterprises under ``shares``). See :mod:`sim.scenario.relevance`.
    """

    aeo: float = Field(
        0.15, ge=0, le=1, description="AEO share [A]; >70k entities classified, split unpublished"
    )
    whitelist: float = Field(0.80, ge=0, le=1, description="whitelist share [A]")
    key_attention: float = Field(0.05, ge=0, le=1, description="key-attention share [A]")

    @model_validator(mode="after")
    def _sum_to_one(self) -> TierShares:
        total = self.aeo + self.whitelist + self.key_attention
        if abs(total - 1.0) > 1e-6:
            raise field_error(
                ("whitelist",), f"tier shares must sum to 1, they sum to {total:g}", self.whitelist
            )
        return self


class TierTreatment(StrictModel):
    """How one credit tier is treated and how often it violates."""

    inspection_multiplier: float = Field(
        ge=0, description="factor on the risk score (AEO ~0.2x, key-attention 2-4x) [A]"
    )
    random_floor: float = Field(
        ge=0, le=1, description="chance of a random scan when unflagged [A]"
    )
    violation_rate: float = Field(
        ge=0,
        le=1,
        description="share of declarations violating [A]; only with declarants: shares (the "
        "population plants its own violations)",
    )


_RISK = packaged_risk_model()
"""The packaged risk model: the defaults of this section (read once, at import)."""

_VIOLATION_RATES: dict[Tier, float] = {"aeo": 0.002, "whitelist": 0.01, "key_attention": 0.05}
"""Share of a tier's declarations planted as violations [A] (no rate is published)."""


def _treatment(tier: Tier) -> TierTreatment:
    packaged = packaged_risk_model().tiers[tier]
    return TierTreatment(
        inspection_multiplier=packaged.multiplier,
        random_floor=packaged.random_floor,
        violation_rate=_VIOLATION_RATES[tier],
    )


def _aeo() -> TierTreatment:
    return _treatment("aeo")


def _white() -> TierTreatment:
    return _treatment("whitelist")


def _key() -> TierTreatment:
    return _treatment("key_attention")


class Tiers(StrictModel):
    """Treatment per tier [A], within AEO below 20% of the routine rate [S] gac-order-251."""

    aeo: TierTreatment = Field(default_factory=_aeo)
    whitelist: TierTreatment = Field(default_factory=_white)
    key_attention: TierTreatment = Field(default_factory=_key)


class GroundTreatment(StrictModel):
    """How key-attention declarants listed on one ground are treated."""

    inspection_multiplier: float = Field(ge=0, description="factor on the risk score [A]")
    random_floor: float = Field(
        ge=0,
        le=1,
        description="chance of a random scan when unflagged: a floor f stops at least a share f "
        "of the declarations",
    )


def _grounds() -> dict[str, GroundTreatment]:
    return {
        name: GroundTreatment(inspection_multiplier=t.multiplier, random_floor=t.random_floor)
        for name, t in packaged_risk_model().grounds.items()
    }


class RiskFeature(StrictModel):
    """A binary risk indicator, its weight and how often clean and violating goods show it."""

    name: str = Field(min_length=1)
    weight: float = Field(ge=0)
    prevalence_clean: float = Field(ge=0, le=1)
    prevalence_violating: float = Field(ge=0, le=1)


def _features() -> list[RiskFeature]:
    # 147 feature libraries and 93 models exist [S] (reportify); their content is not public, so
    # the packaged indicators and their rates are illustrative assumptions [A].
    return [RiskFeature.model_validate(f.model_dump()) for f in packaged_risk_model().features]


class RiskModel(StrictModel):
    """Features and thresholds; a score is the sum of the weights of the features shown."""

    features: list[RiskFeature] = Field(default_factory=_features, description="indicators [A]")
    scan_threshold: float = Field(
        _RISK.scan_threshold,
        gt=0,
        description="adjusted score -> H986 scan [A]",
    )
    inspection_threshold: float = Field(
        _RISK.inspection_threshold,
        gt=0,
        description="adjusted score -> inspection [A]",
    )
    selection_seed: str = Field(
        _RISK.selection_seed,
        min_length=1,
        max_length=200,
        description="mixed with each declaration's reference into its random-selection number "
        "(the platform must use the same seed for its random selection to match the model's)",
    )

    @model_validator(mode="after")
    def _thresholds(self) -> RiskModel:
        if self.inspection_threshold < self.scan_threshold:
            raise field_error(
                ("inspection_threshold",), "must be >= scan_threshold", self.inspection_threshold
            )
        names = [f.name for f in self.features]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise field_error(("features", i, "name"), "duplicate feature name", name)
        return self


class Detection(StrictModel):
    """Probability that a violation is caught, by channel [A] (nothing published)."""

    release: float = Field(0.0, ge=0, le=1, description="caught at release without a stop [A]")
    scan: float = Field(0.85, ge=0, le=1, description="a scan image shows the anomaly [A]")
    inspection: float = Field(0.95, ge=0, le=1, description="manual inspection finds it [A]")
    scan_false_alarm: float = Field(
        0.03, ge=0, le=1, description="a clean truck's image looks anomalous [A]"
    )
    duty_free_check: float = Field(
        0.3,
        ge=0,
        le=1,
        description="a traveller's quota breach is caught at the departure check [A]: how the "
        "second line checks duty-free goods after closure is not published",
    )


class Policy(StrictModel):
    """Everything that decides where a declaration goes."""

    declarants: Literal["population", "shares"] = Field(
        "population",
        description="where declarants come from: 'population' draws traders and travellers from "
        "the synthetic population (tiers classified as of each arrival's date); 'shares' draws "
        "truck tiers from tier_shares (travellers untiered), the textbook reduction",
    )
    tier_shares: TierShares = Field(
        default_factory=TierShares,
        description="tiers of Poisson trucks, only with declarants: shares and "
        "goods.drives_trucks: false (the textbook reduction); otherwise tiers come from "
        "population.enterprises.aeo_share (declarants: population) or goods.tier_shares",
    )
    tiers: Tiers = Field(default_factory=Tiers)
    grounds: dict[str, GroundTreatment] = Field(
        default_factory=_grounds,
        description="treatment of key-attention declarants by listing ground: a department key "
        "(its lowest rating, category 1) or a listing event (smuggling_penalty, "
        "serious_dishonesty_listed, legal_ground_listed); a declarant gets the largest "
        "multiplier and floor among its active grounds, a ground not named here counting as "
        "tiers.key_attention. Defaults: customs and smuggling_penalty, the grounds that make an "
        "enterprise one customs rates dishonest, random_floor 0.8, i.e. at least 80% stopped "
        "[S] gac-order-237, gac-dishonest-smuggling; their multiplier 3.0 [A]. Only with "
        "declarants: population (tiers drawn from shares have no grounds)",
    )
    risk: RiskModel = Field(default_factory=RiskModel)
    detection: Detection = Field(default_factory=Detection)
    priority: Priority = Field(
        default_factory=Priority,
        description="which waiting trucks busy resources serve first, by tier (non-preemptive)",
    )

    def treatment(self, tier: Tier) -> TierTreatment:
        """The section's treatment of ``tier``."""
        treatment: TierTreatment = getattr(self.tiers, tier)
        return treatment

    def risk_model(self) -> RulesRiskModel:
        """The rules' risk model this section declares (features, thresholds, tiers, seed)."""
        return RulesRiskModel(
            features=tuple(
                RulesRiskFeature.model_validate(f.model_dump()) for f in self.risk.features
            ),
            scan_threshold=self.risk.scan_threshold,
            inspection_threshold=self.risk.inspection_threshold,
            tiers={
                t: RiskTreatment(
                    multiplier=self.treatment(t).inspection_multiplier,
                    random_floor=self.treatment(t).random_floor,
                )
                for t in TIERS
            },
            grounds={
                name: RiskTreatment(multiplier=g.inspection_multiplier,
                                    random_floor=g.random_floor)
                for name, g in self.grounds.items()
            },
            selection_seed=self.risk.selection_seed,
        )

    def routing(self) -> RoutingPolicy:
        """The plain routing policy the pure rules take (:func:`sim.rules.risk.route`)."""
        return self.risk_model().routing
