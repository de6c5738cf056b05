"""Running a replay on Locust, in one process or distributed: who does what, and the messages.

In **one process** (Locust's local runner) everything happens here. **Distributed**
(``--processes N``, or a master and workers on several machines), the work is split:

1. the master, when the test starts (``test_start``), reads the workload, sends the set-up
   calls and issues the actors' tokens (:mod:`loadtests.prepare`), then sends each connected
   worker a ``replay_plan``: its index, the number of workers, the tokens, the set-up answers
   it needs and the replay's options;
2. each worker reads the workload, takes its slice (:func:`loadtests.plan.slice_for`) and
   answers ``replay_ready``;
3. when every worker is ready the master sends ``replay_go`` with ``t0``, the timed phase's
   start (epoch seconds, a moment ahead so every worker starts at it);
4. each worker's replay user sends its slice (:class:`loadtests.dispatch.SliceRun`); what it
   measured goes to the master with every stats report (``report_to_master``) and, at the
   end, with ``replay_done``;
5. the master adds the reports up (:class:`loadtests.measure.Merged`) and, when every worker is
   done, writes the result (:mod:`loadtests.finish`) and quits (headless) or stops (web UI).

The driver (``customs-sim load``) follows the run on the master's standard output: one line
``@customs-sim-load {json}`` per phase.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from loadtests.finish import finish
from loadtests.measure import Merged, Recorder
from loadtests.options import EVENT_PREFIX, ReplayOptions
from loadtests.plan import SliceCall, slice_for, timed_calls
from loadtests.prepare import Prepared, prepare
from sim.client import PlatformError
from sim.workload import Call, WorkloadError, WorkloadInfo, read_workload

__all__ = ["MISMATCHES_KEPT", "Coordinator", "admin_token", "bucket_width"]

MISMATCHES_KEPT = 100
"""Mismatched or failed calls written out in full (all are counted)."""

_ADMIN_ENV = "REFPLATFORM_ADMIN_TOKEN"
_START_AHEAD_S = 0.3
_BUCKETS = 300

log = logging.getLogger("customs-sim-load")


def admin_token() -> str:
    """The target's admin token, from ``REFPLATFORM_ADMIN_TOKEN`` (empty when unset)."""
    return os.environ.get(_ADMIN_ENV, "")


def bucket_width(schedule_s: float) -> float:
    """Width of a latency-over-time interval: 1, 2 or 5 times a power of ten seconds, at least
    one second, so a run has at most about 300 intervals."""
    width = 1.0
    while schedule_s / width > _BUCKETS:
        for step in (2.0, 2.5, 2.0):
            width *= step
            if schedule_s / width <= _BUCKETS:
                break
    return width


def emit(event: str, **data: Any) -> None:
    """Print one phase line for the driver."""
    sys.stdout.write(EVENT_PREFIX + json.dumps({"event": event, **data}) + "\n")
    sys.stdout.flush()


def _settle() -> None:
    """Collect once, then freeze what is left (the workload's 10^5 calls, the slice) out of the
    cyclic collector's reach: a full collection walking them mid-run would stall every call
    due meanwhile by tens of milliseconds."""
    gc.collect()
    gc.freeze()


