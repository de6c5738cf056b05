"""Risk routing: from a declaration's risk indicators, tier and reference to a channel.

The platform assesses each exit declaration before the truck reaches the gate. In the harness a
risk model is data (:class:`RiskModel`, packaged in ``data/risk_model.yaml``): a set of binary
indicators, each with a weight; a declaration's *score* is the sum of the weights of the
indicators it shows. The score, scaled by the declarant's credit-tier multiplier (AEO low,
key-attention high), is compared with two thresholds:

* at or above ``inspection_threshold``: straight to manual inspection;
* at or above ``scan_threshold``: to the H986 scanner;
* otherwise released without a stop, unless the tier's *random-selection floor* picks it for a
  scan anyway (random selection keeps every tier under some control and measures the rest).

A key-attention declarant is on the list for one or more *listing grounds* (a department's
lowest rating, a smuggling penalty, a serious-dishonesty listing ...: the ``source`` of each
active :class:`~sim.rules.credit_classify.Ground`), and the national rules treat some grounds
more strictly than others: an enterprise customs rates dishonest is inspected at least 80% of
the time. So the model may give a ground its own treatment (``RiskModel.grounds``); a
key-attention declaration is treated as its strictest active ground: the largest multiplier and
the largest floor among its grounds, a ground without its own treatment counting as the
key-attention tier's (:meth:`RoutingPolicy.treatment`). Without grounds (a tier drawn from
shares), the tier's treatment applies.

The random selection is not a random number drawn by whoever decides: it is
:func:`selection_draw`, a hash of the model's ``selection_seed`` and the declaration's
reference, uniform in [0, 1). So the same declaration always gets the same channel, and the
simulation, the reference platform and a workload generator that know the reference all reach the
same decision (:func:`assess_risk`).

A scan shows an anomaly when the goods violate the rules and the image reveals it (the scan's
detection probability) or, for clean goods, with a small false-alarm probability; an anomaly sends
the truck to manual inspection, which finds a violation with its own probability.

These are pure functions over plain values; the model has a vectorised NumPy twin of
:func:`route` for flows without references.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.rules.credit_classify import LISTING_EVENTS
from sim.rules.refusals import Reason, Refusal
from sim.rules.tiers import KEY_ATTENTION, TIERS, Tier

__all__ = [
    "ROUTES",
    "RiskAssessment",
    "RiskFeature",
    "RiskModel",
    "Route",
    "RoutingPolicy",
    "TierTreatment",
    "assess_risk",
    "is_detected",
    "packaged_risk_model",
    "packaged_risk_model_data",
    "risk_score",
    "route",
    "scan_anomaly",
    "selection_draw",
    "unknown_ground",
]

Route = Literal["release", "scan", "inspection"]
ROUTES: tuple[Route, ...] = ("release", "scan", "inspection")
"""Channels a declaration can be sent to, from the lightest to the heaviest."""


@dataclass(frozen=True)
class RoutingPolicy:
    """The thresholds and per-tier treatment that turn a score into a channel.

    Attributes:
        scan_threshold: adjusted score at or above which the truck is scanned.
        inspection_threshold: adjusted score at or above which it goes straight to inspection.
        multipliers: tier -> factor applied to the score (AEO < 1, key-attention > 1).
        floors: tier -> probability of random selection for a scan when the score does not flag.
        grounds: listing ground -> its own ``(multiplier, floor)`` for key-attention
            declarants listed on it (grounds not named here are treated as the tier).
    """

    scan_threshold: float
    inspection_threshold: float
    multipliers: Mapping[str, float]
    floors: Mapping[str, float]
    grounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def treatment(self, tier: str, grounds: Iterable[str] = ()) -> tuple[float, float]:
        """The ``(multiplier, floor)`` a declarant of ``tier`` listed on ``grounds`` gets.

        A key-attention declarant gets, separately, the largest multiplier and the largest floor
        among its grounds' treatments (a ground without one counts as the tier's); every other
        declarant, and a key-attention one without known grounds, its tier's.

        Args:
            tier: the declarant's tier (one of :data:`TIERS`).
            grounds: the sources of its active listing grounds (ignored unless key-attention).
        """
        tier_pair = (self.multipliers[tier], self.floors[tier])
        if tier != KEY_ATTENTION:
            return tier_pair
        pairs = [self.grounds.get(g, tier_pair) for g in grounds]
        if not pairs:
            return tier_pair
        return max(m for m, _ in pairs), max(f for _, f in pairs)


def risk_score(present: Sequence[bool], weights: Sequence[float]) -> float:
    """The score of one declaration: the sum of the weights of the features it shows.

    Args:
        present: for each feature of the model, whether the declaration shows it.
        weights: the feature weights, in the same order.

    Raises:
        ValueError: if the two sequences differ in length.
    """
    if len(present) != len(weights):
        raise ValueError(f"{len(present)} feature flags for {len(weights)} weights")
    return float(sum(w for p, w in zip(present, weights, strict=True) if p))


def route(
    score: float, tier: str, u_select: float, policy: RoutingPolicy, grounds: Iterable[str] = ()
) -> Route:
    """The channel for a declaration.

    Args:
        score: its risk score (see :func:`risk_score`).
        tier: the declarant's credit tier (one of :data:`TIERS`).
        u_select: a uniform draw in [0, 1) for the random-selection floor.
        policy: thresholds, multipliers and floors.
        grounds: the declarant's active listing grounds (see :meth:`RoutingPolicy.treatment`).

    Returns:
        ``"inspection"``, ``"scan"`` or ``"release"``.
    """
    multiplier, floor = policy.treatment(tier, grounds)
    adjusted = score * multiplier
    if adjusted >= policy.inspection_threshold:
        return "inspection"
    if adjusted >= policy.scan_threshold or u_select < floor:
        return "scan"
    return "release"


def scan_anomaly(violation: bool, u: float, detection: float, false_alarm: float) -> bool:
    """Whether an H986 image shows an anomaly (which sends the truck to manual inspection).

    Args:
        violation: whether the goods violate the rules.
        u: a uniform draw in [0, 1).
        detection: probability that a scan reveals a violation.
        false_alarm: probability that a scan of clean goods looks anomalous.
    """
    return u < (detection if violation else false_alarm)


def is_detected(violation: bool, channel: Route, u: float, detection: Mapping[str, float]) -> bool:
    """Whether a violation is caught in the last channel the declaration went through.

    A truck released without a stop is caught only by the release check's probability; a scanned
    truck whose image shows no anomaly is released and its violation leaks; an inspected truck is
    caught with the inspection's probability.

    Args:
        violation: whether the goods violate the rules (clean goods are never "detected").
        channel: ``"release"`` (no stop), ``"scan"`` (scanned, no anomaly) or ``"inspection"``.
        u: a uniform draw in [0, 1).
        detection: channel -> probability of catching a violation there.
    """
    if not violation or channel == "scan":
        return False
    return u < detection[channel]


# -- the risk model as data ---------------------------------------------------------------------

_PACKAGED = "data/risk_model.yaml"


class RiskFeature(BaseModel):
    """A binary risk indicator: its weight, and how often clean and violating goods show it.

    The prevalences are the simulation's (they plant indicators on the model's declarations);
    a platform only uses the name and the weight.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=60)
    weight: float = Field(ge=0)
    prevalence_clean: float = Field(ge=0, le=1)
    prevalence_violating: float = Field(ge=0, le=1)


