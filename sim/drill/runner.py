"""Running a planned drill against a platform: send each step, check each answer, time it.

:func:`execute` walks the plan's steps in order, each as its actor (tokens are issued per actor
with the admin token and cached by the client), each write with its idempotency key, and
compares every answer with the oracle's expectation (:func:`sim.workload.expect.compare_fields`).
Every step ends with one outcome (:data:`sim.results.drill.STEP_STATUSES`), so the drill
accounts for all of them whatever happens:

- a step the platform API has no operation for is ``not_supported`` (nothing is sent);
- a step naming a declaration or a transfer an earlier step did not get is ``not_sent``;
- a step that got no answer after the client's retries is ``unreachable``; if the platform
  then does not answer ``/healthz`` either, every later step is ``not_sent`` at once rather
  than each waiting out its own retries;
- a ``409 idempotency_answer_lost`` (the platform carried a request out but lost its answer in
  a crash) is ``answer_lost``: the audit checks the effect;
- a write sent once (no retry) yet answered ``Idempotent-Replayed: true`` fails, whatever its
  answer, and so does a ``422 idempotency_key_reused``: its key was used before this drill
  (keys are fixed by the seed, and belong to the principal, not the token), so the platform
  replayed an old answer, or refused, and did nothing now.

Retries are counted per step, by cause (connection refused, timeout, dropped connection, 503,
a first request still in progress), from the client's counters, so the retries of issuing the
actor's token on its first step count too. Hooks see each step before and
after it is sent: that is where fault drills break the platform (:mod:`sim.drill.faults`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sim.api.problems import ProblemCode
from sim.client import PlatformClient, PlatformError, PlatformUnreachable
from sim.drill.operations import EARLIER_ID
from sim.drill.plan import DrillPlan, PlannedStep
from sim.results.drill import StepResult, StepStatus
from sim.workload.expect import compare_fields

__all__ = ["Execution", "StepHooks", "execute"]

_ANSWER_LOST = ProblemCode.IDEMPOTENCY_ANSWER_LOST.value
_REPLAYED = "idempotent-replayed"
_KEY_REUSED = ProblemCode.IDEMPOTENCY_KEY_REUSED.value
_STALE_KEY = ("this idempotency key was used on this platform before the drill sent it "
              "(answered as a replay, or idempotency_key_reused): an earlier drill with this "
              "--seed ran here and nothing was carried out now; give another --seed")


class StepHooks(Protocol):
    """Called around every step (fault drills inject their faults here)."""

    def before(self, position: int, step: PlannedStep) -> None:
        """Just before ``step`` (the ``position``-th of the drill) is sent."""

    def after(self, position: int, step: PlannedStep, result: StepResult) -> None:
        """Just after its outcome is known."""


@dataclass
class Execution:
    """What running a plan produced.

    Attributes:
        results: one result per planned step, in order.
        answers: position -> ``(status, body)`` of every write that was answered.
        platform_lost: whether the platform stopped answering before the end.
    """

    results: list[StepResult] = field(default_factory=list)
    answers: dict[int, tuple[int, Any]] = field(default_factory=dict)
    platform_lost: bool = False


def _request_record(step: PlannedStep, path: str | None) -> dict[str, Any] | None:
    if step.request is None:
        return None
    r = step.request
    return {"method": r.method, "path": path or r.path, "query": dict(r.query), "body": r.body,
            "actor": {"role": step.actor_role, "entity": step.actor_entity},
            "idempotency_key": step.idempotency_key}


def _expected_record(step: PlannedStep) -> dict[str, Any] | None:
    e = step.expected
    return None if e is None else {"status": e.status, "fields": e.fields}


def _view(client: PlatformClient, step: PlannedStep) -> PlatformClient:
    if step.actor_role in ("enterprise", "department"):
        return client.as_actor(step.actor_role, step.actor_entity)
    return client.as_actor(step.actor_role)


class _Runner:
    def __init__(self, plan: DrillPlan, client: PlatformClient, hooks: StepHooks | None) -> None:
        self.plan, self.client, self.hooks = plan, client, hooks
        self.out = Execution()
        self._run_answers: dict[int, Any] = {}

    def result(self, step: PlannedStep, status: StepStatus, **values: Any) -> StepResult:
        return StepResult(step.process, step.port, step.index, step.name, step.phase,
                          step.operation, status, **values)

    def _path(self, step: PlannedStep) -> str | None:
        assert step.request is not None
        if step.depends_on is None:
            return step.request.path
        answer = self._run_answers.get(step.depends_on)
        identifier = answer.get("id") if isinstance(answer, Mapping) else None
        if identifier is None:
            return None
        return step.request.path.replace(EARLIER_ID, str(identifier))

    def step(self, position: int, step: PlannedStep) -> StepResult:
        if step.index == 0:
            self._run_answers = {}
        if step.unsupported:
            return self.result(step, "not_supported", note=step.unsupported)
        expected = _expected_record(step)
        if self.out.platform_lost:
            return self.result(step, "not_sent", request=_request_record(step, None),
                               expected=expected, note="the platform stopped answering earlier")
        path = self._path(step)
        if path is None:
            return self.result(step, "not_sent", request=_request_record(step, None),
                               expected=expected,
                               note=f"needs the id of the declaration or transfer of step "
                               f"{step.depends_on}, which the platform did not answer with one")
        assert step.request is not None and step.expected is not None
        stats = self.client.stats
        causes_before = Counter(stats.retry_causes)
        started = time.perf_counter()
        request = _request_record(step, path)
        try:
            answer = _view(self.client, step).raw(
                step.request.method, path, step.request.body, params=step.request.query or None,
                idempotency_key=step.idempotency_key or False)
        except PlatformUnreachable as exc:
            causes = Counter(stats.retry_causes) - causes_before
            self._check_platform()
            return self.result(step, "unreachable", duration_ms=_ms(started),
                               retries=sum(causes.values()), retry_causes=dict(causes),
                               request=request, expected=expected, note=str(exc))
        except PlatformError as exc:  # e.g. the actor's token could not be issued
            return self.result(step, "fail", duration_ms=_ms(started), request=request,
                               expected=expected, differences=(str(exc),), note=str(exc))
        elapsed = _ms(started)
        causes = Counter(stats.retry_causes) - causes_before
        self._run_answers[step.index] = answer.body
        if step.writes and answer.status < 500:
            self.out.answers[position] = (answer.status, answer.body)
        values: dict[str, Any] = {
            "duration_ms": elapsed, "retries": sum(causes.values()),
            "retry_causes": dict(causes),
            "request": request, "answer": {"status": answer.status, "body": answer.body},
            "expected": expected,
        }
        body = answer.body
        if answer.status == 409 and isinstance(body, Mapping) and body.get("code") == _ANSWER_LOST:
            return self.result(step, "answer_lost", **values,
                               note="the platform carried the request out but lost its answer")
        differences = compare_fields(step.expected.status, step.expected.fields, answer.status,
                                     body)
        if (answer.retries == 0 and answer.headers.get(_REPLAYED) == "true") or (
                answer.status == 422 and isinstance(body, Mapping)
                and body.get("code") == _KEY_REUSED):
            # Sent once, yet answered from the platform's store: the key was used before this
            # drill (an earlier drill with this seed), so nothing was carried out now.
            differences.insert(0, _STALE_KEY)
        status: StepStatus = "fail" if differences else "pass"
        return self.result(step, status, differences=tuple(differences), **values)

    def _check_platform(self) -> None:
        try:
            self.client.health()
        except PlatformError:
            self.out.platform_lost = True


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def execute(
    plan: DrillPlan,
    client: PlatformClient,
    *,
    hooks: StepHooks | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Execution:
    """Send every step of ``plan`` and check its answer.

    Args:
        plan: the planned drill.
        client: a client of the platform holding its admin token.
        hooks: called around each step.
        progress: called with ``(steps done, steps in all)`` after each step.

    Returns:
        Every step's result, the answers of the writes, and whether the platform was lost.
    """
    runner = _Runner(plan, client, hooks)
    steps = list(plan.steps())
    for position, step in enumerate(steps):
        if hooks is not None:
            hooks.before(position, step)
        result = runner.step(position, step)
        runner.out.results.append(result)
        if hooks is not None:
            hooks.after(position, step, result)
        if progress is not None:
            progress(position + 1, len(steps))
    return runner.out
