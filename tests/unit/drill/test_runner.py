"""Running a plan and auditing it, against a scripted platform (``httpx.MockTransport``).

The scripted platform answers each step of the plan, in order, with the oracle's answer (or a
wrong one, or none), and reads back books and declarations as told; so every outcome the runner
and the audit can report is shown, including the ones a healthy reference platform never gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sim.client import PlatformClient, RetryPolicy
from sim.drill import Catalogue, DrillPlan, PlannedStep, plan_drill
from sim.drill.audit import audit
from sim.drill.runner import Execution, execute
from sim.population import Population
from sim.scenario import Scenario

ADMIN = "a" * 40
Tamper = Callable[[PlannedStep, int, dict[str, Any]], tuple[int, Any] | None]


@pytest.fixture(scope="module")
def small(catalogue: Catalogue, population: Population) -> DrillPlan:
    return plan_drill(catalogue.select(["full_process", "vehicle_exit"]), population,
                      Scenario().rules_config(), seed=3, ports=["xinhai"])


class Scripted:
    """Answers the plan's steps in order as the oracle would, unless ``tamper`` says otherwise;
    serves books and declaration lists from the oracle's end state (editable)."""

    def __init__(self, plan: DrillPlan, tamper: Tamper | None = None) -> None:
        self.steps = [s for s in plan.steps() if not s.unsupported]
        self.tamper = tamper
        self.cursor = 0
        self.books = {b: plan.expected.book_state(b) for b in plan.expected.books}
        self.owners = {b: plan.expected.owner(b) for b in plan.expected.books}
        self.declarations: dict[str, list[str]] = {
            b: list(refs) for b, refs in plan.expected.declarations_of.items()}
        # A transfer's id is its position among the steps, as __call__ answers it.
        self.transfers: dict[int, dict[str, Any]] = {
            i: {"id": i, **plan.expected.transfers[s.expected.transfer].answer()}
            for i, s in enumerate(self.steps)
            if s.expected is not None and s.expected.transfer is not None}
        self.first: dict[str, tuple[int, Any]] = {}
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        path = request.url.path
        if path == "/v1/tokens":
            return httpx.Response(201, json={"id": 1, "token": "t", "role": "officer",
                                             "entity": None,
                                             "expires_at": "2099-01-01T00:00:00Z"})
        key = request.headers.get("idempotency-key")
        if key in self.first:  # a repeat: the first answer
            status, body = self.first[key]
            return httpx.Response(status, json=body)
        if self.cursor >= len(self.steps):  # the audit's reads
            return self._read(request)
        position = self.cursor
        step = self.steps[position]
        self.cursor += 1
        assert step.expected is not None
        body = dict(step.expected.fields)
        if step.operation in ("declare", "transfer") and step.expected.accepted:
            body["id"] = position
        answer = (step.expected.status, body)
        if self.tamper is not None:
            answer = self.tamper(step, position, body) or answer
        if key:
            self.first[key] = answer
        return httpx.Response(answer[0], json=answer[1])

    def _read(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/v1/books/"):
            book = path.rsplit("/", 1)[1]
            return httpx.Response(200, json={"id": book, "entity": self.owners[book],
                                             "version": 1, "state": self.books[book]})
        if path == "/v1/declarations":
            book = request.url.params["book"]
            refs = self.declarations.get(book, [])
            return httpx.Response(200, json=[{"id": i + 1, "reference": r}
                                             for i, r in enumerate(refs)])
        if path == "/v1/transfers":
            book = request.url.params["book"]
            return httpx.Response(200, json=[t for t in self.transfers.values()
                                             if book in (t["book"], t["to_book"])])
        if path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        raise AssertionError(f"unexpected {request.method} {path}")


def _client(script: Scripted) -> PlatformClient:
    http = httpx.Client(transport=httpx.MockTransport(script), base_url="http://platform")
    return PlatformClient(http=http, admin_token=ADMIN, retry=RetryPolicy(max_retries=0))


def _run(plan: DrillPlan, script: Scripted) -> tuple[Execution, PlatformClient]:
    client = _client(script)
    return execute(plan, client), client


def test_a_platform_answering_as_the_oracle_passes_every_step_and_the_audit(
    small: DrillPlan
) -> None:
    script = Scripted(small)
    execution, client = _run(small, script)
    statuses = [r.status for r in execution.results]
    assert statuses.count("not_supported") == 1 and set(statuses) == {"pass", "not_supported"}
    report = audit(small, execution, client, repeat=[3, 5])
    assert report.ok, report
    assert report.replays == report.replays_identical == 2
    assert report.books_checked == report.books_matching == 3
    assert report.declarations_acknowledged == report.declarations_found == 5
    assert report.transfers_acknowledged == report.transfers_matching == 2


def test_a_wrong_answer_fails_with_its_request_answer_and_expectation(small: DrillPlan) -> None:
    def wrong_channel(step: PlannedStep, position: int, body: dict[str, Any]
                      ) -> tuple[int, Any] | None:
        if step.name == "exit on the scan path":
            return 201, {**body, "channel": "release"}
        return None

    execution, _ = _run(small, Scripted(small, wrong_channel))
    failed = [r for r in execution.results if r.status == "fail"]
    assert [r.step for r in failed] == ["exit on the scan path"]
    assert failed[0].differences == ("channel: expected 'scan', got 'release'",)
    assert failed[0].request is not None and failed[0].request["path"] == "/v1/declarations"
    assert failed[0].answer == {"status": 201, "body": {**failed[0].answer["body"]}}
    assert failed[0].expected is not None and failed[0].expected["status"] == 201


def test_a_step_needing_an_answer_that_did_not_come_is_not_sent(small: DrillPlan) -> None:
    def broken_declaration(step: PlannedStep, position: int, body: dict[str, Any]
                           ) -> tuple[int, Any] | None:
        if step.name == "exit on the inspection path":
            return 500, {"code": "internal_error"}
        return None

    execution, _ = _run(small, Scripted(small, broken_declaration))
    by_name = {r.step: r for r in execution.results}
    assert by_name["exit on the inspection path"].status == "fail"
    for name in ("inspection result recorded", "inspected declaration read back"):
        assert by_name[name].status == "not_sent"
        assert "did not answer with one" in by_name[name].note


def test_a_platform_gone_makes_one_step_unreachable_and_the_rest_not_sent(
    small: DrillPlan
) -> None:
    script = Scripted(small)

    def go_down(step: PlannedStep, position: int, body: dict[str, Any]) -> None:
        if step.name == "processing":
            script.down = True

    script.tamper = go_down
    execution, _ = _run(small, script)
    statuses = [r.status for r in execution.results]
    first = statuses.index("unreachable")
    assert execution.results[first].step == "exit at 30.0% value added"
    assert set(statuses[first + 1:]) <= {"not_sent", "not_supported"}
    assert statuses.count("unreachable") == 1 and execution.platform_lost
    assert len(execution.results) == len(list(small.steps())), "every step accounted for"


def test_the_audit_finds_what_was_lost_or_applied_twice(small: DrillPlan) -> None:
    script = Scripted(small)
    execution, client = _run(small, script)
    book = next(iter(script.books))
    script.books[book] = json.loads(json.dumps(script.books[book]))
    script.books[book]["positions"]["beef"]["qty"] += 50  # a write-off not applied
    declared = next(b for b, refs in script.declarations.items() if refs)
    lost = script.declarations[declared].pop()
    script.declarations[declared].append(script.declarations[declared][0])  # stored twice
    report = audit(small, execution, client)
    assert not report.ok
    assert report.books_matching == report.books_checked - 1
    assert report.declarations_lost == 1 and report.declarations_unexpected == 1
    assert f"declaration {lost}: acknowledged, not stored" in report.problems
    assert any(p.startswith(f"book {book}: state.positions.beef.qty: expected ")
               for p in report.problems)


def test_the_audit_finds_a_transfer_left_pending_stored_twice_or_unacknowledged(
    small: DrillPlan
) -> None:
    script = Scripted(small)
    execution, client = _run(small, script)
    accepted, rejected = sorted(script.transfers)
    script.transfers[accepted] = {**script.transfers[accepted], "status": "pending",
                                  "decided_on": None}  # the acceptance lost
    script.transfers[rejected + 1000] = {**script.transfers[rejected], "id": rejected + 1000}
    report = audit(small, execution, client)
    assert not report.ok
    assert (report.transfers_acknowledged, report.transfers_matching) == (2, 1)
    assert f"transfer {accepted}.decided_on: expected '2026-01-23', got None" in report.problems
    assert f"transfer {rejected + 1000}: stored, never acknowledged" in report.problems


def test_a_repeat_answered_differently_is_found(small: DrillPlan) -> None:
    script = Scripted(small)
    execution, client = _run(small, script)
    position = next(p for p, s in enumerate(small.steps()) if s.operation == "file_book")
    key = list(small.steps())[position].idempotency_key
    assert key is not None
    script.first[key] = (409, {"code": "duplicate_id"})
    report = audit(small, execution, client, repeat=[position])
    assert (report.replays, report.replays_identical) == (1, 0)
    assert "answered 409, not as the first time" in report.problems[0]


def test_an_answer_lost_in_a_crash_is_its_own_outcome(small: DrillPlan) -> None:
    def lost(step: PlannedStep, position: int, body: dict[str, Any]) -> tuple[int, Any] | None:
        if step.name == "processing":
            return 409, {"code": "idempotency_answer_lost", "status": 409}
        return None

    execution, _ = _run(small, Scripted(small, lost))
    outcome = next(r for r in execution.results if r.step == "processing")
    assert outcome.status == "answer_lost"
    assert outcome.note == "the platform carried the request out but lost its answer"
