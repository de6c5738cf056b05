"""Control rates: how often a risk model stops a declarant's declarations, computed exactly.

The national credit rules state their treatment as *rates*: an AEO enterprise's average
inspection rate is below 20% of that of enterprises under routine management, an enterprise
customs rates dishonest is inspected at least 80% of the time. A risk model
(:class:`~sim.rules.risk.RiskModel`) states it as *mechanisms*: indicator weights, a multiplier
per tier or listing ground, thresholds and random-selection floors. This module turns the second
into the first, so that a model's defaults can be checked against the rules without simulating.

A declaration shows each indicator independently with its prevalence (``prevalence_clean`` for
clean goods, ``prevalence_violating`` for violating ones), so its score is a sum of independent
weighted Bernoulli variables; :func:`score_distribution` convolves them exactly (the support
has at most ``2**k`` points for ``k`` indicators, fewer when sums coincide). With the
declarant's ``(multiplier, floor)`` (:meth:`~sim.rules.risk.RoutingPolicy.treatment`):

* P(inspection) = P(score x multiplier >= inspection threshold);
* P(stop) = P(score x multiplier >= scan threshold) + floor x P(below it),

since the random selection is an independent uniform draw (:func:`~sim.rules.risk.selection_draw`
of the reference). A "stop" is what the rules call an inspection: an H986 scan or a manual
inspection. Mixed over a violation share ``v``: ``(1 - v) P_clean + v P_violating``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sim.rules.risk import RiskModel

__all__ = ["ControlRates", "control_rates", "score_distribution"]


def score_distribution(model: RiskModel, violating: bool) -> dict[float, float]:
    """The exact distribution of a declaration's risk score under ``model``.

    Args:
        model: the risk model (its features' weights and prevalences).
        violating: whether the goods violate the rules (which prevalence applies).

    Returns:
        Score -> probability (the probabilities sum to 1).
    """
    dist: dict[float, float] = {0.0: 1.0}
    for feature in model.features:
        p = feature.prevalence_violating if violating else feature.prevalence_clean
        step: dict[float, float] = {}
        for score, q in dist.items():
            step[score] = step.get(score, 0.0) + q * (1 - p)
            shown = score + feature.weight
            step[shown] = step.get(shown, 0.0) + q * p
        dist = step
    return dist


@dataclass(frozen=True)
class ControlRates:
    """How often one declarant's declarations are stopped.

    Attributes:
        stop: probability of a scan or an inspection (what the rules call "inspected").
        inspection: probability of going straight to manual inspection.
    """

    stop: float
    inspection: float


def control_rates(
    model: RiskModel,
    tier: str,
    grounds: Iterable[str] = (),
    violation_share: float = 0.0,
) -> ControlRates:
    """The exact control rates of a declarant's declarations, before any scan finds anything.

    Args:
        model: the risk model.
        tier: the declarant's tier.
        grounds: its active listing grounds (they matter for a key-attention declarant).
        violation_share: the share of its declarations that violate the rules.

    Raises:
        ValueError: for a violation share outside [0, 1].
    """
    if not 0.0 <= violation_share <= 1.0:
        raise ValueError(f"a violation share is in [0, 1], not {violation_share}")
    multiplier, floor = model.routing.treatment(tier, tuple(grounds))
    stop = inspection = 0.0
    for violating, weight in ((False, 1.0 - violation_share), (True, violation_share)):
        if weight == 0.0:
            continue
        flagged = direct = 0.0
        for score, q in score_distribution(model, violating).items():
            adjusted = score * multiplier
            if adjusted >= model.scan_threshold:
                flagged += q
            if adjusted >= model.inspection_threshold:
                direct += q
        stop += weight * (flagged + floor * (1.0 - flagged))
        inspection += weight * direct
    return ControlRates(stop=stop, inspection=inspection)
