"""Capacity that follows a timetable: shifts, opening hours, outages."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.resources import (
    ScheduledResource,
    capacity_seconds,
    capacity_timeline,
    follow_timeline,
)


def test_raising_capacity_admits_waiting_requests_at_once() -> None:
    env = simpy.Environment()
    res = ScheduledResource(env, 0)
    started: list[float] = []

    def job() -> Generator[Any, Any, None]:
        with res.request() as req:
            yield req
            started.append(env.now)
            yield env.timeout(10)

    for _ in range(3):
        env.process(job())
    env.process(follow_timeline(env, res, [(0.0, 0), (5.0, 2), (30.0, 3)]))
    env.run(until=100)
    assert started == [5.0, 5.0, 15.0]  # two slots open at 5, the third job waits for one


def test_lowering_capacity_lets_work_in_progress_finish() -> None:
    env = simpy.Environment()
    res = ScheduledResource(env, 2)
    done: list[float] = []

    def job(length: float) -> Generator[Any, Any, None]:
        with res.request() as req:
            yield req
            yield env.timeout(length)
            done.append(env.now)

    env.process(job(10))
    env.process(job(10))
    env.process(follow_timeline(env, res, [(0.0, 2), (1.0, 0), (50.0, 1)]))
    env.process(job(1))  # queued: both slots busy, then capacity 0 until 50
    env.run()
    assert done == [10.0, 10.0, 51.0]


def test_daily_timeline_from_local_hours_and_outage() -> None:
    # open 08-20, run starts at 06:00 local, two days, outage of 1 from 09:00 to 10:00 day one
    def daily(hour: float) -> int:
        return 3 if 8 <= hour < 20 else 0

    tl = capacity_timeline(daily, [8, 20], 6 * 3600.0, 48 * 3600.0, [(3 * 3600, 4 * 3600, -1)])
    assert tl[:4] == [(0.0, 0), (7200.0, 3), (10800.0, 2), (14400.0, 3)]
    assert (50400.0, 0) in tl and (93600.0, 3) in tl
    # 2 days x 12 h x 3 channels, minus 1 channel-hour of outage
    assert capacity_seconds(tl, 0, 48 * 3600.0) == (2 * 12 * 3 - 1) * 3600.0
    assert capacity_seconds(tl, 0, 4 * 3600.0) == (3 + 2) * 3600.0


def test_the_queue_is_recorded_when_requests_wait_including_after_a_capacity_change() -> None:
    from sim.model.resources import ScheduledResource

    env = simpy.Environment()
    resource = ScheduledResource(env, 1)

    def user(arrive: float, hold: float) -> object:
        yield env.timeout(arrive)
        with resource.request() as req:
            if req.triggered:
                yield req
            else:
                resource.queued.append(env.now)
                yield req
                resource.served.append(env.now)
            yield env.timeout(hold)

    def widen() -> object:
        yield env.timeout(6.0)
        resource.set_capacity(3)

    for arrive, hold in [(0, 5), (1, 5), (2, 5), (3, 1)]:
        env.process(user(arrive, hold))
    env.process(widen())
    env.run()
    times, levels = resource.queue_levels()
    # three wait from 1, 2, 3; one is served at 5 (the first leaves), the other two at 6 when
    # the capacity rises to 3.
    assert times.tolist() == [0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 6.0]
    assert levels.tolist() == [0, 1, 2, 3, 2, 1, 0]
