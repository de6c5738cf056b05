"""Non-homogeneous Poisson arrivals from hourly profiles and calendar factors."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from sim.model.arrivals import arrival_times, hour_blocks, hourly_counts, hourly_rates
from sim.scenario import SHANGHAI, Calendar, DatedMultiplier, FlowSpec, WeekdayRule


def test_blocks_follow_the_local_clock() -> None:
    blocks = hour_blocks(datetime(2026, 3, 10, 22, 30, tzinfo=SHANGHAI), 3 * 3600)
    assert list(blocks.hour) == [22, 23, 0, 1]
    assert list(blocks.start_s) == [0, 1800, 5400, 9000]
    assert list(blocks.end_s) == [1800, 5400, 9000, 10800]
    assert blocks.day[2] == date(2026, 3, 11)


def test_counts_follow_profile_and_calendar() -> None:
    start = datetime(2026, 3, 9, tzinfo=SHANGHAI)  # a Monday
    blocks = hour_blocks(start, 14 * 86400)
    profile = [0.0] * 8 + [1.0] * 12 + [0.0] * 4  # only 08:00-20:00
    spec = FlowSpec(per_day=1000, hourly_profile=profile)
    calendar = Calendar(
        day_of_week=[WeekdayRule(multipliers=[1, 1, 1, 1, 1, 0.5, 0.5])],
        dated=[DatedMultiplier(start=date(2026, 3, 16), end=date(2026, 3, 16), multiplier=3)],
    )
    rates = hourly_rates(blocks, spec, calendar, "cargo_truck", "xinhai")
    expected_total = 1000 * (5 + 2 * 0.5) * 2 + 1000 * 2  # two weeks, plus the tripled Monday
    assert np.sum(rates * 3600) == np.float64(expected_total)
    times = arrival_times(rates, blocks, np.random.default_rng(1))
    assert abs(len(times) - expected_total) < 4 * np.sqrt(expected_total)
    hours = (times // 3600) % 24
    assert np.all((hours >= 8) & (hours < 20))
    assert np.all(np.diff(times) >= 0)
    day = (times // 86400).astype(int)
    per_day = np.bincount(day, minlength=14)
    assert per_day[7] > 2.3 * per_day[0]  # the dated Monday
    assert per_day[5] < 0.75 * per_day[0]  # a Saturday


def test_flat_profile_gives_exponential_gaps() -> None:
    blocks = hour_blocks(datetime(2026, 3, 10, tzinfo=SHANGHAI), 30 * 86400)
    spec = FlowSpec(per_day=2400, hourly_profile=[1.0] * 24)
    rates = hourly_rates(blocks, spec, Calendar(), "cargo_truck", "yangpu")
    gaps = np.diff(arrival_times(rates, blocks, np.random.default_rng(2)))
    assert abs(gaps.mean() - 36.0) < 1.0
    assert abs(np.mean(gaps > 36.0) - np.exp(-1)) < 0.01


def test_hourly_counts_bin_the_same_draws_as_the_arrival_times() -> None:
    # a start off the hour (blocks straddle the bins) and one on it, over 9 days (two weeks'
    # chunks of uniforms, the second partial)
    starts = (datetime(2025, 3, 1, 7, 40, tzinfo=SHANGHAI), datetime(2025, 3, 1, tzinfo=SHANGHAI))
    for start in starts:
        horizon = 9 * 86_400.0 + 1_234.0
        blocks = hour_blocks(start, horizon)
        spec = FlowSpec(per_day=5_000, hourly_profile=[1.0] * 6 + [3.0] * 12 + [2.0] * 6)
        rates = hourly_rates(blocks, spec, Calendar(), "passenger", "xinhai")
        bins = int(np.ceil(horizon / 3600.0))
        times = arrival_times(rates, blocks, np.random.default_rng(11))
        expected = np.bincount((times // 3600.0).astype(np.int64), minlength=bins)[:bins]
        counts = hourly_counts(rates, blocks, np.random.default_rng(11), bins)
        assert counts.sum() > 40_000 and np.array_equal(counts, expected)
