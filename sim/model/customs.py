"""The customs process of supervised trucks at one port: channel, scan, review, inspection.

A truck with a declaration drives into a customs channel. Plate recognition links it to its
pre-filed declaration and the risk check (decided on arrival, see :mod:`sim.model.routing`):

* **release** - the channel pass takes about a minute and the truck leaves without a stop;
* **scan** - after the channel it queues for an H986 scanner, is scanned (about 2 minutes), and
  an officer reviews the image; an anomaly sends it on to manual inspection, otherwise it is
  released;
* **inspection** - it takes a manual-inspection bay, then waits there for an officer, and is
  inspected.

A request that finds no free slot notes when it queued and when it was served on its resource
(:class:`~sim.model.resources.ScheduledResource`), so queue peaks are known for scanners, bays
and officers as for channels; a request served at once costs nothing extra.

Channels open and close with the port's opening hours, officers come and go with their shifts,
scanners can be out of service (all :class:`~sim.model.resources.ScheduledResource`). Where the
policy says so (:mod:`sim.scenario.priority`), a resource serves the waiting truck of the highest
priority class first (AEO by default at scanners, bays and officers), never interrupting one in
service; each truck's class per resource is known before the run.

Everything random was drawn before the run, in arrival order (service times, routes), so a
truck's process only requests resources, waits and writes its segment times into preallocated
lists: the per-truck hot path allocates nothing but SimPy's own events.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import simpy

from sim.model.resources import ScheduledResource
from sim.model.routing import INSPECTION, RELEASE
from sim.results.records import RecordGroup

__all__ = ["CustomsLanes"]


class CustomsLanes:
    """Processes for the supervised trucks of one port.

    Args:
        env: the simulation environment.
        group: the port's truck records (arrival times already filled).
        first, final: route codes per truck (see :class:`~sim.model.routing.Decisions`).
        channel, scan, review, inspection: pre-drawn service times per truck (seconds).
        channels, scanners, bays, officers: the port's resources.
        on_release: called with the truck's index when it is released (boards a ferry), or None.
        priority: resource name (``customs_channels``, ``scanners``, ``inspection_bays``,
            ``officers``) -> each truck's priority class there (0 first); a resource not named
            serves first come first served.
    """

    def __init__(
        self,
        env: simpy.Environment,
        group: RecordGroup,
        first: Sequence[int],
        final: Sequence[int],
        service: Mapping[str, Sequence[float]],
        channels: ScheduledResource,
        scanners: ScheduledResource,
        bays: ScheduledResource,
        officers: ScheduledResource,
        on_release: Callable[[int], None] | None = None,
        priority: Mapping[str, Sequence[int]] | None = None,
    ) -> None:
        self.env = env
        fifo = [0] * len(group.arrival)
        classes = priority or {}
        self._pc = classes.get("customs_channels", fifo)
        self._ps = classes.get("scanners", fifo)
        self._pb = classes.get("inspection_bays", fifo)
        self._po = classes.get("officers", fifo)
        self._arrival = group.arrival
        self._first = first
        self._final = final
        self._channel = service["channel"]
        self._scan = service["scan"]
        self._review = service["review"]
        self._inspection = service["inspection"]
        self.channels, self.scanners, self.bays, self.officers = channels, scanners, bays, officers
        self._on_release = on_release
        t = group.times
        self._cs, self._ce = t["channel_start"], t["channel_end"]
        self._ss, self._se = t["scan_start"], t["scan_end"]
        self._rs, self._re = t["review_start"], t["review_end"]
        self._bs, self._is, self._ie = t["bay_start"], t["inspection_start"], t["inspection_end"]
        self._release = t["release"]

    def source(self) -> Generator[simpy.Event, Any, None]:
        """The arrival process: starts one truck process at each pre-drawn arrival time."""
        env = self.env
        truck = self._truck
        for i, t in enumerate(self._arrival):
            yield env.timeout(t - env.now)
            env.process(truck(i))

    def _truck(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.channels.request(priority=self._pc[i]) as req:
            if req.triggered:
                yield req
            else:  # no free slot: the request queues
                self.channels.queued.append(env.now)
                yield req
                self.channels.served.append(env.now)
            self._cs[i] = env.now
            yield env.timeout(self._channel[i])
        self._ce[i] = env.now
        route = self._first[i]
        if route != RELEASE:
            if route != INSPECTION:
                yield from self._scan_and_review(i)
            if self._final[i] == INSPECTION:
                yield from self._inspect(i)
        self._release[i] = env.now
        if self._on_release is not None:
            self._on_release(i)

    def _scan_and_review(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.scanners.request(priority=self._ps[i]) as req:
            if req.triggered:
                yield req
            else:  # no free slot: the request queues
                self.scanners.queued.append(env.now)
                yield req
                self.scanners.served.append(env.now)
            self._ss[i] = env.now
            yield env.timeout(self._scan[i])
        self._se[i] = env.now
        with self.officers.request(priority=self._po[i]) as req:
            if req.triggered:
                yield req
            else:  # no free slot: the request queues
                self.officers.queued.append(env.now)
                yield req
                self.officers.served.append(env.now)
            self._rs[i] = env.now
            yield env.timeout(self._review[i])
        self._re[i] = env.now

    def _inspect(self, i: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        with self.bays.request(priority=self._pb[i]) as bay:
            if bay.triggered:
                yield bay
            else:  # no free slot: the request queues
                self.bays.queued.append(env.now)
                yield bay
                self.bays.served.append(env.now)
            self._bs[i] = env.now
            # Ask for an officer only once a bay is free, so no officer idles waiting for a bay;
            # the bay is held (and counted busy) while the officer is awaited.
            with self.officers.request(priority=self._po[i]) as officer:
                if officer.triggered:
                    yield officer
                else:
                    self.officers.queued.append(env.now)
                    yield officer
                    self.officers.served.append(env.now)
                self._is[i] = env.now
                yield env.timeout(self._inspection[i])
        self._ie[i] = env.now
