"""Vectorised tiers from intervals, on hand-made histories with dates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.population.events import EVENTS, EventTable
from sim.population.scales import Scales
from sim.population.timeline import TIERS, TierTimeline, add_years, day_number, lapse_days
from sim.rules.credit import default_table

SCALES = Scales.from_table(default_table())
DEPTS = tuple(SCALES.departments)


def table(rows: list[tuple[int, str, str, str | None, str | None]]) -> EventTable:
    """Events from (entity, ISO date, event, department, grade), in the order given."""
    dept = np.array([DEPTS.index(r[3]) if r[3] else -1 for r in rows], dtype=np.int8)
    grade = np.array(
        [SCALES.departments[r[3]].grades.index(r[4]) if r[3] and r[4] else -1 for r in rows],
        dtype=np.int8,
    )
    lowest = np.array(
        [bool(r[4]) and r[4] in SCALES.departments[r[3] or ""].listing for r in rows], dtype=bool
    )
    code = np.array([EVENTS.index(r[2]) for r in rows], dtype=np.int8)
    effect = np.where(code == EVENTS.index("aeo_certified"), 1,
                      np.where(code == EVENTS.index("aeo_revoked"), -1, 0))
    for i, r in enumerate(rows):
        if r[2] == "rating" and r[3] == "customs":
            effect[i] = 1 if r[4] in SCALES.aeo_grades else -1
    events = EventTable.build(
        np.array([r[0] for r in rows]), np.array([day_number(date.fromisoformat(r[1]))
                                                  for r in rows]),
        code, department=dept, grade=grade, lowest=lowest, aeo_effect=effect.astype(np.int8),
    )
    return EventTable.concat([events], DEPTS, tuple(s.grades for s in SCALES.departments.values()))


def tier(timeline: TierTimeline, entity: int, on: str) -> str:
    return TIERS[timeline.tiers_at(date.fromisoformat(on))[entity]]


@pytest.mark.parametrize(
    ("listed", "last_listed_day", "first_free_day"),
    [
        ("2023-05-10", "2026-05-10", "2026-05-11"),  # exactly three years, Civil Code counting
        ("2024-02-29", "2027-02-28", "2027-03-01"),  # a leap day: the period ends 28 February
    ],
)
def test_category_2_lapses_the_day_after_three_years(
    listed: str, last_listed_day: str, first_free_day: str
) -> None:
    timeline = TierTimeline(1, table([(0, listed, "smuggling_penalty", None, None)]))
    assert tier(timeline, 0, listed) == "key_attention"
    assert tier(timeline, 0, last_listed_day) == "key_attention"
    assert tier(timeline, 0, first_free_day) == "whitelist"


def test_add_years_and_lapse_days_on_leap_days() -> None:
    days = np.array([day_number(date(2024, 2, 29)), day_number(date(2023, 5, 10))])
    assert [date.fromordinal(int(d) + 719163) for d in add_years(days, 3)] == [
        date(2027, 2, 28), date(2026, 5, 10)]
    assert add_years(days, 4)[0] == day_number(date(2028, 2, 29))
    assert lapse_days(days, 3)[0] == day_number(date(2027, 3, 1))


def test_recurrence_restarts_the_clock_and_two_grounds_lapse_apart() -> None:
    timeline = TierTimeline(2, table([
        (0, "2020-01-15", "smuggling_penalty", None, None),
        (0, "2022-06-01", "smuggling_penalty", None, None),
        (1, "2020-01-15", "legal_ground_listed", None, None),
        (1, "2021-03-01", "serious_dishonesty_listed", "market_supervision", None),
    ]))
    assert tier(timeline, 0, "2023-01-20") == "key_attention"  # first alone would have lapsed
    assert tier(timeline, 0, "2025-06-01") == "key_attention"
    assert tier(timeline, 0, "2025-06-02") == "whitelist"
    assert tier(timeline, 1, "2023-01-16") == "key_attention"  # second ground still holds
    assert tier(timeline, 1, "2024-03-02") == "whitelist"


def test_serious_dishonesty_removal_ends_that_ground_at_once() -> None:
    timeline = TierTimeline(2, table([
        (0, "2022-01-01", "serious_dishonesty_listed", None, None),
        (0, "2022-07-01", "serious_dishonesty_removed", None, None),
        (0, "2022-09-01", "serious_dishonesty_listed", None, None),
        (1, "2022-01-01", "serious_dishonesty_listed", None, None),
        (1, "2022-01-01", "smuggling_penalty", None, None),
        (1, "2022-02-01", "serious_dishonesty_removed", None, None),
    ]))
    assert tier(timeline, 0, "2022-06-30") == "key_attention"
    assert tier(timeline, 0, "2022-07-01") == "whitelist"
    assert tier(timeline, 0, "2022-09-01") == "key_attention"  # a new listing after removal
    assert tier(timeline, 1, "2022-03-01") == "key_attention"  # the penalty still holds


def test_category_1_holds_until_the_rating_rises() -> None:
    timeline = TierTimeline(1, table([
        (0, "2021-01-01", "rating", "tax", "D"),
        (0, "2022-01-01", "rating", "tax", "D"),
        (0, "2023-04-01", "rating", "tax", "C"),
    ]))
    assert tier(timeline, 0, "2020-12-31") == "whitelist"
    assert tier(timeline, 0, "2023-03-31") == "key_attention"
    assert tier(timeline, 0, "2023-04-01") == "whitelist"


def test_aeo_then_penalised_is_key_attention_and_customs_rating_ends_aeo() -> None:
    timeline = TierTimeline(2, table([
        (0, "2021-01-01", "aeo_certified", "customs", None),
        (0, "2022-01-01", "smuggling_penalty", None, None),
        (1, "2021-01-01", "rating", "customs", "advanced_certified"),
        (1, "2022-01-01", "rating", "customs", "regular"),
    ]))
    assert tier(timeline, 0, "2021-06-01") == "aeo"
    assert tier(timeline, 0, "2022-06-01") == "key_attention"
    assert timeline.aeo_at(date(2022, 6, 1))[0]
    assert tier(timeline, 0, "2025-01-02") == "aeo"  # the penalty lapsed, AEO never revoked
    assert tier(timeline, 1, "2021-06-01") == "aeo"
    assert tier(timeline, 1, "2022-06-01") == "whitelist"


def test_same_day_events_apply_in_table_order() -> None:
    timeline = TierTimeline(2, table([
        (0, "2021-01-01", "aeo_certified", None, None),
        (0, "2021-01-01", "aeo_revoked", None, None),
        (1, "2021-01-01", "aeo_revoked", None, None),
        (1, "2021-01-01", "aeo_certified", None, None),
    ]))
    assert tier(timeline, 0, "2021-01-01") == "whitelist"
    assert tier(timeline, 1, "2021-01-01") == "aeo"


def test_series_conserves_list_sizes_and_matches_point_queries() -> None:
    rng = np.random.default_rng(4)
    n = 3_000
    rows = []
    events = ["smuggling_penalty", "legal_ground_listed", "aeo_certified", "aeo_revoked"]
    for _ in range(4_000):
        e = int(rng.integers(0, n))
        d = date.fromordinal(date(2019, 1, 1).toordinal() + int(rng.integers(0, 2_500)))
        rows.append((e, d.isoformat(), events[int(rng.integers(0, 4))], None, None))
    timeline = TierTimeline(n, table(rows), 3)
    days = np.array([day_number(date(2019 + m // 12, m % 12 + 1, 1)) - 1 for m in range(1, 90)])
    series = timeline.series(days, chunk=700)
    size = series["key_attention"]
    assert np.array_equal(size[1:], size[:-1] + series["listings"][1:] - series["removals"][1:])
    for i in (0, 17, 50, 88):
        tiers = timeline.tiers_at(int(days[i]))
        assert size[i] == np.sum(tiers == TIERS.index("key_attention"))
        assert series["aeo"][i] == np.sum(tiers == TIERS.index("aeo"))
    assert np.all(series["whitelist"] + series["aeo"] + size == n)
