"""The formulas themselves, against values published in queueing textbooks."""

from __future__ import annotations

import math

import pytest

from tests.theory.queueing import erlang_c, mm1_sojourn_quantile, mmc_wq, t_interval


def test_erlang_c_one_server_is_utilisation() -> None:
    assert erlang_c(1, 0.7, 1.0) == pytest.approx(0.7)


def test_erlang_c_known_value() -> None:
    # c = 2, a = 1 (rho = 0.5): C = 1/3, a classic textbook value.
    assert erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert mmc_wq(2, 1.0, 1.0) == pytest.approx(1 / 3)


def test_mm1_quantile_is_ln10_over_gap() -> None:
    assert mm1_sojourn_quantile(0.9, 0.5, 1.0) == pytest.approx(math.log(10) / 0.5)


def test_unstable_queue_rejected() -> None:
    with pytest.raises(ValueError):
        erlang_c(2, 2.0, 1.0)


def test_t_interval_contains_mean() -> None:
    mean, low, high = t_interval([1.0, 2.0, 3.0, 4.0])
    assert low < mean == 2.5 < high
