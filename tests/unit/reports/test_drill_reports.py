"""The drill's and the rehearsal's HTML reports: what they show, self-contained, from files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from reports import ReportError, render_directory
from reports.kinds.drill import summary_is_drill
from sim.results.drill import AuditReport, DrillSummary, FaultReport, StepResult, write_summary
from sim.results.rehearsal import RehearsalSummary, Stage, write_rehearsal

EXTERNAL = re.compile(r"""(<script|<link|<iframe|<img|\bsrc=|href="(?!#)|url\((?!#)|@import)""",
                      re.I)


def _summary(audit: AuditReport | None) -> DrillSummary:
    def step(process: str, port: str, i: int, status: str, **kw: object) -> StepResult:
        return StepResult(process, port, i, f"step {i}", "step", "declare",
                          status, **kw)  # type: ignore[arg-type]

    steps = (
        step("full_process", "xinhai", 0, "pass", duration_ms=5.0),
        step("full_process", "xinhai", 1, "fail", request={"method": "POST", "path": "/v1/x"},
             answer={"status": 201, "body": {"channel": "release"}},
             expected={"status": 201, "fields": {"channel": "scan"}},
             differences=("channel: expected 'scan', got 'release'",)),
        step("vehicle_exit", "xinhai", 0, "not_supported", note="no vehicle operation"),
        step("duty_free_quota", "boao", 0, "pass"),
    )
    fault = FaultReport("kill", "killed", "full_process", "xinhai", "step 1", 0.5, 4.25,
                        {"connect": 3, "disconnect": 1}, 0, 1)
    return DrillSummary("http://127.0.0.1:1", 11, ("full_process", "vehicle_exit",
                                                   "duty_free_quota"),
                        ("xinhai", "boao"), steps, (fault,), audit,
                        {"requests": 9, "retries": 4}, 1.5)


@pytest.fixture
def drill_dir(tmp_path: Path) -> Path:
    audit = AuditReport(acknowledged_writes=2, books_checked=2, books_matching=1,
                        problems=("book BK-1: state.positions.beef.qty: expected 5, got 6",))
    write_summary(tmp_path / "summary.json", _summary(audit))
    return tmp_path


def test_a_drill_report_shows_the_matrix_the_failures_the_faults_and_the_audit(
    drill_dir: Path
) -> None:
    html = render_directory(drill_dir)
    assert html.startswith("<!DOCTYPE html>") and not EXTERNAL.search(html)
    assert "<title>Drill report: 3 processes at 2 ports</title>" in html
    assert "<strong>FAIL 1/2</strong>" in html  # full_process at xinhai
    assert '<span class="badge">n/s 0/1</span>' in html
    assert '<span class="badge ok">1/1</span>' in html  # duty_free_quota at boao
    assert "channel: expected &#39;scan&#39;, got &#39;release&#39;" in html
    assert "no vehicle operation" in html
    assert "connect 3, disconnect 1" in html and "4.2 s" in html
    assert "1 of 2" in html and "state.positions.beef.qty: expected 5, got 6" in html
    assert render_directory(drill_dir) == html


def test_a_load_tests_summary_is_not_taken_for_a_drill(tmp_path: Path) -> None:
    # The load-test kind claims it (and finds it incomplete); the drill kind never reads it.
    (tmp_path / "summary.json").write_text(json.dumps({"format": "customs-sim-load/1"}))
    assert not summary_is_drill(tmp_path)
    with pytest.raises(ReportError, match="not a load-test summary"):
        render_directory(tmp_path)


def test_a_rehearsal_report_shows_its_stages_and_says_what_is_missing(
    tmp_path: Path, drill_dir: Path
) -> None:
    (tmp_path / "drill").mkdir()
    write_summary(tmp_path / "drill" / "summary.json", _summary(AuditReport()))
    stages = (Stage("model", "done", 1.0, {"trucks_released": 12}, ("model/kpis.json",)),
              Stage("drill", "fail", 2.0, {"steps": 4}, ("drill/summary.json",)),
              Stage("load", "pass", 3.0, {"calls": 7, "mismatches": 0}, (), "replayed"),
              Stage("report", "done", 0.0, {}, ("report.html",)))
    write_rehearsal(tmp_path / "rehearsal.json", RehearsalSummary(
        "baseline", 5, "2026-03-10T09:00:00+08:00", 1.0, ("xinhai", "boao"), stages))
    html = render_directory(tmp_path)
    assert not EXTERNAL.search(html)
    assert "<title>Rehearsal: baseline</title>" in html
    assert "model/kpis.json is missing" in html
    assert "trucks released 12" in html and "<strong>FAIL 1/2</strong>" in html
    assert "calls 7" in html and "replayed" in html
    assert "<td>report</td>" not in html  # the report does not list itself
