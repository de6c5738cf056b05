"""Who declares, whether they cheat, and where the risk model sends them, for a whole flow at once.

Each supervised truck needs a credit tier and a flag saying whether its goods violate the rules.
They come from a :class:`TierSource`, the seam where the synthetic population plugs in (its
``PoolTierSource`` draws real declarants, with their tiers classified as of each arrival's
date, and travellers too). :class:`SharesTierSource`, the model's own default, draws tiers from
the scenario's shares and plants violations at each tier's rate; it has no travellers.

Trucks that carry the goods flow's shipments arrive already decided by the oracle
(:mod:`sim.model.shipments`); the Poisson trucks of the textbook reductions are routed here by
the vectorised twin of :func:`sim.rules.risk.assess_risk`: features are drawn per truck with the
prevalence that matches its violation flag, scores are weighted sums, and the same thresholds,
multipliers and random-selection floors give each truck a channel, the random selection being
:func:`sim.rules.risk.selection_draw` of the truck's reference, as for any declaration. A
key-attention declarant from the population carries its active listing grounds, and gets the
treatment :meth:`sim.rules.risk.RoutingPolicy.treatment` gives them (its strictest ground).
:func:`inspect` then draws what scans and inspections find, for every truck alike. All draws for
a port come from its own named streams (``tiers.<port>.<flow>``, ``risk.<port>``,
``detect.<port>``), one uniform per truck and purpose, so a policy change (a threshold, a floor)
changes routes but never the traffic or the service times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from sim.rules.risk import ROUTES, RoutingPolicy, selection_draw
from sim.rules.tiers import TIERS
from sim.scenario.policy import Detection, Policy

__all__ = [
    "INSPECTION",
    "RELEASE",
    "SCAN",
    "Decisions",
    "DeclarantDraw",
    "Inspections",
    "SharesTierSource",
    "TierDraw",
    "TierSource",
    "decide",
    "inspect",
    "route_codes",
    "route_names",
    "treatment_arrays",
]

RELEASE, SCAN, INSPECTION = 0, 1, 2
"""Route codes, indices into :data:`sim.rules.risk.ROUTES`."""


@dataclass(frozen=True)
class TierDraw:
    """Declarants without identities: tier codes and planted violations (and no purchases)."""

    tier: np.ndarray
    violation: np.ndarray

    @property
    def entity(self) -> list[str]:
        """No identities: an empty string each."""
        return [""] * len(self.tier)

    @property
    def row(self) -> np.ndarray:
        """No entities to number: 0 each (they carry no identity either)."""
        return np.zeros(len(self.tier), dtype=np.int64)

    @property
    def spend_fen(self) -> np.ndarray:
        """No duty-free spending."""
        return np.zeros(len(self.tier), dtype=np.int64)

    @property
    def trips(self) -> np.ndarray:
        """One trip a year each."""
        return np.ones(len(self.tier), dtype=np.int64)

    @property
    def grounds(self) -> list[str]:
        """No listing grounds (a tier drawn from shares): an empty string each."""
        return [""] * len(self.tier)


class DeclarantDraw(Protocol):
    """What a tier source returns, one element per arrival (e.g. :class:`TierDraw`).

    Attributes:
        tier: tier codes (indices into :data:`sim.rules.tiers.TIERS`).
        violation: planted violations.
        entity: identities (credit codes, identity numbers; '' when unknown).
        row: which entity each is, as a number (one number per identity).
        spend_fen: each traveller's duty-free spending in a year (0 for others).
        trips: each traveller's crossings in a year (the spending is spread over them).
        grounds: each declarant's active listing grounds, comma-separated ('' for none).
    """

    @property
    def tier(self) -> np.ndarray: ...

    @property
    def violation(self) -> np.ndarray: ...

    @property
    def entity(self) -> Sequence[str]: ...

    @property
    def row(self) -> np.ndarray: ...

    @property
    def spend_fen(self) -> np.ndarray: ...

    @property
    def trips(self) -> np.ndarray: ...

    @property
    def grounds(self) -> list[str]: ...


class TierSource(Protocol):
    """Supplies the declarants of a flow: the seam the synthetic population replaces.

    ``draw`` gets the port, the flow (``cargo_truck`` or ``duty_free_traveller``), the local
    calendar day of each arrival in arrival order (days since 1970-01-01, so a tier can be
    classified as of the simulated date) and the flow's ``tiers.<port>.<flow>`` stream. It
    returns one declarant per arrival (:class:`DeclarantDraw`), or ``None`` when it has no
    declarants for the flow (the arrivals then carry no tier).
    """

    def draw(
        self, port: str, flow: str, days: np.ndarray, rng: np.random.Generator
    ) -> DeclarantDraw | None: ...


class SharesTierSource:
    """Tiers drawn from the scenario's shares, violations planted at each tier's rate."""

    def __init__(self, policy: Policy) -> None:
        shares = policy.tier_shares
        self._shares = np.array([shares.aeo, shares.whitelist, shares.key_attention])
        tiers = policy.tiers
        self._violation = np.array(
            [t.violation_rate for t in (tiers.aeo, tiers.whitelist, tiers.key_attention)]
        )

    def draw(
        self, port: str, flow: str, days: np.ndarray, rng: np.random.Generator
    ) -> TierDraw | None:
        """Draw one declarant per arrival of ``flow`` at ``port`` (trucks only)."""
        if flow != "cargo_truck":
            return None
        n = len(days)
        u_tier, u_violation = rng.random(n), rng.random(n)
        cumulative = np.cumsum(self._shares)
        cumulative[-1] = 1.0
        tier = np.searchsorted(cumulative, u_tier, side="right").astype(np.int8)
        return TierDraw(tier=tier, violation=u_violation < self._violation[tier])


@dataclass(frozen=True)
class Decisions:
    """Per-truck outcomes of the risk check of Poisson trucks, known when the truck arrives.

    Attributes:
        score: risk score.
        first: channel (RELEASE, SCAN or INSPECTION).
        indicators: the indicators each truck's goods show, comma-separated names.
    """

    score: np.ndarray
    first: np.ndarray
    indicators: list[str]


@dataclass(frozen=True)
class Inspections:
    """What scans and inspections find, per truck.

    Attributes:
        anomaly: whether a scan would show an anomaly (only meaningful when scanned).
        final: last channel: RELEASE, SCAN (scanned, no anomaly) or INSPECTION.
        detected: whether a violation is caught in the final channel.
    """

    anomaly: np.ndarray
    final: np.ndarray
    detected: np.ndarray


def decide(
    draw: DeclarantDraw,
    policy: Policy,
    references: list[str],
    risk_rng: np.random.Generator,
) -> Decisions:
    """Route every declaration of a flow, as :func:`sim.rules.risk.assess_risk` would one by one.

    Args:
        draw: the declarants (tier codes, planted violations).
        policy: the scenario's policy (features, thresholds, treatment by tier, seed).
        references: each declaration's reference (fixes its random selection).
        risk_rng: the port's ``risk.<port>`` stream (the indicators shown).
    """
    n = len(draw.tier)
    features = policy.risk.features
    weights = np.array([f.weight for f in features])
    p_clean = np.array([f.prevalence_clean for f in features])
    p_bad = np.array([f.prevalence_violating for f in features])
    u_features = risk_rng.random((n, len(features)))
    seed = policy.risk.selection_seed
    u_select = np.array([selection_draw(seed, ref) for ref in references], dtype=float)
    prevalence = np.where(draw.violation[:, None], p_bad, p_clean)
    present = u_features < prevalence
    score = present.astype(float) @ weights
    first = route_codes(score, draw.tier, u_select, policy.routing(), draw.grounds)
    names = [f.name for f in features]
    shown = [",".join(n for n, p in zip(names, row, strict=True) if p) for row in present.tolist()]
    return Decisions(score=score, first=first, indicators=shown)


def inspect(
    first: np.ndarray,
    violation: np.ndarray,
    detection: Detection,
    detect_rng: np.random.Generator,
) -> Inspections:
    """What each truck's scan and inspection find, from the port's ``detect.<port>`` stream."""
    n = len(first)
    u_scan, u_detect = detect_rng.random(n), detect_rng.random(n)
    anomaly = u_scan < np.where(violation, detection.scan, detection.scan_false_alarm)
    final = first.copy()
    final[(first == SCAN) & anomaly] = INSPECTION
    p_catch = np.array([detection.release, 0.0, detection.inspection])[final]
    detected = violation & (u_detect < p_catch)
    return Inspections(anomaly=anomaly, final=final, detected=detected)


def treatment_arrays(
    tier: np.ndarray, grounds: Sequence[str] | None, routing: RoutingPolicy
) -> tuple[np.ndarray, np.ndarray]:
    """Each declaration's ``(multiplier, floor)``, as :meth:`RoutingPolicy.treatment` gives it.

    Args:
        tier: tier codes (indices into :data:`sim.rules.tiers.TIERS`).
        grounds: each declarant's active listing grounds, comma-separated ('' for none); None
            when no declarant has any.
        routing: thresholds, multipliers, floors and ground treatments.
    """
    if grounds is None or not any(grounds):
        mult = np.array([routing.multipliers[t] for t in TIERS])[tier]
        floor = np.array([routing.floors[t] for t in TIERS])[tier]
        return mult, floor
    # Few distinct (tier, grounds) pairs occur: decide each once.
    seen: dict[tuple[int, str], tuple[float, float]] = {}
    pairs = np.empty((len(tier), 2), dtype=float)
    for i, key in enumerate(zip(np.asarray(tier).tolist(), grounds, strict=True)):
        treated = seen.get(key)
        if treated is None:
            treated = routing.treatment(TIERS[key[0]], key[1].split(",") if key[1] else ())
            seen[key] = treated
        pairs[i] = treated
    return pairs[:, 0], pairs[:, 1]


def route_codes(
    score: np.ndarray,
    tier: np.ndarray,
    u_select: np.ndarray,
    routing: RoutingPolicy,
    grounds: Sequence[str] | None = None,
) -> np.ndarray:
    """Vectorised :func:`sim.rules.risk.route`: one route code per declaration.

    Args:
        score: risk scores.
        tier: tier codes (indices into :data:`sim.rules.tiers.TIERS`).
        u_select: uniform draws for the random-selection floor.
        routing: thresholds, multipliers, floors and ground treatments.
        grounds: each declarant's active listing grounds, comma-separated ('' for none).
    """
    mult, floor = treatment_arrays(tier, grounds, routing)
    adjusted = score * mult
    first = np.full(len(score), RELEASE, dtype=np.int8)
    first[(adjusted >= routing.scan_threshold) | (u_select < floor)] = SCAN
    first[adjusted >= routing.inspection_threshold] = INSPECTION
    return first


def route_names(codes: np.ndarray) -> list[str]:
    """Route codes as names (``release``, ``scan``, ``inspection``)."""
    names = np.asarray(ROUTES, dtype=object)
    result: list[str] = names[codes].tolist()
    return result
