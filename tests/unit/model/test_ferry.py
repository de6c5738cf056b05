"""Ferries: timetables by date, weather that stops or thins sailings, lane units, staging."""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy

from sim.model.ferry import StraitFerry, apply_weather, closure_response, departures
from sim.results.records import RecordGroup

NAN = math.nan
H = 3600.0


def _group(flow: str, arrival: list[float]) -> RecordGroup:
    n = len(arrival)
    return RecordGroup("xinhai", flow, arrival, [""] * n, [""] * n, [False] * n, [False] * n)


def test_timetable_and_full_suspension() -> None:
    per_hour = [0] * 6 + [2] * 18
    scheduled = departures(lambda k: per_hour, 0.0, 86400.0)
    kept, cancelled = apply_weather(scheduled, [(6 * H, 8 * H, 0.0)])
    assert len(scheduled) == 36 and cancelled == 4 and len(kept) == 32
    assert kept[0] == 8 * H and kept[1] == 8.5 * H
    # a start at 23:00 local: the first sailing of the run is at 23:00 (t=0)
    assert departures(lambda k: [1] * 24, 23 * H, 3 * H) == [0.0, H, 2 * H]


def test_a_dated_timetable_applies_on_its_days_and_extras_are_spread_over_their_window() -> None:
    ordinary, festival = [1] * 24, [3] * 24
    scheduled = departures(lambda k: festival if k == 1 else ordinary, 0.0, 3 * 86400.0,
                           extras=[(10 * H, 12 * H, 4)])  # fmt: skip
    day = np.array(scheduled) // 86400.0
    assert [int(np.sum(day == d)) for d in range(3)] == [24 + 4, 72, 24]
    assert [t for t in scheduled if 10 * H <= t < 12 * H] == [10 * H, 10 * H, 10.5 * H, 11 * H,
                                                               11 * H, 11.5 * H]  # fmt: skip


@pytest.mark.parametrize(("share", "runs"), [(0.0, 0), (0.5, 6), (0.25, 3), (0.75, 9)])
def test_partial_weather_keeps_exactly_its_share_of_the_sailings(share: float, runs: int) -> None:
    scheduled = departures(lambda k: [2] * 24, 0.0, 86400.0)  # 48
    kept, cancelled = apply_weather(scheduled, [(6 * H, 12 * H, share)])  # 12 in the window
    inside = [t for t in kept if 6 * H <= t < 12 * H]
    assert len(inside) == runs and cancelled == 12 - runs and len(kept) == 48 - 12 + runs


def test_fifo_boarding_merges_trucks_and_vehicles_up_to_capacity() -> None:
    env = simpy.Environment()
    vehicles = _group("vehicle", [1.0, 2.0, 3.0, 50.0])
    vehicles.times["release"] = list(vehicles.arrival)
    trucks = _group("cargo_truck", [0.0, 0.0])
    ferry = StraitFerry(env, [10.0, 20.0, 60.0], 2, 100, vehicles, [False] * 4, trucks)
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


def test_a_truck_takes_its_lane_units_and_nobody_overtakes_one_that_does_not_fit() -> None:
    env = simpy.Environment()
    vehicles = _group("vehicle", [1.0, 2.0, 4.0])
    vehicles.times["release"] = list(vehicles.arrival)
    trucks = _group("cargo_truck", [0.0])
    ferry = StraitFerry(env, [10.0, 20.0], 4.0, 100, vehicles, [False] * 3, trucks,
                        vehicle_units=1.0, truck_units=3.0)  # fmt: skip
    env.process(ferry.sailings())

    def release() -> object:
        yield env.timeout(3.0)
        trucks.times["release"][0] = env.now
        ferry.truck_released(0)

    env.process(release())
    env.run()
    # Sailing 10 (4 units): cars at 1 and 2 (2 units), then the truck (3) does not fit in the 2
    # left, and the car at 4 behind it waits too. Sailing 20: truck (3) + car (1).
    assert vehicles.times["boarding"] == [10.0, 10.0, 20.0]
    assert trucks.times["boarding"] == [20.0]