class TierTreatment(BaseModel):
    """How the risk check treats one credit tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    multiplier: float = Field(ge=0, description="factor on the risk score")
    random_floor: float = Field(ge=0, le=1, description="chance of a random scan when unflagged")


class RiskModel(BaseModel):
    """Indicators, thresholds, treatment by tier and by listing ground, the random-selection seed.

    ``grounds`` maps a listing ground (a department key for a category-1 ground, the listing
    event for a category-2 one: :data:`~sim.rules.credit_classify.LISTING_EVENTS`) to the
    treatment of key-attention declarants listed on it; see :meth:`RoutingPolicy.treatment`.

    Build it from the packaged defaults (:func:`packaged_risk_model`) or from a scenario's
    ``policy:`` section (``Scenario.rules_config()``); it serialises to JSON, which is how the
    reference platform receives it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    features: tuple[RiskFeature, ...]
    scan_threshold: float = Field(gt=0)
    inspection_threshold: float = Field(gt=0)
    tiers: dict[Tier, TierTreatment]
    grounds: dict[str, TierTreatment] = Field(default_factory=dict)
    selection_seed: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> RiskModel:
        if self.inspection_threshold < self.scan_threshold:
            raise ValueError("inspection_threshold must be >= scan_threshold")
        missing = [t for t in TIERS if t not in self.tiers]
        if missing:
            raise ValueError(f"tiers lacks {', '.join(missing)}")
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ValueError("duplicate feature names")
        return self

    @functools.cached_property
    def weights(self) -> dict[str, float]:
        """Indicator name -> weight, in the model's order."""
        return {f.name: f.weight for f in self.features}

    @functools.cached_property
    def routing(self) -> RoutingPolicy:
        """The plain thresholds, multipliers and floors :func:`route` takes."""
        return RoutingPolicy(
            scan_threshold=self.scan_threshold,
            inspection_threshold=self.inspection_threshold,
            multipliers={t: self.tiers[t].multiplier for t in TIERS},
            floors={t: self.tiers[t].random_floor for t in TIERS},
            grounds={g: (t.multiplier, t.random_floor) for g, t in self.grounds.items()},
        )


