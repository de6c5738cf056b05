"""Strait ferries: vehicles wait at the port (or in the city) and board sailings in turn.

Every vehicle leaving the island by road crosses the Qiongzhou Strait on a ro-ro ferry. At the
two strait ports, supervised trucks (once released by customs) and ordinary vehicles (which pass
non-customs channels without a stop) wait to board the next sailing with room, first come first
served. This module turns the scenario's ferry data into departures and boardings:

- :func:`departures`: the timetable over the horizon, day by day (a dated timetable replaces the
  ordinary one on its days), plus extra sailings spread over their windows;
- :func:`apply_weather`: a weather window cancels all its sailings, or keeps only a share of
  them, every k-th one so that the share holds exactly over the window;
- :func:`closure_response`: ordinary vehicles that would arrive in a weather window postpone the
  trip (they come after it) or wait in a city staging area, with the scenario's probabilities;
- :class:`StraitFerry`: at each departure, vehicles board in the order they joined the queue
  while the sailing has room in lane units (a car is one unit, a truck more); the first that
  does not fit waits for the next sailing with everyone behind it. After the sailing, vehicles
  waiting in staging are called to the port while its holding area has room, in the order
  they came; so vehicles already at the port keep their places ahead of them, as the
  resumption notices say (docs/sources.md, duobeib-notice).

Vehicles at the port beyond the holding area's capacity wait outside it; the KPIs count that
from the records (:mod:`sim.results.ferry`). The design keeps ordinary vehicles cheap: they need
no SimPy process at all. Their arrival times are sorted, so at each sailing the vehicles that
have arrived are those before a pointer; trucks join a FIFO queue when customs releases them.
A sailing merges the queues by the time each vehicle joined, so the whole ferry side costs one
event per sailing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.results.records import Column, RecordGroup

__all__ = [
    "ClosureOutcome",
    "StraitFerry",
    "apply_weather",
    "closure_response",
    "departures",
]

_DAY_S = 86_400.0


def departures(
    hours_on: Callable[[int], Sequence[int]],
    offset_s: float,
    horizon_s: float,
    extras: Sequence[tuple[float, float, int]] = (),
) -> list[float]:
    """Every timetabled departure in [0, horizon), in order.

    Args:
        hours_on: departures per local hour on local day ``k`` (0 = the start day); n in an
            hour leave at 0, 60/n, 2 x 60/n, ... minutes past it.
        offset_s: seconds from local midnight to the scenario start.
        horizon_s: length of the run.
        extras: ``(start_s, end_s, n)``: n more departures evenly spread over [start, end).
    """
    times: list[float] = []
    day = 0
    while day * _DAY_S - offset_s < horizon_s:
        for hour, n in enumerate(hours_on(day)):
            for k in range(n):
                t = day * _DAY_S + hour * 3600.0 + k * 3600.0 / n - offset_s
                if 0.0 <= t < horizon_s:
                    times.append(t)
        day += 1
    for start, end, n in extras:
        times.extend(
            t for k in range(n) if 0.0 <= (t := start + k * (end - start) / n) < horizon_s
        )
    times.sort()
    return times


def apply_weather(
    scheduled: Sequence[float], windows: Sequence[tuple[float, float, float]]
) -> tuple[list[float], int]:
    """The departures that run, and how many weather cancelled.

    Args:
        scheduled: departures in order.
        windows: ``(start_s, end_s, sailing_share)``; in a window the k-th departure (k = 0,
            1, ...) runs when ``floor((k + 1) x share) > floor(k x share)``: none at share 0,
            every second one at 0.5, exactly the share over the window. Where windows overlap
            the smallest share applies.
    """
    kept: list[float] = []
    seen = [0] * len(windows)
    cancelled = 0
    for t in scheduled:
        runs = True
        for w, (a, b, share) in enumerate(windows):
            if a <= t < b:
                k = seen[w]
                seen[w] += 1
                runs = runs and int((k + 1) * share) > int(k * share)
        if runs:
            kept.append(t)
        else:
            cancelled += 1
    return kept, cancelled


@dataclass(frozen=True)
class ClosureOutcome:
    """Ordinary vehicles after the drivers' response to the weather.

    Attributes:
        arrival: arrival times, sorted (postponed trips moved, those past the horizon gone).
        staged: per vehicle (same order), whether it waits in a city staging area.
        postponed: vehicles that postponed the trip (including those now past the horizon).
        postponed_beyond_end: of those, the ones whose trip falls after the run.
    """

    arrival: np.ndarray
    staged: np.ndarray
    postponed: int
    postponed_beyond_end: int


def closure_response(
    arrival: np.ndarray,
    windows: Sequence[tuple[float, float, float]],
    postpone_share: float,
    staging_share: float,
    postpone_s: float,
    horizon_s: float,
    rng: np.random.Generator,
) -> ClosureOutcome:
    """Apply drivers' response to weather windows to sorted vehicle arrivals.

    A vehicle arriving in a window (start, end, sailing_share) postpones with probability
    ``postpone_share x (1 - sailing_share)`` to ``end + U(0, postpone_s)``, else waits in
    staging with probability ``staging_share x (1 - sailing_share)``. Two uniforms are drawn
    per vehicle whatever the windows, so another response leaves the stream aligned (common
    random numbers).
    """
    n = len(arrival)
    u_choice, u_delay = rng.random(n), rng.random(n)
    if n == 0 or not windows or (postpone_share == 0 and staging_share == 0):
        return ClosureOutcome(arrival, np.zeros(n, dtype=bool), 0, 0)
    thin = np.zeros(n)
    end = np.zeros(n)
    for a, b, share in windows:
        inside = (arrival >= a) & (arrival < b) & (1.0 - share >= thin)
        thin[inside] = 1.0 - share
        end[inside] = np.maximum(end[inside], b)
    postpone = u_choice < postpone_share * thin
    staged = ~postpone & (u_choice < (postpone_share + staging_share) * thin)
    moved = np.where(postpone, end + u_delay * postpone_s, arrival)
    keep = moved < horizon_s
    order = np.argsort(moved[keep], kind="stable")
    return ClosureOutcome(
        arrival=moved[keep][order],
        staged=staged[keep][order],
        postponed=int(postpone.sum()),
        postponed_beyond_end=int(np.sum(postpone & ~keep)),
    )


class StraitFerry:
    """The waiting vehicles and the sailings of one strait port.

    Args:
        env: the simulation environment.
        sailings: departure times (those that run).
        room: lane units per sailing.
        holding_capacity: vehicles the holding area takes (staged vehicles are called while
            fewer than this wait at the port).
        vehicles: ordinary vehicles (sorted arrivals; ``release`` already set for those that
            come straight to the port, NaN for staged ones until they are called).
        staged: per vehicle, whether it waits in a city staging area.
        trucks: supervised trucks (they join when released, via :meth:`truck_released`).
        backlog_trucks: cleared trucks already waiting at the start (sorted entry times).
        vehicle_units: lane units of an ordinary vehicle.
        truck_units: lane units of a supervised truck.
    """

    def __init__(
        self,
        env: simpy.Environment,
        sailings: Sequence[float],
        room: float,
        holding_capacity: int,
        vehicles: RecordGroup | None,
        staged: Sequence[bool],
        trucks: RecordGroup | None,
        backlog_trucks: RecordGroup | None = None,
        vehicle_units: float = 1.0,
        truck_units: float = 1.0,
    ) -> None:
        self.env = env
        self._sailings = sailings
        self._room = room
        self._holding = holding_capacity
        self._v_units, self._t_units = vehicle_units, truck_units
        self._v_arrival: Sequence[float] = vehicles.arrival if vehicles is not None else []
        self._v_release: Column | list[float] = (
            vehicles.times["release"] if vehicles is not None else []
        )
        self._v_board: Column | list[float] = (
            vehicles.times["boarding"] if vehicles is not None else []
        )
        self._staged = staged
        self._seen = 0  # vehicles whose arrival time has passed
        self._next_vehicle = 0  # the next vehicle (not staged) to board
        self._staging: deque[int] = deque()
        self._called: deque[int] = deque()
        self._b_entry: Sequence[float] = backlog_trucks.arrival if backlog_trucks else []
        self._b_board: Column | list[float] = (
            backlog_trucks.times["boarding"] if backlog_trucks else []
        )
        self._next_backlog = 0
        self._t_release: Column | list[float] = (
            trucks.times["release"] if trucks is not None else []
        )
        self._t_board: Column | list[float] = trucks.times["boarding"] if trucks is not None else []
        self._trucks: deque[int] = deque()
        self._entered = len(self._b_entry)
        self._boarded = 0
        for group in (vehicles, trucks, backlog_trucks):
            if group is not None:
                group.boards = True  # their journeys end aboard (see RecordGroup.finished_until)

    def truck_released(self, i: int) -> None:
        """Truck ``i`` has been released by customs and joins the queue at the port."""
        self._trucks.append(i)
        self._entered += 1

    def sailings(self) -> Generator[simpy.Event, Any, None]:
        """The sailing process: at each departure, board in turn, then call staged vehicles."""
        env = self.env
        for t in self._sailings:
            if t > env.now:
                yield env.timeout(t - env.now)
            self._arrivals_until(env.now)
            self._board(env.now)
            self._call_staged(env.now)

    def _arrivals_until(self, now: float) -> None:
        """Vehicles arrived by ``now`` join the port's queue, or staging."""
        arrival, staged = self._v_arrival, self._staged
        k, n = self._seen, len(arrival)
        while k < n and arrival[k] <= now:
            if staged[k]:
                self._staging.append(k)
            else:
                self._entered += 1
            k += 1
        self._seen = k

    def _vehicle_head(self) -> int | None:
        j, staged = self._next_vehicle, self._staged
        while j < self._seen and staged[j]:
            j += 1
        self._next_vehicle = j
        return j if j < self._seen else None

    def _board(self, now: float) -> None:
        room = self._room
        while True:
            # The head of each queue, with the time it joined; the earliest boards first
            # (trucks first on a tie, then the backlog, vehicles, and called vehicles).
            heads: list[tuple[float, int, float]] = []
            if self._trucks:
                heads.append((self._t_release[self._trucks[0]], 0, self._t_units))
            if self._next_backlog < len(self._b_entry):
                heads.append((self._b_entry[self._next_backlog], 1, self._t_units))
            j = self._vehicle_head()
            if j is not None:
                heads.append((self._v_arrival[j], 2, self._v_units))
            if self._called:
                heads.append((self._v_release[self._called[0]], 3, self._v_units))
            if not heads:
                break
            _, which, units = min(heads)
            if units > room:
                break  # first come, first served: nobody overtakes the vehicle that does not fit
            room -= units
            self._boarded += 1
            if which == 0:
                self._t_board[self._trucks.popleft()] = now
            elif which == 1:
                self._b_board[self._next_backlog] = now
                self._next_backlog += 1
            elif which == 2:
                self._v_board[self._next_vehicle] = now
                self._next_vehicle += 1
            else:
                self._v_board[self._called.popleft()] = now

    def _call_staged(self, now: float) -> None:
        waiting = self._entered - self._boarded
        while self._staging and waiting < self._holding:
            i = self._staging.popleft()
            self._v_release[i] = now
            self._called.append(i)
            self._entered += 1
            waiting += 1
