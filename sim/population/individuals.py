"""Synthetic individuals, generated in blocks so ten million fit in bounded memory.

Every attribute is a column drawn for a whole block at once from its own named random stream
(``population.individuals.<attribute>``). Consistency rules the columns keep:

- the identity number encodes the person's address code, birth date and sex: residents carry a
  Hainan (``46xxxx``) code with probability ``resident_native_share``, visitors never do; the
  age is the person's completed years on the reference date, computed from that birth date;
- only adults (18 or older) buy duty-free, and honest buyers stay within the annual quota;
  planted quota breachers spend more than the quota;
- a resident's vehicle has a ``琼`` plate, a visitor's the plate of the province in their
  identity number;
- violations are dated events in the history window; ``tier`` is the credit tier on the
  reference date.

Identity numbers must be unique. The address code and birth date are drawn, and so is the
three-digit sequence; a drawn number that repeats one already issued (in this block or an
earlier one) gets its sequence redrawn until none repeats. Plates are unique by construction
(an affine permutation of a running vehicle serial, see :mod:`sim.population.codes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sim.population.codes import (
    AffinePermutation,
    civil_from_days,
    plate_array,
    resident_id_array,
    to_arrow_strings,
)
from sim.population.enterprises import DAYS_PER_YEAR
from sim.population.events import EventTable, poisson_events
from sim.population.names import NamePools, person_names
from sim.population.regions import HAINAN_CITY_LETTERS, HAINAN_REGIONS, MAINLAND_REGIONS, REGIONS
from sim.population.timeline import TIERS, TierTimeline
from sim.rng import RandomStreams
from sim.scenario.population import IndividualMix

__all__ = [
    "BLOCK",
    "IdentityExhaustedError",
    "IndividualBlock",
    "iter_individuals",
    "violation_events",
]

BLOCK = 1_000_000
"""Individuals per block; fixed so that the output of a seed does not depend on memory."""

_PROVINCES = tuple(sorted({r.plate for r in REGIONS}))
_REGION_PROVINCE = np.array([_PROVINCES.index(r.plate) for r in REGIONS])
_REGION_CODES = np.array([r.code for r in REGIONS], dtype=np.int64)
_MAINLAND_CITY_LETTERS = "ABCDE"


@dataclass(frozen=True)
class IndividualBlock:
    """One block of individuals.

    Attributes:
        offset: row number of the block's first individual in the whole population.
        table: one row per individual (columns documented in :func:`iter_individuals`).
        events: their violations (``entity`` is the row number in the whole population).
    """

    offset: int
    table: pa.Table
    events: EventTable


_MAX_REDRAWS = 200


class IdentityExhaustedError(ValueError):
    """Too many people share a region, birth date and sex for 500 sequence numbers."""


class _Issued:
    """Identity-number bodies issued so far, as sorted blocks, to keep every number unique."""

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []

    def seen(self, keys: np.ndarray) -> np.ndarray:
        """Which of ``keys`` (sorted ascending) were issued before."""
        found = np.zeros(len(keys), dtype=bool)
        for block in self._blocks:
            # Sorted queries keep the binary searches cache-friendly (several times faster).
            pos = np.minimum(np.searchsorted(block, keys), len(block) - 1)
            found |= block[pos] == keys
        return found

    def add(self, keys: np.ndarray) -> None:
        self._blocks.append(np.sort(keys))


def _completed_years(birth: np.ndarray, reference: int) -> np.ndarray:
    by, bm, bd = civil_from_days(birth)
    ry, rm, rd = civil_from_days(np.array([reference]))
    before_birthday = (rm < bm) | ((rm == bm) & (rd < bd))
    years: np.ndarray = ry - by - before_birthday
    return years


def _sequences(
    rng: np.random.Generator, stem: np.ndarray, male: np.ndarray, issued: _Issued
) -> np.ndarray:
    """Three-digit sequences (odd for men) making every ``stem * 1000 + seq`` new and unique."""
    seq: np.ndarray = 2 * rng.integers(0, 500, len(stem)) + male
    for _ in range(_MAX_REDRAWS):
        keys = stem * 1000 + seq
        order = np.argsort(keys)
        ordered = keys[order]
        dup = np.zeros(len(keys), dtype=bool)
        dup[order[1:][ordered[1:] == ordered[:-1]]] = True  # all but the first of each value
        dup[order[issued.seen(ordered)]] = True
        todo = np.flatnonzero(dup)
        if not todo.size:
            issued.add(keys)
            return seq
        seq[todo] = 2 * rng.integers(0, 500, todo.size) + male[todo]
    raise IdentityExhaustedError(
        "cannot issue unique identity numbers: more than 500 people of one sex born on one "
        "day in one region (is the age distribution concentrated on a single value?)"
    )


def _identities(
    rng: dict[str, np.random.Generator],
    mix: IndividualMix,
    resident: np.ndarray,
    reference: int,
    issued: _Issued,
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Identity numbers, region index, birth day, completed years and sex (1 = male)."""
    m = len(resident)
    native = resident & (rng["native"].random(m) < mix.resident_native_share)
    region = np.where(
        native,
        rng["region"].integers(0, len(HAINAN_REGIONS), m),
        len(HAINAN_REGIONS) + rng["region"].integers(0, len(MAINLAND_REGIONS), m),
    )
    age_years = np.clip(mix.age_years.sample(rng["age"], m), 0.0, 109.0)
    birth = reference - np.floor(age_years * DAYS_PER_YEAR).astype(np.int64)
    age = _completed_years(birth, reference)
    male = (rng["sex"].random(m) < mix.male_share).astype(np.int64)
    year, month, day_of_month = civil_from_days(birth)
    stem = _REGION_CODES[region] * 10**8 + year * 10_000 + month * 100 + day_of_month
    seq = _sequences(rng["sequence"], stem, male, issued)
    ids = to_arrow_strings(resident_id_array(_REGION_CODES[region], birth, seq))
    return ids, region, birth, age, male


