"""The untimed phase before a load test: the set-up calls, then the timed actors' tokens.

A workload starts with its *set-up* calls (the entities, their histories, books and stock the
platform must hold when the period starts). They are sent as fast as the target takes them:
each partition's calls in order, each after the call it depends on (the causal order the
workload keeps, :mod:`sim.workload.builder`), partitions side by side on gevent with a bounded
number of requests out. Each answer is checked (:func:`sim.workload.expect.compare`); none is
timed. The answers of set-up calls that a timed call's path names (``{depends_on.id}``) are
kept for it. Then the bearer token of every actor of the timed calls is issued with the admin
token, so the timed phase sends only the workload's own calls.

It runs in the Locust process (the master, or the only one), where gevent has patched the
sockets, so the typed client's requests overlap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import gevent
from gevent.event import Event
from gevent.lock import BoundedSemaphore

from loadtests.plan import needed_setup_answers
from sim.client import PlatformClient
from sim.results.load import SetupLoad
from sim.workload import Call
from sim.workload.expect import DEPENDS_ON_ID, compare, resolve_path
from sim.workload.replay import Mismatch

__all__ = ["SETUP_CONCURRENCY", "Prepared", "actor_key", "prepare"]

SETUP_CONCURRENCY = 16
"""Set-up requests out at once: enough to keep a platform busy, few enough to be polite."""

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per set-up request


def actor_key(role: str, entity: str) -> str:
    """The key of an actor's token (``role|entity``)."""
    return f"{role}|{entity}"


@dataclass
class Prepared:
    """What the timed phase needs from the set-up.

    Attributes:
        tokens: bearer token per actor (:func:`actor_key`).
        answers: the ``id`` answered by each set-up call a timed call names.
        setup: counts and duration of the phase.
        mismatches: the set-up calls answered otherwise than expected.
    """

    tokens: dict[str, str]
    answers: dict[int, Any]
    setup: SetupLoad
    mismatches: list[Mismatch] = field(default_factory=list)


def prepare(base_url: str, admin_token: str, calls: Sequence[Call],
            timeout_s: float = 30.0, concurrency: int = SETUP_CONCURRENCY) -> Prepared:
    """Issue every actor's token, then send the set-up calls (see the module docstring).

    Args:
        base_url: the platform's base URL.
        admin_token: its admin token.
        calls: the workload's calls (set-up first).
        timeout_s: the longest wait for one answer.
        concurrency: requests out at once.

    Raises:
        sim.client.PlatformUnreachable: the platform does not answer.
        sim.client.ApiError: a token cannot be issued.
    """
    begin = time.monotonic()
    setup = [c for c in calls if c.phase == "setup"]
    needed = {c.depends_on for c in setup if DEPENDS_ON_ID in c.path} | \
        needed_setup_answers(calls)
    slots = BoundedSemaphore(concurrency)
    with PlatformClient(base_url, admin_token=admin_token, timeout=timeout_s) as client:
        sender = _SetupSender(client, setup, needed, slots)
        sender.run()  # set-up actors' tokens are issued on first use (after registration)
        actors = sorted({(c.actor_role, c.actor_entity) for c in calls if c.phase == "timed"})
        tokens: dict[str, str] = {}

        def issue(actor: tuple[str, str]) -> None:
            with slots:
                view = client.as_actor(actor[0], actor[1] or None)
                tokens[actor_key(*actor)] = view.token()

        _all(issue, actors)
    ids = {seq: body["id"] for seq, body in sender.answers.items()
           if seq in needed_setup_answers(calls) and isinstance(body, dict) and "id" in body}
    summary = SetupLoad(calls=len(setup), mismatched=len(sender.mismatches),
                        seconds=round(time.monotonic() - begin, 3), tokens=len(tokens))
    return Prepared(tokens, ids, summary,
                    sorted(sender.mismatches, key=lambda m: m.call.seq))


def _all(work: Callable[[Any], None], items: Sequence[Any]) -> None:
    """Run ``work`` on every item in its own greenlet; the first failure is raised."""
    greenlets = [gevent.spawn(work, item) for item in items]
    try:
        gevent.joinall(greenlets, raise_error=True)
    finally:
        gevent.killall(greenlets)


class _SetupSender:
    """The set-up calls, one greenlet per partition sending its calls in order, each after the
    call it depends on; at most ``slots`` requests out at once."""

    def __init__(self, client: PlatformClient, setup: Sequence[Call], needed: set[int | None],
                 slots: BoundedSemaphore) -> None:
        self._client = client
        self._slots = slots
        self._needed = needed
        self._done = {c.depends_on: Event() for c in setup if c.depends_on is not None}
        self._chains: dict[str, list[Call]] = {}
        for c in setup:
            self._chains.setdefault(c.partition, []).append(c)
        self.answers: dict[int, Any] = {}
        self.mismatches: list[Mismatch] = []

    def run(self) -> None:
        _all(self._chain, list(self._chains.values()))

    def _chain(self, chain: list[Call]) -> None:
        for c in chain:
            try:
                self._one(c)
            finally:
                event = self._done.get(c.seq)
                if event is not None:
                    event.set()

    def _one(self, c: Call) -> None:
        if c.depends_on is not None and c.depends_on in self._done:
            self._done[c.depends_on].wait()
        path = resolve_path(c, self.answers)
        if path is None:
            self.mismatches.append(Mismatch(c, None, 0, None, (
                f"not sent: call {c.depends_on} gave no id to name",)))
            return
        with self._slots:
            actor = self._client.as_actor(c.actor_role, c.actor_entity or None)
            answer = actor.raw(c.method, path, c.body or None,
                               idempotency_key=c.idempotency_key or False)
        if c.seq in self._needed:
            self.answers[c.seq] = answer.body
        differences = compare(c, answer.status, answer.body)
        if differences:
            self.mismatches.append(Mismatch(c, path, answer.status, answer.body,
                                            tuple(differences)))
