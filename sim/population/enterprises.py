"""Synthetic enterprises: one Arrow table of attributes and one table of dated credit events.

Every attribute is a column drawn for all enterprises at once from its own named random stream
(``population.enterprises.<attribute>``), so changing one parameter (say the AEO share) leaves
every other column of the same seed unchanged: common random numbers for what-if comparisons.

Consistency rules the columns keep:

- ``hainan`` decides the region, so the credit code's division code is ``46xxxx`` exactly for
  Hainan-registered enterprises;
- only Hainan-registered enterprises can be zero-tariff eligible or in an encouraged industry
  (both are Hainan Free Trade Port regimes);
- risky enterprises are never AEO; AEOs are certified by their local customs district or, less
  often, by any other (any customs in China may certify);
- ``tier`` is the credit tier on the reference date (the scenario start) computed from the
  planted history, and only AEO and whitelist enterprises may use batch exit.

The history covers ``[window_start, reference)``: department ratings at and back from the lowest
grade, AEO certifications and revocations, smuggling penalties, serious-dishonesty and other
legal-ground listings, at the scenario's rates (risky enterprises at a multiple of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sim.population.codes import AffinePermutation, to_arrow_strings, uscc_array
from sim.population.events import EventTable, alternating_events, poisson_events
from sim.population.names import NamePools, company_names
from sim.population.regions import CUSTOMS_DISTRICTS, HAINAN_REGIONS, MAINLAND_REGIONS, REGIONS
from sim.population.scales import Scales
from sim.population.timeline import TIERS, TierTimeline
from sim.rng import RandomStreams
from sim.scenario.population import EnterpriseMix

__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
    "Enterprises",
    "enterprise_events",
    "generate_enterprises",
]

DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


@dataclass(frozen=True)
class Enterprises:
    """The enterprises and their history.

    Attributes:
        table: one row per enterprise (columns documented in :func:`generate_enterprises`).
        events: their credit-history events (``entity`` is the row number in ``table``).
        timeline: tiers computed from ``events``.
    """

    table: pa.Table
    events: EventTable
    timeline: TierTimeline


def _stream(streams: RandomStreams, name: str) -> np.random.Generator:
    return streams.generator(f"population.enterprises.{name}")


def _department(scales: Scales, key: str, n: int) -> np.ndarray:
    code = scales.index(key) if key in scales.departments else -1
    return np.full(n, code, dtype=np.int8)


def _history(
    mix: EnterpriseMix,
    streams: RandomStreams,
    risky: np.ndarray,
    aeo_eligible: np.ndarray,
    scales: Scales,
    start: int,
    end: int,
    until: int | None = None,
) -> EventTable:
    # With ``until`` the history goes on past ``end`` (the reference day) into the simulated
    # period: the same processes, continued from their state at ``end`` with draws from streams
    # of their own (``<name>.future``), so everything before ``end`` is unchanged.
    later = until is not None and until > end
    stop = until if later and until is not None else end
    rates = mix.history
    n = len(risky)
    mult: np.ndarray = np.where(risky, rates.risky_rate_multiplier, 1.0)
    parts: list[EventTable] = []
    for dept, dept_rates in rates.ratings.items():
        scale = scales.departments[dept]
        rng = _stream(streams, f"ratings.{dept}")
        hazard = dept_rates.lowest_per_year * mult
        on_days = np.full(n, dept_rates.months_at_lowest * DAYS_PER_MONTH)
        with np.errstate(divide="ignore"):
            off_days = DAYS_PER_YEAR / hazard
        share = on_days / (on_days + off_days)
        chain, day, low = alternating_events(
            rng, np.arange(n), share, on_days, off_days, start, end,
            until=stop, future=_stream(streams, f"ratings.{dept}.future") if later else None,
        )
        lowest, recovered = scale.grades.index(scale.lowest), scale.grades.index(scale.recovered)
        grade = np.where(low, lowest, recovered).astype(np.int8)
        # A customs rating decides AEO status too: only the AEO grades certify.
        effect = np.zeros(len(chain), dtype=np.int8)
        if dept == "customs":
            certifies = np.array([g in scales.aeo_grades for g in scale.grades])
            effect = np.where(certifies[grade], 1, -1).astype(np.int8)
        parts.append(EventTable.build(
            chain, day, "rating", department=_department(scales, dept, len(chain)), grade=grade,
            lowest=low, aeo_effect=effect,
        ))
    for event, rate, dept in (
        ("smuggling_penalty", rates.smuggling_penalty_per_year, "customs"),
        ("serious_dishonesty_listed", rates.serious_dishonesty_per_year, "market_supervision"),
        ("legal_ground_listed", rates.legal_ground_per_year, ""),
    ):
        entity, day = poisson_events(_stream(streams, event), rate * mult, start, end)
        removals = [_stream(streams, "serious_dishonesty_removed")]
        if later:
            more, more_day = poisson_events(
                _stream(streams, f"{event}.future"), rate * mult, end, stop
            )
            entity, day = np.concatenate([entity, more]), np.concatenate([day, more_day])
            removals.append(_stream(streams, "serious_dishonesty_removed.future"))
        parts.append(EventTable.build(
            entity, day, event, department=_department(scales, dept, len(entity))
        ))
        if event == "serious_dishonesty_listed":
            early_share = rates.serious_dishonesty_removed_share
            months = rates.serious_dishonesty_removal_months
            past = day < end
            early, removed_day = _early_removals(removals[0], early_share, months, day[past])
            who = entity[past]
            if later:
                more_early, more_removed = _early_removals(
                    removals[1], early_share, months, day[~past]
                )
                early = np.concatenate([early, more_early])
                removed_day = np.concatenate([removed_day, more_removed])
                who = np.concatenate([who, entity[~past]])
            keep = early & (removed_day < stop)
            parts.append(EventTable.build(
                who[keep], removed_day[keep], "serious_dishonesty_removed",
                department=_department(scales, dept, int(keep.sum())),
            ))
    # AEO: a two-state process among eligible (non-risky) enterprises whose stationary share
    # makes aeo_share of all enterprises certified.
    eligible = np.flatnonzero(aeo_eligible)
    aeo_share = min(mix.aeo_share * n / eligible.size, 1.0) if eligible.size else 0.0
    on_days_aeo: float = (
        DAYS_PER_YEAR / rates.aeo_revocations_per_year
        if rates.aeo_revocations_per_year > 0 else np.inf
    )
    off_days_aeo: float
    if 0 < aeo_share < 1 and np.isfinite(on_days_aeo):
        off_days_aeo = on_days_aeo * (1 - aeo_share) / aeo_share
    else:
        off_days_aeo = np.inf
    chain, day, certified = alternating_events(
        _stream(streams, "aeo"), eligible, np.full(eligible.size, aeo_share),
        np.full(eligible.size, on_days_aeo), np.full(eligible.size, off_days_aeo), start, end,
        until=stop, future=_stream(streams, "aeo.future") if later else None,
    )
    codes = np.where(certified, 1, 2).astype(np.int8)  # aeo_certified, aeo_revoked
    parts.append(EventTable.build(
        eligible[chain], day, codes, department=_department(scales, "customs", len(chain))
    ))
    return EventTable.concat(
        parts, tuple(scales.departments), tuple(s.grades for s in scales.departments.values())
    )


def _early_removals(
    rng: np.random.Generator, share: float, months: float, listed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # the two draws in the order the listings were drawn
    """Which serious-dishonesty listings are removed early, and on which day."""
    early = rng.random(len(listed)) < share
    after = 1 + np.floor(rng.exponential(months * DAYS_PER_MONTH, len(listed)))
    return early, listed + after.astype(np.int64)


def enterprise_events(
    mix: EnterpriseMix, streams: RandomStreams, n: int, window: tuple[int, int], scales: Scales
) -> EventTable:
    """Only the credit history of ``n`` enterprises over ``window`` (for list dynamics).

    The same streams as :func:`generate_enterprises` draw it, so for the same seed and window
    the events are those of the full generator.
    """
    risky = _stream(streams, "risky").random(n) < mix.risky_share
    return _history(mix, streams, risky, ~risky, scales, window[0], window[1])


def generate_enterprises(
    mix: EnterpriseMix,
    streams: RandomStreams,
    pools: NamePools,
    n: int,
    window: tuple[int, int],
    scales: Scales,
    until: int | None = None,
) -> Enterprises:
    """Draw ``n`` enterprises and their history over ``window``.

    Args:
        mix: the scenario's enterprise parameters.
        streams: the run's random streams.
        pools: Faker name pools.
        n: number of enterprises.
        window: ``(start, reference)`` days; events fall in ``[start, reference)`` and the
            ``tier``/``aeo`` columns hold on the reference day.
        scales: the credit rules' scales (departments, grades, AEO grades, removal years).
        until: continue the history past the reference day to this day (exclusive), e.g.
            through a simulated period; the events before the reference day are the same as
            without it (the columns hold on the reference day, counting its events).

    Returns:
        Columns: ``uscc``, ``name``, ``region_code``, ``hainan``, ``industry``, ``encouraged``,
        ``zero_tariff``, ``aeo``, ``aeo_customs`` (null unless AEO), ``tier``,
        ``shipments_per_month``, ``batch_exit``, ``risky`` and ``violation_rate`` (the planted
        probability that one declaration of the enterprise is a violation).
    """
    unknown = [d for d in mix.history.ratings if d not in scales.departments]
    if unknown:
        raise ValueError(f"no rating scale for department {unknown[0]!r}")
    start, reference = window
    hainan = _stream(streams, "hainan").random(n) < mix.hainan_share
    region_rng = _stream(streams, "region")
    region = np.where(
        hainan,
        region_rng.integers(0, len(HAINAN_REGIONS), n),
        len(HAINAN_REGIONS) + region_rng.integers(0, len(MAINLAND_REGIONS), n),
    )
    region_codes = np.array([r.code for r in REGIONS], dtype=np.int32)[region]
    perm = AffinePermutation(31**8, _stream(streams, "uscc"))
    uscc = to_arrow_strings(uscc_array(region_codes, np.arange(n), perm))

    industry_keys = list(mix.industries)
    weights = np.array([mix.industries[k] for k in industry_keys], dtype=float)
    industry = _stream(streams, "industry").choice(
        len(industry_keys), size=n, p=weights / weights.sum()
    )
    places = pa.array([r.name for r in REGIONS]).take(pa.array(region))
    names = company_names(pools, _stream(streams, "name"), places, industry_keys, industry)

    encouraged = hainan & (_stream(streams, "encouraged").random(n) < mix.encouraged_share)
    zero_tariff = hainan & (_stream(streams, "zero_tariff").random(n) < mix.zero_tariff_share)
    risky = _stream(streams, "risky").random(n) < mix.risky_share
    shipments = np.maximum(
        1, np.rint(mix.shipments_per_month.sample(_stream(streams, "shipments"), n))
    ).astype(np.int32)
    violation_rate = np.where(risky, mix.violation_rate_risky, mix.violation_rate_other)

    events = _history(mix, streams, risky, ~risky, scales, start, reference, until)
    timeline = TierTimeline(n, events, scales.removal_years)
    tier = timeline.tiers_at(reference)
    aeo = timeline.aeo_at(reference)

    customs_keys = list(CUSTOMS_DISTRICTS)
    local = np.array([customs_keys.index(r.customs) for r in REGIONS])[region]
    customs_rng = _stream(streams, "aeo_customs")
    is_local = customs_rng.random(n) < mix.aeo_local_customs_share
    # Another district: shift the local index by 1..K-1, uniform over the other districts.
    other = (local + customs_rng.integers(1, len(customs_keys), n)) % len(customs_keys)
    customs = np.where(is_local, local, other)
    customs_names = pa.array(list(CUSTOMS_DISTRICTS.values())).take(pa.array(customs))
    aeo_customs = pc.if_else(pa.array(aeo), customs_names, pa.scalar(None, pa.string()))

    batch_exit = (tier != TIERS.index("key_attention")) & (
        _stream(streams, "batch_exit").random(n) < mix.batch_exit_share
    )
    table = pa.table({
        "uscc": uscc,
        "name": names,
        "region_code": pa.array(region_codes),
        "hainan": pa.array(hainan),
        "industry": pa.DictionaryArray.from_arrays(
            pa.array(industry.astype(np.int32)), pa.array(industry_keys)
        ),
        "encouraged": pa.array(encouraged),
        "zero_tariff": pa.array(zero_tariff),
        "aeo": pa.array(aeo),
        "aeo_customs": aeo_customs,
        "tier": pa.DictionaryArray.from_arrays(pa.array(tier.astype(np.int32)), pa.array(TIERS)),
        "shipments_per_month": pa.array(shipments),
        "batch_exit": pa.array(batch_exit),
        "risky": pa.array(risky),
        "violation_rate": pa.array(violation_rate),
    })
    return Enterprises(table, events, timeline)
