"""The vectorised listing grounds are the credit rules' grounds, entity by entity and day by day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sim.population import generate_population, write_population
from sim.rules.credit import classify, default_table, read_history
from sim.rules.oracle import listing_grounds
from sim.scenario import Scenario

REFERENCE = date(2026, 3, 10)


def _busy() -> Scenario:
    """Frequent grounds of every kind, so a small sample holds several at once."""
    scenario = Scenario()
    history = scenario.population.enterprises.history
    history.smuggling_penalty_per_year = 0.05
    history.serious_dishonesty_per_year = 0.03
    history.legal_ground_per_year = 0.02
    return scenario


def test_grounds_equal_classify_on_a_sample(tmp_path: Path) -> None:
    section = _busy().population
    population = generate_population(section, default_table(), 5, REFERENCE, enterprises=3_000,
                                     individuals=100)  # fmt: skip
    write_population(tmp_path, section, default_table(), 5, REFERENCE, enterprises=3_000,
                     individuals=100)  # fmt: skip
    history = read_history(tmp_path / "history.jsonl")
    keys = population.enterprises["uscc"].to_pylist()
    timeline = population.enterprise_timeline
    rows = [i for i, k in enumerate(keys) if k in history]
    rng = np.random.default_rng(1)
    sample = rng.choice(rows, size=min(400, len(rows)), replace=False).tolist()
    days = [REFERENCE - timedelta(days=int(d)) for d in rng.integers(0, 4 * 365, 6)]
    seen: set[str] = set()
    several = 0
    for day in [REFERENCE, *days]:
        grounds = timeline.grounds_at(day)
        listed = timeline.tiers_at(day) == 2
        assert set(grounds) == set(np.flatnonzero(listed).tolist())  # listed <=> some ground
        for row in sample:
            expected = listing_grounds(classify(history[keys[row]], day))
            assert grounds.get(row, ()) == expected, (keys[row], day)
            seen.update(expected)
            several += len(expected) > 1
    assert {"customs", "tax", "smuggling_penalty", "serious_dishonesty_listed",
            "legal_ground_listed"} <= seen  # fmt: skip
    assert several > 0


def test_the_pool_draws_each_declarant_with_its_grounds_of_the_day() -> None:
    population = generate_population(_busy().population, default_table(), 5, REFERENCE,
                                     enterprises=3_000, individuals=100)  # fmt: skip
    pool = population.traders()
    days = np.repeat(np.array([20_000, 20_400], dtype=np.int64), 5_000)
    draw = pool.draw_on(np.random.default_rng(2), days)
    for i in range(len(days)):
        on_day = pool.grounds_at(int(days[i]))
        assert draw.grounds[i] == on_day.get(int(draw.row[i]), "")
        assert (draw.grounds[i] != "") == (draw.tier[i] == 2)
    assert sum(1 for g in draw.grounds if g) > 100
