"""Wiring one strait port's ferry side from the scenario: sailings, weather, drivers, backlog.

:mod:`sim.model.ferry` knows how vehicles board; this module feeds it a port's data:

1. the departures: the ordinary or dated timetable of each local day, the extra sailings, and
   the weather windows of ``events.weather`` at this port (all or part of their sailings
   cancelled);
2. the ordinary vehicles: their Poisson arrivals (drawn by :mod:`sim.model.system`), after the
   drivers' response to the weather windows (``ferry.closure_response``, stream
   ``strait.<port>.response``), with the initial backlog placed before the start;
3. the backlog of supervised trucks already cleared (their own record group, route
   ``backlog``, arrival = release before the start, so no KPI window counts them as
   arrivals);
4. the :class:`~sim.results.run.FerryStats` the KPIs need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import simpy

from sim.model.ferry import StraitFerry, apply_weather, closure_response, departures
from sim.results.records import Column, RecordGroup
from sim.results.run import FerryStats
from sim.rng import RandomStreams
from sim.scenario.ferry import Ferry
from sim.scenario.schema import Scenario

__all__ = ["Strait", "build_strait"]


@dataclass(frozen=True)
class Strait:
    """The ferry side of one port, ready to run.

    Attributes:
        ferry: the boarding process (start ``ferry.sailings()``; trucks join through
            ``ferry.truck_released``).
        groups: the record groups it created (ordinary vehicles, backlog trucks).
        stats: the facts of its timetable, weather and drivers for the KPIs.
    """

    ferry: StraitFerry
    groups: list[RecordGroup]
    stats: FerryStats


def _seconds(scenario: Scenario, when: datetime) -> float:
    return (when - scenario.start).total_seconds()


def _spread_before(n: int, hours: float) -> np.ndarray:
    """n entry times evenly spread over the ``hours`` before the start (all negative)."""
    span = hours * 3600.0
    result: np.ndarray = -span + (np.arange(n) + 0.5) * span / max(n, 1)
    return result


def _group(port: str, flow: str, route: str, arrival: np.ndarray) -> RecordGroup:
    n = len(arrival)
    return RecordGroup(port, flow, Column(arrival), Column.filled("", n), Column.filled(route, n),
                       Column.filled(False, n), Column.filled(False, n))  # fmt: skip


def build_strait(
    env: simpy.Environment,
    scenario: Scenario,
    port: str,
    ferry: Ferry,
    streams: RandomStreams,
    vehicle_arrivals: np.ndarray | None,
    trucks: RecordGroup | None,
) -> Strait:
    """The ferry side of ``port``.

    Args:
        env: the simulation environment.
        scenario: the scenario (start, horizon, weather).
        port: the strait port's id.
        ferry: its ferry block.
        streams: the run's named streams (``strait.<port>.response``).
        vehicle_arrivals: the ordinary vehicles' arrival times, sorted, or None (no such flow).
        trucks: the port's supervised trucks, or None.
    """
    start = scenario.start
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (start - midnight).total_seconds()
    horizon = scenario.horizon_hours * 3600.0
    first_day = midnight.date()
    windows = [
        (_seconds(scenario, w.start), _seconds(scenario, w.start) + w.duration_hours * 3600.0,
         w.sailing_share)
        for w in scenario.events.weather
        if port in w.ports
    ]  # fmt: skip
    extras = [(_seconds(scenario, x.start), _seconds(scenario, x.end), x.sailings)
              for x in ferry.extra_sailings]  # fmt: skip
    scheduled = departures(
        lambda k: ferry.hours_on(first_day + timedelta(days=k)), offset, horizon, extras
    )
    kept, cancelled = apply_weather(scheduled, windows)

    response = ferry.closure_response
    outcome = closure_response(
        vehicle_arrivals if vehicle_arrivals is not None else np.empty(0),
        windows,
        response.postpone_share,
        response.staging_share,
        response.postpone_hours * 3600.0,
        horizon,
        streams.generator(f"strait.{port}.response"),
    )
    backlog = ferry.initial_backlog
    groups: list[RecordGroup] = []
    vehicles = None
    staged = Column([])
    if vehicle_arrivals is not None or backlog.vehicles:
        before = _spread_before(backlog.vehicles, backlog.accumulated_hours)
        arrival = np.concatenate([before, outcome.arrival])
        waits = np.concatenate([np.zeros(len(before), dtype=bool), outcome.staged])
        vehicles = _group(port, "vehicle", "non_customs", arrival)
        vehicles.times["release"] = np.where(waits, np.nan, arrival)  # staged: when called
        staged = Column(waits)
        vehicles.inputs.append(staged)  # paged, and dropped with the vehicles' pages
        groups.append(vehicles)
    backlog_trucks = None
    if backlog.cargo_trucks:
        entry = _spread_before(backlog.cargo_trucks, backlog.accumulated_hours)
        backlog_trucks = _group(port, "cargo_truck", "backlog", entry)
        backlog_trucks.times["release"] = backlog_trucks.arrival  # copied (compact) by Times
        groups.append(backlog_trucks)
    boarding = StraitFerry(
        env,
        kept,
        ferry.lane_units_per_sailing,
        ferry.holding_capacity,
        vehicles,
        staged,
        trucks,
        backlog_trucks,
        vehicle_units=ferry.lane_units.vehicle,
        truck_units=ferry.lane_units.cargo_truck,
    )
    stats = FerryStats(
        holding_capacity=ferry.holding_capacity,
        lane_units_per_sailing=ferry.lane_units_per_sailing,
        sailings_scheduled=len(scheduled),
        sailings_cancelled=cancelled,
        suspensions=tuple(windows),
        scheduled=tuple(scheduled),
        departures=tuple(kept),
        lane_units=ferry.lane_units.model_dump(),
        postponed=outcome.postponed,
        postponed_beyond_end=outcome.postponed_beyond_end,
        staged=int(outcome.staged.sum()),
    )
    return Strait(boarding, groups, stats)
