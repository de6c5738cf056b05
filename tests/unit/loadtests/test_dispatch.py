"""Sending a slice open-model on gevent, measured from the intended moment (loadtests.dispatch).

The platform here is a fake inside the test process (answers after a gevent sleep), so the
scheduling and the measurement are tested without a network; gevent is used without
monkey-patching, as the replay's own code does not need it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import gevent

from loadtests.dispatch import Answer, SliceRun, outcome_of
from loadtests.measure import Merged, Recorder
from loadtests.plan import slice_for
from tests.unit.loadtests.support import call


class _Platform:
    """Answers every request after ``service_s``; frozen between ``stall`` seconds; the
    answer of a path is ``answers[path]`` (200 ``{"ok": true}`` when not named)."""

    def __init__(self, service_s: float = 0.002, stall: tuple[float, float] | None = None,
                 answers: dict[str, tuple[int, Any]] | None = None) -> None:
        self.service_s = service_s
        self.stall = stall
        self.answers = answers or {}
        self.log: list[tuple[float, str, str]] = []
        self.origin = time.perf_counter()

    def __call__(self, method: str, path: str, body: str | None,
                 headers: dict[str, str]) -> Answer:
        now = time.perf_counter() - self.origin
        self.log.append((now, method, path))
        wait = self.service_s
        if self.stall is not None and self.stall[0] <= now < self.stall[1]:
            wait += self.stall[1] - now
        gevent.sleep(wait)
        status, answer = self.answers.get(path, (200, {"ok": True}))
        return Answer(status, json.dumps(answer).encode() if answer is not None else b"")


class _Locust:
    """What Locust's request event heard: (method, name, path, response_ms, length, failure)."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, str, float, int, str | None]] = []

    def __call__(self, method: str, name: str, path: str, response_ms: float, length: int,
                 failure: str | None) -> None:
        self.heard.append((method, name, path, response_ms, length, failure))


def _run(platform: _Platform, calls: list, *, connections: int = 100, silence_s: float = 5.0,
         speed: float = 1.0, locust: _Locust | None = None
         ) -> tuple[Merged, list[dict[str, Any]], Any]:
    recorder = Recorder(bucket_s=0.5)
    kept: list[dict[str, Any]] = []
    t0 = time.time() + 0.05
    platform.origin = time.perf_counter() + 0.05
    run = SliceRun(platform, locust if locust is not None else _Locust(),
                   slice_for(calls, 0, 1, speed), {"officer|": "T"}, {}, t0, recorder,
                   connections=connections, late_s=0.05, silence_s=silence_s,
                   on_mismatch=kept.append)
    end = run.run()
    merged = Merged(0.5)
    merged.add(recorder.take())
    return merged, kept, end


def test_a_stall_shows_from_the_intended_moment_and_not_in_service_time() -> None:
    """600 calls at 200/s, the platform frozen for 1 s at 1.5 s, 4 connections (as wrk2's):
    the calls intended during the stall wait for a connection, so their service time stays
    short while their time from the intended moment holds the stall."""
    calls = [call(i, i / 200.0, partition=f"P{i}") for i in range(600)]
    merged, _, end = _run(_Platform(stall=(1.5, 2.5)), calls, connections=4)
    _, run = merged.operations(Counter({"tier_query": 600}))
    assert end.aborted is None and run.sent == 600 and run.matched == 600
    assert run.response_ms.p99 > 800, run.response_ms
    assert run.service_ms.p99 < 200, run.service_ms
    assert run.dropped > 150, "starts held back by the stall are late"
    during = [p for p in merged.timeline() if 1.5 <= p.t_s < 2.5]
    before = [p for p in merged.timeline() if p.t_s < 1.0]
    assert min(p.p50_ms for p in during) > 100 > max(p.p99_ms for p in before)


