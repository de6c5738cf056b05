"""Distributions and backlogs read from the journey records, for plots across replications.

``kpis.json`` keeps a few quantiles of clearance time, not its whole distribution, and no
ferry backlog over time. An experiment does not keep each replication's records (a year of
them is millions of rows), so each replication reduces its records here, in the worker that ran
it, to what the report plots:

- :func:`clearance_histogram`: released supervised trucks per whole minute of clearance time
  (arrival -> release, WCO Time Release Study), per port and island-wide; histograms of
  replications add up bin by bin;
- :func:`ferry_backlog_hourly`: at each strait port, the time-average number of vehicles
  released by customs and not yet aboard a ferry (holding area and overflow), per hour of the
  KPI window;
- :func:`stage_queues_hourly`: at each port, the trucks waiting for a scanner (channel passed,
  scan not started) and for an inspection bay (image reviewed, inspection not started), per
  hour (the wait for a channel is ``queue_hourly`` of the KPIs).
"""

from __future__ import annotations

import numpy as np

from sim.results.records import Records
from sim.results.rows import KpiSeries
from sim.results.timeseries import step, time_average

__all__ = [
    "CLEARANCE_BINS",
    "clearance_histogram",
    "ferry_backlog_hourly",
    "stage_queues_hourly",
]

CLEARANCE_BINS = 241
"""One bin per minute from 0 to 240 min; the last collects everything longer."""

_TRUCK = "cargo_truck"
_FERRY_FLOWS = ["cargo_truck", "vehicle"]


def _counts(minutes: np.ndarray) -> tuple[int, ...]:
    bins = np.minimum(np.floor(minutes), CLEARANCE_BINS - 1).astype(np.int64)
    return tuple(int(c) for c in np.bincount(bins, minlength=CLEARANCE_BINS))


def clearance_histogram(records: Records, warmup_s: float) -> dict[str, tuple[int, ...]]:
    """Released supervised trucks of the KPI window per minute of clearance time.

    Args:
        records: a run's records.
        warmup_s: the warm-up (trucks that arrived before it are left out, as in the KPIs).

    Returns:
        port -> counts (length :data:`CLEARANCE_BINS`), for ports with trucks, and "" for all.
    """
    trucks = records.select(records["flow"] == _TRUCK)
    done = (trucks["arrival"] >= warmup_s) & ~np.isnan(trucks["release"])
    minutes = (trucks["release"][done] - trucks["arrival"][done]) / 60.0
    ports = trucks["port"][done]
    out = {"": _counts(minutes)}
    for port in sorted(set(ports.tolist())):
        out[str(port)] = _counts(minutes[ports == port])
    return out


def ferry_backlog_hourly(
    records: Records, ports: list[str], warmup_s: float, horizon_s: float
) -> list[KpiSeries]:
    """Vehicles waiting for a ferry (released, not yet aboard), time-averaged per hour.

    Args:
        records: a run's records.
        ports: the strait ports (those with ferries).
        warmup_s, horizon_s: the KPI window.
    """
    edges = np.append(np.arange(warmup_s, horizon_s, 3600.0), horizon_s)
    out = []
    for port in ports:
        mine = records.select(
            (records["port"] == port)
            & np.isin(records["flow"], _FERRY_FLOWS)
            & ~np.isnan(records["release"])
        )
        times, levels = step(mine["release"], mine["boarding"], horizon_s)
        values = time_average(times, levels, edges) if len(times) else np.zeros(len(edges) - 1)
        out.append(KpiSeries(port, "", "", "ferry.backlog_hourly", tuple(float(v) for v in values)))
    return out


def _hourly(
    entry: np.ndarray, exit_: np.ndarray, edges: np.ndarray, end: float
) -> tuple[float, ...]:
    times, levels = step(entry, exit_, end)
    if not len(times):
        return tuple(0.0 for _ in range(len(edges) - 1))
    return tuple(float(v) for v in time_average(times, levels, edges))


def stage_queues_hourly(records: Records, warmup_s: float, horizon_s: float) -> list[KpiSeries]:
    """Trucks waiting for a scanner and for an inspection bay, per port and hour.

    Only ports where some truck was sent to a scan appear.
    """
    edges = np.append(np.arange(warmup_s, horizon_s, 3600.0), horizon_s)
    trucks = records.select(records["flow"] == _TRUCK)
    out = []
    for port in sorted(set(trucks["port"].tolist())):
        t = trucks.select(trucks["port"] == port)
        # Waiting for a scanner: past the channel, not yet scanned. A truck sent straight to
        # inspection (score past the inspection threshold) never scans; one still waiting at
        # the end has no scan start, so only route "scan" counts it (a truck bound for
        # inspection via a scan still waiting at the end is missed: rare, at the very end).
        passed = ~np.isnan(t["channel_end"])
        scanned = passed & (~np.isnan(t["scan_start"]) | (t["route"] == "scan"))
        if not scanned.any():
            continue
        # Waiting for an inspection bay: after the image review, or after the channel when
        # the truck skipped the scan.
        inspected = passed & (t["route"] == "inspection")
        ready = np.where(np.isnan(t["scan_start"]), t["channel_end"], t["review_end"])
        inspected &= ~np.isnan(ready)
        out.append(
            KpiSeries(
                port,
                "",
                "",
                "scan_queue_hourly",
                _hourly(t["channel_end"][scanned], t["scan_start"][scanned], edges, horizon_s),
            )
        )
        out.append(
            KpiSeries(
                port,
                "",
                "",
                "inspection_queue_hourly",
                _hourly(ready[inspected], t["inspection_start"][inspected], edges, horizon_s),
            )
        )
    return out
