"""Drill results: every step of every process at every port, its outcome, and the matrix.

A drill (:mod:`sim.drill`) walks business processes step by step against a platform and checks
each answer against the rules' oracle. What it found is plain data, defined here so that the
command line, the rehearsal and the HTML report read one shape:

- :class:`StepResult` — one step: the process, the port, the step's name and operation, its
  outcome (:data:`STEP_STATUSES`), how long it took, the retries it needed and why, and for
  anything but a pass the request, the answer and the expectation side by side;
- :class:`FaultReport` — one fault injected during the drill (the platform killed, the database
  locked, the network cut): where, for how long, and the retries and timeouts it caused;
- :class:`AuditReport` — after the steps, the platform's stored state read back against the
  oracle's: nothing acknowledged lost, nothing applied twice, repeats answered as the first;
- :class:`DrillSummary` — all of it, with the counts, the matrix process x port x step and the
  verdict. It is written as ``summary.json`` and read back with :func:`read_summary`; the JUnit
  XML of the same results is :func:`write_junit`'s (:mod:`sim.results.drill_junit`).

Outcomes: ``pass`` (the answer is the oracle's), ``fail`` (it is not), ``not_supported`` (the
platform API has no operation for the step: not a pass), ``not_sent`` (the step needed an
earlier answer that did not come), ``unreachable`` (no answer after the retries allowed) and
``answer_lost`` (the platform says it carried the request out but lost its answer; the audit
checks the effect). Only an all-``pass`` drill with a clean audit passes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim.results.io import write_text_atomic

__all__ = [
    "FORMAT",
    "STEP_STATUSES",
    "AuditReport",
    "DrillSummary",
    "FaultReport",
    "StepResult",
    "StepStatus",
    "read_summary",
    "write_summary",
]

StepStatus = Literal["pass", "fail", "not_supported", "not_sent", "unreachable", "answer_lost"]
STEP_STATUSES: tuple[StepStatus, ...] = (
    "pass", "fail", "not_supported", "not_sent", "unreachable", "answer_lost",
)
"""Every outcome a step can have, the good one first."""

FORMAT = "customs-sim-drill/1"
"""The format name and version written into every file of this kind."""


@dataclass(frozen=True)
class StepResult:
    """One step of one process at one port, as the drill saw it.

    Attributes:
        process: the process id (``full_process``, ``duty_free_quota`` ...).
        port: the second-line port it ran at.
        index: the step's position in the process's run (0-based, set-up steps first).
        step: the step's name.
        phase: ``setup`` (registering the process's entities and their credit histories) or
            ``step`` (the process itself).
        operation: the platform operation (``declare`` ...), or the unsupported one.
        status: the outcome (see the module docstring).
        duration_ms: wall time of the call, retries included.
        retries: retries the call needed; ``retry_causes`` counts them by cause.
        request: what was sent (method, path, body, actor, idempotency key); None when nothing
            could be sent.
        answer: what came back (status and body), or None.
        expected: what the oracle expects (status and answer fields), or None.
        differences: what differs, in words (empty for a pass).
        note: anything else the reader needs (why not sent, what is not supported).
    """

    process: str
    port: str
    index: int
    step: str
    phase: str
    operation: str
    status: StepStatus
    duration_ms: float = 0.0
    retries: int = 0
    retry_causes: Mapping[str, int] = field(default_factory=dict)
    request: Mapping[str, Any] | None = None
    answer: Mapping[str, Any] | None = None
    expected: Mapping[str, Any] | None = None
    differences: tuple[str, ...] = ()
    note: str = ""

    @property
    def passed(self) -> bool:
        """Whether the answer was the oracle's."""
        return self.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON data (request/answer/expectation kept only when not a pass)."""
        data = asdict(self)
        data["retry_causes"] = dict(sorted(self.retry_causes.items()))
        data["differences"] = list(self.differences)
        data["duration_ms"] = round(self.duration_ms, 3)
        if self.passed:
            for key in ("request", "answer", "expected"):
                data.pop(key)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepResult:
        """Read :meth:`to_dict`'s output back."""
        values = dict(data)
        values["differences"] = tuple(values.get("differences", ()))
        return cls(**values)


@dataclass(frozen=True)
class FaultReport:
    """One fault injected during a drill.

    Attributes:
        name: the fault (``kill``, ``db_lock``, ``network_cut``).
        description: what was done, in words.
        process: the process of the step it was injected at; ``port`` and ``step`` likewise.
        injected_s: seconds from the start of the drill to the injection.
        duration_s: how long the fault lasted (until the platform answered again).
        retries: the client's retries while the fault lasted, by cause.
        timeouts: requests that timed out while it lasted.
        steps_retried: steps that needed at least one retry while it lasted.
    """

    name: str
    description: str
    process: str
    port: str
    step: str
    injected_s: float
    duration_s: float
    retries: Mapping[str, int] = field(default_factory=dict)
    timeouts: int = 0
    steps_retried: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data."""
        data = asdict(self)
        data["retries"] = dict(sorted(self.retries.items()))
        data["injected_s"] = round(self.injected_s, 3)
        data["duration_s"] = round(self.duration_s, 3)
        return data


@dataclass(frozen=True)
class AuditReport:
    """The platform's stored state read back after the steps, against the oracle's.

    Attributes:
        acknowledged_writes: writes the platform answered with a success.
        books_checked: account books read back; ``books_matching`` of them held exactly the
            oracle's state (every acknowledged operation applied once, none twice).
        declarations_acknowledged: declarations the platform acknowledged;
            ``declarations_found`` of them are stored; ``declarations_lost`` are not;
            ``declarations_unexpected`` are stored but were never acknowledged.
        transfers_acknowledged: transfers the platform acknowledged asking for;
            ``transfers_matching`` of them are stored as the oracle's at the end (pending,
            done, rejected or withdrawn, on the same days), once.
        replays: acknowledged writes sent again with the same idempotency key (those a fault
            touched, or that needed retries); ``replays_identical`` were answered exactly as the
            first time.
        problems: each difference found, in words.
    """

    acknowledged_writes: int = 0
    books_checked: int = 0
    books_matching: int = 0
    declarations_acknowledged: int = 0
    declarations_found: int = 0
    declarations_lost: int = 0
    declarations_unexpected: int = 0
    transfers_acknowledged: int = 0
    transfers_matching: int = 0
    replays: int = 0
    replays_identical: int = 0
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing applied twice, every repeat answered as the first time."""
        return (
            self.books_matching == self.books_checked
            and self.declarations_lost == 0
            and self.declarations_unexpected == 0
            and self.transfers_matching == self.transfers_acknowledged
            and self.replays_identical == self.replays
            and not self.problems
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data (with ``ok``)."""
        return {**asdict(self), "problems": list(self.problems), "ok": self.ok}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditReport:
        """Read :meth:`to_dict`'s output back."""
        values = {k: v for k, v in data.items() if k != "ok"}
        values["problems"] = tuple(values.get("problems", ()))
        return cls(**values)


@dataclass(frozen=True)
class DrillSummary:
    """What a whole drill found.

    Attributes:
        target: the platform's URL (the reference platform's loopback URL when started).
        seed: the seed the entities were chosen with.
        processes: the processes drilled; ``ports`` the ports.
        steps: every step's result, in the order sent.
        faults: the faults injected.
        audit: the read-back audit (None when it could not run: the platform was gone).
        client: the client's totals: ``requests``, ``retries``, ``retry_causes``.
        duration_s: wall time of the whole drill.
    """

    target: str
    seed: int
    processes: tuple[str, ...]
    ports: tuple[str, ...]
    steps: tuple[StepResult, ...]
    faults: tuple[FaultReport, ...] = ()
    audit: AuditReport | None = None
    client: Mapping[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0

    def counts(self) -> dict[str, int]:
        """Steps per outcome (every outcome listed, zeros included)."""
        found = Counter(s.status for s in self.steps)
        return {status: found.get(status, 0) for status in STEP_STATUSES}

    @property
    def verdict(self) -> Literal["pass", "fail", "not_supported"]:
        """``pass`` when every step passed and the audit is clean; ``not_supported`` when the
        only steps that did not pass are ones the platform has no operation for; else
        ``fail``."""
        counts = self.counts()
        others = sum(n for status, n in counts.items() if status not in ("pass", "not_supported"))
        if others or (self.audit is not None and not self.audit.ok) or self.audit is None:
            return "fail"
        return "not_supported" if counts["not_supported"] else "pass"

    def matrix(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Process -> port -> ``{passed, total, status, steps: {step: outcome}}``.

        A cell's ``status`` is ``pass`` when every step passed, ``not_supported`` when the only
        others are unsupported steps, else ``fail``.
        """
        cells: dict[str, dict[str, dict[str, Any]]] = {}
        for s in self.steps:
            cell = cells.setdefault(s.process, {}).setdefault(
                s.port, {"passed": 0, "total": 0, "ms": 0.0, "steps": {}}
            )
            cell["total"] += 1
            cell["passed"] += s.passed
            cell["ms"] = round(cell["ms"] + s.duration_ms, 3)
            cell["steps"][s.step] = s.status
        for ports in cells.values():
            for cell in ports.values():
                outcomes = set(cell["steps"].values()) - {"pass"}
                cell["status"] = (
                    "pass" if not outcomes
                    else "not_supported" if outcomes == {"not_supported"} else "fail"
                )
        return cells

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON data (``summary.json``)."""
        return {
            "format": FORMAT,
            "target": self.target,
            "seed": self.seed,
            "processes": list(self.processes),
            "ports": list(self.ports),
            "verdict": self.verdict,
            "counts": self.counts(),
            "duration_s": round(self.duration_s, 3),
            "client": dict(self.client),
            "faults": [f.to_dict() for f in self.faults],
            "audit": None if self.audit is None else self.audit.to_dict(),
            "matrix": self.matrix(),
            "steps": [s.to_dict() for s in self.steps],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrillSummary:
        """Read :meth:`to_dict`'s output back.

        Raises:
            ValueError: not a drill summary of this format.
        """
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        audit = data.get("audit")
        return cls(
            target=data["target"],
            seed=data["seed"],
            processes=tuple(data["processes"]),
            ports=tuple(data["ports"]),
            steps=tuple(StepResult.from_dict(s) for s in data["steps"]),
            faults=tuple(FaultReport(**f) for f in data["faults"]),
            audit=None if audit is None else AuditReport.from_dict(audit),
            client=data.get("client", {}),
            duration_s=data.get("duration_s", 0.0),
        )



def write_summary(path: Path, summary: DrillSummary) -> None:
    """Write ``summary.json`` atomically (a temporary file renamed into place)."""
    text = json.dumps(summary.to_dict(), ensure_ascii=False, indent=1, sort_keys=False)
    write_text_atomic(path, text + "\n")


def read_summary(path: Path) -> DrillSummary:
    """Read a ``summary.json``.

    Raises:
        ValueError: not a drill summary (one line naming the file).
        OSError: it cannot be read.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return DrillSummary.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a drill summary ({exc})") from None
