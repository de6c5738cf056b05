"""Replaying a workload against a platform, one call at a time, every answer checked.

:func:`replay` sends a workload's calls in ``seq`` order, each as its actor (tokens are issued
per actor with the admin token and cached), with its idempotency key, and compares every answer
with the call's expectation (:func:`sim.workload.expect.compare`). It counts calls and
mismatches per operation, keeps every mismatch (request, answer, expectation), and stops at
nothing but an unreachable platform: a wrong answer is a finding, not an error.

This is the functional check of a workload, not a load test: one call at a time, no timing.
The open-model load test of the same file is ``customs-sim load`` (Locust).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from sim.workload.calls import Call
from sim.workload.expect import DEPENDS_ON_ID, compare, resolve_path

__all__ = ["Answer", "Mismatch", "ReplayReport", "Sender", "replay", "write_mismatches"]


class Answer(Protocol):
    """A platform's answer as the replay reads it (e.g. ``sim.client.RawAnswer``)."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> Any: ...

    @property
    def retries(self) -> int: ...


class Sender(Protocol):
    """What the replay sends with (e.g. ``sim.client.PlatformClient``, holding the admin
    token): a view acting as an actor, and a raw call that returns any answer as it is."""

    def as_actor(self, role: str, entity: str | None = None) -> Sender: ...

    def raw(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        idempotency_key: str | Literal[False] | None = None,
    ) -> Answer: ...


@dataclass(frozen=True)
class Mismatch:
    """A call whose answer was not the expected one.

    Attributes:
        call: the call.
        path: the path sent (with the depended-on id filled in), or None if it could not be.
        status: the status answered (0 when the call could not be sent).
        answer: the answer's body.
        differences: what differs, in words.
    """

    call: Call
    path: str | None
    status: int
    answer: Any
    differences: tuple[str, ...]

    def to_record(self) -> dict[str, Any]:
        """The mismatch as one JSON-able object (a line of ``mismatches.jsonl``)."""
        c = self.call
        return {
            "seq": c.seq,
            "phase": c.phase,
            "operation": c.operation,
            "port": c.port,
            "actor": {"role": c.actor_role, "entity": c.actor_entity},
            "request": {"method": c.method, "path": self.path or c.path,
                        "body": c.body_json(), "idempotency_key": c.idempotency_key},
            "answer": {"status": self.status, "body": self.answer},
            "expected": {"status": c.expected_status, "fields": c.expected_json()},
            "differences": list(self.differences),
        }


@dataclass
class ReplayReport:
    """What a replay found.

    Attributes:
        sent: calls sent, per operation.
        mismatched: calls whose answer differed, per operation.
        mismatches: every mismatch, in ``seq`` order.
        retries: retries the client needed (transient failures).
    """

    sent: Counter[str] = field(default_factory=Counter)
    mismatched: Counter[str] = field(default_factory=Counter)
    mismatches: list[Mismatch] = field(default_factory=list)
    retries: int = 0

    @property
    def ok(self) -> bool:
        """Whether every answer was the expected one."""
        return not self.mismatches


def replay(
    client: Sender,
    calls: Sequence[Call],
    progress: Callable[[int], None] | None = None,
    on_answer: Callable[[Call, int, Any], None] | None = None,
) -> ReplayReport:
    """Send every call in ``seq`` order and check its answer.

    Args:
        client: a client of the platform holding the admin token (tokens for the other actors
            are issued from it).
        calls: the workload's calls, in ``seq`` order.
        progress: called with the number of calls sent so far, now and then.
        on_answer: called with each call, its status and its answer's body.

    Raises:
        Whatever ``client`` raises when no answer comes (``sim.client.PlatformUnreachable``).
    """
    report = ReplayReport()
    needed = {c.depends_on for c in calls if DEPENDS_ON_ID in c.path}
    answers: dict[int, Any] = {}
    for n, c in enumerate(calls, start=1):
        report.sent[c.operation] += 1
        path = resolve_path(c, answers)
        if path is None:
            _miss(report, Mismatch(c, None, 0, None,
                                   (f"not sent: call {c.depends_on} gave no id to name",)))
            continue
        actor = client.as_actor(c.actor_role, c.actor_entity or None)
        answer = actor.raw(c.method, path, c.body or None,
                           idempotency_key=c.idempotency_key or False)
        report.retries += answer.retries
        if c.seq in needed:
            answers[c.seq] = answer.body
        if on_answer is not None:
            on_answer(c, answer.status, answer.body)
        differences = compare(c, answer.status, answer.body)
        if differences:
            _miss(report, Mismatch(c, path, answer.status, answer.body, tuple(differences)))
        if progress is not None and n % 200 == 0:
            progress(n)
    if progress is not None:
        progress(len(calls))
    return report


def _miss(report: ReplayReport, mismatch: Mismatch) -> None:
    report.mismatched[mismatch.call.operation] += 1
    report.mismatches.append(mismatch)


def mismatch_lines(mismatches: Sequence[Mismatch]) -> Iterator[str]:
    """Each mismatch as one line of JSON."""
    for m in mismatches:
        yield json.dumps(m.to_record(), ensure_ascii=False, sort_keys=True)


def write_mismatches(path: Path, mismatches: Sequence[Mismatch]) -> None:
    """Write ``mismatches.jsonl`` (one JSON object a line; empty when there are none)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for line in mismatch_lines(mismatches):
            out.write(line + "\n")
    tmp.replace(path)
