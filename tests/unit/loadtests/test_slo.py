"""SLO files: read and checked with one-line errors, evaluated against a result."""

from __future__ import annotations

from pathlib import Path

import pytest

from loadtests.slo import DEFAULT_SLO, SloError, evaluate, load_slo, parse_slo
from sim.results.load import Latency, LoadResult, OperationLoad, SetupLoad


def _op(name: str, planned: int, sent: int, p99: float, mismatched: int = 0,
        errors: int = 0, dropped: int = 0) -> OperationLoad:
    lat = Latency(count=sent, p50=p99 / 4, p95=p99 / 2, p99=p99, max=p99 * 2)
    return OperationLoad(name, planned, sent, sent - mismatched - errors, mismatched, errors,
                         dropped, lat, Latency(count=sent, p99=p99 / 3), Latency(p99=2.0))


def _result(decl_p99: float, mismatched: int = 0, run_s: float = 10.0) -> LoadResult:
    ops = (_op("declaration", 100, 100, decl_p99, mismatched), _op("tier_query", 900, 900, 50))
    run = _op("*", 1000, 1000, max(decl_p99, 50), mismatched)
    return LoadResult({}, "http://127.0.0.1:1", True, 10.0, 1, 100, 100.0, 10.0, run_s,
                      SetupLoad(10, 0, 1.0, 3), run, ops)


def test_the_default_slo_is_valid_and_names_its_operations() -> None:
    slo = load_slo()
    assert slo.source == "default" and DEFAULT_SLO.exists()
    assert slo.limits_for("declaration")["p95_ms"] == 300, "its own limit"
    assert slo.limits_for("declaration")["p99_ms"] == 1000, "inherited from '*'"
    assert slo.limits_for("booking") == slo.limits_for("*")


def test_objectives_hold_or_break_on_the_values() -> None:
    slo = parse_slo({"operations": {"*": {"p99_ms": 500, "mismatch_rate": 0},
                                    "declaration": {"p99_ms": 800},
                                    "booking": {"p99_ms": 1}},
                     "run": {"achieved_rate": 0.95, "lag_p99_ms": 5, "setup_mismatches": 0}},
                    "t.yaml")
    checks = {c.name: c for c in evaluate(slo, _result(decl_p99=700))}
    assert checks["declaration.p99_ms"].holds, "700 <= its own 800, though above '*' 500"
    assert "booking.p99_ms" not in checks, "an operation the workload lacks is not checked"
    assert checks["run.achieved_rate"].at_least and checks["run.achieved_rate"].holds
    assert checks["run.lag_p99_ms"].holds and checks["setup.setup_mismatches"].holds
    broken = {c.name for c in evaluate(slo, _result(decl_p99=900, mismatched=1, run_s=20.0))
              if not c.holds}
    assert broken == {"declaration.p99_ms", "declaration.mismatch_rate", "run.achieved_rate"}


def test_null_switches_an_inherited_objective_off() -> None:
    slo = parse_slo({"operations": {"*": {"p99_ms": 5}, "declaration": {"p99_ms": None}}},
                    "t")
    names = {c.name for c in evaluate(slo, _result(decl_p99=900))}
    assert "declaration.p99_ms" not in names and "tier_query.p99_ms" in names


@pytest.mark.parametrize(("text", "message"), [
    ("operations: {'*': {p99: 5}}", "t.yaml: operations.*.p99: unknown objective"),
    ("run: {p99_ms: -1}", "t.yaml: run.p99_ms: must not be negative (got -1)"),
    ("run: {error_rate: 2}", "t.yaml: run.error_rate: a rate is at most 1 (got 2)"),
    ("run: {p99_ms: fast}", "t.yaml: run.p99_ms: expected a number (got 'fast')"),
    ("limits: {}", "t.yaml: limits: unknown section"),
    ("run: [1, 2]", "t.yaml: run: expected a mapping of limits"),
    ("run: {p99_ms: [", "t.yaml: not valid YAML at line 1"),
])
def test_a_bad_slo_file_is_one_line_naming_the_field(tmp_path: Path, text: str,
                                                      message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(SloError) as caught:
        load_slo(path)
    assert str(caught.value).startswith(str(tmp_path / message.split(": ", 1)[0]) + ": "
                                        + message.split(": ", 1)[1])
    assert "\n" not in str(caught.value)


def test_a_missing_slo_file_is_named() -> None:
    with pytest.raises(SloError, match="--slo: no such file"):
        load_slo(Path("/nonexistent/slo.yaml"))