def test_a_backlog_boards_first_in_its_order() -> None:
    env = simpy.Environment()
    vehicles = _group("vehicle", [-3.0, -1.0, 5.0])
    vehicles.times["release"] = list(vehicles.arrival)
    backlog = _group("cargo_truck", [-2.0])
    ferry = StraitFerry(env, [0.0, 10.0], 2, 100, vehicles, [False] * 3, None, backlog)
    env.process(ferry.sailings())
    env.run()
    assert vehicles.times["boarding"] == [0.0, 10.0, 10.0]
    assert backlog.times["boarding"] == [0.0]


def test_staged_vehicles_are_called_while_the_holding_area_has_room() -> None:
    env = simpy.Environment()
    # Three staged vehicles and two that come to the port; the holding area takes 2.
    arrival = [1.0, 2.0, 3.0, 4.0, 5.0]
    staged = [True, False, True, True, False]
    vehicles = _group("vehicle", arrival)
    vehicles.times["release"] = [NAN if s else a for a, s in zip(arrival, staged, strict=True)]
    ferry = StraitFerry(env, [10.0, 20.0, 30.0, 40.0], 1, 2, vehicles, staged, None)
    env.process(ferry.sailings())
    env.run()
    release, boarding = vehicles.times["release"], vehicles.times["boarding"]
    # 10: the car at 2 boards; the car at 5 waits, so one staged car (1) is called at 10.
    # 20: the car at 5 boards (it was at the port first); staged car 3 is called.
    # 30: car 1 (called at 10) boards; car 4 is called. 40: car 3 boards; car 4 still waits.
    assert release == [10.0, 2.0, 20.0, 30.0, 5.0]
    assert boarding[:3] == [30.0, 10.0, 40.0] and math.isnan(boarding[3]) and boarding[4] == 20.0


def test_closure_response_moves_postponed_trips_after_the_window_and_flags_staging() -> None:
    rng = np.random.default_rng(1)
    arrival = np.sort(rng.uniform(0, 48 * H, 20_000))
    window = (10 * H, 20 * H, 0.0)
    out = closure_response(arrival, [window], 0.3, 0.2, 6 * H, 48 * H, np.random.default_rng(2))
    inside = int(np.sum((arrival >= 10 * H) & (arrival < 20 * H)))
    assert out.postponed == pytest.approx(0.3 * inside, rel=0.1)
    assert int(out.staged.sum()) == pytest.approx(0.2 * inside, rel=0.1)
    assert out.postponed_beyond_end == 0
    assert len(out.arrival) == len(arrival) and np.all(np.diff(out.arrival) >= 0)
    # the window now holds only those who came anyway; the 6 h after it, the postponed too
    now_inside = np.sum((out.arrival >= 10 * H) & (out.arrival < 20 * H))
    assert now_inside == inside - out.postponed
    after = np.sum((out.arrival >= 20 * H) & (out.arrival < 26 * H))
    assert after == np.sum((arrival >= 20 * H) & (arrival < 26 * H)) + out.postponed
    assert not out.staged[(out.arrival < 10 * H) | (out.arrival >= 20 * H)].any()


def test_closure_response_scales_with_the_sailings_that_still_run() -> None:
    arrival = np.linspace(0, 10 * H, 10_001)[:-1]
    half = closure_response(arrival, [(0.0, 10 * H, 0.5)], 0.4, 0.0, H, 48 * H,
                            np.random.default_rng(3))  # fmt: skip
    assert half.postponed == pytest.approx(0.2 * 10_000, rel=0.1)
    none = closure_response(arrival, [], 0.4, 0.4, H, 48 * H, np.random.default_rng(3))
    assert none.postponed == 0 and np.array_equal(none.arrival, arrival)
