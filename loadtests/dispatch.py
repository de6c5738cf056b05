"""Sending one worker's slice of a workload open-model, on gevent, each answer measured and checked.

:class:`SliceRun` admits the slice's calls in intended order, each at its moment
``t0 + offset``, and never waits for an answer to admit the next. An admitted call is *ready*
when what it needs has been answered (the previous call of its partition, the call it depends
on: see :mod:`loadtests.plan`), at once or later; ready calls queue for a connection.
``connections`` runners (one greenlet per connection, as wrk2 has connections) each take the
next ready call, send it, check the answer and take the next: a call costs no greenlet of its
own, and a runner that finishes a call starts the next without a trip through the hub. Three
times are recorded per call (:mod:`loadtests.measure`):

- response time = answer - intended moment;
- service time = answer - actual send;
- schedule lag = actual send - ready moment (the later of the intended moment and the answers
  the call waited for): the generator's own lateness, a wait for a free connection included.
  A lag above the tolerance counts the start as dropped.

A stalled platform holds every connection; the calls due meanwhile queue and start late: their
service time stays short while their response time from the intended moment shows the stall.

A target that gives no answer at all for ``silence_s`` while calls are out (a stopped or
frozen server) ends the slice: the calls not yet answered are abandoned and the run reports it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gevent
import orjson
from gevent.event import Event
from gevent.queue import Queue

from loadtests.measure import Recorder
from loadtests.plan import SliceCall
from loadtests.prepare import actor_key
from sim.workload.expect import DEPENDS_ON_ID, compare
from sim.workload.replay import Mismatch

__all__ = ["Answer", "Outcome", "Report", "Send", "SliceEnd", "SliceRun", "outcome_of"]

_WATCH_S = 0.25
_log = logging.getLogger(__name__)
_ADMIT_BATCH = 32
_TIMER_QUANTUM_S = 0.001


@dataclass(frozen=True, slots=True)
class Answer:
    """One call's answer.

    Attributes:
        status: the HTTP status; 0 when no answer came.
        content: the answer's body.
        error: why no answer came (None when one did).
    """

    status: int
    content: bytes
    error: str | None = None


Send = Callable[[str, str, str | None, dict[str, str]], Answer]
"""``send(method, path, body, headers)``: one request and its whole answer
(:meth:`loadtests.connection.Connection.send`)."""

Report = Callable[[str, str, str, float, int, str | None], None]
"""``report(method, name, path, response_ms, length, failure)``: tell Locust about a call
(the replay user's ``LocustReport``)."""


@dataclass(frozen=True)
class Outcome:
    """How an answer compares with its expectation."""

    kind: str  # matched, mismatched, errors
    differences: tuple[str, ...]


def outcome_of(call: Any, status: int, body: Any, error: str | None = None) -> Outcome:
    """Classify an answer: an error (no answer, or an unexpected 5xx), a mismatch, or a match."""
    if status == 0:
        return Outcome("errors", (f"no answer: {error}" if error else "no answer",))
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
        return orjson.loads(content)  # a fifth of json's time, on every answer
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", "replace")


class SliceRun:
    """One worker's timed calls, sent open-model (see the module docstring).

    Args:
        send: how a request is sent (the replay user's connection).
        report: how Locust hears of each call sent.
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
        report: Report,
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
        self._report = report
        self._calls = calls
        self._bearer = {k: f"Bearer {v}" for k, v in tokens.items()}
        self._ids: dict[int, Any] = dict(setup_answers)
        self._recorder = recorder
        self._connections = connections
        self._late_s = late_s
        self._silence_s = silence_s
        self._on_mismatch = on_mismatch
        self._keep_id = {sc.call.depends_on for sc in calls if DEPENDS_ON_ID in sc.call.path}
        n = len(calls)
        self._done_at: list[float | None] = [None] * n
        self._missing = [0] * n  # answers an admitted call still waits for
        self._ready_at = [0.0] * n
        self._dependents: dict[int, list[int]] = {}
        self._queue: Queue[int | None] = Queue()
        self._finished = 0
        self._all_done = Event()
        # Both clocks: the schedule is shared in epoch seconds, intervals are measured on the
        # monotonic performance counter.
        self._t0 = time.perf_counter() + (t0 - time.time())
        self._waiting_since: float | None = None
        self._last_answer = self._t0
        self._aborted: str | None = None

    def run(self) -> SliceEnd:
        """Send the slice; return when every call is answered or failed, or the target went
        silent."""
        runners = [gevent.spawn(self._runner) for _ in range(self._connections)]
        watchdog = gevent.spawn(self._watch, runners)
        try:
            if not self._calls:
                self._all_done.set()
            for i, sc in enumerate(self._calls):
                due = self._t0 + sc.offset_s
                delay = due - time.perf_counter()
                if delay > 0:
                    self._wait_until(due, delay)
                elif i % _ADMIT_BATCH == 0:
                    gevent.sleep(0)  # behind schedule: let the runners take what is ready
                if self._aborted:
                    break
                self._admit(i, sc)
            self._all_done.wait()
        finally:
            watchdog.kill()
            gevent.killall(runners)
        return SliceEnd(self._aborted, max(self._last_answer - self._t0, 0.0))

    @staticmethod
    def _wait_until(due: float, delay: float) -> None:
        """Sleep until ``due`` on the performance counter, ``delay`` seconds from now.

        The event loop's timers wake in whole milliseconds, rounded up (libev's epoll backend):
        a call due 0.3 ms from now would be admitted up to a millisecond late, half a
        millisecond on average. So the timer only covers the wait up to the last millisecond,
        and the rest is spent yielding to the loop (which keeps serving the answers) until the
        moment comes.
        """
        if delay > _TIMER_QUANTUM_S:
            gevent.sleep(delay - _TIMER_QUANTUM_S)
        while time.perf_counter() < due:
            gevent.sleep(0)

    def _watch(self, runners: list[gevent.Greenlet]) -> None:
        while True:
            gevent.sleep(_WATCH_S)
            since = self._waiting_since
            if since is not None and time.perf_counter() - since > self._silence_s:
                self._aborted = (f"the target gave no answer for {self._silence_s:g} s while "
                                 f"calls were out")
                gevent.killall(runners, block=False)
                self._all_done.set()
                return

    def _admit(self, i: int, sc: SliceCall) -> None:
        """Call ``i`` is due: queue it, or wait for the answers it needs first."""
        ready = self._t0 + sc.offset_s
        missing = 0
        for before in (sc.after_partition, sc.after_dependency):
            if before < 0:
                continue
            answered = self._done_at[before]
            if answered is None:
                missing += 1
                self._dependents.setdefault(before, []).append(i)
            else:
                ready = max(ready, answered)
        self._ready_at[i] = ready
        self._missing[i] = missing
        if not missing:
            self._queue.put(i)

    def _complete(self, i: int, done: float) -> None:
        """Call ``i`` is answered (or failed): the calls that waited for it may go."""
        self._done_at[i] = done
        for waiting in self._dependents.pop(i, ()):
            self._ready_at[waiting] = max(self._ready_at[waiting], done)
            self._missing[waiting] -= 1
            if not self._missing[waiting]:
                self._queue.put(waiting)
        self._finished += 1
        if self._finished == len(self._calls):
            self._all_done.set()

    def _runner(self) -> None:
        while True:
            i = self._queue.get()
            if i is None:
                return
            try:
                done = self._one(i, self._calls[i])
            except Exception as exc:  # a defect of the replay: counted and logged, not fatal
                done = time.perf_counter()
                _log.exception("call %s could not be replayed", self._calls[i].call.seq)
                self._finish(self._calls[i], self._t0 + self._calls[i].offset_s, done, done,
                             self._ready_at[i], 0, None,
                             Outcome("errors", (f"the replay failed: {exc!r}",)), None)
            self._complete(i, done)

    def _one(self, i: int, sc: SliceCall) -> float:
        """Send call ``i``, check and record its answer; return when it came."""
        c = sc.call
        intended = self._t0 + sc.offset_s
        ready = self._ready_at[i]
        path = self._path(c)
        if path is None:
            now = time.perf_counter()
            self._finish(sc, intended, now, now, ready, 0, None,
                         Outcome("mismatched",
                                 (f"not sent: call {c.depends_on} gave no id to name",)), path)
            return now
        headers = {"Accept": "application/json"}
        bearer = self._bearer.get(actor_key(c.actor_role, c.actor_entity))
        if bearer is not None:
            headers["Authorization"] = bearer
        if c.body:
            headers["Content-Type"] = "application/json"
        if c.idempotency_key:
            headers["Idempotency-Key"] = c.idempotency_key
        sent = time.perf_counter()
        if self._waiting_since is None:
            self._waiting_since = sent
        answer = self._send(c.method, path, c.body or None, headers)
        done = time.perf_counter()
        status = answer.status
        body = _parse(answer.content) if status else None
        outcome = outcome_of(c, status, body, answer.error)
        self._report(c.method, c.operation, path, (done - intended) * 1000.0,
                     len(answer.content),
                     None if outcome.kind == "matched" else "; ".join(outcome.differences))
        self._answered(done, touch_watch=status != 0)
        if c.seq in self._keep_id and isinstance(body, dict) and "id" in body:
            self._ids[c.seq] = body["id"]
        self._finish(sc, intended, sent, done, ready, status, body, outcome, path)
        return done

    def _answered(self, done: float, *, touch_watch: bool) -> None:
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
