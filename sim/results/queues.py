"""Queues at every resource of a port: how many wait, how long, and where the wait is.

A journey waits for a resource from the moment it asks for it until it gets it. For supervised
trucks the records give both ends of every wait:

=====================  ====================================  ==================================
resource               asked at                              got at
=====================  ====================================  ==================================
``customs_channels``   ``arrival``                           ``channel_start``
``scanners``           ``channel_end``                       ``scan_start``
``inspection_bays``    ``review_end`` (scanned first) or     ``bay_start``
                       ``channel_end`` (sent straight on)
``officers``           ``scan_end`` (image review) and       ``review_start`` and
                       ``bay_start`` (inspection, bay held)  ``inspection_start``
``duty_free_desks``    a traveller's ``arrival``             its ``channel_start``
=====================  ====================================  ==================================

Waits are taken over the journeys that *arrived* in the KPI window and got the resource (mean,
p95, max, and how many waited at all). The number waiting over time comes from the resource
itself when the model recorded it (``RunResult.queues``: every change of the queue, including
requests still waiting at the end), otherwise from the records' intervals; its peak and its
time-average over the window (``mean_waiting``) are reported. By Little's law the
time-average is the waiting time the resource causes per second, which is what makes queues at
different resources comparable (:mod:`sim.results.bottleneck`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.results.records import Records
from sim.results.timeseries import step, time_average, window_peak

__all__ = ["QUEUED_RESOURCES", "bay_requested", "queue_kpis", "waits"]

QUEUED_RESOURCES: tuple[str, ...] = (
    "customs_channels",
    "scanners",
    "inspection_bays",
    "officers",
    "duty_free_desks",
)
"""Resources with a queue, in the order a truck meets them (duty-free desks last)."""


def bay_requested(trucks: Records) -> np.ndarray:
    """When each truck asked for an inspection bay (NaN when it has not taken one).

    A truck scanned first asks after its image review; one sent straight to inspection asks as
    it leaves the channel.
    """
    asked = np.where(np.isnan(trucks["scan_start"]), trucks["channel_end"], trucks["review_end"])
    result: np.ndarray = np.where(np.isnan(trucks["bay_start"]), np.nan, asked)
    return result


_Waits = tuple[np.ndarray, np.ndarray, np.ndarray]


def waits(trucks: Records, travellers: Records) -> dict[str, _Waits]:
    """Per resource, (asked, got, arrived) of every request the records show.

    ``arrived`` is the arrival of the journey that made the request (to pick the KPI window).
    A request not granted by the end has ``got`` NaN where its time of asking is known (a
    channel, a desk, a bay or an officer after a finished step); a truck still waiting for a
    scanner at the end is left out (the records cannot tell it from one bound for a bay).
    """
    arrival = trucks["arrival"]
    scanned = ~np.isnan(trucks["scan_start"])
    return {
        "customs_channels": (arrival, trucks["channel_start"], arrival),
        "scanners": (trucks["channel_end"][scanned], trucks["scan_start"][scanned],
                     arrival[scanned]),
        "inspection_bays": (bay_requested(trucks), trucks["bay_start"], arrival),
        "officers": (np.concatenate([trucks["scan_end"], trucks["bay_start"]]),
                     np.concatenate([trucks["review_start"], trucks["inspection_start"]]),
                     np.concatenate([arrival, arrival])),
        "duty_free_desks": (travellers["arrival"], travellers["channel_start"],
                            travellers["arrival"]),
    }  # fmt: skip


def _wait_stats(asked: np.ndarray, got: np.ndarray) -> dict[str, Any]:
    waited = got - asked
    waited = waited[~np.isnan(waited)]
    if len(waited) == 0:
        return {"requests": 0, "waited": 0, "mean": None, "p95": None, "max": None}
    return {
        "requests": len(waited),
        "waited": int(np.sum(waited > 0)),
        "mean": float(waited.mean()),
        "p95": float(np.percentile(waited, 95)),
        "max": float(waited.max()),
    }


def queue_kpis(
    trucks: Records,
    travellers: Records,
    monitored: dict[str, tuple[np.ndarray, np.ndarray]],
    used: set[str],
    lo: float,
    hi: float,
) -> dict[str, Any]:
    """The queue block of one port: per resource it uses, waits and the number waiting.

    Args:
        trucks: the port's supervised trucks (all of them: waits are filtered to the window here).
        travellers: the port's duty-free travellers.
        monitored: the model's queue step functions per resource (may be empty).
        used: the resources the port has (others are left out).
        lo: start of the KPI window.
        hi: its end.

    Returns:
        ``{resource: {peak, mean_waiting, wait_s: {requests, waited, mean, p95, max}}}``.
    """
    out: dict[str, Any] = {}
    for name, (asked, got, arrived) in waits(trucks, travellers).items():
        if name not in used:
            continue
        if name in monitored:
            times, levels = monitored[name]
        else:  # hand-made results: the records' own intervals
            times, levels = step(asked, got, hi)
        average = time_average(times, levels, np.array([lo, hi]))[0] if len(times) else 0.0
        in_window = arrived >= lo
        out[name] = {
            "peak": window_peak(times, levels, lo, hi),
            "mean_waiting": float(average),
            "wait_s": _wait_stats(asked[in_window], got[in_window]),
        }
    return out
