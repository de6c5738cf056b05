"""Key performance indicators of a run, as DESIGN §5 defines them.

Everything is computed from a :class:`~sim.results.run.RunResult` over the *KPI window*
[warm-up, horizon]: journeys that arrive during the warm-up are left out (their records are
kept), so a run that starts empty is not judged on its start-up.

* Arrivals and releases per port count the same journeys: the trucks that arrived in the window,
  and of those, the ones released by its end (``in_system_at_end`` the rest).
* Clearance time (WCO Time Release Study): arrival -> release of supervised trucks that arrived in
  the window and were released; mean, p50, p95, p99 per port, tier, final channel (route) and
  overall; mean time in each segment (waiting for a channel, the channel, waiting for and taking
  a scan, waiting for and taking the image review, waiting for an inspection bay, waiting in the
  bay for an officer, the inspection).
* Queues at every resource (:mod:`sim.results.queues`): peak and time-average number waiting,
  and the waits; the channel queue also hour by hour (``queue_hourly``; ``queue_peak`` is its
  peak); the port's bottleneck (:mod:`sim.results.bottleneck`).
* Utilisation: busy resource-seconds / available resource-seconds in the window; a bay is busy
  from the moment a truck takes it, including while its officer is awaited.
* Inspection rate per tier, with its 95% Wilson interval, and for key-attention declarants per
  listing ground (the national rules set a minimum for the dishonesty grounds); detection and
  leakage of planted violations; the share released without a stop (seamless clearance).
* Little's law per port over the customs process (arrival -> release): ``L`` is the time-average
  number of trucks in the process over the window; ``lambda_W`` is the window's arrival rate times
  the mean time in the process of the trucks that arrived in it (a truck still inside at the end
  counts until the end). On a stationary system the two agree within sampling error.
* Ferries (strait ports, :mod:`sim.results.ferry`): sailings, load, the holding area and the
  vehicles waiting outside it separately, delays, staging, drivers' response.
* Validation scenarios: the model beside each reported figure (:mod:`sim.results.observed`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.results.bottleneck import identify_bottleneck
from sim.results.ferry import ferry_kpis
from sim.results.goods import goods_kpis
from sim.results.lists import LIST_SIZES_KEY
from sim.results.observed import observed_kpis
from sim.results.queues import bay_requested, queue_kpis
from sim.results.records import Records
from sim.results.run import RunResult
from sim.results.timeseries import busy_seconds, step, time_average, window_peak

__all__ = ["PORT_ROW_COLUMNS", "compute_kpis", "port_kpis", "wilson_interval"]

TRUCK = "cargo_truck"
_TIERS = ("aeo", "whitelist", "key_attention")
_SEGMENTS = (
    ("channel_wait", "arrival", "channel_start"),
    ("channel", "channel_start", "channel_end"),
    ("scan_wait", "channel_end", "scan_start"),
    ("scan", "scan_start", "scan_end"),
    ("review_wait", "scan_end", "review_start"),
    ("review", "review_start", "review_end"),
    ("inspection_bay_wait", "bay_requested", "bay_start"),
    ("inspection_officer_wait", "bay_start", "inspection_start"),
    ("inspection", "inspection_start", "inspection_end"),
)
"""Segments of a truck's clearance: (name, from column, to column); ``bay_requested`` is
derived (:func:`sim.results.queues.bay_requested`)."""

_TRAVELLER_COLUMNS = (
    "arrival", "channel_start", "channel_end", "release", "tier", "violation", "detected"
)
"""What a port's KPIs read of its duty-free travellers (a year's port has millions)."""

PORT_ROW_COLUMNS = ("id", "flow", *_TRAVELLER_COLUMNS, "boarding")
"""What a port's KPIs read of its rows other than supervised trucks (travellers, vehicles:
flow counts, the duty-free check, the ferry side), given its trucks apart (:func:`port_kpis`)."""


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% by default); (nan, nan) if n=0."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _stats(values: np.ndarray) -> dict[str, Any]:
    if len(values) == 0:
        return {"mean": None, "p50": None, "p95": None, "p99": None}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"mean": float(values.mean()), "p50": float(p50), "p95": float(p95), "p99": float(p99)}


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def compute_kpis(result: RunResult) -> dict[str, Any]:
    """All KPIs of a run as plain, JSON-ready data (floats unrounded; see :mod:`sim.results.io`).

    Args:
        result: the run.

    Returns:
        A mapping with at least ``scenario``, ``seed``, ``horizon_s``, ``entities``, ``ports``,
        ``tiers``, ``detection`` and ``littles_law`` (shape in the README).
    """
    recs = result.records
    lo, hi = result.warmup_s, result.horizon_s
    trucks = recs.select(recs["flow"] == TRUCK)
    window = trucks["arrival"] >= lo
    ports: dict[str, Any] = {}
    littles: dict[str, Any] = {}
    for port in result.ports:
        mine = recs.select(recs["port"] == port)
        ports[port], littles[port] = _port_kpis(result, port, mine, lo, hi)
    counted = sum(int(c.sum()) for flows in result.counted.values() for c in flows.values())
    released = window & ~np.isnan(trucks["release"])
    clearance = trucks["release"][released] - trucks["arrival"][released]
    kpis: dict[str, Any] = {
        "scenario": result.scenario,
        "seed": result.seed,
        "replication": result.replication,
        "start": result.start,
        "horizon_s": hi,
        "warmup_s": lo,
        "entities": len(recs) + counted,
        "records": len(recs),
        "ports": ports,
        "tiers": _tier_kpis(trucks, window),
        "detection": _detection(trucks, window),
        "littles_law": littles,
        "clearance_time_s": _stats(clearance),
        "seamless_clearance_share": _ratio(
            float(np.sum(trucks["route"][window] == "release")), float(window.sum())
        ),
    }
    if result.goods is not None:
        kpis["goods"] = goods_kpis(result.goods, lo)
    if result.observed:
        kpis["observed"] = observed_kpis(result)
    if result.lists is not None:
        kpis[LIST_SIZES_KEY] = result.lists.as_kpis()
    return kpis


def port_kpis(
    result: RunResult, port: str, mine: Records, trucks: Records | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One port's KPIs and its Little's-law figures, from that port's records only.

    What :func:`compute_kpis` puts under ``ports[port]`` and ``littles_law[port]``, without
    the island-wide figures: a port of a year's run is millions of rows, computed one port at
    a time (:func:`sim.results.stream.kpis_from_file`).

    Args:
        result: the run (its facts: window, capacities, queues, ferries, counts).
        port: the port.
        mine: the port's records (every flow), in ``id`` order; with ``trucks`` given, only
            the columns :data:`PORT_ROW_COLUMNS` are read.
        trucks: the port's supervised trucks, in ``id`` order, with every column (default:
            selected from ``mine``).
    """
    return _port_kpis(result, port, mine, result.warmup_s, result.horizon_s, trucks)