class Coordinator:
    """The replay's state in one Locust process (see the module docstring)."""

    def __init__(self, environment: Environment) -> None:
        self.env = environment
        self.options: ReplayOptions | None = None
        self.tokens: dict[str, str] = {}
        self.answers: dict[int, Any] = {}
        self.index = 0
        self.count = 1
        self.bucket_s = 1.0
        self.schedule_s = 0.0
        self.slice: list[SliceCall] = []
        self.recorder: Recorder | None = None
        self.mismatches: list[dict[str, Any]] = []
        self.ready = Event()
        self.go = Event()
        self.t0 = 0.0
        self.claimed = False
        # Master (or single process) only.
        self.info: WorkloadInfo | None = None
        self.calls: list[Call] = []
        self.prepared: Prepared | None = None
        self.merged: Merged | None = None
        self.expected: set[str] = set()
        self.readied: set[str] = set()
        self.done: dict[str, dict[str, Any]] = {}
        self.finished = False

    # -- the master, or a single process --------------------------------------------------

    @property
    def is_worker(self) -> bool:
        return isinstance(self.env.runner, WorkerRunner)

    @property
    def is_master(self) -> bool:
        return isinstance(self.env.runner, MasterRunner)

    def on_test_start(self) -> None:
        """Prepare the run (master or single process)."""
        if self.is_worker:
            return
        self._reset()
        try:
            options = ReplayOptions.from_parsed(self.env.parsed_options)
            options.check()
            info, calls = read_workload(Path(options.workload))
        except (ValueError, WorkloadError) as exc:
            self._fail_setup(str(exc))
            return
        self.options, self.info, self.calls = options, info, calls
        runner = self.env.runner
        if isinstance(runner, MasterRunner):
            workers = len(runner.clients.ready + runner.clients.running + runner.clients.spawning)
            if (runner.target_user_count or 0) < workers:
                self._fail_setup(f"users: a replay user per worker process is needed: at least "
                                 f"{workers} (got {runner.target_user_count})")
                return
        timed = timed_calls(calls)
        schedule_s = (timed[-1].intended_s / options.speed) if timed else 0.0
        self.schedule_s = schedule_s
        self.bucket_s = bucket_width(schedule_s)
        self.merged = Merged(self.bucket_s)
        emit("setup_start", calls=info.setup, timed=len(timed), schedule_s=schedule_s)
        host = (self.env.host or "").rstrip("/")
        try:
            self.prepared = prepare(host, admin_token(), calls, timeout_s=options.timeout_s)
        except PlatformError as exc:
            self._fail_setup(f"the set-up could not be sent to {host}: {exc}")
            return
        self.tokens, self.answers = self.prepared.tokens, self.prepared.answers
        emit("setup_done", calls=self.prepared.setup.calls,
             mismatched=self.prepared.setup.mismatched, seconds=self.prepared.setup.seconds)
        if self.is_master:
            self._send_plans()
        else:
            self.slice = slice_for(calls, 0, 1, options.speed)
            self.recorder = Recorder(self.bucket_s)
            _settle()
            self.t0 = time.time() + _START_AHEAD_S
            emit("timed_start", t0=self.t0, workers=1)
            self.ready.set()
            self.go.set()

    def _reset(self) -> None:
        self.ready.clear()
        self.go.clear()
        self.claimed = False
        self.finished = False
        self.done = {}
        self.readied = set()
        self.mismatches = []

    def _fail_setup(self, message: str) -> None:
        log.error(message)
        emit("failed", message=message)
        self.finished = True
        self.env.process_exit_code = 2
        gevent.spawn_later(0.1, self._end)

    def _send_plans(self) -> None:
        runner = self.env.runner
        assert isinstance(runner, MasterRunner) and self.options is not None
        workers = runner.clients.ready + runner.clients.running + runner.clients.spawning
        ids = sorted((w.id for w in workers), key=runner.get_worker_index)
        self.expected = set(ids)
        for index, client_id in enumerate(ids):
            runner.send_message("replay_plan", {
                "index": index, "count": len(ids), "tokens": self.tokens,
                "answers": {str(k): v for k, v in self.answers.items()},
                "bucket_s": self.bucket_s, "options": self.options.to_data(),
            }, client_id)

    def on_ready(self, client_id: str) -> None:
        """A worker has its slice; when all have, the timed phase starts."""
        self.readied.add(client_id)
        if self.readied >= self.expected and not self.go.is_set():
            self.t0 = time.time() + _START_AHEAD_S
            emit("timed_start", t0=self.t0, workers=len(self.expected))
            self.go.set()
            assert self.env.runner is not None
            for client_id_ in sorted(self.expected):
                self.env.runner.send_message("replay_go", {"t0": self.t0}, client_id_)

    def on_report(self, data: dict[str, Any]) -> None:
        """A worker's periodic report."""
        if self.merged is not None and "replay" in data:
            self.merged.add(data["replay"])

    def on_done(self, client_id: str, data: dict[str, Any]) -> None:
        """A worker finished its slice."""
        if self.merged is None or self.finished:
            return
        self.merged.add(data["report"])
        self.mismatches.extend(data["mismatches"])
        self.done[client_id] = data
        if set(self.done) >= self.expected:
            self._finish()

    def local_done(self, aborted: str | None, last_answer_s: float) -> None:
        """The single process's replay user finished."""
        assert self.recorder is not None
        self.on_done("local", {"report": self.recorder.take(), "mismatches": self.mismatches,
                               "aborted": aborted, "last_answer_s": last_answer_s})

    def on_test_stop(self) -> None:
        """The test was stopped (by the user, or the run's end): finish with what arrived."""
        if self.is_worker or self.finished or self.merged is None:
            return
        self._finish(stopped=True)

    def _finish(self, stopped: bool = False) -> None:
        if self.finished:
            return
        self.finished = True
        assert self.options is not None and self.info is not None and self.merged is not None
        aborted = next((d["aborted"] for d in self.done.values() if d.get("aborted")), None)
        if stopped and aborted is None:
            aborted = "stopped before every call was answered"
        last = max((float(d.get("last_answer_s", 0.0)) for d in self.done.values()),
                   default=0.0)
        planned = Counter(c.operation for c in self.calls if c.phase == "timed")
        setup_mismatches = [m.to_record() for m in self.prepared.mismatches] \
            if self.prepared else []
        try:
            setup = self.prepared.setup if self.prepared is not None else None
            code, line = finish(self.options, self.info, self.env.host or "", self.merged,
                                planned, setup, last, aborted,
                                setup_mismatches + sorted(self.mismatches,
                                                          key=lambda m: m["seq"]),
                                schedule_s=self.schedule_s, workers=max(len(self.expected), 1))
        except Exception:
            log.exception("the replay's result could not be written")
            code, line = 3, "the replay's result could not be written"
        emit("finished", code=code, summary=line)
        self.env.process_exit_code = code
        gevent.spawn_later(0.1, self._end)

    def _end(self) -> None:
        runner = self.env.runner
        if runner is None:
            return
        options = self.env.parsed_options
        if bool(getattr(options, "headless", False)):
            runner.quit()
            return
        runner.stop()  # the web UI stays up with the result, unless told to quit (as Locust
        autoquit = getattr(options, "autoquit", -1)  # does at the end of a --run-time)
        if getattr(options, "autostart", False) and autoquit is not None and autoquit >= 0:
            gevent.sleep(autoquit)
            runner.quit()
            if self.env.web_ui is not None:
                self.env.web_ui.stop()

    # -- a worker ---------------------------------------------------------------------------

    def on_plan(self, data: dict[str, Any]) -> None:
        """The master's plan for this worker: read the workload, take the slice."""
        self._reset()
        self.options = ReplayOptions(**data["options"])
        self.index, self.count = int(data["index"]), int(data["count"])
        self.tokens = data["tokens"]
        self.answers = {int(k): v for k, v in data["answers"].items()}
        self.bucket_s = float(data["bucket_s"])
        _, calls = read_workload(Path(self.options.workload))
        self.slice = slice_for(calls, self.index, self.count, self.options.speed)
        self.recorder = Recorder(self.bucket_s)
        _settle()
        self.ready.set()
        assert self.env.runner is not None
        self.env.runner.send_message("replay_ready", {"index": self.index})

    def on_go(self, data: dict[str, Any]) -> None:
        """The timed phase's start."""
        self.t0 = float(data["t0"])
        self.go.set()

    def report(self, data: dict[str, Any]) -> None:
        """Add what was measured since the last report to a worker's stats report."""
        if self.recorder is not None and self.is_worker:
            data["replay"] = self.recorder.take()

    def worker_done(self, aborted: str | None, last_answer_s: float) -> None:
        """Send the rest of the measurements and the first mismatches to the master."""
        assert self.recorder is not None and self.env.runner is not None
        self.env.runner.send_message("replay_done", {
            "report": self.recorder.take(), "mismatches": self.mismatches[:MISMATCHES_KEPT],
            "aborted": aborted, "last_answer_s": last_answer_s})

    def keep_mismatch(self, record: dict[str, Any]) -> None:
        """Keep a mismatch record (the first :data:`MISMATCHES_KEPT` of this process)."""
        if len(self.mismatches) < MISMATCHES_KEPT:
            self.mismatches.append(record)
