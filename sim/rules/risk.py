"""Risk routing: from a declaration's risk features to a channel.

The platform assesses each exit declaration before the truck reaches the gate. In the harness a
risk model is data: a set of binary features, each with a weight; a declaration's *score* is the
sum of the weights of the features it shows. The score, scaled by the declarant's credit-tier
multiplier (AEO low, key-attention high), is compared with two thresholds:

* at or above ``inspection_threshold``: straight to manual inspection;
* at or above ``scan_threshold``: to the H986 scanner;
* otherwise released without a stop, unless the tier's *random-selection floor* picks it for a
  scan anyway (random selection keeps every tier under some control and measures the rest).

A scan shows an anomaly when the goods violate the rules and the image reveals it (the scan's
detection probability) or, for clean goods, with a small false-alarm probability; an anomaly sends
the truck to manual inspection, which finds a violation with its own probability.

These are pure functions over plain values, so the model (which has a vectorised NumPy twin) and
the reference platform make exactly the same decision from the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ROUTES",
    "Route",
    "RoutingPolicy",
    "is_detected",
    "risk_score",
    "route",
    "scan_anomaly",
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
    """

    scan_threshold: float
    inspection_threshold: float
    multipliers: Mapping[str, float]
    floors: Mapping[str, float]


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


def route(score: float, tier: str, u_select: float, policy: RoutingPolicy) -> Route:
    """The channel for a declaration.

    Args:
        score: its risk score (see :func:`risk_score`).
        tier: the declarant's credit tier (one of :data:`TIERS`).
        u_select: a uniform draw in [0, 1) for the random-selection floor.
        policy: thresholds, multipliers and floors.

    Returns:
        ``"inspection"``, ``"scan"`` or ``"release"``.
    """
    adjusted = score * policy.multipliers[tier]
    if adjusted >= policy.inspection_threshold:
        return "inspection"
    if adjusted >= policy.scan_threshold or u_select < policy.floors[tier]:
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
