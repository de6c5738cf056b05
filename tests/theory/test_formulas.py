"""The formulas themselves, against values published in queueing textbooks."""

from __future__ import annotations

import math

import pytest

from tests.theory.queueing import (
    cobham_mg1,
    cobham_mmc,
    erlang_c,
    mm1_sojourn_quantile,
    mmc_wq,
    t_interval,
)


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


def test_cobham_with_one_class_is_erlang_c_and_pollaczek_khinchine() -> None:
    assert cobham_mmc(3, [2.0], 1.0) == pytest.approx([mmc_wq(3, 2.0, 1.0)])
    # M/D/1, d = 1, lambda = 0.5: Wq = lambda d^2 / (2 (1 - rho)) = 0.5
    assert cobham_mg1([0.5], [1.0], [1.0]) == pytest.approx([0.5])


def test_cobham_two_classes_textbook_values() -> None:
    # M/M/1, mu = 1, lambda = 0.3 + 0.5: W0 = rho / mu = 0.8,
    # W1 = 0.8 / (1 - 0.3) = 8/7, W2 = 0.8 / ((1 - 0.3)(1 - 0.8)) = 40/7.
    assert cobham_mmc(1, [0.3, 0.5], 1.0) == pytest.approx([8 / 7, 40 / 7])
    # the same queue as M/G/1 (exponential: E[S^2] = 2 / mu^2)
    assert cobham_mg1([0.3, 0.5], [1.0, 1.0], [2.0, 2.0]) == pytest.approx([8 / 7, 40 / 7])


@pytest.mark.parametrize(("c", "rho", "share"), [(1, 0.7, 0.5), (2, 0.8, 0.3), (4, 0.9, 0.1)])
def test_cobham_conserves_the_fcfs_mean_wait(c: int, rho: float, share: float) -> None:
    """Kleinrock's conservation law: priority only moves waiting between classes of equal mu."""
    lam = rho * c
    w1, w2 = cobham_mmc(c, [share * lam, (1 - share) * lam], 1.0)
    assert share * w1 + (1 - share) * w2 == pytest.approx(mmc_wq(c, lam, 1.0))
    assert w1 < mmc_wq(c, lam, 1.0) < w2


def test_unstable_priority_queue_rejected() -> None:
    with pytest.raises(ValueError):
        cobham_mg1([0.6, 0.5], [1.0, 1.0], [1.0, 1.0])