def packaged_risk_model_data() -> dict[str, Any]:
    """The packaged risk model as plain data (a fresh copy each call)."""
    text = resources.files("sim.rules").joinpath(_PACKAGED).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@functools.cache
def packaged_risk_model() -> RiskModel:
    """The packaged risk model (``sim/rules/data/risk_model.yaml``), loaded once."""
    return RiskModel.model_validate(packaged_risk_model_data())


def selection_draw(seed: str, reference: str) -> float:
    """The random-selection number of a declaration: uniform in [0, 1), fixed by its reference.

    Args:
        seed: the risk model's ``selection_seed``.
        reference: the declaration's reference.
    """
    digest = hashlib.blake2b(f"{seed}\x00{reference}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """The risk check of one declaration: its score, random-selection number and channel."""

    score: float
    u_select: float
    channel: Route


def assess_risk(
    indicators: Sequence[str],
    tier: str,
    reference: str,
    model: RiskModel,
    grounds: Iterable[str] = (),
) -> RiskAssessment:
    """Score a declaration's risk indicators and choose its channel.

    Args:
        indicators: the indicators the declaration shows (names of ``model.features``); an
            indicator repeated counts once.
        tier: the declarant's credit tier on the declaration date.
        reference: the declaration's reference (seeds the random selection).
        model: the risk model.
        grounds: the declarant's active listing grounds that day (``Ground.source`` of its
            classification); they matter only for a key-attention declarant.

    Raises:
        Refusal: ``unknown_risk_indicator`` for a name the model does not know.
    """
    weights = model.weights
    shown = set(indicators)
    for name in indicators:
        if name not in weights:
            raise Refusal(Reason.UNKNOWN_RISK_INDICATOR, f"unknown risk indicator {name!r}",
                          indicator=name)
    score = risk_score([n in shown for n in weights], list(weights.values()))
    u = selection_draw(model.selection_seed, reference)
    return RiskAssessment(score, u, route(score, tier, u, model.routing, grounds))


def unknown_ground(grounds: Iterable[str], departments: Iterable[str]) -> str | None:
    """The first name in ``grounds`` that is no listing ground, or None if all are.

    A listing ground is a category-2 listing event (:data:`LISTING_EVENTS`) or, for category 1,
    a department of the credit table (``departments``).
    """
    known = LISTING_EVENTS | set(departments)
    return next((g for g in grounds if g not in known), None)
