"""The generated population: determinism, configured shares, consistency, well-formed history."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.population.output import FILES, write_population
from sim.population.regions import CUSTOMS_DISTRICTS
from sim.population.scales import Scales
from sim.rules.credit import default_table
from sim.rules.identifiers import is_valid_resident_id, is_valid_uscc, resident_id_birth_date
from sim.scenario import Scenario

REFERENCE = date(2026, 3, 10)
N_ENT, N_IND = 30_000, 60_000
SCALES = Scales.from_table(default_table())


def generate(out: Path, seed: int = 11, scenario: Scenario | None = None) -> Path:
    section = (scenario or Scenario()).population
    write_population(
        out, section, default_table(), seed, REFERENCE, enterprises=N_ENT, individuals=N_IND
    )
    return out


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("pop") / "p")


@pytest.fixture(scope="module")
def enterprises(population: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(population / FILES[0])
    return {name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names}


@pytest.fixture(scope="module")
def individuals(population: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(population / FILES[1])
    return {name: table[name].to_numpy(zero_copy_only=False) for name in table.column_names}


def assert_share(flags: np.ndarray, p: float) -> None:
    """Within 4.5 binomial standard deviations of the configured share."""
    n = len(flags)
    sd = math.sqrt(p * (1 - p) / n)
    assert abs(flags.mean() - p) <= 4.5 * sd + 1e-12, (flags.mean(), p, n)


def test_same_seed_gives_identical_bytes_and_another_seed_differs(
    population: Path, tmp_path: Path
) -> None:
    again = generate(tmp_path / "again")
    other = generate(tmp_path / "other", seed=12)
    for name in FILES:
        assert (again / name).read_bytes() == (population / name).read_bytes(), name
        assert (other / name).read_bytes() != (population / name).read_bytes(), name


def test_enterprise_shares_match_the_scenario(enterprises: dict[str, np.ndarray]) -> None:
    mix = Scenario().population.enterprises
    hainan = enterprises["hainan"]
    assert len(hainan) == N_ENT
    assert_share(hainan, mix.hainan_share)
    assert_share(enterprises["zero_tariff"][hainan], mix.zero_tariff_share)
    assert_share(enterprises["encouraged"][hainan], mix.encouraged_share)
    assert_share(enterprises["risky"], mix.risky_share)
    eligible = enterprises["tier"] != "key_attention"
    assert_share(enterprises["batch_exit"][eligible], mix.batch_exit_share)
    # The AEO share is a stationary share of a renewal process: allow a wider band.
    assert abs(enterprises["aeo"].mean() - mix.aeo_share) < 0.2 * mix.aeo_share
    weights = np.array(list(mix.industries.values()))
    for key, w in zip(mix.industries, weights / weights.sum(), strict=True):
        assert_share(enterprises["industry"] == key, w)


def test_enterprise_codes_regions_and_regimes_are_consistent(
    enterprises: dict[str, np.ndarray],
) -> None:
    codes = enterprises["uscc"]
    assert len(set(codes)) == len(codes)
    assert all(is_valid_uscc(c) for c in codes)
    in_hainan = np.array([c[2:4] == "46" for c in codes])
    assert np.array_equal(in_hainan, enterprises["hainan"])
    assert np.array_equal([int(c[2:8]) for c in codes], enterprises["region_code"])
    assert not enterprises["zero_tariff"][~in_hainan].any()
    assert not enterprises["encouraged"][~in_hainan].any()
    assert not enterprises["batch_exit"][enterprises["tier"] == "key_attention"].any()
    assert not enterprises["aeo"][enterprises["risky"]].any()
    aeo = enterprises["aeo"]
    assert all(c in CUSTOMS_DISTRICTS.values() for c in enterprises["aeo_customs"][aeo])
    assert all(c is None for c in enterprises["aeo_customs"][~aeo])
    local = enterprises["aeo_customs"][aeo & in_hainan] == "海口海关"
    assert 0.7 < local.mean() < 0.97  # configured 0.85
    assert (enterprises["tier"][enterprises["tier"] == "aeo"].size
            == np.sum(aeo & (enterprises["tier"] != "key_attention")))
    assert (enterprises["shipments_per_month"] >= 1).all()


def test_individuals_are_consistent(individuals: dict[str, np.ndarray]) -> None:
    mix = Scenario().population.individuals
    ids = individuals["id_number"]
    assert len(set(ids)) == len(ids) == N_IND
    assert all(is_valid_resident_id(x) for x in ids)
    resident = individuals["resident"]
    assert_share(resident, mix.resident_share)
    hainan_id = np.array([x[:2] == "46" for x in ids])
    assert not hainan_id[~resident].any()
    assert_share(hainan_id[resident], mix.resident_native_share)
    age = individuals["age"]
    assert (age >= 0).all()
    births = [resident_id_birth_date(x) for x in ids[:2000]]
    assert births == list(individuals["birth_date"][:2000])
    for birth, years in zip(births, age[:2000], strict=True):
        had_birthday = (REFERENCE.month, REFERENCE.day) >= (birth.month, birth.day)
        assert years == REFERENCE.year - birth.year - (not had_birthday)
    male = np.array([int(x[16]) % 2 == 1 for x in ids])
    assert np.array_equal(male, individuals["male"])
    spend = individuals["duty_free_spend_fen"]
    buyers = spend > 0
    assert (age[buyers] >= 18).all()
    assert_share(buyers[age >= 18], mix.duty_free_buyer_share)
    breach = individuals["quota_breach"]
    assert (spend[breach] > mix.duty_free_quota_fen).all()
    assert (spend[~breach] <= mix.duty_free_quota_fen).all()
    plates = individuals["vehicle_plate"]
    has = np.array([p is not None for p in plates])
    assert_share(has[resident], mix.resident_vehicle_share)
    assert_share(has[~resident], mix.visitor_vehicle_share)
    assert all(p.startswith("琼") for p in plates[has & resident])
    assert not any(p.startswith("琼") for p in plates[has & ~resident])
    assert len({p for p in plates if p is not None}) == has.sum()
    assert_share(individuals["new_energy"][has], mix.new_energy_vehicle_share)
    assert (individuals["trips_per_year"] >= 1).all()


def test_history_is_well_formed_and_dated_inside_the_window(
    population: Path, enterprises: dict[str, np.ndarray], individuals: dict[str, np.ndarray]
) -> None:
    keys = {"enterprise": set(enterprises["uscc"]), "individual": set(individuals["id_number"])}
    start = date(2021, 3, 10)
    seen_events: set[str] = set()
    previous = start
    lines = (population / FILES[2]).read_text(encoding="utf-8").splitlines()
    assert lines
    for text in lines:
        record = json.loads(text)
        assert text == json.dumps(record, ensure_ascii=False)
        assert list(record)[:4] == ["entity", "kind", "date", "event"]
        assert record["entity"] in keys[record["kind"]]
        day = date.fromisoformat(record["date"])
        assert start <= day < REFERENCE
        assert day >= previous  # sorted by date
        previous = day
        seen_events.add(record["event"])
        if record["event"] == "rating":
            assert record["grade"] in SCALES.departments[record["department"]].grades
        else:
            assert "grade" not in record
        if record["kind"] == "individual":
            assert record["event"] == "violation"
    assert seen_events >= {
        "rating", "aeo_certified", "smuggling_penalty", "serious_dishonesty_listed",
        "legal_ground_listed", "violation",
    }


def test_risky_entities_carry_the_planted_violation_rates(
    enterprises: dict[str, np.ndarray], individuals: dict[str, np.ndarray]
) -> None:
    mix = Scenario().population
    risky = enterprises["risky"]
    assert set(enterprises["violation_rate"][risky]) == {mix.enterprises.violation_rate_risky}
    assert set(enterprises["violation_rate"][~risky]) == {mix.enterprises.violation_rate_other}
    # Risky enterprises are listed far more often: the planted history reflects the propensity.
    listed = enterprises["tier"] == "key_attention"
    assert listed[risky].mean() > 3 * listed[~risky].mean()
    assert_share(individuals["risky"], mix.individuals.risky_share)


def test_a_changed_share_leaves_other_columns_alone(population: Path, tmp_path: Path) -> None:
    scenario = Scenario()
    scenario.population.enterprises.encouraged_share = 0.5
    changed = generate(tmp_path / "changed", scenario=scenario)
    before = pq.read_table(population / FILES[0])
    after = pq.read_table(changed / FILES[0])
    assert not before["encouraged"].equals(after["encouraged"])
    for column in ("uscc", "name", "hainan", "industry", "tier", "shipments_per_month"):
        assert before[column].equals(after[column]), column


def test_blocks_keep_identity_numbers_and_plates_unique_when_birthdays_collide() -> None:
    from sim.population.individuals import iter_individuals
    from sim.population.names import NamePools
    from sim.rng import RandomStreams
    from sim.scenario.distributions import Deterministic

    mix = Scenario().population.individuals.model_copy(update={
        "age_years": Deterministic(kind="deterministic", value=30.0),
        "resident_vehicle_share": 0.9, "visitor_vehicle_share": 0.9,
        "violations_per_year": 0.05,
    })
    streams = RandomStreams(2)
    pools = NamePools.build(streams, 50)
    start, ref = 19_000, 20_522
    blocks = list(iter_individuals(mix, streams, pools, 9_000, (start, ref), block=2_000))
    assert [b.offset for b in blocks] == [0, 2_000, 4_000, 6_000, 8_000]
    ids = [x for b in blocks for x in b.table["id_number"].to_pylist()]
    assert len(ids) == len(set(ids)) == 9_000  # one birth date for all: collisions were fixed
    assert len({x[6:14] for x in ids}) == 1
    assert all(is_valid_resident_id(x) for x in ids)
    plates = [p for b in blocks for p in b.table["vehicle_plate"].to_pylist() if p]
    assert len(plates) == len(set(plates)) > 7_000
    for b in blocks:
        assert ((b.events.entity >= b.offset) & (b.events.entity < b.offset + 2_000)).all()


def test_too_many_people_born_on_one_day_is_a_clear_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "population:\n  individuals:\n    age_years: {kind: deterministic, value: 30}\n"
        "    resident_share: 1.0\n    resident_native_share: 1.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["population", str(scenario), "--enterprises", "5",
                                      "--individuals", "16000", "--out", str(out)])
    assert result.exit_code == 2
    assert "population.individuals.age_years: cannot issue unique identity numbers" in (
        result.output)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_a_history_continued_through_a_run_keeps_its_past() -> None:
    """Histories go on past the reference day (events during a run) without changing the past."""
    from datetime import timedelta

    from sim.population import generate_population
    from sim.population.events import EVENTS
    from sim.scenario import Scenario

    s = Scenario()
    ref = s.start.date()
    day0 = (ref - date(1970, 1, 1)).days
    args = (s.population, s.credit, s.seed, ref)
    plain = generate_population(*args, enterprises=4_000, individuals=30_000)
    longer = generate_population(*args, enterprises=4_000, individuals=30_000,
                                 history_until=ref + timedelta(days=365))
    for name in ("enterprise_events", "individual_events"):
        a, b = getattr(plain, name), getattr(longer, name)
        past = b.day < day0
        for column in ("entity", "day", "event", "department", "grade"):
            assert np.array_equal(getattr(a, column), getattr(b, column)[past])
        assert (b.day >= day0).sum() > 0 and b.day.max() < day0 + 365
    future = longer.enterprise_events
    kinds = {EVENTS[c] for c in future.event[future.day >= day0].tolist()}
    assert {"rating", "smuggling_penalty", "aeo_certified"} <= kinds
    # a year on, some tiers moved; at the reference day only that day's events can count
    before, after = (longer.enterprise_timeline.tiers_at(d) for d in (day0 - 1, day0 + 364))
    assert np.array_equal(before, plain.enterprise_timeline.tiers_at(day0 - 1))
    assert (before != after).sum() > 10
