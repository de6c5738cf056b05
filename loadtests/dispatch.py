"""Sending one worker's slice of a workload open-model, on gevent, each answer measured and checked.

:class:`SliceRun` walks the slice in intended order. At each call's intended moment
``t0 + offset`` it spawns a greenlet for it and goes on: it never waits for an answer. The
greenlet waits for what the call needs (the previous call of its partition, the call it depends
on: see :mod:`loadtests.plan`), then for a free connection, then sends. Three times are recorded
(:mod:`loadtests.measure`):

- response time = answer - intended moment;
- service time = answer - actual send (after a connection was free);
- schedule lag = actual send - ready moment (the later of the intended moment and the answers
  the call waited for): the generator's own lateness, including a wait for a free connection.
  A lag above the tolerance counts the start as dropped.

Connections are bounded (``connections``, the HTTP client's pool, like wrk2's connections): a
stalled platform holds them all, later calls wait for one and start late; their service time
stays short while their response time from the intended moment shows the stall.

A target that gives no answer at all for ``silence_s`` while calls are out (a stopped or
frozen server) ends the slice: the calls not yet answered are abandoned and the run reports it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gevent
from gevent.event import Event
from gevent.lock import BoundedSemaphore
from gevent.pool import Group

from loadtests.measure import Recorder
from loadtests.plan import SliceCall
from loadtests.prepare import actor_key
from sim.workload.expect import DEPENDS_ON_ID, compare
from sim.workload.replay import Mismatch

__all__ = ["Outcome", "SliceEnd", "SliceRun", "outcome_of"]

_WATCH_S = 0.25


class _Response(Protocol):
    """What :class:`SliceRun` reads of an answer (Locust's ``ResponseContextManager``)."""

    status_code: int
    content: bytes | None
    request_meta: dict[str, Any]

    def __enter__(self) -> _Response: ...

    def __exit__(self, *exc: object) -> bool | None: ...

    def success(self) -> None: ...

    def failure(self, exc: Any) -> None: ...


Send = Callable[[str, str, str | None, dict[str, str], str], _Response]
"""``send(method, path, body, headers, name)``: one request, with Locust's catch_response."""


@dataclass(frozen=True)
class Outcome:
    """How an answer compares with its expectation."""

    kind: str  # matched, mismatched, errors
    differences: tuple[str, ...]


def outcome_of(call: Any, status: int, body: Any) -> Outcome:
    """Classify an answer: an error (no answer, or an unexpected 5xx), a mismatch, or a match."""
    if status == 0:
        return Outcome("errors", ("no answer",))
    if status >= 500 and call.expected_status != status:
        return Outcome("errors", (f"status: expected {call.expected_status}, got {status}",))
    differences = compare(call, status, body)
    return Outcome("mismatched" if differences else "matched", tuple(differences))


@dataclass(frozen=True)
class SliceEnd:
    """How a slice ended.

    Attributes:
        aborted: why it ended before its calls did (None: every call was answered or failed).
        last_answer_s: the last answer, seconds after ``t0``.
    """

    aborted: str | None
    last_answer_s: float


def _parse(content: bytes | None) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", "replace")


class SliceRun:
    """One worker's timed calls, sent open-model (see the module docstring).

    Args:
        send: how a request is sent (the replay user's Locust client).
        calls: the slice (:func:`loadtests.plan.slice_for`).
        tokens: bearer token per actor.
        setup_answers: ids answered by set-up calls the slice's paths name.
        t0: the timed phase's start (epoch seconds, shared by every worker).
        recorder: where measurements go.
        connections: the most requests out at once.
        late_s: tolerance after which a start counts as dropped.
        silence_s: how long the target may give no answer while calls are out.
        on_mismatch: called with each mismatched or failed call's record.
    """

    def __init__(
        self,
        send: Send,
        calls: Sequence[SliceCall],
        tokens: Mapping[str, str],
        setup_answers: Mapping[int, Any],
        t0: float,
        recorder: Recorder,
        *,
        connections: int,
        late_s: float,
        silence_s: float,
        on_mismatch: Callable[[dict[str, Any]], None],
    ) -> None:
        self._send = send
        self._calls = calls
        self._bearer = {k: f"Bearer {v}" for k, v in tokens.items()}
        self._ids: dict[int, Any] = dict(setup_answers)
        self._recorder = recorder
        self._slots = BoundedSemaphore(connections)
        self._late_s = late_s
        self._silence_s = silence_s
        self._on_mismatch = on_mismatch
        waited = {i for sc in calls for i in (sc.after_partition, sc.after_dependency) if i >= 0}
        self._done = {i: Event() for i in waited}
        self._done_at: dict[int, float] = {}
        self._keep_id = {sc.call.depends_on for sc in calls if DEPENDS_ON_ID in sc.call.path}
        # Both clocks: the schedule is shared in epoch seconds, intervals are measured on the
        # monotonic performance counter.
        self._t0 = time.perf_counter() + (t0 - time.time())
        self._waiting_since: float | None = None
        self._last_answer = self._t0
        self._aborted: str | None = None

    def run(self) -> SliceEnd:
        """Send the slice; return when every call is answered or failed, or the target went
        silent."""
        group = Group()
        watchdog = gevent.spawn(self._watch, group)
        try:
            for i, sc in enumerate(self._calls):
                delay = self._t0 + sc.offset_s - time.perf_counter()
                if delay > 0:
                    gevent.sleep(delay)
                elif self._slots.locked():
                    # Behind schedule with every connection busy: a greenlet made now would
                    # only wait for one. Wait here instead, so the calls waiting are rows of
                    # the slice, not 10^5 greenlets; their lag is measured at the send alike.
                    self._slots.wait()
                else:
                    gevent.sleep(0)
                if self._aborted:
                    break
                group.spawn(self._one, i, sc)
            group.join()
        finally:
            watchdog.kill()
            group.kill()
        return SliceEnd(self._aborted, max(self._last_answer - self._t0, 0.0))

    def _watch(self, group: Group) -> None:
        while True:
            gevent.sleep(_WATCH_S)
            since = self._waiting_since
            if since is not None and time.perf_counter() - since > self._silence_s:
                self._aborted = (f"the target gave no answer for {self._silence_s:g} s while "
                                 f"calls were out")
                group.kill(block=False)
                return

    def _ready(self, index: int, moment: float) -> float:
        if index < 0:
            return moment
        self._done[index].wait()
        return max(moment, self._done_at[index])

    def _one(self, i: int, sc: SliceCall) -> None:
        c = sc.call
        intended = self._t0 + sc.offset_s
        ready = self._ready(sc.after_dependency, self._ready(sc.after_partition, intended))
        try:
            path = self._path(c)
            if path is None:
                now = time.perf_counter()
                self._answered(i, now, touch_watch=False)
                self._finish(sc, intended, now, now, ready, 0, None,
                             Outcome("mismatched",
                                     (f"not sent: call {c.depends_on} gave no id to name",)), path)
                return
            headers = {"Accept": "application/json"}
            bearer = self._bearer.get(actor_key(c.actor_role, c.actor_entity))
            if bearer is not None:
                headers["Authorization"] = bearer
            if c.body:
                headers["Content-Type"] = "application/json"
            if c.idempotency_key:
                headers["Idempotency-Key"] = c.idempotency_key
            with self._slots:
                sent = time.perf_counter()
                if self._waiting_since is None:
                    self._waiting_since = sent
                with self._send(c.method, path, c.body or None, headers, c.operation) as answer:
                    done = time.perf_counter()
                    status = answer.status_code or 0
                    body = _parse(answer.content) if status else None
                    outcome = outcome_of(c, status, body)
                    answer.request_meta["response_time"] = (done - intended) * 1000.0
                    if outcome.kind == "matched":
                        answer.success()
                    else:
                        answer.failure("; ".join(outcome.differences))
            self._answered(i, done, touch_watch=status != 0)
            if c.seq in self._keep_id and isinstance(body, dict) and "id" in body:
                self._ids[c.seq] = body["id"]
            self._finish(sc, intended, sent, done, ready, status, body, outcome, path)
        finally:
            event = self._done.get(i)
            if event is not None and not event.is_set():
                self._done_at.setdefault(i, time.perf_counter())
                event.set()

    def _answered(self, i: int, done: float, *, touch_watch: bool) -> None:
        self._done_at[i] = done
        if touch_watch:
            self._waiting_since = None
            self._last_answer = max(self._last_answer, done)

    def _path(self, c: Any) -> str | None:
        if DEPENDS_ON_ID not in c.path:
            return str(c.path)
        identifier = self._ids.get(c.depends_on) if c.depends_on is not None else None
        return None if identifier is None else c.path.replace(DEPENDS_ON_ID, str(identifier))

    def _finish(self, sc: SliceCall, intended: float, sent: float, done: float, ready: float,
                status: int, body: Any, outcome: Outcome, path: str | None) -> None:
        lag = max(sent - ready, 0.0)
        self._recorder.record(sc.call.operation, sc.offset_s, done - intended, done - sent, lag,
                              outcome.kind, lag > self._late_s)
        if outcome.kind != "matched":
            record = Mismatch(sc.call, path, status, body, outcome.differences).to_record()
            record["response_ms"] = round((done - intended) * 1000.0, 3)
            self._on_mismatch(record)
