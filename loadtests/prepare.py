"""The untimed phase before a load test: set-up calls, then every actor's token.

A workload starts with its *set-up* calls (the entities, their histories, books and stock the
platform must hold when the period starts). They are sent first, in order, as fast as the target
takes them, each answer checked (:func:`sim.workload.replay.replay`), and they are not timed.
Then the bearer token of every actor of the timed calls is issued with the admin token, so the
timed phase sends only the workload's own calls. The answers of set-up calls that a timed
call's path names (``{depends_on.id}``) are kept for it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from loadtests.plan import needed_setup_answers
from sim.client import PlatformClient
from sim.results.load import SetupLoad
from sim.workload import Call
from sim.workload.replay import Mismatch, replay

__all__ = ["Prepared", "actor_key", "prepare"]


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
            timeout_s: float = 30.0) -> Prepared:
    """Send the set-up calls and issue the timed actors' tokens.

    Args:
        base_url: the platform's base URL.
        admin_token: its admin token.
        calls: the workload's calls (set-up first).
        timeout_s: the longest wait for one answer.

    Raises:
        sim.client.PlatformUnreachable: the platform does not answer.
        sim.client.ApiError: a token cannot be issued.
    """
    begin = time.monotonic()
    setup = [c for c in calls if c.phase == "setup"]
    needed = needed_setup_answers(calls)
    answers: dict[int, Any] = {}

    def keep(call: Call, status: int, answer: Any) -> None:
        if call.seq in needed and isinstance(answer, dict) and "id" in answer:
            answers[call.seq] = answer["id"]

    with PlatformClient(base_url, admin_token=admin_token, timeout=timeout_s) as client:
        report = replay(client, setup, on_answer=keep)
        tokens: dict[str, str] = {}
        for c in calls:
            key = actor_key(c.actor_role, c.actor_entity)
            if c.phase == "timed" and key not in tokens:
                tokens[key] = client.as_actor(c.actor_role, c.actor_entity or None).token()
    summary = SetupLoad(calls=len(setup), mismatched=len(report.mismatches),
                        seconds=round(time.monotonic() - begin, 3), tokens=len(tokens))
    return Prepared(tokens, answers, summary, report.mismatches)
