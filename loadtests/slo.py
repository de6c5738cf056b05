"""Service-level objectives of a load test: a YAML file of limits, checked against the result.

An SLO file states what the platform must do under the replayed traffic::

    operations:            # per operation of the workload; "*" for every one not named
      "*":         {p95_ms: 250, p99_ms: 1000, error_rate: 0.001, mismatch_rate: 0}
      declaration: {p99_ms: 800}   # the rest of its limits come from "*"
    run:                   # every timed call together, and the generator's own health
      p99_ms: 1000
      error_rate: 0.001
      mismatch_rate: 0
      achieved_rate: 0.95  # at least: calls answered per second against the plan
      lag_p99_ms: 50       # schedule lag: how late the generator started calls it could start
      dropped_rate: 0.001  # starts later than the tolerance, as a share of the calls
      setup_mismatches: 0  # set-up calls answered otherwise than expected

Times are response times *from the intended moment* (milliseconds). A limit of ``null``
switches an inherited objective off. Every objective becomes one :class:`~sim.results.load.
SloCheck` (one JUnit test case). The default SLO ships with the harness
(``loadtests/default_slo.yaml``, :data:`DEFAULT_SLO`).

:func:`load_slo` reads and checks a file: an unknown key, a negative limit or a rate above 1 is
a :class:`SloError` naming the file, the dotted field and the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.results.load import LoadResult, OperationLoad, SloCheck

__all__ = [
    "DEFAULT_SLO",
    "OPERATION_MEASURES",
    "RUN_MEASURES",
    "Slo",
    "SloError",
    "evaluate",
    "load_slo",
]

DEFAULT_SLO = Path(__file__).with_name("default_slo.yaml")
"""The SLO used when a run names none."""

OPERATION_MEASURES = ("p95_ms", "p99_ms", "error_rate", "mismatch_rate", "dropped_rate")
"""What an operation's objectives may bound (all at most)."""

RUN_MEASURES = (*OPERATION_MEASURES, "achieved_rate", "lag_p99_ms", "setup_mismatches")
"""What the run's objectives may bound (``achieved_rate`` at least, the others at most)."""

_AT_LEAST = frozenset({"achieved_rate"})
_RATES = frozenset({"error_rate", "mismatch_rate", "dropped_rate", "achieved_rate"})
_ALL = "*"


class SloError(ValueError):
    """An SLO file cannot be used; the message is one line naming the file, field and value."""


@dataclass(frozen=True)
class Slo:
    """Objectives: per operation (``*`` for the others) and for the run.

    Attributes:
        operations: operation name (or ``*``) -> measure -> limit (None: no objective).
        run: measure -> limit for the run as a whole.
        source: where they came from (a path, or ``default``).
    """

    operations: Mapping[str, Mapping[str, float | None]]
    run: Mapping[str, float | None]
    source: str

    def limits_for(self, operation: str) -> dict[str, float]:
        """The objectives of ``operation``: its own limits over those of ``*``."""
        merged = {**self.operations.get(_ALL, {}), **self.operations.get(operation, {})}
        return {m: v for m, v in merged.items() if v is not None}

    def named_operations(self) -> list[str]:
        """The operations the file names (``*`` excluded)."""
        return sorted(op for op in self.operations if op != _ALL)


def _limits(raw: Any, where: str, allowed: tuple[str, ...], source: str) -> dict[str, float | None]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise SloError(f"{source}: {where}: expected a mapping of limits (got {raw!r})")
    out: dict[str, float | None] = {}
    for key, value in raw.items():
        field = f"{where}.{key}"
        if key not in allowed:
            raise SloError(f"{source}: {field}: unknown objective; known: {', '.join(allowed)} "
                           f"(got {value!r})")
        if value is None:
            out[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise SloError(f"{source}: {field}: expected a number (got {value!r})")
        if value < 0:
            raise SloError(f"{source}: {field}: must not be negative (got {value!r})")
        if key in _RATES and value > 1:
            raise SloError(f"{source}: {field}: a rate is at most 1 (got {value!r})")
        out[key] = float(value)
    return out


def parse_slo(data: Any, source: str) -> Slo:
    """Check SLO data (a YAML document's content).

    Raises:
        SloError: one line naming ``source``, the field and the value.
    """
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise SloError(f"{source}: expected a mapping with 'operations' and 'run' (got {data!r})")
    unknown = sorted(set(data) - {"operations", "run"})
    if unknown:
        raise SloError(f"{source}: {unknown[0]}: unknown section; known: operations, run "
                       f"(got {data[unknown[0]]!r})")
    ops_raw = data.get("operations") or {}
    if not isinstance(ops_raw, Mapping):
        raise SloError(f"{source}: operations: expected a mapping of operation names "
                       f"(got {ops_raw!r})")
    operations = {str(name): _limits(limits, f"operations.{name}", OPERATION_MEASURES, source)
                  for name, limits in ops_raw.items()}
    run = _limits(data.get("run"), "run", RUN_MEASURES, source)
    return Slo(operations, run, source)


def load_slo(path: Path | None = None) -> Slo:
    """Read an SLO file (the default SLO when ``path`` is None).

    Raises:
        SloError: the file is missing, not YAML, or not a valid SLO (one line).
    """
    source = "default" if path is None else str(path)
    try:
        text = (path or DEFAULT_SLO).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SloError(f"--slo: no such file (got {source})") from None
    except OSError as exc:
        raise SloError(f"--slo: cannot read {source}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise SloError(f"{source}: not valid YAML{at}") from None
    return parse_slo(data, source)


def _value(op: OperationLoad, measure: str) -> float:
    if measure == "p95_ms":
        return op.response_ms.p95
    if measure == "p99_ms":
        return op.response_ms.p99
    if measure == "lag_p99_ms":
        return op.lag_ms.p99
    if measure == "error_rate":
        return op.rate("errors")
    if measure == "mismatch_rate":
        return op.rate("mismatched")
    if measure == "dropped_rate":
        return op.rate("dropped")
    raise KeyError(measure)


def _check(scope: str, measure: str, limit: float, value: float) -> SloCheck:
    at_least = measure in _AT_LEAST
    holds = value >= limit if at_least else value <= limit
    return SloCheck(scope, measure, limit, at_least, value, holds)


def evaluate(slo: Slo, result: LoadResult) -> tuple[SloCheck, ...]:
    """Check every objective of ``slo`` that applies to ``result``.

    Operations the workload has no timed call of are not checked (an SLO file can serve many
    workloads); the run's objectives always are.
    """
    checks: list[SloCheck] = []
    for op in result.operations:
        if op.planned == 0:
            continue
        for measure, limit in sorted(slo.limits_for(op.operation).items()):
            checks.append(_check(op.operation, measure, limit, _value(op, measure)))
    for measure, limit in sorted((m, v) for m, v in slo.run.items() if v is not None):
        if measure == "achieved_rate":
            value = result.achieved_ratio
        elif measure == "setup_mismatches":
            value = float(result.setup.mismatched)
        else:
            value = _value(result.run, measure)
        scope = "setup" if measure == "setup_mismatches" else "run"
        checks.append(_check(scope, measure, limit, value))
    return tuple(checks)
