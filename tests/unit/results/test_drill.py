"""Drill results: the verdict, the matrix, summary.json round trip, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sim.results.drill import (
    AuditReport,
    DrillSummary,
    FaultReport,
    StepResult,
    read_summary,
    write_summary,
)
from sim.results.drill_junit import junit_xml, write_junit

CLEAN = AuditReport(acknowledged_writes=3, books_checked=1, books_matching=1,
                    declarations_acknowledged=1, declarations_found=1)


def _step(process: str, port: str, index: int, status: str, **values: object) -> StepResult:
    return StepResult(process, port, index, f"step {index}", "step", "declare",
                      status, **values)  # type: ignore[arg-type]


def _summary(*steps: StepResult, audit: AuditReport | None = CLEAN) -> DrillSummary:
    return DrillSummary("http://127.0.0.1:1", 7, ("p", "q"), ("xinhai", "meilan"), steps,
                        audit=audit)


FAILED = _step("p", "xinhai", 1, "fail", duration_ms=12.5,
               request={"method": "POST", "path": "/v1/declarations", "body": {"qty": 1}},
               answer={"status": 201, "body": {"channel": "release"}},
               expected={"status": 201, "fields": {"channel": "scan"}},
               differences=("channel: expected 'scan', got 'release'",))


@pytest.mark.parametrize(
    ("steps", "audit", "verdict"),
    [
        ((_step("p", "xinhai", 0, "pass"),), CLEAN, "pass"),
        ((_step("p", "xinhai", 0, "pass"), _step("q", "meilan", 0, "not_supported")), CLEAN,
         "not_supported"),
        ((_step("p", "xinhai", 0, "pass"), FAILED), CLEAN, "fail"),
        ((_step("p", "xinhai", 0, "not_supported"), _step("p", "xinhai", 1, "unreachable")),
         CLEAN, "fail"),
        ((_step("p", "xinhai", 0, "answer_lost"),), CLEAN, "fail"),
        ((_step("p", "xinhai", 0, "pass"),), AuditReport(books_checked=2, books_matching=1),
         "fail"),
        ((_step("p", "xinhai", 0, "pass"),), None, "fail"),
    ],
)
def test_only_every_step_passing_with_a_clean_audit_passes(
    steps: tuple[StepResult, ...], audit: AuditReport | None, verdict: str
) -> None:
    assert _summary(*steps, audit=audit).verdict == verdict


def test_the_audit_is_clean_only_when_nothing_is_lost_or_doubled() -> None:
    assert CLEAN.ok
    assert not AuditReport(declarations_lost=1).ok
    assert not AuditReport(declarations_unexpected=1).ok
    assert not AuditReport(replays=2, replays_identical=1).ok
    assert not AuditReport(problems=("book B: state.positions.beef.qty: expected 1, got 2",)).ok


def test_the_matrix_is_process_by_port_by_step() -> None:
    summary = _summary(_step("p", "xinhai", 0, "pass", duration_ms=1.0), FAILED,
                       _step("q", "meilan", 0, "pass"), _step("q", "meilan", 1, "not_supported"))
    matrix = summary.matrix()
    assert matrix["p"]["xinhai"] == {"passed": 1, "total": 2, "ms": 13.5, "status": "fail",
                                     "steps": {"step 0": "pass", "step 1": "fail"}}
    assert matrix["q"]["meilan"]["status"] == "not_supported"
    assert summary.counts() == {"pass": 2, "fail": 1, "not_supported": 1, "not_sent": 0,
                                "unreachable": 0, "answer_lost": 0}


def test_summary_json_round_trips_and_keeps_what_failed(tmp_path: Path) -> None:
    fault = FaultReport("kill", "killed", "p", "xinhai", "step 1", 1.25, 3.5,
                        {"connect": 4, "disconnect": 1}, 0, 1)
    summary = DrillSummary("http://127.0.0.1:1", 7, ("p",), ("xinhai",),
                           (_step("p", "xinhai", 0, "pass", request={"method": "GET"}), FAILED),
                           (fault,), CLEAN, {"requests": 3, "retries": 5}, 2.0)
    path = tmp_path / "summary.json"
    write_summary(path, summary)
    back = read_summary(path)
    assert back.verdict == "fail" and back.faults == (fault,) and back.audit == CLEAN
    assert back.steps[1] == FAILED
    assert back.steps[0].request is None, "a pass keeps no request, answer or expectation"
    assert not list(tmp_path.glob(".*tmp"))


def test_read_summary_refuses_another_file(tmp_path: Path) -> None:
    path = tmp_path / "kpis.json"
    path.write_text('{"scenario": "baseline"}')
    with pytest.raises(ValueError, match=r"kpis\.json: not a drill summary"):
        read_summary(path)


def test_junit_xml_has_a_suite_per_process_and_port(tmp_path: Path) -> None:
    summary = _summary(_step("p", "xinhai", 0, "pass", duration_ms=1500.0), FAILED,
                       _step("q", "meilan", 0, "not_supported", note="no vehicle operation"),
                       _step("q", "meilan", 1, "unreachable", note="cannot connect"))
    root = ET.fromstring(junit_xml(summary).split("\n", 1)[1])
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"p@xinhai", "q@meilan", "audit"}
    p, q = suites["p@xinhai"], suites["q@meilan"]
    assert (p.get("tests"), p.get("failures"), p.get("errors"), p.get("time")) == (
        "2", "1", "0", "1.512")
    failure = p.find("testcase[@name='01 step 1']/failure")
    assert failure is not None
    assert failure.get("message") == "channel: expected 'scan', got 'release'"
    assert failure.text is not None and '"path": "/v1/declarations"' in failure.text
    assert (q.get("skipped"), q.get("errors")) == ("1", "1")
    skipped = q.find("testcase/skipped")
    assert skipped is not None and skipped.get("message") == "not supported: no vehicle operation"
    assert suites["audit"].get("failures") == "0"
    write_junit(tmp_path / "junit.xml", summary)
    assert (tmp_path / "junit.xml").read_text().startswith('<?xml version="1.0"')


def test_junit_xml_fails_the_audit_suite_when_it_found_problems() -> None:
    bad = AuditReport(books_checked=1, problems=("book B: GET answered 404",))
    root = ET.fromstring(junit_xml(_summary(audit=bad)).split("\n", 1)[1])
    failure = root.find("testsuite[@name='audit']/testcase/failure")
    assert failure is not None and failure.get("message") == "book B: GET answered 404"
