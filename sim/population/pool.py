"""Drawing traders and travellers for the port model, as arrays.

The port model (SimPy) needs, for each declaration it creates, *who* declares, that entity's
credit tier *on the simulated date*, and whether the declaration carries a planted violation
(so detection and leakage can be scored). It must not import Faker or this package's generators,
so the population hands it plain arrays through an :class:`EntityPool`:

- entities are drawn with probability proportional to their activity (shipments per month for
  enterprises, trips per year for individuals), with replacement, by inverse-CDF sampling;
- the tier comes from the population's :class:`~sim.population.timeline.TierTimeline` on the
  date asked (cached per date), so a multi-day run sees listings lapse on the right day;
- a declaration is a planted violation with the entity's own rate (risky entities have a higher
  one), drawn from the caller's stream so the draws are reproducible;
- a key-attention entity also carries its active listing grounds that day (a department's lowest
  rating, a smuggling penalty ...), which the risk check treats differently.

The returned :class:`Draw` is columnar: arrays of length ``n``, with each entity's identity
(credit code or identity number) and, for travellers, the year's duty-free spending and trips
the model spreads it over. :class:`PoolTierSource` adapts pools to the model's tier-source seam
(``draw(port, flow, days, rng)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa

from sim.population.timeline import TIERS, TierTimeline, day_number

__all__ = ["Draw", "EntityPool", "PoolTierSource"]

_CACHED_DAYS = 8


@dataclass(frozen=True)
class Draw:
    """Entities drawn for ``n`` declarations or crossings.

    Attributes:
        row: the entity's row in its population table (int64).
        tier: the entity's tier on the date drawn, an index into :data:`TIERS` (int8).
        violation: whether the declaration is a planted violation (bool).
        entity: the entity's identity (credit code or identity number; '' without ids), as
            an Arrow array dictionary-encoded into the pool's identities: a year's travellers
            are millions of identity numbers, which as Python strings would take ten times
            the memory, and as strings of their own five times.
        spend_fen: its duty-free spending in a year (0 when the pool has none).
        trips: its crossings in a year (1 when the pool has none).
        grounds: its active listing grounds on the date drawn, comma-separated sorted sources
            ('' when not listed).
    """

    row: np.ndarray
    tier: np.ndarray
    violation: np.ndarray
    entity: Sequence[str] = field(default_factory=list)
    spend_fen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    trips: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    grounds: list[str] = field(default_factory=list)


class EntityPool:
    """Entities to draw from, with their activity, violation rate and tier timeline.

    Args:
        weights: relative activity of each entity (non-negative, not all zero).
        violation_rate: probability that one declaration of the entity is a violation.
        timeline: the entities' tiers over time.
        ids: each entity's identity (credit code or identity number), if known.
        spend_fen: each entity's duty-free spending in a year, if any.
        trips: each entity's crossings in a year, if known.
    """

    tiers = TIERS

    def __init__(
        self,
        weights: np.ndarray,
        violation_rate: np.ndarray,
        timeline: TierTimeline,
        *,
        ids: pa.Array | None = None,
        spend_fen: np.ndarray | None = None,
        trips: np.ndarray | None = None,
    ) -> None:
        weights = np.asarray(weights, dtype=float)
        if weights.ndim != 1 or len(weights) != timeline.n_entities:
            raise ValueError("one weight per entity of the timeline is needed")
        if len(violation_rate) != len(weights):
            raise ValueError("one violation rate per entity is needed")
        if np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError("weights must be >= 0 and not all zero")
        self._cdf = np.cumsum(weights)
        self._rate = np.asarray(violation_rate, dtype=float)
        self._timeline = timeline
        self._cache: dict[int, np.ndarray] = {}
        self._grounds_cache: dict[int, dict[int, str]] = {}
        n = len(weights)
        for name, column in (("ids", ids), ("spend_fen", spend_fen), ("trips", trips)):
            if column is not None and len(column) != n:
                raise ValueError(f"one {name} value per entity is needed")
        self._ids = ids
        self._spend = np.zeros(n, np.int64) if spend_fen is None else np.asarray(spend_fen)
        self._trips = np.ones(n, np.int64) if trips is None else np.asarray(trips)

    def __len__(self) -> int:
        return len(self._rate)

    def tiers_at(self, as_of: date | int) -> np.ndarray:
        """Every entity's tier code on ``as_of`` (read-only; the last few days are cached)."""
        day = day_number(as_of) if isinstance(as_of, date) else int(as_of)
        tiers = self._cache.get(day)
        if tiers is None:
            tiers = self._timeline.tiers_at(day)
            tiers.setflags(write=False)
            if len(self._cache) >= _CACHED_DAYS:  # a long run moves on: forget the oldest day
                del self._cache[next(iter(self._cache))]
            self._cache[day] = tiers
        return tiers

    def grounds_at(self, as_of: date | int) -> dict[int, str]:
        """Listed entities' active grounds on ``as_of``: row -> comma-separated sorted sources.

        Rows not listed that day are absent (the last few days are cached).
        """
        day = day_number(as_of) if isinstance(as_of, date) else int(as_of)
        grounds = self._grounds_cache.get(day)
        if grounds is None:
            grounds = {r: ",".join(g) for r, g in self._timeline.grounds_at(day).items()}
            if len(self._grounds_cache) >= _CACHED_DAYS:
                del self._grounds_cache[next(iter(self._grounds_cache))]
            self._grounds_cache[day] = grounds
        return grounds

    def draw(self, rng: np.random.Generator, n: int, as_of: date | int) -> Draw:
        """Draw ``n`` entities by activity, with their tier on ``as_of`` and violation flags.

        Args:
            rng: the caller's named stream (e.g. ``arrivals.xinhai.traders``).
            n: number of declarations.
            as_of: the simulated date.
        """
        day = day_number(as_of) if isinstance(as_of, date) else int(as_of)
        return self.draw_on(rng, np.full(n, day, dtype=np.int64))

    def draw_on(self, rng: np.random.Generator, days: np.ndarray) -> Draw:
        """Draw one entity per day in ``days``, with its tier on that day and a violation flag.

        Args:
            rng: the caller's named stream.
            days: the simulated date of each declaration, as days since 1970-01-01.
        """
        days = np.asarray(days, dtype=np.int64)
        n = len(days)
        u = rng.random(n) * self._cdf[-1]
        row = np.minimum(np.searchsorted(self._cdf, u, side="right"), len(self._cdf) - 1)
        violation = rng.random(n) < self._rate[row]
        tier = np.empty(n, dtype=np.int8)
        grounds = [""] * n
        for day in np.unique(days):
            on_day = days == day
            tier[on_day] = self.tiers_at(int(day))[row[on_day]]
            listed = self._timeline.grounds_of(row[on_day], int(day))
            joined = {r: ",".join(g) for r, g in listed.items()}
            for i in np.flatnonzero(on_day).tolist():
                grounds[i] = joined.get(int(row[i]), "")
        row = row.astype(np.int64)
        # each identity as its row into the pool's identities (four bytes a declaration, the
        # strings shared), not as a string of its own: a year's travellers are millions
        entity = (
            pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int8)), pa.array([""]))
            if self._ids is None
            else pa.DictionaryArray.from_arrays(pa.array(row.astype(np.int32)), self._ids)
        )
        return Draw(row, tier, violation, entity, self._spend[row], self._trips[row], grounds)

    def share_by_tier(self, as_of: date | int) -> dict[str, float]:
        """Share of activity (expected declarations) in each tier on ``as_of``."""
        weights = np.diff(self._cdf, prepend=0.0)
        totals = np.bincount(self.tiers_at(as_of), weights=weights, minlength=len(TIERS))
        return {tier: float(totals[i] / self._cdf[-1]) for i, tier in enumerate(TIERS)}


