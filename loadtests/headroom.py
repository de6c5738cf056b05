"""Headroom: the highest speed-up of the predicted traffic at which the target holds its SLO.

A launch decision needs one figure: how much more than the predicted peak the platform takes
("holds 6.5x the predicted Spring Festival peak hour"). :func:`find_max` finds it with whole
load tests, each a *step* at one speed-up, each against a platform in the state the workload
expects (the caller starts a fresh one per step):

1. from the first speed-up, double until a step breaks the SLO (or the limit is reached);
   when the first step already breaks, halve down to the floor instead;
2. bisect between the highest speed-up held and the lowest broken until they are within the
   precision (``broke / held <= 1 + precision``), each midpoint rounded to two significant
   digits so the answer reads as it is (6.5x, not 6.4873x).

A step holds when one of its attempts holds (``attempts``; on a machine shared with other work,
one stall in a short step decides its p99). The search is bounded: by a number of steps and by
a time budget, checked before each step with the step's expected length. It assumes that
holding is monotone in the speed-up; a held step above a broken one is reported as found.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sim.results.load import Headroom, HeadroomStep

__all__ = ["SearchLimits", "find_max", "midpoint"]

Step = Callable[[float, int], HeadroomStep]
"""``step(speed, number)``: run step ``number`` (1-based) at ``speed``; return its outcome."""


@dataclass(frozen=True)
class SearchLimits:
    """Bounds of a search.

    Attributes:
        start: the first speed-up tried.
        limit: the highest speed-up tried.
        floor: the lowest speed-up tried when the first breaks.
        precision: stop when the highest held and lowest broken are within this ratio - 1.
        max_steps: the most steps.
        budget_s: the most wall time.
    """

    start: float
    limit: float
    floor: float
    precision: float = 0.1
    max_steps: int = 12
    budget_s: float = 1800.0

    def check(self) -> None:
        """Raise ValueError with one line naming the option and value when one is wrong."""
        if not self.start > 0:
            raise ValueError(f"--speed: must be greater than 0 (got {self.start:g})")
        if self.limit < self.start:
            raise ValueError(f"--max-speed: must be at least --speed {self.start:g} "
                             f"(got {self.limit:g})")
        if not 0 < self.precision < 1:
            raise ValueError(f"--precision: must be between 0 and 1 (got {self.precision:g})")


def midpoint(low: float, high: float) -> float:
    """A round speed-up strictly between ``low`` and ``high`` (two significant digits, or
    more when needed); ``high`` when there is none."""
    middle = (low + high) / 2
    for digits in range(2, 8):
        scale = 10.0 ** (digits - 1 - math.floor(math.log10(middle)))
        rounded = float(round(middle * scale)) / scale
        if low < rounded < high:
            return rounded
    return middle


def find_max(step: Step, limits: SearchLimits,
             expected_s: Callable[[float], float] | None = None) -> Headroom:
    """Search for the highest speed-up that holds (see the module docstring).

    Args:
        step: runs one step.
        limits: where to start, where to stop.
        expected_s: how long a step at a speed-up is expected to take (for the time budget).
    """
    begin = time.monotonic()
    steps: list[HeadroomStep] = []
    held: float | None = None
    broke: float | None = None
    stopped = "converged"

    def affordable(speed: float) -> bool:
        nonlocal stopped
        if len(steps) >= limits.max_steps:
            stopped = "steps"
            return False
        need = expected_s(speed) if expected_s is not None else 0.0
        if time.monotonic() - begin + need > limits.budget_s:
            stopped = "time"
            return False
        return True

    def run(speed: float) -> bool:
        nonlocal held, broke
        outcome = step(speed, len(steps) + 1)
        steps.append(outcome)
        if outcome.holds:
            held = speed if held is None else max(held, speed)
        else:
            broke = speed if broke is None else min(broke, speed)
        return outcome.holds

    speed = limits.start
    if affordable(speed) and run(speed):
        while broke is None:
            if speed >= limits.limit:
                stopped = "limit"
                break
            speed = min(speed * 2, limits.limit)
            if not (affordable(speed) and run(speed)):
                break
    elif steps:
        while held is None:
            speed = speed / 2
            if speed < limits.floor:
                stopped = "floor"
                break
            if not affordable(speed):
                break
            run(speed)
    if held is not None and broke is not None and stopped == "converged":
        while broke > held and broke / held > 1 + limits.precision:
            speed = midpoint(held, broke)
            if not affordable(speed):
                break
            run(speed)
    return Headroom(held=held, broke=broke, limit=limits.limit, steps=tuple(steps),
                    stopped=stopped)
