"""The report of a drill: ``summary.json`` from ``customs-sim drill`` (``sim.results.drill``).

Shows the verdict and the counts per outcome, the matrix process x port (steps passed of steps,
each cell marked pass, FAIL or not supported), every step that did not pass with what differed
and, folded, its request, answer and expectation, the processes the platform API has no
operation for, the faults injected (retries by cause, timeouts) and the audit of what the
platform stored. :func:`drill_section` is the part a rehearsal's report shows too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports.render import ReportError, ReportKind, report_kind
from sim.results.drill import FORMAT, DrillSummary, StepResult, read_summary

__all__ = ["SUMMARY_FILE", "drill_kind", "drill_section", "read_drill", "summary_is_drill"]

SUMMARY_FILE = "summary.json"
_SHOWN = 50
"""Steps that did not pass shown in full (summary.json has them all)."""


def summary_is_drill(directory: Path) -> bool:
    """Whether ``directory`` holds a drill's ``summary.json`` (a load test writes one too)."""
    path = directory / SUMMARY_FILE
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(256)
    except OSError:
        return False
    return f'"format": "{FORMAT}"' in head


def read_drill(directory: Path) -> DrillSummary:
    """The drill summary in ``directory``.

    Raises:
        ReportError: it cannot be read (one line naming the file).
    """
    try:
        return read_summary(directory / SUMMARY_FILE)
    except (OSError, ValueError) as exc:
        raise ReportError(str(exc)) from None


def _shown(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _failure(s: StepResult) -> dict[str, Any]:
    return {"where": f"{s.process}@{s.port}", "index": s.index, "step": s.step,
            "operation": s.operation, "status": s.status,
            "what": "; ".join(s.differences) or s.note, "request": _shown(s.request),
            "answer": _shown(s.answer), "expected": _shown(s.expected)}


def drill_section(summary: DrillSummary) -> dict[str, Any]:
    """What the drill part of a report shows, as plain data for the template."""
    matrix = summary.matrix()
    rows = []
    for process in summary.processes:
        cells = []
        for port in summary.ports:
            cell = matrix.get(process, {}).get(port)
            cells.append(None if cell is None else {
                "status": cell["status"], "text": f"{cell['passed']}/{cell['total']}",
                "seconds": f"{cell['ms'] / 1000:.2f}"})
        failed = any(c is not None and c["status"] == "fail" for c in cells)
        rows.append({"process": process, "cells": cells, "failed": failed})
    bad = [s for s in summary.steps if s.status not in ("pass", "not_supported")]
    audit = summary.audit
    return {
        "verdict": summary.verdict,
        "target": summary.target,
        "seed": summary.seed,
        "duration": f"{summary.duration_s:.1f}",
        "counts": {k.replace("_", " "): n for k, n in summary.counts().items() if n},
        "steps": len(summary.steps),
        "ports": list(summary.ports),
        "rows": rows,
        "failures": [_failure(s) for s in bad[:_SHOWN]],
        "more_failures": max(0, len(bad) - _SHOWN),
        "unsupported": sorted({(s.operation, s.note) for s in summary.steps
                               if s.status == "not_supported"}),
        "faults": [{**f.to_dict(), "causes": ", ".join(f"{k} {v}" for k, v in f.retries.items())
                    or "none"} for f in summary.faults],
        "audit": None if audit is None else audit.to_dict(),
        "retries": summary.client.get("retries", 0),
        "requests": summary.client.get("requests", 0),
    }


def _context(directory: Path) -> dict[str, Any]:
    summary = read_drill(directory)
    return {"title": f"Drill report: {len(summary.processes)} processes at "
                     f"{len(summary.ports)} ports", "drill": drill_section(summary)}


@report_kind
def drill_kind() -> ReportKind:
    """A drill's directory (``summary.json`` of the drill format)."""
    return ReportKind(name="drill", priority=30, detect=summary_is_drill, context=_context,
                      template="drill.html")
