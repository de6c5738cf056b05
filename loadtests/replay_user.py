"""The replay user: a Locust ``FastHttpUser`` that sends its process's slice of a workload.

One replay user per Locust process does the work (``-u`` = the number of worker processes; 1
without ``--processes``); a process that is given more users lets the extra ones idle. The
user waits for its slice and the shared start ``t0`` (:mod:`loadtests.coordinator`), sends the
slice open-model over its FastHttpUser connections (:class:`loadtests.dispatch.SliceRun`:
``--connections`` runners, each sending the next call that is due and ready, through the
client FastHttpUser keeps for the target: :mod:`loadtests.connection`), and reports the end.

Locust's own statistics (console, web UI, ``--csv``, ``--html``) get every timed call under its
operation's name, with the response time *from its intended moment* and a failure for every
mismatched or failed answer; the exact percentiles come from the replay's HdrHistograms.

:func:`install` wires the replay into Locust's events; ``loadtests/locustfile.py`` calls it.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment
from locust.event import EventHook, Events
from locust.exception import CatchResponseError

from loadtests.connection import Connection, client_of
from loadtests.coordinator import Coordinator
from loadtests.dispatch import SliceRun
from loadtests.options import add_arguments

__all__ = ["LocustReport", "ReplayUser", "coordinator_of", "install"]

_WAIT_PLAN_S = 600.0

_COORDINATORS: weakref.WeakKeyDictionary[Environment, Coordinator] = (
    weakref.WeakKeyDictionary())


def coordinator_of(environment: Environment) -> Coordinator:
    """The replay's coordinator of ``environment`` (made on first use)."""
    found = _COORDINATORS.get(environment)
    if found is None:
        found = _COORDINATORS[environment] = Coordinator(environment)
    return found


class LocustReport:
    """Fires Locust's ``request`` event for each call sent.

    Args:
        event: ``environment.events.request``.
        base_url: the target's URL (Locust's statistics name the URL of each request).
    """

    def __init__(self, event: EventHook, base_url: str) -> None:
        self._fire = event.fire
        self._base_url = base_url.rstrip("/")

    def __call__(self, method: str, name: str, path: str, response_ms: float, length: int,
                 failure: str | None) -> None:
        """Report one call: its response time from the intended moment, and the failure (a
        mismatch or no answer) if any."""
        self._fire(
            request_type=method,
            name=name,
            response_time=response_ms,
            response_length=length,
            exception=CatchResponseError(failure) if failure is not None else None,
            context={},
            response=None,
            url=self._base_url + path,
            start_time=time.time() - response_ms / 1000.0,
        )


class ReplayUser(FastHttpUser):
    """Sends its process's slice of the workload open-model (see the module docstring)."""

    wait_time = constant(1)

    def __init__(self, environment: Environment) -> None:
        coordinator = coordinator_of(environment)
        options = coordinator.options
        if options is not None:
            # The client pool is sized when the user is made: one connection per request out.
            self.concurrency = options.connections
            self.network_timeout = options.timeout_s
            self.connection_timeout = options.timeout_s
        super().__init__(environment)
        self._coordinator = coordinator

    @task
    def replay(self) -> None:
        """Send the slice once; then stay idle until the run ends."""
        coordinator = self._coordinator
        if not coordinator.ready.wait(_WAIT_PLAN_S) or coordinator.claimed:
            self._idle()
            return
        coordinator.claimed = True
        coordinator.go.wait()
        assert coordinator.options is not None and coordinator.recorder is not None
        options = coordinator.options
        target = self.client.base_url or ""
        run = SliceRun(
            Connection(client_of(self.client), target).send,
            LocustReport(self.environment.events.request, target),
            coordinator.slice, coordinator.tokens, coordinator.answers, coordinator.t0,
            coordinator.recorder, connections=options.connections,
            late_s=options.late_ms / 1000.0, silence_s=options.silence_s,
            on_mismatch=coordinator.keep_mismatch,
        )
        end = run.run()
        if coordinator.is_worker:
            coordinator.worker_done(end.aborted, end.last_answer_s)
        else:
            coordinator.local_done(end.aborted, end.last_answer_s)
        self._idle()

    @staticmethod
    def _idle() -> None:
        while True:
            gevent.sleep(3600)


def install(events: Events) -> None:
    """Wire the replay into Locust's events: options, set-up, messages, reports."""
    events.init_command_line_parser.add_listener(add_arguments)

    @events.init.add_listener
    def _on_init(environment: Environment, **_: Any) -> None:
        coordinator = coordinator_of(environment)
        runner = environment.runner
        if runner is None:
            return
        if coordinator.is_worker:
            runner.register_message("replay_plan",
                                    lambda environment, msg, **_: coordinator.on_plan(msg.data))
            runner.register_message("replay_go",
                                    lambda environment, msg, **_: coordinator.on_go(msg.data))
        elif coordinator.is_master:
            runner.register_message(
                "replay_ready", lambda environment, msg, **_: coordinator.on_ready(msg.node_id))
            runner.register_message(
                "replay_done",
                lambda environment, msg, **_: coordinator.on_done(msg.node_id, msg.data))

    @events.test_start.add_listener
    def _on_test_start(environment: Environment, **_: Any) -> None:
        coordinator_of(environment).on_test_start()

    @events.test_stop.add_listener
    def _on_test_stop(environment: Environment, **_: Any) -> None:
        coordinator_of(environment).on_test_stop()

    @events.report_to_master.add_listener
    def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
        for coordinator in list(_COORDINATORS.values()):
            coordinator.report(data)

    @events.worker_report.add_listener
    def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
        for coordinator in list(_COORDINATORS.values()):
            coordinator.on_report(data)
