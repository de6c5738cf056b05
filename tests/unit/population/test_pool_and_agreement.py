"""The trader pool, and the vectorised tiers against the credit rules' ``classify``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.population import (
    TIERS,
    Population,
    generate_population,
    load_population,
    write_population,
)
from sim.population.timeline import day_number
from sim.rules.credit import classify, default_table, read_history
from sim.scenario import Scenario

REFERENCE = date(2026, 3, 10)


def busy() -> Scenario:
    """More history per entity, so a sample exercises every kind of ground."""
    scenario = Scenario()
    scenario.population.enterprises.history.smuggling_penalty_per_year = 0.05
    scenario.population.enterprises.history.serious_dishonesty_per_year = 0.03
    scenario.population.individuals.violations_per_year = 0.02
    return scenario


@pytest.fixture(scope="module")
def population() -> Population:
    return generate_population(
        busy().population, default_table(), 7, REFERENCE, enterprises=4_000, individuals=6_000
    )


def test_written_files_hold_the_same_rows_as_the_in_memory_population(tmp_path: Path) -> None:
    section = Scenario().population
    pop = generate_population(section, default_table(), 3, REFERENCE, enterprises=300,
                              individuals=500)
    write_population(tmp_path / "p", section, default_table(), 3, REFERENCE, enterprises=300,
                     individuals=500)
    assert pq.read_table(tmp_path / "p" / "enterprises.parquet").equals(pop.enterprises)
    assert pq.read_table(tmp_path / "p" / "individuals.parquet").equals(pop.individuals)


def test_traders_are_drawn_by_activity_with_tier_and_planted_violations(
    population: Population,
) -> None:
    pool = population.traders()
    rng = np.random.default_rng(1)
    n = 200_000
    draw = pool.draw(rng, n, REFERENCE)
    weights = population.enterprises["shipments_per_month"].to_numpy().astype(float)
    counts = np.bincount(draw.row, minlength=len(weights))
    expected = n * weights / weights.sum()
    top = np.argsort(weights)[-20:]
    assert np.all(np.abs(counts[top] - expected[top]) < 5 * np.sqrt(expected[top]) + 5)
    assert counts[weights == 0].sum() == 0
    tiers = population.enterprises["tier"].to_numpy(zero_copy_only=False)
    assert [TIERS[t] for t in draw.tier[:1000]] == list(tiers[draw.row[:1000]])
    rate = population.enterprises["violation_rate"].to_numpy()[draw.row]
    assert abs(draw.violation.mean() - rate.mean()) < 5 * np.sqrt(rate.mean() / n)
    shares = pool.share_by_tier(REFERENCE)
    assert abs(sum(shares.values()) - 1) < 1e-9
    same = pool.draw(np.random.default_rng(1), n, REFERENCE)
    assert np.array_equal(same.row, draw.row) and np.array_equal(same.violation, draw.violation)


def test_pool_rejects_bad_weights(population: Population) -> None:
    from sim.population.pool import EntityPool

    timeline = population.enterprise_timeline
    n = timeline.n_entities
    with pytest.raises(ValueError, match="weights"):
        EntityPool(np.zeros(n), np.zeros(n), timeline)
    with pytest.raises(ValueError, match="one weight"):
        EntityPool(np.ones(n + 1), np.zeros(n + 1), timeline)


@pytest.mark.parametrize("kind", ["enterprise", "individual"])
def test_vectorised_tiers_equal_classify_on_a_sample(
    population: Population, tmp_path: Path, kind: str
) -> None:
    section = busy().population
    out = tmp_path / "p"
    write_population(out, section, default_table(), 7, REFERENCE, enterprises=4_000,
                     individuals=6_000)
    history = read_history(out / "history.jsonl")
    if kind == "enterprise":
        keys = population.enterprises["uscc"].to_pylist()
        timeline = population.enterprise_timeline
    else:
        keys = population.individuals["id_number"].to_pylist()
        timeline = population.individual_timeline
    with_history = [i for i, k in enumerate(keys) if k in history]
    assert len(with_history) > 100
    rng = np.random.default_rng(0)
    sample = rng.choice(with_history, size=min(300, len(with_history)), replace=False)
    days = [REFERENCE - timedelta(days=int(d)) for d in rng.integers(0, 5 * 365, 8)]
    days += [REFERENCE, date(2023, 2, 28), date(2024, 2, 29)]
    seen = set()
    for day in days:
        tiers = timeline.tiers_at(day)
        for i in sample:
            expected = classify(history[keys[i]], day).tier
            assert TIERS[tiers[i]] == expected, (keys[i], day)
            seen.add(expected)
    assert "key_attention" in seen and "whitelist" in seen
    if kind == "enterprise":
        assert "aeo" in seen


def test_a_written_population_loads_back_with_the_same_tiers(tmp_path: Path) -> None:
    section = busy().population
    pop = generate_population(section, default_table(), 5, REFERENCE, enterprises=2_000,
                              individuals=3_000)
    write_population(tmp_path / "p", section, default_table(), 5, REFERENCE, enterprises=2_000,
                     individuals=3_000)
    loaded = load_population(tmp_path / "p", default_table())
    assert loaded.enterprises.equals(pop.enterprises)
    for day in (REFERENCE, date(2023, 7, 1), date(2021, 3, 10)):
        assert np.array_equal(loaded.enterprise_timeline.tiers_at(day),
                              pop.enterprise_timeline.tiers_at(day))
        assert np.array_equal(loaded.individual_timeline.tiers_at(day),
                              pop.individual_timeline.tiers_at(day))
    assert len(loaded.enterprise_events) == len(pop.enterprise_events)
    draw = loaded.traders().draw(np.random.default_rng(3), 1_000, REFERENCE)
    assert np.array_equal(draw.row, pop.traders().draw(np.random.default_rng(3), 1_000,
                                                       REFERENCE).row)


def test_loading_reports_a_bad_history_line(tmp_path: Path) -> None:
    section = Scenario().population
    write_population(tmp_path / "p", section, default_table(), 5, REFERENCE, enterprises=20,
                     individuals=20)
    with open(tmp_path / "p" / "history.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"entity": "X", "kind": "enterprise", "date": "2024-01-01", '
                     '"event": "smuggling_penalty"}\n')
    with pytest.raises(ValueError, match="'X' is in no population table"):
        load_population(tmp_path / "p", default_table())


def test_each_declaration_is_classified_as_of_its_own_day(population: Population) -> None:
    """A multi-day run sees each declarant's tier on the arrival's date, not the start's."""
    traders = population.traders()
    first = day_number(REFERENCE)
    later = first + 3 * 365  # listings lapse over three years: some tiers differ by then
    assert not np.array_equal(traders.tiers_at(first), traders.tiers_at(later))
    days = np.repeat(np.array([first, later], dtype=np.int64), 5_000)
    draw = traders.draw_on(np.random.default_rng(4), days)
    on_first, on_later = days == first, days == later
    assert np.array_equal(draw.tier[on_first], traders.tiers_at(first)[draw.row[on_first]])
    assert np.array_equal(draw.tier[on_later], traders.tiers_at(later)[draw.row[on_later]])


