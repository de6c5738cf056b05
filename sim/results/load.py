"""The result of a load test: what ``customs-sim load`` writes to ``summary.json``.

A load test replays a workload's timed calls at their intended moments (compressed by a
speed-up) and checks every answer. Three times are measured for each call, in milliseconds:

- **response time**, from the call's *intended* moment to its answer: what a user of the
  platform waits, including any queue the platform built (no coordinated omission);
- **service time**, from the actual send to the answer: what a closed-loop tool reports;
- **schedule lag**, from the moment the call could start (its intended moment, or the answer
  it waits for, whichever is later) to its actual send: the load generator's own lateness. A
  start later than the run's tolerance counts as *dropped* (like k6's dropped iterations); the
  call is still sent, so the platform's state keeps following the workload.

Each answer is an outcome: *matched* (the status and fields the rules predict), *mismatched*
(answered, but not as predicted: a wrong channel, duty or tier is a mismatch even with HTTP
200) or an *error* (no answer, or a 5xx).

:class:`LoadResult` gathers the counts and latency summaries per operation and for the whole
run, the latency over time, the set-up phase, the SLO checks (:class:`SloCheck`) and, for a
headroom search, every step tried (:class:`Headroom`). It is plain data: reports render it
without Locust. :func:`write_load_result` / :func:`read_load_result` store it as canonical JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.results.io import write_kpis

__all__ = [
    "LOAD_FORMAT",
    "Headroom",
    "HeadroomStep",
    "Latency",
    "LoadResult",
    "OperationLoad",
    "SetupLoad",
    "SloCheck",
    "TimelinePoint",
    "read_load_result",
    "write_load_result",
]

LOAD_FORMAT = "customs-sim-load/1"
"""The format name and version written into every ``summary.json`` of a load test."""


@dataclass(frozen=True)
class Latency:
    """A latency distribution, in milliseconds (0 everywhere when nothing was measured).

    Attributes:
        count: values measured.
        mean, p50, p90, p95, p99, p999, max: its mean, percentiles and maximum.
    """

    count: int = 0
    mean: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    p999: float = 0.0
    max: float = 0.0

    def percentile(self, name: str) -> float:
        """The value named ``p95``, ``p99`` ... (``max`` and ``mean`` too)."""
        value: float = getattr(self, name)
        return value


@dataclass(frozen=True)
class OperationLoad:
    """The calls of one operation (or of the whole run, ``operation = "*"``).

    Attributes:
        operation: the operation's name (``sim.api.operations``), or ``*`` for all.
        planned: timed calls of the workload.
        sent: calls sent.
        matched, mismatched, errors: outcomes of the calls sent.
        dropped: starts later than the tolerance.
        response_ms: from the intended moment to the answer.
        service_ms: from the actual send to the answer.
        lag_ms: schedule lag.
    """

    operation: str
    planned: int
    sent: int = 0
    matched: int = 0
    mismatched: int = 0
    errors: int = 0
    dropped: int = 0
    response_ms: Latency = field(default_factory=Latency)
    service_ms: Latency = field(default_factory=Latency)
    lag_ms: Latency = field(default_factory=Latency)

    def rate(self, what: str) -> float:
        """``mismatched``, ``errors`` or ``dropped`` as a share of the calls sent (0 if none)."""
        count: int = getattr(self, what)
        return count / self.sent if self.sent else 0.0


@dataclass(frozen=True)
class TimelinePoint:
    """Latency from the intended moment of the calls intended in one interval of the run.

    Attributes:
        t_s: the interval's start, seconds after the timed phase began.
        width_s: its length.
        calls: calls intended in it (and answered or failed).
        p50_ms, p95_ms, p99_ms, max_ms: their response times from the intended moment.
        service_p99_ms: the p99 of their service times.
    """

    t_s: float
    width_s: float
    calls: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    service_p99_ms: float


@dataclass(frozen=True)
class SetupLoad:
    """The set-up phase: sent first, as fast as the target took them, untimed.

    Attributes:
        calls: set-up calls sent.
        mismatched: of them, answered otherwise than expected.
        seconds: how long the set-up (and issuing the actors' tokens) took.
        tokens: actor tokens issued for the timed phase.
    """

    calls: int = 0
    mismatched: int = 0
    seconds: float = 0.0
    tokens: int = 0


@dataclass(frozen=True)
class SloCheck:
    """One objective of the SLO, checked against the run.

    Attributes:
        scope: ``run`` (every timed call), ``setup``, or an operation's name.
        measure: ``p95_ms``, ``p99_ms``, ``error_rate``, ``mismatch_rate``, ``achieved_rate``,
            ``lag_p99_ms``, ``dropped_rate`` or ``setup_mismatches``.
        limit: the objective's bound.
        at_least: whether the value must be at least ``limit`` (else at most).
        value: the run's value.
        holds: whether the objective is met.
    """

    scope: str
    measure: str
    limit: float
    at_least: bool
    value: float
    holds: bool

    @property
    def name(self) -> str:
        """``scope.measure``, e.g. ``declaration.p99_ms``."""
        return f"{self.scope}.{self.measure}"

    def describe(self) -> str:
        """The check in words, e.g. ``declaration.p99_ms = 812 (at most 800): broken``."""
        bound = "at least" if self.at_least else "at most"
        verdict = "holds" if self.holds else "broken"
        return f"{self.name} = {self.value:.4g} ({bound} {self.limit:g}): {verdict}"


@dataclass(frozen=True)
class HeadroomStep:
    """One step of a headroom search.

    Attributes:
        speed: the speed-up tried.
        holds: whether every objective held (on one of its attempts).
        broken: the objectives broken (of the last attempt), by name.
        p99_ms: response-time p99 of all timed calls.
        achieved_rate: achieved against planned rate.
        attempts: attempts made.
        directory: where its outputs are, relative to the run's directory.
        aborted: why the step ended early, if it did.
    """

    speed: float
    holds: bool
    broken: tuple[str, ...] = ()
    p99_ms: float = 0.0
    achieved_rate: float = 0.0
    attempts: int = 1
    directory: str = ""
    aborted: str | None = None


@dataclass(frozen=True)
class Headroom:
    """What a headroom search (``--find-max``) found.

    Attributes:
        held: the highest speed-up at which every objective held (None: none did).
        broke: the lowest speed-up tried at which some objective broke (None: none did up to
            the search's limit).
        limit: the highest speed-up the search would try.
        steps: every step, in the order tried.
        stopped: why the search stopped (``converged``, ``limit``, ``time``, ``steps``,
            ``floor``).
    """

    held: float | None
    broke: float | None
    limit: float
    steps: tuple[HeadroomStep, ...]
    stopped: str

    def statement(self, period: str) -> str:
        """The finding in words, e.g. ``holds 6.5x the predicted traffic of <period>``."""
        if not self.steps:
            return f"no step could be run within the search's bounds ({self.stopped})"
        if self.held is None:
            lowest = min(s.speed for s in self.steps)
            return f"does not hold {lowest:g}x the predicted traffic of {period}"
        text = f"holds {self.held:g}x the predicted traffic of {period}"
        if self.broke is None:
            return text + f" (the search stopped at its limit, {self.limit:g}x)"
        return text + f"; breaks at {self.broke:g}x"


@dataclass(frozen=True)
class LoadResult:
    """A load test's result (see the module docstring).

    Attributes:
        workload: what the workload file says about itself (scenario, seed, start, hours,
            ports, calls, setup) and its path.
        target: the platform's base URL.
        reference_platform: whether the reference platform was started for the run.
        speed: the speed-up (intended seconds per wall second).
        processes: Locust worker processes (1: a single process).
        connections: connections per process.
        late_ms: the tolerance after which a start counts as dropped.
        schedule_s: the timed phase as planned, in wall seconds (last intended moment / speed).
        run_s: from the start of the timed phase to its last answer.
        setup: the set-up phase.
        run: every timed call together.
        operations: per operation, by name.
        timeline: latency over time.
        slo: the objectives checked.
        slo_source: where the objectives came from (a path, or ``default``).
        aborted: why the run ended before its calls did, if it did (one line).
        headroom: the search, for a ``--find-max`` run (``run`` is then its best step's).
        first_mismatches: the first mismatched or failed calls, as written to
            ``mismatches.jsonl``.
    """

    workload: dict[str, Any]
    target: str
    reference_platform: bool
    speed: float
    processes: int
    connections: int
    late_ms: float
    schedule_s: float
    run_s: float
    setup: SetupLoad
    run: OperationLoad
    operations: tuple[OperationLoad, ...]
    timeline: tuple[TimelinePoint, ...] = ()
    slo: tuple[SloCheck, ...] = ()
    slo_source: str = "default"
    aborted: str | None = None
    headroom: Headroom | None = None
    first_mismatches: tuple[dict[str, Any], ...] = ()

    @property
    def holds(self) -> bool:
        """Whether the run completed and every objective held."""
        return self.aborted is None and all(check.holds for check in self.slo)

    @property
    def planned_rate(self) -> float:
        """Timed calls per wall second, as planned."""
        return self.run.planned / self.schedule_s if self.schedule_s > 0 else 0.0

    @property
    def achieved_rate(self) -> float:
        """Calls answered (or failed) per wall second of the run."""
        return self.run.sent / self.run_s if self.run_s > 0 else 0.0

    @property
    def achieved_ratio(self) -> float:
        """Achieved against planned rate (1.0 when the run kept the plan)."""
        if self.run.planned == 0:
            return 1.0
        return min(self.achieved_rate / self.planned_rate, 1.0) if self.planned_rate else 0.0

    def operation(self, name: str) -> OperationLoad:
        """The calls of operation ``name``.

        Raises:
            KeyError: the workload has no timed call of that operation.
        """
        for op in self.operations:
            if op.operation == name:
                return op
        raise KeyError(name)

    def to_data(self) -> dict[str, Any]:
        """The result as JSON data (with the format name and the derived rates)."""
        data = asdict(self)
        data["format"] = LOAD_FORMAT
        data["planned_rate"] = self.planned_rate
        data["achieved_rate"] = self.achieved_rate
        data["achieved_ratio"] = self.achieved_ratio
        data["holds"] = self.holds
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> LoadResult:
        """Read the data :meth:`to_data` made.

        Raises:
            ValueError: not a load-test result of this format.
        """
        if data.get("format") != LOAD_FORMAT:
            raise ValueError(f"not a {LOAD_FORMAT} result (format {data.get('format')!r})")
        d = {k: v for k, v in data.items()
             if k not in {"format", "planned_rate", "achieved_rate", "achieved_ratio", "holds"}}
        d["setup"] = SetupLoad(**d["setup"])
        d["run"] = _operation(d["run"])
        d["operations"] = tuple(_operation(op) for op in d["operations"])
        d["timeline"] = tuple(TimelinePoint(**p) for p in d.get("timeline", ()))
        d["slo"] = tuple(SloCheck(**c) for c in d.get("slo", ()))
        d["first_mismatches"] = tuple(d.get("first_mismatches", ()))
        if d.get("headroom") is not None:
            h = dict(d["headroom"])
            h["steps"] = tuple(HeadroomStep(**{**s, "broken": tuple(s["broken"])})
                               for s in h["steps"])
            d["headroom"] = Headroom(**h)
        return cls(**d)


def _operation(data: dict[str, Any]) -> OperationLoad:
    d = dict(data)
    for key in ("response_ms", "service_ms", "lag_ms"):
        d[key] = Latency(**d[key])
    return OperationLoad(**d)


def write_load_result(path: Path, result: LoadResult) -> None:
    """Write ``result`` as canonical JSON to ``path`` (``summary.json``), atomically."""
    write_kpis(path, result.to_data())


def read_load_result(path: Path) -> LoadResult:
    """Read a ``summary.json`` written by :func:`write_load_result`.

    Raises:
        ValueError: the file is not a load-test result (one line naming it).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LoadResult.from_data(data)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: not a load-test summary ({exc})") from None
