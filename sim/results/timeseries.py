"""Counting processes over time: how many journeys are inside a segment at each moment.

Many KPIs are about a population that changes over time: trucks waiting for a channel, trucks
between arrival and release, vehicles in the holding area. Each is defined by an entry and an
exit time per journey (exit NaN = still inside at the end). Sorting all entries (+1) and exits
(-1) gives a step function; its maximum is the peak, its integral over a window divided by the
window's length is the time-average (the L of Little's law), and its integral per hour bin is the
queue-length-over-time series. Everything here is vectorised NumPy over the record columns.
"""

from __future__ import annotations

import numpy as np

__all__ = ["busy_seconds", "level_at_entries", "step", "time_average", "window_peak"]


def step(entry: np.ndarray, exit_: np.ndarray, end: float) -> tuple[np.ndarray, np.ndarray]:
    """The step function N(t) of a population; N(t) = levels[k] on [times[k], times[k+1]).

    Args:
        entry: entry times (NaN entries are ignored: never entered).
        exit_: exit times (NaN = still inside at ``end``).
        end: the end of the observation.

    Returns:
        (times, levels), times sorted; ties are resolved exits first.
    """
    entered = ~np.isnan(entry)
    ins = entry[entered]
    outs = np.where(np.isnan(exit_[entered]), np.inf, exit_[entered])
    outs = outs[outs <= end]
    exits = len(outs)
    times = np.concatenate([outs, ins])
    del outs, ins
    # at equal times, -1 before +1: the exits come first in ``times``, and a stable sort keeps
    # them first (the order a sort by time, then by delta, gives, without holding the deltas)
    order = np.argsort(times, kind="stable")
    times = times[order]
    deltas = np.where(order < exits, -1.0, 1.0)
    del order
    return times, np.cumsum(deltas)


def _area_until(times: np.ndarray, levels: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Integral of the step function from -inf to each t."""
    if len(times) == 0:
        return np.zeros(len(t))
    # the area up to each times[j + 1], accumulated in place (a year's queue is millions of
    # steps: one array, not four)
    upto = np.diff(times)
    np.multiply(levels[:-1], upto, out=upto)
    np.add.accumulate(upto, out=upto)
    k = np.searchsorted(times, t, side="right") - 1
    before = k < 0
    k = np.clip(k, 0, None)
    cum = np.zeros(len(k))  # the area up to times[k]: 0 up to the first step
    inner = k > 0
    cum[inner] = upto[k[inner] - 1]
    area = cum + levels[k] * (t - times[k])
    return np.where(before, 0.0, area)


def time_average(times: np.ndarray, levels: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Time-average level in each bin [edges[i], edges[i+1])."""
    area = _area_until(times, levels, np.asarray(edges, dtype=float))
    widths = np.diff(edges)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: np.ndarray = np.diff(area) / widths
    return result


def window_peak(times: np.ndarray, levels: np.ndarray, start: float, end: float) -> int:
    """The highest level reached in [start, end]."""
    if len(times) == 0:
        return 0
    k = np.searchsorted(times, start, side="right") - 1
    at_start = levels[k] if k >= 0 else 0.0
    inside = levels[(times >= start) & (times <= end)]
    return int(max(at_start, inside.max() if len(inside) else 0.0))


def level_at_entries(entry: np.ndarray, exit_: np.ndarray) -> np.ndarray:
    """For each journey, how many others were inside when it entered (FIFO-independent).

    Args:
        entry: entry times, not NaN.
        exit_: exit times (NaN = never left).
    """
    entries = np.sort(entry)
    exits = np.sort(np.where(np.isnan(exit_), np.inf, exit_))
    entered_before = np.searchsorted(entries, entry, side="left")
    left_before = np.searchsorted(exits, entry, side="right")
    result: np.ndarray = entered_before - left_before
    return result


def busy_seconds(start: np.ndarray, end: np.ndarray, lo: float, hi: float) -> float:
    """Total overlap of intervals [start, end] (end NaN = busy until ``hi``) with [lo, hi]."""
    began = ~np.isnan(start)
    s = np.clip(start[began], lo, hi)
    e = np.clip(np.where(np.isnan(end[began]), hi, end[began]), lo, hi)
    return float(np.sum(np.maximum(e - s, 0.0)))
