"""The files a load test leaves beside ``summary.json``, for CI and for people.

- ``junit.xml``: one test case per SLO objective (``classname`` the scope, ``name`` the
  measure), failed when the objective is broken, and one ``run`` case that fails when the run
  ended early; CI servers show it like any test suite;
- ``latency_over_time.csv``: per interval of intended moments, the calls and their response
  times from the intended moment (p50, p95, p99, max) beside the service-time p99: a stall of
  the platform shows as a bump in the first and not in the second;
- ``mismatches.jsonl``: the first mismatched or failed calls, one JSON object a line (request,
  answer, expectation, differences), as ``customs-sim workload replay`` writes them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from sim.results.load import LoadResult, TimelinePoint

__all__ = ["junit_xml", "mismatch_lines", "timeline_csv"]


def junit_xml(result: LoadResult, suite: str = "customs-sim load") -> str:
    """The SLO checks of ``result`` as a JUnit XML document."""
    cases = list(result.slo)
    failures = sum(not c.holds for c in cases) + (result.aborted is not None)
    root = ET.Element("testsuites")
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases) + 1),
                         failures=str(failures), errors="0", time=f"{result.run_s:.3f}")
    props = ET.SubElement(node, "properties")
    for name, value in (("target", result.target), ("speed", f"{result.speed:g}"),
                        ("scenario", str(result.workload.get("scenario", ""))),
                        ("slo", result.slo_source)):
        ET.SubElement(props, "property", name=name, value=value)
    run = ET.SubElement(node, "testcase", classname="load", name="run",
                        time=f"{result.run_s:.3f}")
    if result.aborted is not None:
        ET.SubElement(run, "failure", message=result.aborted).text = result.aborted
    for check in cases:
        case = ET.SubElement(node, "testcase", classname=f"slo.{check.scope}",
                             name=check.measure, time="0")
        if not check.holds:
            ET.SubElement(case, "failure", message=check.describe()).text = check.describe()
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


_TIMELINE_HEADER = ("t_s", "width_s", "calls", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                    "service_p99_ms")


def timeline_csv(points: Sequence[TimelinePoint]) -> str:
    """Latency over time as CSV text (one row per interval, seconds after the timed start)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_TIMELINE_HEADER)
    for p in points:
        writer.writerow([f"{p.t_s:g}", f"{p.width_s:g}", p.calls, p.p50_ms, p.p95_ms,
                         p.p99_ms, p.max_ms, p.service_p99_ms])
    return out.getvalue()


def mismatch_lines(records: Sequence[dict[str, Any]]) -> str:
    """Mismatch records as JSON lines (empty text when there are none)."""
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
