"""Daily credit-list sizes of a hand-built population with dated listings and removals.

Five enterprises around 10-12 May 2026: a smuggling penalty of 10 May 2023 lapses on 11 May
2026 (three years, Civil Code counting); an AEO enterprise rated at the tax department's lowest
grade on 12 May moves from AEO to key attention; a legal-ground listing and then a smuggling
penalty list a third; a serious-dishonesty listing is removed on 12 May; the fifth has no
history. The counts per day are worked out by hand from those dates, and checked against the
per-date tier query on a generated population.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from sim.population import generate_population
from sim.population.timeline import TierTimeline
from sim.scenario import Scenario
from tests.unit.population.test_timeline import table

FIRST = date(2026, 5, 8)  # days 0..6 = 8..14 May 2026
HISTORY = [
    (0, "2023-05-10", "smuggling_penalty", None, None),
    (1, "2025-01-01", "rating", "customs", "advanced_certified"),
    (1, "2026-05-12", "rating", "tax", "D"),
    (2, "2026-05-09", "legal_ground_listed", None, None),
    (2, "2026-05-10", "smuggling_penalty", None, None),
    (4, "2025-01-01", "serious_dishonesty_listed", None, None),
    (4, "2026-05-12", "serious_dishonesty_removed", None, None),
]


def test_counts_follow_the_dated_listings_and_removals() -> None:
    sizes = TierTimeline(5, table(HISTORY)).list_sizes(FIRST, 7)
    assert sizes.entities == 5
    #                                  8  9 10 11 12 13 14 May
    assert sizes.tiers["key_attention"].tolist() == [2, 3, 3, 2, 2, 2, 2]
    assert sizes.tiers["aeo"].tolist() == [1, 1, 1, 1, 0, 0, 0]
    assert sizes.tiers["whitelist"].tolist() == [2, 1, 1, 2, 3, 3, 3]
    # the smuggling penalty of 10 May 2023 holds through 10 May 2026 and lapses on the 11th
    assert sizes.removals.tolist() == [0, 0, 0, 1, 1, 0, 0]
    assert sizes.listings.tolist() == [0, 1, 0, 0, 1, 0, 0]
    assert set(sizes.by_ground) == {  # grounds that list no one in the window are left out
        "smuggling_penalty", "legal_ground_listed", "serious_dishonesty_listed", "tax"
    }
    assert sizes.by_ground["smuggling_penalty"].tolist() == [1, 1, 2, 1, 1, 1, 1]
    assert sizes.by_ground["legal_ground_listed"].tolist() == [0, 1, 1, 1, 1, 1, 1]
    assert sizes.by_ground["serious_dishonesty_listed"].tolist() == [1, 1, 1, 1, 0, 0, 0]
    assert sizes.by_ground["tax"].tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_a_recurrence_restarts_the_clock_without_a_removal() -> None:
    history = [
        (0, "2023-05-10", "smuggling_penalty", None, None),
        (0, "2026-05-09", "smuggling_penalty", None, None),  # before the first one lapses
    ]
    sizes = TierTimeline(1, table(history)).list_sizes(FIRST, 7)
    assert sizes.tiers["key_attention"].tolist() == [1] * 7
    assert sizes.listings.sum() == 0 and sizes.removals.sum() == 0
    assert sizes.by_ground["smuggling_penalty"].tolist() == [1] * 7


def test_individuals_have_no_aeo_tier() -> None:
    history = [(0, "2023-05-10", "violation", None, None)]
    sizes = TierTimeline(3, table(history)).list_sizes(FIRST, 7, aeo=False)
    assert list(sizes.tiers) == ["whitelist", "key_attention"]
    assert sizes.tiers["key_attention"].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert sizes.tiers["whitelist"].tolist() == [2, 2, 2, 3, 3, 3, 3]


def test_agrees_with_the_tier_on_each_date_of_a_generated_year() -> None:
    scenario = Scenario()
    start = date(2026, 1, 1)
    population = generate_population(
        scenario.population, scenario.credit, 11, start,
        enterprises=4_000, individuals=10_000, history_until=date(2027, 1, 1),
    )
    sizes = population.list_sizes(start, 365)
    assert sizes.days == 365 and sizes.dates()[-1] == date(2026, 12, 31)
    for kind, timeline in (
        ("enterprise", population.enterprise_timeline),
        ("individual", population.individual_timeline),
    ):
        counts = sizes.kinds[kind]
        listed = counts.tiers["key_attention"]
        assert counts.listings.sum() > 0 and counts.removals.sum() > 0  # the lists move
        assert np.array_equal(np.diff(listed), (counts.listings - counts.removals)[1:])
        for offset in range(0, 365, 23):
            day = start + timedelta(days=offset)
            tiers = timeline.tiers_at(day)
            for code, name in enumerate(("aeo", "whitelist", "key_attention")):
                if name in counts.tiers:
                    assert counts.tiers[name][offset] == np.sum(tiers == code), (kind, name, day)
            grounds = timeline.grounds_at(day)
            for ground, series in counts.by_ground.items():
                held = sum(ground in names for names in grounds.values())
                assert series[offset] == held, (kind, ground, day)