class PoolTierSource:
    """The port model's tier-source seam (``draw(port, flow, n, rng)``) served by pools.

    The model asks for the declarants of a whole flow at once, with the local date of each
    arrival; supervised trucks (``cargo_truck``) are drawn from ``traders``, flows named in
    ``travellers_for`` from ``travellers``, each with its tier classified as of its own arrival
    date (a listing that lapses mid-run changes the tier from that day on). Other flows get
    ``None``: they carry no declarant. The result has the ``tier`` and ``violation`` arrays the
    model reads (and ``row``, to trace each declaration back to its entity).

    Args:
        traders: the enterprises' pool.
        travellers: the individuals' pool, for flows of people (optional).
        travellers_for: flow names served by ``travellers``.
    """

    def __init__(
        self,
        traders: EntityPool,
        travellers: EntityPool | None = None,
        travellers_for: frozenset[str] = frozenset(),
    ) -> None:
        if travellers_for and travellers is None:
            raise ValueError("travellers_for needs a travellers pool")
        self._traders = traders
        self._travellers = travellers
        self._travellers_for = travellers_for

    def draw(self, port: str, flow: str, days: np.ndarray, rng: np.random.Generator) -> Draw | None:
        """Draw the declarants of ``flow`` at ``port``, one per arrival day, from its stream."""
        del port  # every port draws from the same island-wide population
        if flow in self._travellers_for and self._travellers is not None:
            return self._travellers.draw_on(rng, days)
        if flow == "cargo_truck":
            return self._traders.draw_on(rng, days)
        return None
