"""Replication statistics against theory: t intervals cover at their level, Welch and paired
intervals match SciPy, the replication count formula, MSER-5 on a known transient."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.experiment.stats import (
    mser5,
    paired_difference,
    replications_needed,
    t_interval,
    welch_difference,
)
from sim.results.experiment import Interval


def test_t_interval_by_hand() -> None:
    i = t_interval([1.0, 2.0, 3.0, 4.0, 5.0, math.nan])  # NaN is left out
    assert i.n == 5 and i.mean == 3.0
    assert i.sd == pytest.approx(math.sqrt(2.5))
    assert i.half_width == pytest.approx(2.776445 * math.sqrt(2.5) / math.sqrt(5), rel=1e-6)
    assert math.isnan(t_interval([4.0]).half_width) and t_interval([4.0]).mean == 4.0
    assert t_interval([]).n == 0


def test_t_interval_covers_the_mean_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    trials, covered = 2000, 0
    for _ in range(trials):
        i = t_interval(rng.normal(2.0, 3.0, size=8))
        covered += i.low <= 2.0 <= i.high
    # normal data: exact coverage 0.95; +-0.015 is three binomial standard errors
    assert abs(covered / trials - 0.95) <= 0.015


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, 12), rng.normal(11, 4, 9)
    mine = welch_difference(a, b)
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert mine.low == pytest.approx(ci.low) and mine.high == pytest.approx(ci.high)


def test_pairing_narrows_the_interval_of_correlated_arms() -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(100, 20, 30)  # the shared traffic
    a = common + rng.normal(0, 2, 30)
    b = common - 5 + rng.normal(0, 2, 30)
    paired, unpaired = paired_difference(a, b), welch_difference(a, b)
    assert paired.mean == pytest.approx(unpaired.mean)
    assert paired.half_width < unpaired.half_width / 5
    assert not paired.spans_zero() and unpaired.spans_zero()


def test_replications_needed_follows_the_square_law() -> None:
    # half-width 10% of the mean with n = 10: 5% needs about four times as many
    assert replications_needed(Interval(10, 100.0, 0.0, 10.0), 0.05) == 40
    assert replications_needed(Interval(10, 100.0, 0.0, 4.0), 0.05) == 10  # already there
    assert replications_needed(Interval(1, 100.0, math.nan, math.nan), 0.05) == 2


def test_mser5_finds_the_end_of_a_transient() -> None:
    rng = np.random.default_rng(11)
    transient = 40.0 * np.exp(-np.arange(60) / 10.0)
    series = np.concatenate([transient, np.zeros(340)]) + rng.normal(0, 1, 400) + 10
    cut = mser5(series)
    assert cut is not None and cut % 5 == 0
    assert 20 <= cut <= 70
    stationary = mser5(rng.normal(10, 1, 400))
    assert stationary is not None and stationary <= 100
    assert mser5([1.0] * 10) is None  # too short to judge
