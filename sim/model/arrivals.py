"""Arrivals as non-homogeneous Poisson processes, drawn all at once.

A flow's arrival rate is piecewise constant over local clock hours: in the hour that starts at
local time ``h`` on day ``d`` it is::

    rate = per_day * profile[h] / sum(profile) * calendar.factor(d, flow, port)   (per hour)

so an ordinary day brings ``per_day`` arrivals on average, shaped by the profile, and the
calendar scales whole days (weekday patterns, the Spring Festival rush).

A Poisson process with a piecewise-constant rate is easy to draw without a loop over arrivals:
the number of arrivals in each block is Poisson(rate x block length), and given that number the
arrival times are independent and uniform inside the block. So one vectorised draw of the counts
and one of the offsets produce a whole horizon of arrivals, sorted. Each (port, flow) has its own
named random stream (``arrivals.<port>.<flow>``), so changing a policy, or another port, never
changes these times: common random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from sim.scenario.calendar import Calendar
from sim.scenario.ports import FlowSpec

__all__ = ["HourBlocks", "arrival_times", "hour_blocks", "hourly_counts", "hourly_rates"]


@dataclass(frozen=True)
class HourBlocks:
    """The horizon cut at local clock hours.

    Attributes:
        start_s: block starts, seconds since the scenario start (the first is 0).
        end_s: block ends (the last is the horizon).
        hour: local hour of day of each block (0-23).
        day: local date of each block.
    """

    start_s: np.ndarray
    end_s: np.ndarray
    hour: np.ndarray
    day: tuple[date, ...]


def hour_blocks(start: datetime, horizon_s: float) -> HourBlocks:
    """Cut [0, horizon_s] at the local clock hours after ``start`` (a local datetime)."""
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (start - midnight).total_seconds()
    first = int(offset // 3600)
    last = int(np.ceil((offset + horizon_s) / 3600.0))
    index = np.arange(first, last)
    starts = np.clip(index * 3600.0 - offset, 0.0, horizon_s)
    ends = np.clip((index + 1) * 3600.0 - offset, 0.0, horizon_s)
    days = tuple(midnight.date() + timedelta(days=int(k // 24)) for k in index)
    return HourBlocks(starts, ends, index % 24, days)


def hourly_rates(
    blocks: HourBlocks, spec: FlowSpec, calendar: Calendar, flow: str, port: str
) -> np.ndarray:
    """Expected arrivals per second in each block."""
    profile = np.asarray(spec.hourly_profile, dtype=float)
    share = profile / profile.sum()
    factors: dict[date, float] = {}
    for day in set(blocks.day):
        factors[day] = calendar.factor(day, flow, port)
    day_factor = np.array([factors[d] for d in blocks.day])
    rates: np.ndarray = spec.per_day * share[blocks.hour] * day_factor / 3600.0
    return rates


def hourly_counts(
    rates: np.ndarray, blocks: HourBlocks, rng: np.random.Generator, bins: int
) -> np.ndarray:
    """How many of :func:`arrival_times`'s arrivals fall in each hour since the start.

    The same draws from ``rng`` as :func:`arrival_times` and the same counts as binning its
    times by ``time // 3600`` (the first ``bins`` hours), without ever holding them all: a
    year of passengers at a busy port is twelve million times, several arrays of them while
    drawn. The blocks' uniforms are drawn a week at a time, which draws the same numbers.
    """
    widths = blocks.end_s - blocks.start_s
    counts = rng.poisson(rates * widths)
    out = np.zeros(bins, dtype=np.int64)
    step = 24 * 7
    for k in range(0, len(counts), step):
        c = counts[k : k + step]
        offsets = rng.random(int(c.sum())) * np.repeat(widths[k : k + step], c)
        times = np.repeat(blocks.start_s[k : k + step], c) + offsets
        hours = np.bincount((times // 3600.0).astype(np.int64), minlength=bins)
        out += hours[:bins]
    return out


def arrival_times(rates: np.ndarray, blocks: HourBlocks, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times of a Poisson process with rate ``rates[k]`` on block k.

    Args:
        rates: arrivals per second in each block.
        blocks: the blocks.
        rng: the flow's own random stream.
    """
    widths = blocks.end_s - blocks.start_s
    counts = rng.poisson(rates * widths)
    starts = np.repeat(blocks.start_s, counts)
    offsets = rng.random(int(counts.sum())) * np.repeat(widths, counts)
    times: np.ndarray = np.sort(starts + offsets)
    return times
