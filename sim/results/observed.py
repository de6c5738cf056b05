"""The model beside what was reported: the ``observed`` block of ``kpis.json``.

For each figure a validation scenario lists (:mod:`sim.scenario.observed`), the model's value
of the same measure at the same moment and ports is read from the journey records, and the gap
``model - reported`` is given with its ratio. A bounded figure ("more than 10,000") is *met*
when the model is on the right side of the bound; an ``about`` figure is never called met or
missed: the gap says by how much the model differs.

At a moment ``t``, a vehicle bound for the strait is waiting when it has joined the queue at the
port (its ``release``) and not yet boarded: ``release <= t < boarding``. The holding area holds
the first ``holding_capacity`` of them, the rest wait outside.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.results.ferry import RIDE_FLOWS
from sim.results.records import Records
from sim.results.run import ObservedFigure, RunResult

__all__ = ["model_value", "observed_kpis"]


def _waiting(rides: Records, t: float) -> np.ndarray:
    board = np.where(np.isnan(rides["boarding"]), np.inf, rides["boarding"])
    mask: np.ndarray = (rides["release"] <= t) & (board > t)
    return mask


def model_value(result: RunResult, figure: ObservedFigure) -> float:
    """The model's value of ``figure``'s measure at its moment, over its ports."""
    recs = result.records
    total = 0.0
    longest = 0.0
    for port in figure.ports:
        mine = recs.select((recs["port"] == port) & np.isin(recs["flow"], RIDE_FLOWS))
        rides = mine.select(~np.isnan(mine["release"]))
        waiting = _waiting(rides, figure.at_s)
        count = int(waiting.sum())
        capacity = result.ferries[port].holding_capacity
        if figure.measure == "waiting":
            total += count
        elif figure.measure == "holding":
            total += min(count, capacity)
        elif figure.measure == "outside":
            total += max(count - capacity, 0)
        elif figure.measure == "boarded":
            board = rides["boarding"]
            total += int(np.sum((board >= figure.since_s) & (board < figure.at_s)))
        elif figure.measure == "longest_wait_hours":
            if count:
                longest = max(longest, float((figure.at_s - rides["release"][waiting]).max()))
        else:  # pragma: no cover - the schema allows only the measures above
            raise ValueError(f"unknown measure {figure.measure!r}")
    return longest / 3600.0 if figure.measure == "longest_wait_hours" else total


def observed_kpis(result: RunResult) -> list[dict[str, Any]]:
    """One entry per reported figure: what was reported, the model's value and the gap."""
    out = []
    for figure in result.observed:
        model = model_value(result, figure)
        met = None
        if figure.bound == "at_least":
            met = model >= figure.value
        elif figure.bound == "at_most":
            met = model <= figure.value
        out.append({
            "at": result.local_time(figure.at_s).isoformat(),
            "measure": figure.measure,
            "ports": list(figure.ports),
            "reported": figure.value,
            "bound": figure.bound,
            "model": model,
            "gap": model - figure.value,
            "ratio": model / figure.value if figure.value else None,
            "met": met,
            "source": figure.source,
        })  # fmt: skip
    return out
