"""Strait ferries: cleared vehicles wait in a holding area and board sailings in arrival order.

Every vehicle leaving the island by road crosses the Qiongzhou Strait on a ro-ro ferry. At the
two strait ports, supervised trucks (once released by customs) and ordinary vehicles (which pass
non-customs channels without a stop) enter the holding area and board the next sailing with room,
first come first served. The timetable gives sailings per local hour; each takes at most
``vehicles_per_sailing`` vehicles. A weather suspension cancels every sailing in its window while
arrivals keep coming. The holding area has a finite capacity: vehicles that find it full wait
outside (the emergency lots of Feb 2024) and still board in turn; the KPIs count that overflow
from the records (:mod:`sim.results.kpis`).

The design keeps ordinary vehicles cheap: they need no SimPy process or event at all. Their
arrival times are sorted, so at each sailing the vehicles that have arrived are simply those
before a pointer; trucks join a FIFO queue when customs releases them. A sailing merges the two
queues by entry time, so the whole ferry side costs one event per sailing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from sim.results.records import Column, RecordGroup

__all__ = ["StraitFerry", "sailing_times"]


def sailing_times(
    per_hour: Sequence[int],
    offset_s: float,
    horizon_s: float,
    suspensions: Sequence[tuple[float, float]],
) -> tuple[list[float], int]:
    """Sailing times over the horizon and how many a suspension cancelled.

    Args:
        per_hour: departures in each local hour; n in an hour leave at 0, 60/n, 2 x 60/n, ...
            minutes past the hour.
        offset_s: seconds from local midnight to the scenario start.
        horizon_s: length of the run.
        suspensions: ``(start_s, end_s)`` windows without sailings.

    Returns:
        (kept sailing times in order, number cancelled).
    """
    kept: list[float] = []
    cancelled = 0
    day = 0
    while day * 86400.0 - offset_s < horizon_s:
        for hour, n in enumerate(per_hour):
            for k in range(n):
                t = day * 86400.0 + hour * 3600.0 + k * 3600.0 / n - offset_s
                if not 0.0 <= t < horizon_s:
                    continue
                if any(a <= t < b for a, b in suspensions):
                    cancelled += 1
                else:
                    kept.append(t)
        day += 1
    return kept, cancelled


class StraitFerry:
    """The holding area and the sailings of one strait port.

    Args:
        env: the simulation environment.
        sailings: departure times (already without the suspended ones).
        per_sailing: vehicles per sailing.
        vehicles: the port's ordinary-vehicle records (sorted arrivals; they enter on arrival).
        trucks: the port's truck records (they enter when released, via :meth:`truck_released`).
    """

    def __init__(
        self,
        env: simpy.Environment,
        sailings: Sequence[float],
        per_sailing: int,
        vehicles: RecordGroup | None,
        trucks: RecordGroup | None,
    ) -> None:
        self.env = env
        self._sailings = sailings
        self._per_sailing = per_sailing
        self._v_arrival: Sequence[float] = vehicles.arrival if vehicles is not None else []
        self._v_board: Column | list[float] = (
            vehicles.times["boarding"] if vehicles is not None else []
        )
        self._next_vehicle = 0
        self._t_release: Column | list[float] = (
            trucks.times["release"] if trucks is not None else []
        )
        self._t_board: Column | list[float] = trucks.times["boarding"] if trucks is not None else []
        self._trucks: deque[int] = deque()
        for group in (vehicles, trucks):
            if group is not None:
                group.boards = True  # their journeys end aboard (see RecordGroup.finished_until)

    def truck_released(self, i: int) -> None:
        """Truck ``i`` has been released by customs and enters the holding area."""
        self._trucks.append(i)

    def sailings(self) -> Generator[simpy.Event, Any, None]:
        """The sailing process: at each departure, board up to a sailing's capacity, FIFO."""
        env = self.env
        for t in self._sailings:
            if t > env.now:
                yield env.timeout(t - env.now)
            self._board(env.now)

    def _board(self, now: float) -> None:
        room = self._per_sailing
        v_arr, v_board = self._v_arrival, self._v_board
        trucks, t_rel, t_board = self._trucks, self._t_release, self._t_board
        nv = len(v_arr)
        j = self._next_vehicle
        while room:
            vehicle_ready = j < nv and v_arr[j] <= now
            if trucks and (not vehicle_ready or t_rel[trucks[0]] <= v_arr[j]):
                t_board[trucks.popleft()] = now
            elif vehicle_ready:
                v_board[j] = now
                j += 1
            else:
                break
            room -= 1
        self._next_vehicle = j
