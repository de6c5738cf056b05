"""Counting list sizes per day from intervals: merging, clipping, the kpis.json section."""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from sim.results import canonical_json
from sim.results.lists import ListSizes, count_lists, list_series, merge_intervals
from sim.results.rows import KpiTable, kpi_rows, kpi_series

D0 = 20_000  # days since 1970-01-01; the window is D0 .. D0 + 9
NEVER = np.iinfo(np.int64).max


def _arrays(*rows: tuple[int, int, int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, owner) arrays from (owner, start offset, end offset or None = never)."""
    owner = np.array([r[0] for r in rows], dtype=np.int64)
    start = np.array([D0 + r[1] for r in rows], dtype=np.int64)
    end = np.array([NEVER if r[2] is None else D0 + r[2] for r in rows], dtype=np.int64)
    return start, end, owner


def test_merge_joins_overlapping_and_touching_intervals_of_one_owner_only() -> None:
    owner, start, end = merge_intervals(
        np.array([1, 0, 0, 0, 1, 0]), np.array([5, 0, 3, 8, 0, 2]), np.array([9, 3, 6, 9, 4, 4])
    )
    assert owner.tolist() == [0, 0, 1, 1]
    assert start.tolist() == [0, 8, 0, 5]
    assert end.tolist() == [6, 9, 4, 9]


def test_counts_tiers_grounds_listings_and_removals() -> None:
    listed = _arrays(
        (0, -400, 3),  # listed long before the window, lapses on day 3
        (0, 2, 6),  # a second ground from day 2: the entity stays listed to day 5
        (1, 4, None),  # listed on day 4, for good
        (2, 9, 12),  # listed on the last day; lapses after the window
    )
    grounds = np.array([0, 1, 0, 1])
    certified = _arrays((1, -30, None), (3, 1, 5))  # 1 is AEO until listed; 3 from day 1 to 4
    sizes = count_lists(5, listed, grounds, ("penalty", "rating"), certified, D0, 10)
    #                                        0  1  2  3  4  5  6  7  8  9
    assert sizes.tiers["key_attention"].tolist() == [1, 1, 1, 1, 2, 2, 1, 1, 1, 2]
    assert sizes.tiers["aeo"].tolist() == [1, 2, 2, 2, 1, 0, 0, 0, 0, 0]
    assert sizes.tiers["whitelist"].tolist() == [3, 2, 2, 2, 2, 3, 4, 4, 4, 3]
    assert sizes.listings.tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert sizes.removals.tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert sizes.by_ground["penalty"].tolist() == [1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    assert sizes.by_ground["rating"].tolist() == [0, 0, 1, 1, 1, 1, 0, 0, 0, 1]
    assert list(sizes.tiers) == ["aeo", "whitelist", "key_attention"]


def test_a_ground_that_lists_no_one_in_the_window_is_left_out() -> None:
    listed = _arrays((0, -900, -800), (1, 2, 4))
    sizes = count_lists(2, listed, np.array([0, 1]), ("old", "new"), None, D0, 5)
    assert list(sizes.by_ground) == ["new"]
    assert list(sizes.tiers) == ["whitelist", "key_attention"]
    assert sizes.tiers["key_attention"].tolist() == [0, 0, 1, 1, 0]


def test_the_kpis_section_gives_rows_and_daily_series() -> None:
    listed = _arrays((0, -10, 2), (1, 1, None))
    kind = count_lists(3, listed, np.array([0, 0]), ("smuggling_penalty",), None, D0, 3)
    sizes = ListSizes(date(2026, 1, 1), 3, {"individual": kind})
    kpis = json.loads(canonical_json({"list_sizes": sizes.as_kpis()}))
    section = kpis["list_sizes"]
    assert section["first_day"] == "2026-01-01" and section["days"] == 3
    assert section["individual"]["key_attention"]["count_daily"] == [1, 2, 1]
    table = KpiTable(kpi_rows(kpis))
    assert table.get("list_sizes.individual.key_attention.peak") == 2
    assert table.get("list_sizes.individual.key_attention.last") == 1
    assert table.get("list_sizes.individual.listings.total") == 1
    assert table.get("list_sizes.individual.removals.total") == 1
    assert kpi_series(kpis) == []  # the hourly series stay hourly
    series = {s.metric: s.values for s in list_series(kpis)}
    assert series["list_sizes.individual.whitelist.count_daily"] == (2.0, 1.0, 2.0)
    assert series["list_sizes.individual.by_ground.smuggling_penalty.count_daily"] == (
        1.0, 2.0, 1.0,
    )
    assert list_series({"ports": {}}) == []
