"""The files beside summary.json: JUnit (one case per objective), latency over time."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from xml.etree import ElementTree as ET

from loadtests.outputs import junit_xml, timeline_csv
from sim.results.load import (
    Latency,
    LoadResult,
    OperationLoad,
    SetupLoad,
    SloCheck,
    TimelinePoint,
)


def result_with_two_checks() -> LoadResult:
    """A small result: one operation, one interval, one objective broken and one held."""
    op = OperationLoad("declaration", 10, 10, 9, 1, 0, 0, Latency(10, 5, 4, 6, 7, 9, 9, 9))
    return LoadResult(
        {"scenario": "baseline"}, "http://127.0.0.1:8000", True, 10.0, 2, 100, 100.0, 5.0, 5.2,
        SetupLoad(3, 0, 0.5, 2), replace(op, operation="*"), (op,),
        timeline=(TimelinePoint(0.0, 1.0, 10, 4.0, 6.0, 9.0, 9.5, 3.0),),
        slo=(SloCheck("declaration", "p99_ms", 8.0, False, 9.0, False),
             SloCheck("run", "achieved_rate", 0.95, True, 0.96, True)),
    )


def test_junit_has_one_case_per_objective_and_fails_the_broken_ones() -> None:
    root = ET.fromstring(junit_xml(result_with_two_checks()))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    assert set(cases) == {("load", "run"), ("slo.declaration", "p99_ms"),
                          ("slo.run", "achieved_rate")}
    failure = cases["slo.declaration", "p99_ms"].find("failure")
    assert failure is not None and failure.get("message") == \
        "declaration.p99_ms = 9 (at most 8): broken"
    assert cases["slo.run", "achieved_rate"].find("failure") is None
    silent = replace(result_with_two_checks(), aborted="the target went silent")
    aborted = ET.fromstring(junit_xml(silent))
    run_case = next(c for c in aborted.iter("testcase") if c.get("name") == "run")
    assert run_case.find("failure") is not None


def test_latency_over_time_is_a_csv_row_per_interval() -> None:
    rows = list(csv.DictReader(io.StringIO(timeline_csv(result_with_two_checks().timeline))))
    assert rows == [{"t_s": "0", "width_s": "1", "calls": "10", "p50_ms": "4.0",
                     "p95_ms": "6.0", "p99_ms": "9.0", "max_ms": "9.5",
                     "service_p99_ms": "3.0"}]
