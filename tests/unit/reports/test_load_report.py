"""The load-test report: found by its summary.json, self-contained, verdict first."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from reports import render_directory
from sim.results.load import Headroom, HeadroomStep, write_load_result
from tests.unit.loadtests.test_outputs import result_with_two_checks
from tests.unit.reports.test_render import EXTERNAL


def test_a_load_test_renders_with_its_verdict_and_objectives(tmp_path: Path) -> None:
    long = {"seq": 8, "answer": {"body": "x" * 5000}, "differences": ["status"]}
    result = replace(result_with_two_checks(), first_mismatches=(
        {"seq": 7, "differences": ["channel: expected 'scan'"]}, long))
    write_load_result(tmp_path / "summary.json", result)
    html = render_directory(tmp_path)
    assert not EXTERNAL.search(html)
    assert "the SLO broke: declaration.p99_ms" in html
    assert html.count("<svg") == 1, "latency over time"
    assert re.search(r"<td>declaration</td><td>p99_ms</td>.*?broken", html, re.S)
    assert "channel: expected &#39;scan&#39;" in html
    assert "Headroom search" not in html


def test_a_headroom_search_shows_every_step_and_the_finding(tmp_path: Path) -> None:
    steps = (HeadroomStep(64, True, (), 60.0, 0.999, 1, "steps/01-x64"),
             HeadroomStep(128, False, ("run.p99_ms",), 1200.0, 0.97, 2, "steps/02-x128"),
             HeadroomStep(96, True, (), 150.0, 0.999, 1, "steps/03-x96"))
    result = replace(result_with_two_checks(),
                     headroom=Headroom(96, 128, 1024, steps, "converged"))
    write_load_result(tmp_path / "summary.json", result)
    html = render_directory(tmp_path)
    assert "The target holds 96x the predicted traffic of baseline" in html
    assert "breaks at 128x" in html and "<td>run.p99_ms</td>" in html
    assert html.count("<svg") == 2


def test_a_run_directory_is_not_taken_for_a_load_test(tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text('{"kind": "something else"}')
    try:
        render_directory(tmp_path)
    except ValueError as exc:
        assert "no results a report can show" in str(exc)
    else:
        raise AssertionError("a foreign summary.json is no load test")