def _duty_free(
    rng: dict[str, np.random.Generator], mix: IndividualMix, age: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A year's duty-free spending in fen (adult buyers only) and the planted quota breaches."""
    m = len(age)
    buyer = (age >= 18) & (rng["buyer"].random(m) < mix.duty_free_buyer_share)
    quota = mix.duty_free_quota_fen
    spend = np.minimum(np.rint(mix.duty_free_spend_fen.sample(rng["spend"], m)), quota)
    breach = buyer & (rng["breach"].random(m) < mix.quota_breach_share)
    over = quota * rng["breach"].uniform(1.05, mix.quota_breach_max_factor, m)
    spend = np.where(breach, np.rint(over), spend)
    return np.where(buyer, np.maximum(spend, 1), 0).astype(np.int64), breach


def _vehicles(
    rng: dict[str, np.random.Generator],
    mix: IndividualMix,
    resident: np.ndarray,
    region: np.ndarray,
    first_serial: int,
    perm: AffinePermutation,
) -> tuple[pa.Array, np.ndarray]:
    """Plates (null without a vehicle; 琼 for residents) and the new-energy flag."""
    m = len(resident)
    owners = np.flatnonzero(
        rng["vehicle"].random(m)
        < np.where(resident, mix.resident_vehicle_share, mix.visitor_vehicle_share)
    )
    nev = rng["plate"].random(owners.size) < mix.new_energy_vehicle_share
    hainan_plate = resident[owners]
    province = np.where(hainan_plate, _PROVINCES.index("琼"), _REGION_PROVINCE[region[owners]])
    letters = np.where(
        hainan_plate,
        np.frombuffer(HAINAN_CITY_LETTERS.encode(), np.uint8)[
            rng["plate"].integers(0, len(HAINAN_CITY_LETTERS), owners.size)],
        np.frombuffer(_MAINLAND_CITY_LETTERS.encode(), np.uint8)[
            rng["plate"].integers(0, len(_MAINLAND_CITY_LETTERS), owners.size)],
    ).astype(np.uint8)
    plates = plate_array(
        _PROVINCES, province, letters, first_serial + np.arange(owners.size), perm, nev
    )
    position = np.full(m, -1, dtype=np.int64)
    position[owners] = np.arange(owners.size)
    new_energy = np.zeros(m, dtype=bool)
    new_energy[owners] = nev
    return plates.take(pa.array(position, mask=position < 0)), new_energy


def violation_events(
    mix: IndividualMix, streams: RandomStreams, n: int, window: tuple[int, int]
) -> EventTable:
    """Only the violations of ``n`` individuals over ``window`` (for list dynamics).

    Drawn at the same rates as :func:`iter_individuals` (risky individuals at a multiple), from
    streams of their own.
    """
    risky = streams.generator("population.individuals.dynamics.risky").random(n) < mix.risky_share
    rate = mix.violations_per_year * np.where(risky, mix.risky_rate_multiplier, 1.0)
    who, day = poisson_events(
        streams.generator("population.individuals.dynamics.violations"), rate, *window
    )
    return EventTable.concat([EventTable.build(who, day, "violation")])


def iter_individuals(
    mix: IndividualMix,
    streams: RandomStreams,
    pools: NamePools,
    n: int,
    window: tuple[int, int],
    block: int = BLOCK,
    removal_years: int = 3,
    until: int | None = None,
) -> Iterator[IndividualBlock]:
    """Draw ``n`` individuals block by block, with their violations over ``window``.

    Args:
        mix: the scenario's parameters for individuals.
        streams: the run's random streams.
        pools: Faker name pools.
        n: number of individuals.
        window: ``(start, reference)`` days; violations fall in ``[start, reference)``, ages
            and ``tier`` hold on the reference day.
        block: individuals per block (the output depends on it; keep the default).
        removal_years: years after which an individual's listing lapses (the credit table's
            ``individual_removal_years``).
        until: continue the violations past the reference day to this day (exclusive), drawn
            from a stream of their own (those before it are the same as without it; ``tier``
            holds on the reference day, counting a violation dated that day).

    Yields:
        Blocks whose tables have the columns ``id_number``, ``name``, ``male``, ``birth_date``,
        ``age``, ``resident``, ``region_code``, ``trips_per_year``, ``duty_free_spend_fen``,
        ``quota_breach``, ``vehicle_plate`` (null without a vehicle), ``new_energy``, ``risky``,
        ``violation_rate_per_trip`` (planted probability that a crossing is a violation) and
        ``tier``.
    """
    start, reference = window
    issued = _Issued()
    rng = {name: streams.generator(f"population.individuals.{name}") for name in (
        "resident", "native", "region", "age", "sex", "sequence", "name", "trips", "buyer",
        "spend", "breach", "vehicle", "plate", "risky", "violations", "violations.future",
    )}
    plate_perm = AffinePermutation(34**5, streams.generator("population.individuals.plate_perm"))
    vehicles = 0
    for offset in range(0, n, block):
        m = min(block, n - offset)
        resident = rng["resident"].random(m) < mix.resident_share
        ids, region, birth, age, male = _identities(rng, mix, resident, reference, issued)
        trips = np.where(
            resident,
            mix.trips_per_year_resident.sample(rng["trips"], m),
            mix.trips_per_year_visitor.sample(rng["trips"], m),
        )
        trips = np.maximum(1, np.rint(trips)).astype(np.int16)
        spend, breach = _duty_free(rng, mix, age)
        vehicle_plate, new_energy = _vehicles(rng, mix, resident, region, vehicles, plate_perm)
        vehicles += len(vehicle_plate) - vehicle_plate.null_count

        risky = rng["risky"].random(m) < mix.risky_share
        rate = mix.violations_per_year * np.where(risky, mix.risky_rate_multiplier, 1.0)
        who, day = poisson_events(rng["violations"], rate, start, reference)
        if until is not None and until > reference:
            more, more_day = poisson_events(rng["violations.future"], rate, reference, until)
            who, day = np.concatenate([who, more]), np.concatenate([day, more_day])
        events = EventTable.concat([EventTable.build(who + offset, day, "violation")])
        local = EventTable.concat([EventTable.build(who, day, "violation")])
        tier = TierTimeline(m, local, removal_years).tiers_at(reference)

        table = pa.table({
            "id_number": ids,
            "name": person_names(pools, rng["name"], m),
            "male": pa.array(male.astype(bool)),
            "birth_date": pa.array(birth.astype(np.int32), pa.date32()),
            "age": pa.array(age.astype(np.int16)),
            "resident": pa.array(resident),
            "region_code": pa.array(_REGION_CODES[region].astype(np.int32)),
            "trips_per_year": pa.array(trips),
            "duty_free_spend_fen": pa.array(spend),
            "quota_breach": pa.array(breach),
            "vehicle_plate": vehicle_plate,
            "new_energy": pa.array(new_energy),
            "risky": pa.array(risky),
            "violation_rate_per_trip": pa.array(np.where(
                risky, mix.violation_rate_per_trip_risky, mix.violation_rate_per_trip_other)),
            "tier": pa.DictionaryArray.from_arrays(
                pa.array(tier.astype(np.int32)), pa.array(TIERS)
            ),
        })
        yield IndividualBlock(offset, table, events)
