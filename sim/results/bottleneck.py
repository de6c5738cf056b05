"""Which resource is a port's bottleneck: the one that holds the most journeys back.

A bottleneck is where journeys queue. Queues at different resources are made comparable by
Little's law: the time-average number of journeys waiting for a resource, ``mean_waiting``,
equals the waiting time it causes per second (requests per second x mean wait). So the
bottleneck of a port is the resource with the largest ``mean_waiting`` over the KPI window:

- customs channels, H986 scanners, inspection bays, officers and duty-free desks, from the
  port's queue block (:mod:`sim.results.queues`);
- the strait (``ferry``), from ``delayed_mean``: vehicles held back past the first departure
  they could have taken (full or cancelled sailings), not those waiting out an ordinary
  timetable headway (:mod:`sim.results.ferry`).

When no resource keeps even :data:`NO_QUEUE` journeys waiting on average (a few minutes of
queueing a day) the port has no bottleneck: its resources are not binding. The utilisation of
the winner is reported beside it; a queue at low utilisation points to capacity that is missing
at the wrong hours (shifts, an outage), a queue at high utilisation to too little capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["NO_QUEUE", "SHORT_NAMES", "Bottleneck", "identify_bottleneck"]

NO_QUEUE = 0.01
"""Journeys waiting on average below which a port is said to have no bottleneck."""

SHORT_NAMES = {
    "customs_channels": "channels",
    "inspection_bays": "bays",
    "duty_free_desks": "desks",
}
"""Resource names as a narrow summary table shows them."""


@dataclass(frozen=True)
class Bottleneck:
    """A port's bottleneck.

    Attributes:
        resource: ``customs_channels``, ``scanners``, ``inspection_bays``, ``officers``,
            ``duty_free_desks`` or ``ferry``; None when nothing queues.
        mean_waiting: journeys waiting for it on average over the KPI window.
        utilisation: its utilisation (the ferry's load factor), if known.
    """

    resource: str | None
    mean_waiting: float
    utilisation: float | None

    def as_dict(self) -> dict[str, Any]:
        """As plain data for ``kpis.json``."""
        return {
            "resource": self.resource,
            "mean_waiting": self.mean_waiting,
            "utilisation": self.utilisation,
        }

    def describe(self) -> str:
        """A short phrase for a summary table: ``scanners 4.2`` (journeys waiting on average)."""
        if self.resource is None:
            return "none"
        waiting = self.mean_waiting
        shown = f"{waiting:.1f}" if waiting >= 0.95 else f"{waiting:.2f}"
        return f"{SHORT_NAMES.get(self.resource, self.resource)} {shown}"


def identify_bottleneck(port: Mapping[str, Any]) -> Bottleneck:
    """The bottleneck of one port, from its block of ``kpis.json``.

    Args:
        port: ``kpis["ports"][PORT]``: its ``queues``, ``utilisation`` and, at a strait port,
            ``ferry``.
    """
    candidates: list[tuple[float, str, float | None]] = []
    utilisation = port.get("utilisation", {})
    for name, queue in port.get("queues", {}).items():
        candidates.append((float(queue["mean_waiting"]), name, utilisation.get(name)))
    ferry = port.get("ferry")
    if ferry is not None:
        candidates.append((float(ferry["delayed_mean"]), "ferry", ferry.get("load_factor")))
    if not candidates:
        return Bottleneck(None, 0.0, None)
    # Most waiting first; on a tie the busier resource, then the name (deterministic).
    waiting, name, util = max(candidates, key=lambda c: (c[0], c[2] or 0.0, c[1]))
    if waiting < NO_QUEUE:
        return Bottleneck(None, waiting, None)
    return Bottleneck(name, waiting, util)
