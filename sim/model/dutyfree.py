"""The departure check of offshore duty-free goods at airports and ferry terminals.

Travellers who bought offshore duty-free goods (quota 100,000 CNY a year, [S]) show their ID,
ticket and goods at a check desk before leaving the island. How the second line checks them
after closure is not published, so the model keeps it simple and explicit [A]: every traveller
of the ``duty_free_traveller`` flow queues for a desk (desks open with the port) and is checked
for a drawn service time; the check's start and end are recorded as the journey's channel
segment, its end as the release.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

import simpy

from sim.model.resources import ScheduledResource
from sim.results.records import RecordGroup

__all__ = ["DutyFreeCheck"]


class DutyFreeCheck:
    """Processes for the duty-free travellers of one port.

    Args:
        env: the simulation environment.
        group: the travellers' records (arrival times filled).
        check: pre-drawn check durations (seconds), one per traveller.
        desks: the check desks.
    """

    def __init__(
        self,
        env: simpy.Environment,
        group: RecordGroup,
        check: Sequence[float],
        desks: ScheduledResource,
    ) -> None:
        self.env = env
        self._arrival = group.arrival
        self._check = check
        self.desks = desks
        self._start = group.times["channel_start"]
        self._end = group.times["channel_end"]
        self._release = group.times["release"]

    def source(self) -> Generator[simpy.Event, Any, None]:
        """Start one traveller process at each arrival."""
        env = self.env
        traveller = self._traveller
        for i, t in enumerate(self._arrival):
            yield env.timeout(t - env.now)
            env.process(traveller(i))

    def _traveller(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.desks.request() as req:
            if req.triggered:
                yield req
            else:  # no free desk: the request queues
                self.desks.queued.append(env.now)
                yield req
                self.desks.served.append(env.now)
            self._start[i] = env.now
            yield env.timeout(self._check[i])
        self._end[i] = self._release[i] = env.now
