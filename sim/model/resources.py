"""Resources whose capacity follows a timetable: channels by opening hours, officers by shifts.

A customs channel only serves while the port is open; officers come and go with their shifts; a
scanner outage takes machines away for a while. All three are the same idea: a SimPy resource
whose *capacity* is a step function of time. :class:`ScheduledResource` is a
:class:`simpy.Resource` with a settable capacity: raising it lets waiting requests in at once,
lowering it never interrupts work in progress (an officer finishes the image she is reviewing),
it only stops new work from starting until enough users have left.

The step function is computed before the run as a list of ``(time, capacity)`` changes
(:func:`capacity_timeline`) from a daily pattern (local hours) and dated overlays (outages), and
the same list gives the available resource-seconds for the utilisation KPI
(:func:`capacity_seconds`), so what the model enforces and what the KPI divides by cannot differ.

A resource may also serve by *priority* (:mod:`sim.scenario.priority`): every request carries a
priority class (0 first; SimPy's :class:`~simpy.resources.resource.PriorityRequest`), and when a
slot frees up the waiting request of the lowest class takes it, first come first served within a
class. Priority is non-preemptive: a request in service is never interrupted. With every request
in class 0 the resource is plain first come first served. The waiting line is kept ordered by a
binary insertion (:class:`_PriorityQueue`), not re-sorted on each arrival as SimPy's
``SortedQueue`` does, so a long queue in a rush costs O(log n) comparisons a request.

Each resource also keeps its *queue*: the times at which requests had to queue (``queued``)
and the times those that queued were served (``served``; requests still waiting at the end have
none). The processes that use a resource note both, only for requests that were not granted at
once (a granted request costs nothing extra), and :meth:`ScheduledResource.queue_levels` turns them
into the number waiting as a step function of time. The KPIs take queue peaks and
time-averages from it for channels, scanners, bays and officers alike.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Generator, Iterable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np
import simpy
from simpy.resources.resource import SortedQueue

__all__ = ["ScheduledResource", "capacity_seconds", "capacity_timeline", "follow_timeline"]

Timeline = list[tuple[float, int]]


_PRIORITY = attrgetter("priority")


class _PriorityQueue(SortedQueue):
    """Waiting requests, lowest priority class first, in arrival order within a class.

    Requests are appended in arrival order, so inserting each after every request of its own
    class or a lower one (``insort_right``) keeps both orders without a time key.
    """

    def append(self, item: Any) -> None:
        """Insert a waiting request at its place (a port's queue has no length limit)."""
        if not self or self[-1].priority <= item.priority:
            list.append(self, item)  # the usual case: no better class behind it
        else:
            bisect.insort_right(self, item, key=_PRIORITY)


class ScheduledResource(simpy.PriorityResource):
    """A resource whose capacity can change during the run (0 allowed: closed or off duty).

    Requests may carry a priority class (``request(priority=k)``, 0 served first, default 0):
    non-preemptive priority, first come first served within a class.

    Attributes:
        queued: times at which a request found no free slot and joined the queue.
        served: times at which a queued request got its slot (in order).
    """

    PutQueue = _PriorityQueue

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        super().__init__(env, capacity=max(capacity, 1))
        self._capacity = capacity
        # typed arrays, 8 bytes a time: a year at a busy desk queues millions of times
        self.queued: array[float] = array("d")
        self.served: array[float] = array("d")

    def set_capacity(self, capacity: int) -> None:
        """Change the number of slots; waiting requests are admitted, by class, while slots are
        free."""
        self._capacity = capacity
        while self.put_queue and len(self.users) < capacity:
            before = len(self.put_queue)
            self._trigger_put(None)
            if len(self.put_queue) == before:  # pragma: no cover - defensive
                break

    def queue_levels(self) -> tuple[np.ndarray, np.ndarray]:
        """The number waiting, as ``(times, lengths)``: ``lengths[k]`` from ``times[k]`` on.

        The first point is (0, 0); at equal times, services count before new arrivals.
        """
        times = np.concatenate([[0.0], self.served, self.queued])
        deltas = np.concatenate([[0], -np.ones(len(self.served)), np.ones(len(self.queued))])
        order = np.lexsort((deltas, times))
        return times[order], np.cumsum(deltas[order])


def capacity_timeline(
    daily: Callable[[float], int],
    cuts: Iterable[float],
    offset_s: float,
    horizon_s: float,
    overlays: Sequence[tuple[float, float, int]] = (),
) -> Timeline:
    """The capacity as ``(time, capacity)`` changes over [0, horizon].

    Args:
        daily: capacity at a local hour of day (0 <= hour < 24).
        cuts: the local hours where ``daily`` may change.
        offset_s: seconds from local midnight to the scenario start.
        horizon_s: length of the run.
        overlays: ``(start_s, end_s, delta)`` changes added during a window (an outage is a
            negative delta); the capacity never drops below zero.

    Returns:
        Changes in time order, the first at time 0, consecutive capacities distinct.
    """
    hours = sorted({h % 24 for h in cuts} | {0.0})
    points: set[float] = {0.0}
    day = 0
    while day * 86400.0 - offset_s < horizon_s:
        for h in hours:
            t = day * 86400.0 + h * 3600.0 - offset_s
            if 0.0 < t < horizon_s:
                points.add(t)
        day += 1
    for start, end, _ in overlays:
        points.update(t for t in (start, end) if 0.0 < t < horizon_s)
    timeline: Timeline = []
    for t in sorted(points):
        hour = ((t + offset_s) % 86400.0) / 3600.0
        cap = daily(hour) + sum(d for s, e, d in overlays if s <= t < e)
        cap = max(cap, 0)
        if not timeline or timeline[-1][1] != cap:
            timeline.append((t, cap))
    return timeline


def capacity_seconds(timeline: Timeline, lo: float, hi: float) -> float:
    """Resource-seconds available in [lo, hi] under ``timeline``."""
    total = 0.0
    for k, (t, cap) in enumerate(timeline):
        end = timeline[k + 1][0] if k + 1 < len(timeline) else hi
        a, b = max(t, lo), min(end, hi)
        if b > a:
            total += cap * (b - a)
    return total


def follow_timeline(
    env: simpy.Environment, resource: ScheduledResource, timeline: Timeline
) -> Generator[Any, Any, None]:
    """A SimPy process that applies ``timeline``'s changes to ``resource`` when they fall due."""
    for t, cap in timeline:
        if t > env.now:
            yield env.timeout(t - env.now)
        resource.set_capacity(cap)
