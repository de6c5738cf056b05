"""The audit after a drill: is what the platform stored exactly what it acknowledged, once?

Answers can look right while the store is wrong: a write acknowledged and then lost in a crash,
a retry applied a second time. After the steps, the audit reads the platform back and holds it
against the oracle's platform (:class:`~sim.drill.expected.ExpectedPlatform`) at the end of the
plan:

1. **Repeats.** Chosen acknowledged writes (those a fault touched, or that needed retries) are
   sent again with the same idempotency key and body; each must be answered exactly as the
   first time (the platform keeps the first answer), and change nothing.
2. **Books.** Every account book the drill filed is read (``GET /v1/books/{id}``); its state
   must equal the oracle's to the last fen and the last shipment: an operation lost or applied
   twice shows here.
3. **Declarations.** Every book's stored declarations are listed; each declaration the platform
   acknowledged must be there once, and none it did not acknowledge.
4. **Transfers.** Every book's transfers are listed (out of it and into it); each transfer the
   platform acknowledged must be there once and stand as the oracle's does at the end
   (``pending``, ``done``, ``rejected``, ``withdrawn``, decided on the same day): a lost
   acceptance leaves it pending, a rejection applied as an acceptance moves goods too (the
   books show that); and none it did not acknowledge.

The counts go into :class:`~sim.results.drill.AuditReport`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sim.client import PlatformClient, PlatformError
from sim.drill.plan import DrillPlan
from sim.drill.runner import Execution
from sim.results.drill import AuditReport

__all__ = ["audit"]

_PAGE = 1000


def _first_difference(want: Any, got: Any, where: str) -> str | None:
    """The dotted path of the first place ``got`` differs from ``want`` (None: equal)."""
    if isinstance(want, Mapping) and isinstance(got, Mapping):
        for key in sorted(set(want) | set(got)):
            if key not in got:
                return f"{where}.{key}: missing (expected {want[key]!r})"
            if key not in want:
                return f"{where}.{key}: not expected (got {got[key]!r})"
            found = _first_difference(want[key], got[key], f"{where}.{key}")
            if found:
                return found
        return None
    if want != got or isinstance(want, bool) != isinstance(got, bool):
        return f"{where}: expected {want!r}, got {got!r}"
    return None


def _listed(client: PlatformClient, path: str, book: str) -> list[dict[str, Any]]:
    """Every item of a paged list of ``book`` (``after``: the last item's id)."""
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        answer = client.raw("GET", path, params={"book": book, "after": after, "limit": _PAGE})
        if answer.status != 200 or not isinstance(answer.body, list):
            raise PlatformError(f"GET {path}?book={book} answered {answer.status}")
        found.extend(answer.body)
        if len(answer.body) < _PAGE:
            return found
        after = answer.body[-1]["id"]


def _references(client: PlatformClient, book: str) -> list[str]:
    return [d["reference"] for d in _listed(client, "/v1/declarations", book)]


def _transfers(plan: DrillPlan, execution: Execution, client: PlatformClient,
               problems: list[str]) -> tuple[int, int]:
    """Check the stored transfers (see the module docstring): (acknowledged, matching)."""
    steps = list(plan.steps())
    acked: dict[int, dict[str, Any]] = {}  # the platform's id -> the oracle's end state
    for p, (status, body) in sorted(execution.answers.items()):
        expected = steps[p].expected
        if (steps[p].operation == "transfer" and status < 300 and expected is not None
                and expected.transfer is not None and isinstance(body, Mapping)):
            acked[int(body["id"])] = plan.expected.transfers[expected.transfer].answer()
    stored: dict[int, list[dict[str, Any]]] = {}
    for book in sorted(plan.expected.books):
        for t in _listed(client, "/v1/transfers", book):
            seen = stored.setdefault(int(t["id"]), [])
            if t not in seen:  # listed under both its books
                seen.append(t)
    matching = 0
    for tid, want in acked.items():
        found = stored.get(tid, [])
        if len(found) != 1:
            problems.append(f"transfer {tid}: acknowledged, stored {len(found)} times")
            continue
        diff = _first_difference(want, {k: v for k, v in found[0].items() if k != "id"},
                                 f"transfer {tid}")
        if diff is None:
            matching += 1
        else:
            problems.append(diff)
    for tid in sorted(set(stored) - set(acked)):
        problems.append(f"transfer {tid}: stored, never acknowledged")
    return len(acked), matching


def audit(
    plan: DrillPlan, execution: Execution, client: PlatformClient, repeat: Iterable[int] = ()
) -> AuditReport:
    """Read the platform back after ``execution`` of ``plan`` (see the module docstring).

    Args:
        plan: the planned drill (its oracle platform holds the expected end state).
        execution: what running it produced.
        client: a client of the platform holding its admin token.
        repeat: positions of acknowledged writes to send again with their keys.

    Returns:
        The audit; a platform that stops answering during it is one of its problems.
    """
    steps = list(plan.steps())
    admin = client.as_admin()
    problems: list[str] = []
    acknowledged = {p for p, (status, _) in execution.answers.items() if status < 300}
    replays = identical = 0
    books_ok = 0
    acked_refs: dict[str, list[str]] = {}
    for p in sorted(acknowledged):
        step = steps[p]
        if step.operation == "declare":
            body = execution.answers[p][1]
            acked_refs.setdefault(str(body.get("book")), []).append(str(body.get("reference")))
    found_total = lost = unexpected = 0
    try:
        for p in sorted(set(repeat) & acknowledged):
            step, first = steps[p], execution.answers[p]
            request = execution.results[p].request
            assert request is not None and step.request is not None
            again = client.as_actor(step.actor_role, step.actor_entity) if step.actor_entity \
                else client.as_actor(step.actor_role)
            answer = again.raw(step.request.method, request["path"], step.request.body,
                               params=step.request.query or None,
                               idempotency_key=step.idempotency_key or False)
            replays += 1
            if (answer.status, answer.body) == first:
                identical += 1
            else:
                problems.append(f"repeat of {step.process}@{step.port} step {step.index} "
                                f"({step.name}) answered {answer.status}, not as the first time")
        expected = plan.expected
        for book in sorted(expected.books):
            answer = admin.raw("GET", f"/v1/books/{book}")
            if answer.status != 200:
                problems.append(f"book {book}: GET answered {answer.status}")
                continue
            diff = _first_difference(expected.book_state(book), answer.body.get("state"),
                                     "state")
            if diff is None:
                books_ok += 1
            else:
                problems.append(f"book {book}: {diff}")
        for book in sorted(expected.books):
            stored = _references(admin, book)
            acked = acked_refs.get(book, [])
            found_total += sum(1 for r in acked if r in stored)
            for ref in acked:
                if stored.count(ref) == 0:
                    lost += 1
                    problems.append(f"declaration {ref}: acknowledged, not stored")
            for ref in set(stored):
                count = stored.count(ref)
                if ref not in acked or count > 1:
                    unexpected += count - (1 if ref in acked else 0)
                    problems.append(f"declaration {ref}: stored {count} times, acknowledged "
                                    f"{acked.count(ref)}")
        transfers = _transfers(plan, execution, admin, problems)
    except PlatformError as exc:
        problems.append(f"the platform stopped answering during the audit: {exc}")
        transfers = (0, 0)
    return AuditReport(
        acknowledged_writes=len(acknowledged),
        books_checked=len(plan.expected.books),
        books_matching=books_ok,
        declarations_acknowledged=sum(len(v) for v in acked_refs.values()),
        declarations_found=found_total,
        declarations_lost=lost,
        declarations_unexpected=unexpected,
        transfers_acknowledged=transfers[0],
        transfers_matching=transfers[1],
        replays=replays,
        replays_identical=identical,
        problems=tuple(problems),
    )
