"""The step functions of the KPIs, computed in less memory, give the textbook's numbers bit
for bit: a step sorted by time with exits first at a tie, its area accumulated step by step."""

from __future__ import annotations

import numpy as np
import pytest

from sim.results.timeseries import step, time_average


def _textbook_step(entry: np.ndarray, exit_: np.ndarray, end: float) -> tuple[np.ndarray, ...]:
    entered = ~np.isnan(entry)
    ins = entry[entered]
    outs = np.where(np.isnan(exit_[entered]), np.inf, exit_[entered])
    outs = outs[outs <= end]
    times = np.concatenate([outs, ins])
    deltas = np.concatenate([-np.ones(len(outs)), np.ones(len(ins))])
    order = np.lexsort((deltas, times))  # by time, then exits (-1) before entries (+1)
    return times[order], np.cumsum(deltas[order])


def _textbook_average(times: np.ndarray, levels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    def area(t: np.ndarray) -> np.ndarray:
        if len(times) == 0:
            return np.zeros(len(t))
        cum = np.concatenate([[0.0], np.cumsum(levels[:-1] * np.diff(times))])
        k = np.searchsorted(times, t, side="right") - 1
        kk = np.clip(k, 0, None)
        return np.where(k < 0, 0.0, cum[kk] + levels[kk] * (t - times[kk]))

    result: np.ndarray = np.diff(area(edges)) / np.diff(edges)
    return result


@pytest.mark.parametrize("seed", range(40))
def test_step_and_time_average_equal_the_textbook_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400)) if seed else 0
    entry = rng.integers(0, 30, n).astype(float)  # whole seconds: many ties
    exit_ = entry + rng.integers(0, 6, n)
    entry[rng.random(n) < 0.1] = np.nan  # never entered
    exit_[rng.random(n) < 0.1] = np.nan  # still inside at the end
    times, levels = step(entry, exit_, 27.0)
    want_times, want_levels = _textbook_step(entry, exit_, 27.0)
    assert times.tobytes() == want_times.tobytes()
    assert levels.tobytes() == want_levels.tobytes()
    edges = np.array([-1.0, 0.0, 2.5, 10.0, 17.0, 27.0])
    assert time_average(times, levels, edges).tobytes() == _textbook_average(
        times, levels, edges
    ).tobytes()