def _port_kpis(
    result: RunResult,
    port: str,
    mine: Records,
    lo: float,
    hi: float,
    trucks: Records | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    t = trucks if trucks is not None else mine.select(mine["flow"] == TRUCK)
    arr, rel = t["arrival"], t["release"]
    window = arr >= lo
    released = window & ~np.isnan(rel)
    cap = result.capacity_s.get(port, {})
    queue_t, queue_l = step(arr, t["channel_start"], hi)
    edges = np.append(np.arange(lo, hi, 3600.0), hi)
    officer_busy = busy_seconds(t["review_start"], t["review_end"], lo, hi) + busy_seconds(
        t["inspection_start"], t["inspection_end"], lo, hi
    )
    dfree = mine.select(mine["flow"] == "duty_free_traveller", _TRAVELLER_COLUMNS)
    busy = {
        "customs_channels": busy_seconds(t["channel_start"], t["channel_end"], lo, hi),
        "scanners": busy_seconds(t["scan_start"], t["scan_end"], lo, hi),
        "inspection_bays": busy_seconds(t["bay_start"], t["inspection_end"], lo, hi),
        "officers": officer_busy,
        "duty_free_desks": busy_seconds(dfree["channel_start"], dfree["channel_end"], lo, hi),
    }
    util = {k: _ratio(v, cap.get(k, 0.0)) for k, v in busy.items() if cap.get(k, 0.0) > 0}
    columns = {**t.columns, "bay_requested": bay_requested(t)}
    # The resources the port has: those the model monitored, else those with capacity.
    monitored = result.queues.get(port, {})
    used = set(monitored) or {k for k, v in cap.items() if v > 0}
    segments = {}
    for name, a, b in _SEGMENTS:
        d = columns[b][window] - columns[a][window]
        d = d[~np.isnan(d)]
        segments[name] = float(d.mean()) if len(d) else None
    by_tier = {}
    for tier in _TIERS:
        sel = released & (t["tier"] == tier)
        s = _stats(rel[sel] - arr[sel])
        by_tier[tier] = {"n": int(sel.sum()), "mean": s["mean"], "p95": s["p95"]}
    by_route = {}
    for route in ("release", "scan", "inspection"):
        sel = released & (t["route"] == route)
        s = _stats(rel[sel] - arr[sel])
        by_route[route] = {"n": int(sel.sum()), "mean": s["mean"], "p95": s["p95"]}
    flows = {
        flow: int(np.sum((mine["flow"] == flow) & (mine["arrival"] >= lo)))
        for flow in ("cargo_truck", "vehicle", "duty_free_traveller")
    }
    first_bin = math.ceil(lo / 3600.0)
    for flow, counts in result.counted.get(port, {}).items():
        flows[flow] = int(counts[first_bin:].sum())
    kpis: dict[str, Any] = {
        "arrivals": int(window.sum()),
        "released": int(released.sum()),
        "in_system_at_end": int(np.sum(window & np.isnan(rel))),
        "clearance_time_s": _stats(rel[released] - arr[released]),
        "clearance_by_tier_s": by_tier,
        "clearance_by_route_s": by_route,
        "segments_mean_s": segments,
        "queue_peak": window_peak(queue_t, queue_l, lo, hi),
        "queue_hourly": [float(x) for x in time_average(queue_t, queue_l, edges)],
        "queues": queue_kpis(t, dfree, monitored, used, lo, hi),
        "utilisation": util,
        "seamless_clearance_share": _ratio(
            float(np.sum(t["route"][window] == "release")), float(window.sum())
        ),
        "flows": flows,
    }
    if len(dfree):
        dw = dfree["arrival"] >= lo
        waits = (dfree["channel_start"] - dfree["arrival"])[dw]
        waits = waits[~np.isnan(waits)]
        kpis["duty_free"] = {
            "travellers": int(dw.sum()),
            "checked": int(np.sum(~np.isnan(dfree["release"][dw]))),
            "wait_s": {k: v for k, v in _stats(waits).items() if k in ("mean", "p95")},
            "key_attention": int(np.sum(dfree["tier"][dw] == "key_attention")),
            "quota_breaches": int(np.sum(dfree["violation"][dw])),
            "breaches_caught": int(np.sum(dfree["detected"][dw])),
        }
    if port in result.ferries:
        kpis["ferry"] = ferry_kpis(result, port, mine, lo, hi)
    kpis["bottleneck"] = identify_bottleneck(kpis).as_dict()
    return kpis, _littles(arr, rel, lo, hi)


def _littles(arr: np.ndarray, rel: np.ndarray, lo: float, hi: float) -> dict[str, Any]:
    span = hi - lo
    times, levels = step(arr, rel, hi)
    big_l = float(time_average(times, levels, np.array([lo, hi]))[0]) if len(times) else 0.0
    window = arr >= lo
    sojourn = np.where(np.isnan(rel), hi, rel)[window] - arr[window]
    lam_w = float(window.sum()) / span * float(sojourn.mean()) if window.any() else 0.0
    return {"L": big_l, "lambda_W": lam_w}


def _inspection(route: np.ndarray) -> dict[str, Any]:
    n = len(route)
    stopped = int(np.sum(route != "release"))
    lo_ci, hi_ci = wilson_interval(stopped, n)
    return {
        "declarations": n,
        "inspected": stopped,
        "inspection_rate": _ratio(stopped, n),
        "inspection_rate_ci95": [lo_ci, hi_ci] if n else None,
    }


def _tier_kpis(trucks: Records, window: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tier in _TIERS:
        sel = window & (trucks["tier"] == tier)
        route = trucks["route"][sel]
        done = sel & ~np.isnan(trucks["release"])
        times = _stats(trucks["release"][done] - trucks["arrival"][done])
        out[tier] = {
            "clearance_time_s": {"mean": times["mean"], "p95": times["p95"]},
            **_inspection(route),
            "manual_inspections": int(np.sum(route == "inspection")),
        }
    out["key_attention"]["by_ground"] = _ground_kpis(trucks, window)
    return out


def _ground_kpis(trucks: Records, window: np.ndarray) -> dict[str, Any]:
    """Inspection of key-attention declarations by listing ground (one under each it holds)."""
    listed = window & (trucks["tier"] == "key_attention") & (trucks["grounds"] != "")
    grounds = trucks["grounds"][listed].tolist()
    route = trucks["route"][listed]
    names = sorted({g for text in grounds for g in text.split(",")})
    return {
        name: _inspection(route[[name in text.split(",") for text in grounds]])
        for name in names
    }


def _detection(trucks: Records, window: np.ndarray) -> dict[str, Any]:
    released = ~np.isnan(trucks["release"])
    viol = window & trucks["violation"]
    detected = viol & trucks["detected"] & released  # caught once its check has finished
    violations = int(viol.sum())
    return {
        "violations": violations,
        "detected": int(detected.sum()),
        "leaked": int(np.sum(viol & ~trucks["detected"] & released)),
        "pending": int(np.sum(viol & ~released)),
        "detection_rate": _ratio(float(detected.sum()), float(violations)),
    }
