"""A drill's results as JUnit XML, the format every CI system shows as a test report.

Each process at each port is one ``<testsuite>`` (``full_process@xinhai``), each of its steps
one ``<testcase>``: a pass is an empty test case, a wrong answer a ``<failure>`` whose text is
the request, the answer and the expectation, an unsupported step ``<skipped>`` (not a pass),
and a step that got no usable answer (``not_sent``, ``unreachable``, ``answer_lost``) an
``<error>``. The audit of the platform's stored state is one more suite, ``audit``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sim.results.drill import DrillSummary, StepResult
from sim.results.io import write_text_atomic

__all__ = ["junit_xml", "write_junit"]

_ERRORS = frozenset({"not_sent", "unreachable", "answer_lost"})


def _detail(step: StepResult) -> str:
    parts: list[str] = []
    if step.differences:
        parts.append("differences:\n  " + "\n  ".join(step.differences))
    if step.note:
        parts.append(f"note: {step.note}")
    for label, value in (("request", step.request), ("answer", step.answer),
                         ("expected", step.expected)):
        if value is not None:
            parts.append(f"{label}: " + json.dumps(value, ensure_ascii=False, sort_keys=True))
    return "\n".join(parts)


def _case(suite: ET.Element, step: StepResult) -> None:
    case = ET.SubElement(suite, "testcase", {
        "classname": f"drill.{step.process}.{step.port}",
        "name": f"{step.index:02d} {step.step}",
        "time": f"{step.duration_ms / 1000:.3f}",
    })
    first = step.differences[0] if step.differences else step.note
    if step.status == "fail":
        node = ET.SubElement(case, "failure", {"message": first, "type": "mismatch"})
        node.text = _detail(step)
    elif step.status == "not_supported":
        ET.SubElement(case, "skipped", {"message": f"not supported: {step.note}"})
    elif step.status in _ERRORS:
        node = ET.SubElement(case, "error", {"message": first, "type": step.status})
        node.text = _detail(step)


def junit_xml(summary: DrillSummary) -> str:
    """The summary as a JUnit XML document (UTF-8 text with its declaration)."""
    root = ET.Element("testsuites", {"name": "customs-sim drill"})
    suites: dict[tuple[str, str], list[StepResult]] = {}
    for step in summary.steps:
        suites.setdefault((step.process, step.port), []).append(step)
    for (process, port), steps in suites.items():
        counts: dict[str, Any] = {
            "tests": len(steps),
            "failures": sum(s.status == "fail" for s in steps),
            "errors": sum(s.status in _ERRORS for s in steps),
            "skipped": sum(s.status == "not_supported" for s in steps),
            "time": f"{sum(s.duration_ms for s in steps) / 1000:.3f}",
        }
        suite = ET.SubElement(root, "testsuite", {
            "name": f"{process}@{port}", **{k: str(v) for k, v in counts.items()},
        })
        for step in steps:
            _case(suite, step)
    audit = summary.audit
    suite = ET.SubElement(root, "testsuite", {
        "name": "audit", "tests": "1", "failures": "0" if audit and audit.ok else "1",
        "errors": "0", "skipped": "0", "time": "0",
    })
    case = ET.SubElement(suite, "testcase", {"classname": "drill.audit",
                                             "name": "stored state is the oracle's"})
    if audit is None:
        ET.SubElement(case, "failure", {"message": "the audit could not run",
                                        "type": "audit"})
    elif not audit.ok:
        node = ET.SubElement(case, "failure", {
            "message": audit.problems[0] if audit.problems else "the audit found differences",
            "type": "audit",
        })
        node.text = json.dumps(audit.to_dict(), ensure_ascii=False, sort_keys=True, indent=1)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_junit(path: Path, summary: DrillSummary) -> None:
    """Write ``junit.xml`` atomically."""
    write_text_atomic(path, junit_xml(summary) + "\n")
