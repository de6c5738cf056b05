"""The ``ferry`` block of a strait port: sailings, loads, where vehicles wait and for how long.

A vehicle bound for the strait is *at the port* from its release (customs for supervised
trucks, the non-customs channel for ordinary vehicles) until it boards. The first
``holding_capacity`` of them wait in the holding area; the rest wait outside it, on the roads
and in emergency lots, where the public counts "stranded vehicles". Before that, a driver who
chose a city staging area during a closure waits there (from its ``arrival`` until it is
called, its ``release``). So, at any moment::

    waiting at the port = in the holding area (at most its capacity) + outside it

and the KPIs report the three levels' peaks separately (``holding_peak`` never exceeds the
capacity), the waiting total hour by hour, and the staging area's peak.

*Delayed* vehicles are the ones the strait did not take on the first timetabled departure after
they joined the queue, because the sailing was full or cancelled by weather. The wait past that
departure is the strait's own delay (the rest of a boarding wait is the timetable's headway),
and its time-average, ``delayed_mean``, is how many vehicles the strait is holding back on
average: the ferry's figure for :mod:`sim.results.bottleneck`.

Counts and waits are over the KPI window: vehicles that joined the queue (or arrived, for
staging) at or after the warm-up; peaks and averages over the window's time.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.results.records import Records
from sim.results.run import RunResult
from sim.results.timeseries import busy_seconds, level_at_entries, step, time_average, window_peak

__all__ = ["RIDE_FLOWS", "ferry_kpis"]

RIDE_FLOWS: tuple[str, ...] = ("cargo_truck", "vehicle")
"""Flows that cross on the ferries (passengers are only counted)."""


def _stats(values: np.ndarray) -> dict[str, Any]:
    if len(values) == 0:
        return {"mean": None, "p50": None, "p95": None, "max": None}
    p50, p95 = np.percentile(values, [50, 95])
    return {"mean": float(values.mean()), "p50": float(p50), "p95": float(p95),
            "max": float(values.max())}  # fmt: skip


def _passengers_while_suspended(result: RunResult, port: str, lo: float, hi: float) -> float:
    passengers = result.counted.get(port, {}).get("passenger")
    if passengers is None:
        return 0.0
    hours = np.arange(len(passengers)) * 3600.0
    total = 0.0
    for a, b, share in result.ferries[port].suspensions:
        if share > 0:
            continue  # sailings thinned, not stopped
        # share of each hour bin inside the suspension (and the KPI window)
        overlap = np.clip(
            np.minimum(hours + 3600.0, min(b, hi)) - np.maximum(hours, max(a, lo)), 0, 3600
        )
        total += float(np.sum(passengers * overlap / 3600.0))
    return total


def ferry_kpis(result: RunResult, port: str, mine: Records, lo: float, hi: float) -> dict[str, Any]:
    """The ferry block of ``port`` (see the module docstring).

    Args:
        result: the run (its ferry facts for ``port``).
        port: a strait port.
        mine: the port's records.
        lo: start of the KPI window.
        hi: its end.
    """
    facts = result.ferries[port]
    # A year's strait port is millions of rides: each figure is computed in turn and its
    # temporaries go before the next (the values are those of the arrays as a whole).
    riding = np.isin(mine["flow"], RIDE_FLOWS) & ~np.isnan(mine["release"])
    at_port = mine.select(riding, ("flow", "release", "boarding"))
    del riding
    entry, board = at_port["release"], at_port["boarding"]
    capacity = facts.holding_capacity
    in_window = entry >= lo
    boarded = (board >= lo) & (board <= hi)
    units = np.ones(len(entry))  # lane units of each ride, by its flow (1 by default)
    for flow in RIDE_FLOWS:
        units[at_port["flow"] == flow] = facts.lane_units.get(flow, 1.0)
    boarded_units = float(units[boarded].sum())
    del units, at_port
    ran = np.asarray(facts.departures, dtype=float)
    ran_in_window = int(np.sum((ran >= lo) & (ran <= hi)))
    offered = ran_in_window * facts.lane_units_per_sailing
    overflow = int(np.sum(in_window & (level_at_entries(entry, board) >= capacity)))
    waits = _stats((board - entry)[in_window & ~np.isnan(board)])

    # The first timetabled departure at or after joining the queue; the wait past it is delay.
    scheduled = np.asarray(facts.scheduled, dtype=float)
    first = np.full(len(entry), np.inf)
    if len(scheduled):
        k = np.searchsorted(scheduled, entry, side="left")
        first = np.where(k < len(scheduled), scheduled[np.minimum(k, len(scheduled) - 1)], np.inf)
        del k
    delayed = first < np.where(np.isnan(board), hi, board)
    delay_start = np.where(delayed, first, np.nan)
    del first
    delayed_count = int(np.sum(delayed & in_window))
    delayed_mean = busy_seconds(delay_start, board, lo, hi) / (hi - lo)
    del delay_start, delayed

    times, levels = step(entry, board, hi)
    del entry
    edges = np.append(np.arange(lo, hi, 3600.0), hi)
    staging = mine.select(
        (mine["flow"] == "vehicle") & ~(mine["release"] == mine["arrival"]), ("arrival", "release")
    )
    s_times, s_levels = step(staging["arrival"], staging["release"], hi)
    return {
        "sailings_scheduled": facts.sailings_scheduled,
        "sailings_cancelled": facts.sailings_cancelled,
        "sailings_in_window": ran_in_window,
        "lane_units_per_sailing": facts.lane_units_per_sailing,
        "boarded": int(boarded.sum()),
        "load_factor": boarded_units / offered if offered > 0 else None,
        "holding_capacity": capacity,
        "holding_peak": window_peak(times, np.minimum(levels, capacity), lo, hi),
        "outside_peak": window_peak(times, np.maximum(levels - capacity, 0), lo, hi),
        "waiting_peak": window_peak(times, levels, lo, hi),
        "waiting_hourly": [float(x) for x in time_average(times, levels, edges)],
        "overflow": overflow,
        "waiting_at_end": int(np.sum(np.isnan(board))),
        "boarding_wait_s": waits,
        "delayed": delayed_count,
        "delayed_mean": delayed_mean,
        "staging_peak": window_peak(s_times, s_levels, lo, hi),
        "staged": facts.staged,
        "postponed": facts.postponed,
        "postponed_beyond_end": facts.postponed_beyond_end,
        "passengers_arriving_while_suspended": round(
            _passengers_while_suspended(result, port, lo, hi)
        ),
    }
