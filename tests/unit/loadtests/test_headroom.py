"""The headroom search: double, then bisect to round speed-ups, bounded (loadtests.headroom)."""

from __future__ import annotations

import pytest

from loadtests.headroom import SearchLimits, find_max, midpoint
from sim.results.load import HeadroomStep


def _platform(capacity: float) -> tuple[list[float], object]:
    tried: list[float] = []

    def step(speed: float, number: int) -> HeadroomStep:
        assert number == len(tried) + 1
        tried.append(speed)
        holds = speed <= capacity
        return HeadroomStep(speed, holds, () if holds else ("run.p99_ms",))

    return tried, step


def test_it_doubles_then_bisects_to_the_highest_speed_held() -> None:
    tried, step = _platform(capacity=6.5)
    found = find_max(step, SearchLimits(start=1, limit=1024, floor=0.125))  # type: ignore[arg-type]
    assert tried == [1, 2, 4, 8, 6, 7, 6.5]
    assert (found.held, found.broke, found.stopped) == (6.5, 7, "converged")
    assert found.statement("the Spring Festival peak hour") == \
        "holds 6.5x the predicted traffic of the Spring Festival peak hour; breaks at 7x"


def test_a_first_step_that_breaks_searches_downwards_to_the_floor() -> None:
    tried, step = _platform(capacity=0.3)
    found = find_max(step, SearchLimits(start=2, limit=8, floor=0.25))  # type: ignore[arg-type]
    assert tried[:4] == [2, 1, 0.5, 0.25]
    assert found.held is not None and 0.25 <= found.held <= 0.3
    tried, step = _platform(capacity=0.1)
    found = find_max(step, SearchLimits(start=2, limit=8, floor=0.25))  # type: ignore[arg-type]
    assert (found.held, found.stopped) == (None, "floor")
    assert found.statement("p") == "does not hold 0.25x the predicted traffic of p"


def test_it_stops_at_its_limit_its_steps_and_its_time() -> None:
    tried, step = _platform(capacity=100)
    found = find_max(step, SearchLimits(start=1, limit=10, floor=0.1))  # type: ignore[arg-type]
    assert tried == [1, 2, 4, 8, 10] and (found.held, found.broke) == (10, None)
    assert found.stopped == "limit" and "stopped at its limit, 10x" in found.statement("p")
    tried, step = _platform(capacity=100)
    found = find_max(step, SearchLimits(start=1, limit=1000, floor=0.1,  # type: ignore[arg-type]
                                        max_steps=3))
    assert tried == [1, 2, 4] and found.stopped == "steps"
    tried, step = _platform(capacity=100)
    found = find_max(step, SearchLimits(start=1, limit=1000, floor=0.1,  # type: ignore[arg-type]
                                        budget_s=60), expected_s=lambda s: 100 / s)
    assert tried == [] and found.stopped == "time", "100 s at 1x does not fit in 60 s"
    assert found.statement("p") == "no step could be run within the search's bounds (time)"


def test_midpoints_are_round() -> None:
    assert midpoint(6, 8) == 7
    assert midpoint(6, 7) == 6.5
    assert midpoint(100, 200) == 150
    assert 6.5 < midpoint(6.5, 6.6) < 6.6
    with pytest.raises(ValueError, match="--max-speed"):
        SearchLimits(start=4, limit=2, floor=1).check()