def test_calls_wait_for_their_partition_and_their_dependency_and_answers_are_checked() -> None:
    calls = [
        call(0, 0.0, partition="E1", operation="declaration", method="POST",
             path="/v1/declarations", expected_status=201, expected={"channel": "release"}),
        call(1, 0.0, partition="E1", operation="booking", method="POST", path="/v1/bookings"),
        call(2, 0.01, partition="OFF", operation="inspection_result", method="POST",
             depends_on=0, path="/v1/declarations/{depends_on.id}/inspection"),
        call(3, 0.02, partition="E2", operation="departure_check", path="/v1/departures"),
    ]
    platform = _Platform(service_s=0.05, answers={
        "/v1/declarations": (201, {"id": "D-7", "channel": "scan"}),
        "/v1/departures": (503, {"code": "database_busy"}),
    })
    locust = _Locust()
    merged, kept, _ = _run(platform, calls, locust=locust)
    sent = {path: at for at, _, path in platform.log}
    assert sent["/v1/bookings"] >= 0.05, "the partition's next call waits for the answer"
    assert "/v1/declarations/D-7/inspection" in sent, "the path names the answer's id"
    assert sent["/v1/declarations/D-7/inspection"] >= 0.05, "a dependent call waits"
    assert sent["/v1/departures"] < 0.045, "other partitions do not wait"
    ops, run = merged.operations(Counter(c.operation for c in calls))
    by_name = {op.operation: op for op in ops}
    assert by_name["declaration"].mismatched == 1 and by_name["departure_check"].errors == 1
    assert run.matched == 2
    assert by_name["booking"].lag_ms.p99 < 40, "waiting for an answer is not lag"
    assert by_name["booking"].response_ms.p50 >= 95, "but counts from the intended moment"
    assert [k["seq"] for k in kept] == [0, 3]
    assert kept[0]["differences"] == ["channel: expected 'release', got 'scan'"]
    # Locust hears of every call once, under its operation, timed from the intended moment,
    # with the mismatch or error as the failure.
    heard = {name: (method, path, ms, failure) for method, name, path, ms, _, failure
             in locust.heard}
    assert len(locust.heard) == 4
    assert heard["declaration"][3] == "channel: expected 'release', got 'scan'"
    assert heard["departure_check"][3] == "status: expected 200, got 503"
    assert heard["booking"][3] is None and heard["booking"][2] >= 95
    assert heard["inspection_result"][:2] == ("POST", "/v1/declarations/D-7/inspection")


def test_no_answer_is_an_error_with_its_reason() -> None:
    calls = [call(0, 0.0, expected_status=200)]

    def refused(method: str, path: str, body: str | None, headers: dict[str, str]) -> Answer:
        return Answer(0, b"", "ConnectionRefusedError: [Errno 111] Connection refused")

    locust = _Locust()
    recorder = Recorder(bucket_s=0.5)
    kept: list[dict[str, Any]] = []
    SliceRun(refused, locust, slice_for(calls, 0, 1, 1.0), {}, {}, time.time(), recorder,
             connections=1, late_s=0.05, silence_s=5.0, on_mismatch=kept.append).run()
    merged = Merged(0.5)
    merged.add(recorder.take())
    _, run = merged.operations(Counter({"tier_query": 1}))
    assert run.errors == 1 and run.matched == 0
    assert kept[0]["differences"] == ["no answer: ConnectionRefusedError: [Errno 111] "
                                      "Connection refused"]
    assert locust.heard[0][5] == kept[0]["differences"][0]


def test_a_silent_target_ends_the_slice_within_the_silence() -> None:
    calls = [call(i, i / 100.0, partition=f"P{i}") for i in range(50)]
    began = time.monotonic()
    _, _, end = _run(_Platform(stall=(0.0, 3600.0)), calls, silence_s=0.5)
    assert end.aborted is not None and "no answer for 0.5 s" in end.aborted
    assert time.monotonic() - began < 3.0


def test_outcomes() -> None:
    declared = call(0, expected_status=201, expected={"channel": "scan"})
    assert outcome_of(declared, 0, None).kind == "errors"
    assert outcome_of(declared, 500, None).kind == "errors"
    assert outcome_of(declared, 201, {"channel": "scan", "score": 3}).kind == "matched"
    assert outcome_of(declared, 409, {"code": "duplicate_id"}).kind == "mismatched"


def test_calls_start_at_their_moment_not_at_the_next_millisecond_tick() -> None:
    """The loop's timers wake in whole milliseconds, rounded up: admitted by timer alone, a
    call due between ticks starts half a millisecond late on average. The admission waits the
    last millisecond out by yielding, so the typical start is on time."""
    calls = [call(i, i / 1000.0, partition=f"P{i}") for i in range(400)]
    merged, _, _ = _run(_Platform(service_s=0.0005), calls)
    _, run = merged.operations(Counter({"tier_query": 400}))
    assert run.matched == 400
    assert run.lag_ms.p50 < 0.3, run.lag_ms