def test_the_port_model_runs_on_population_declarants(population: Population) -> None:
    from sim.model.simulate import simulate
    from sim.population import PoolTierSource

    # Poisson trucks: this is the pool's seam (with goods driving the trucks, the goods
    # flow's enterprises declare them; see tests/unit/test_experiment.py)
    scenario = Scenario.model_validate({"horizon_hours": 3.0, "goods": {"drives_trucks": False}})
    traders = population.traders()
    source = PoolTierSource(
        traders, population.travellers(), travellers_for=frozenset({"duty_free_traveller"})
    )
    days = np.full(50, day_number(REFERENCE), dtype=np.int64)
    probe = source.draw("xinhai", "cargo_truck", days, np.random.default_rng(0))
    assert probe is not None
    assert len(probe.tier) == len(probe.violation) == len(probe.row) == 50
    assert source.draw("xinhai", "vehicle", days, np.random.default_rng(0)) is None
    result = simulate(scenario, tier_source=source)
    recs = result.records
    travellers = recs["flow"] == "duty_free_traveller"
    assert travellers.any()
    # Individuals are never AEO; every traveller now carries an individual's tier.
    assert set(recs["tier"][travellers].tolist()) <= {"whitelist", "key_attention"}
    tiers = [t for t in recs["tier"][recs["flow"] == "cargo_truck"].tolist() if t]
    assert tiers, "no supervised declarations in three hours"
    expected = traders.share_by_tier(REFERENCE)
    assert set(tiers) <= {t for t, share in expected.items() if share > 0}
    for tier, share in expected.items():
        observed = tiers.count(tier) / len(tiers)
        assert abs(observed - share) < 5 * (share * (1 - share) / len(tiers)) ** 0.5 + 1e-9


def test_drawn_identities_are_the_pools_own_strings_by_row(population: Population) -> None:
    """A draw's identities read back as the entities' identity numbers, held as rows into the
    pool's identities (four bytes a crossing, not a string each)."""
    travellers = population.travellers()
    draw = travellers.draw_on(np.random.default_rng(6), np.full(3_000, day_number(REFERENCE)))
    ids = population.individuals["id_number"].to_pylist()
    assert draw.entity.to_pylist() == [ids[r] for r in draw.row.tolist()]
    assert draw.entity.indices.nbytes == 4 * len(draw.row)
    assert len(draw.entity.dictionary) == len(ids)  # shared, not copied per draw
