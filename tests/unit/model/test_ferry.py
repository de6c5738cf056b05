"""Ferries board FIFO up to capacity; suspensions cancel sailings."""

from __future__ import annotations

import numpy as np
import simpy

from sim.model.ferry import StraitFerry, sailing_times
from sim.results.records import RecordGroup


def _group(flow: str, arrival: list[float]) -> RecordGroup:
    n = len(arrival)
    return RecordGroup("xinhai", flow, arrival, [""] * n, [""] * n, [False] * n, [False] * n)


def test_timetable_and_suspension() -> None:
    per_hour = [0] * 6 + [2] * 18
    kept, cancelled = sailing_times(per_hour, 0.0, 86400.0, [(6 * 3600.0, 8 * 3600.0)])
    assert cancelled == 4 and len(kept) == 32
    assert kept[0] == 8 * 3600.0 and kept[1] == 8.5 * 3600.0
    # a start at 23:00 local: the first sailing of the run is at 23:00 (t=0)
    kept, _ = sailing_times([1] * 24, 23 * 3600.0, 3 * 3600.0, [])
    assert kept == [0.0, 3600.0, 7200.0]


def test_fifo_boarding_merges_trucks_and_vehicles_up_to_capacity() -> None:
    env = simpy.Environment()
    vehicles = _group("vehicle", [1.0, 2.0, 3.0, 50.0])
    vehicles.times["release"] = list(vehicles.arrival)
    trucks = _group("cargo_truck", [0.0, 0.0])
    ferry = StraitFerry(env, [10.0, 20.0, 60.0], 2, vehicles, trucks)
    env.process(ferry.sailings())

    def release(i: int, at: float) -> object:
        yield env.timeout(at - env.now)
        trucks.times["release"][i] = env.now
        ferry.truck_released(i)

    env.process(release(0, 1.5))
    env.process(release(1, 30.0))
    env.run()
    # sailing 10: v(1.0), truck0(1.5); sailing 20: v(2.0), v(3.0); sailing 60: truck1(30), v(50)
    assert vehicles.times["boarding"] == [10.0, 20.0, 20.0, 60.0]
    assert trucks.times["boarding"] == [10.0, 60.0]
    assert not np.isnan(trucks.times["boarding"]).any()
