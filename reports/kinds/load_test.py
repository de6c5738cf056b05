"""The report of a load test: ``summary.json`` from ``customs-sim load``.

Shows the verdict in one sentence, the run's facts (workload, target, speed-up, rates), the
latency per operation from the intended moment beside service time and schedule lag, the
latency over time (a stall of the platform shows as a bump in the response time and not in the
service time), every SLO objective with its value, the first mismatched calls, and for a
headroom search every step and the finding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reports import plots
from reports.render import ReportError, ReportKind, report_kind
from sim.results.load import LOAD_FORMAT, LoadResult, OperationLoad, read_load_result

__all__ = ["is_load_test", "load_section", "load_test_kind"]

_SUMMARY = "summary.json"


def is_load_test(directory: Path) -> bool:
    """Whether ``directory`` holds a load test's ``summary.json``."""
    path = directory / _SUMMARY
    if not path.is_file():
        return False
    try:  # a summary is small (the first mismatches at most): read it whole
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == LOAD_FORMAT


def _row(op: OperationLoad) -> list[str]:
    r, s, lag = op.response_ms, op.service_ms, op.lag_ms
    return [op.operation if op.operation != "*" else "all", str(op.planned), str(op.sent),
            f"{r.p50:.1f}", f"{r.p95:.1f}", f"{r.p99:.1f}", f"{r.p999:.1f}", f"{r.max:.1f}",
            f"{s.p99:.1f}", f"{lag.p99:.1f}", str(op.mismatched), str(op.errors),
            str(op.dropped)]


def _verdict(result: LoadResult) -> str:
    period = f"{result.workload.get('scenario', '?')}, {result.workload.get('hours', 0):g} h " \
             f"from {result.workload.get('start', '?')}"
    if result.headroom is not None:
        return f"The target {result.headroom.statement(period)}."
    if result.aborted:
        return f"The run ended early: {result.aborted}."
    broken = [c.name for c in result.slo if not c.holds]
    if broken:
        return (f"At {result.speed:g}x the predicted traffic of {period}, the SLO broke: "
                f"{', '.join(broken)}.")
    return (f"At {result.speed:g}x the predicted traffic of {period}, every objective of the "
            f"SLO held ({len(result.slo)}).")


def _workload(w: dict[str, Any]) -> str:
    ports = ", ".join(w.get("ports") or ()) or "-"
    return (f"{w.get('scenario', '?')} (seed {w.get('seed', '?')}), {w.get('hours', 0):g} h "
            f"from {w.get('start', '?')}, ports {ports}; {w.get('calls', '?')} calls of which "
            f"{w.get('setup', '?')} set-up ({w.get('path', '')})")


def _context(directory: Path) -> dict[str, Any]:
    section = load_section(directory)
    return {"title": f"Load test: {section['result'].workload.get('scenario', '')}",
            "load": section}


def load_section(directory: Path) -> dict[str, Any]:
    """What the load test's part of a report shows (the macros of ``_load.html``).

    Raises:
        ReportError: the summary cannot be read.
    """
    try:
        result = read_load_result(directory / _SUMMARY)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    points = result.timeline
    x = [p.t_s + p.width_s / 2 for p in points]
    timeline_plot = plots.xy(
        x, [plots.Line("p99 from intended", [p.p99_ms for p in points]),
            plots.Line("p50 from intended", [p.p50_ms for p in points]),
            plots.Line("service p99", [p.service_p99_ms for p in points])],
        xlabel="seconds after the timed phase began (by intended moment)",
        ylabel="ms", title="latency over time", log_y=True,
        marker="o" if len(points) < 30 else "")  # a line of one point draws nothing
    headroom_plot = ""
    steps: list[list[str]] = []
    if result.headroom is not None:
        ordered = sorted(result.headroom.steps, key=lambda s: s.speed)
        headroom_plot = plots.xy(
            [s.speed for s in ordered], [plots.Line("p99 from intended",
                                                    [s.p99_ms for s in ordered])],
            xlabel="speed-up of the predicted traffic", ylabel="ms", log_y=True, marker="o",
            title="response-time p99 at each speed-up tried")
        steps = [[f"{s.speed:g}x", "holds" if s.holds else "breaks", f"{s.p99_ms:.1f}",
                  f"{100 * s.achieved_rate:.1f}%", s.aborted or ", ".join(s.broken) or "-"]
                 for s in result.headroom.steps]
    return {
        "verdict": _verdict(result),
        "workload": _workload(result.workload),
        "result": result,
        "rows": [_row(op) for op in (*result.operations, result.run)],
        "checks": [[c.scope, c.measure, f"{'≥' if c.at_least else '≤'} {c.limit:g}",
                    f"{c.value:.4g}", "holds" if c.holds else "broken"] for c in result.slo],
        "timeline_plot": timeline_plot,
        "headroom_plot": headroom_plot,
        "steps": steps,
        "mismatches": [json.dumps(m, ensure_ascii=False, sort_keys=True)
                       for m in result.first_mismatches],
    }


@report_kind
def load_test_kind() -> ReportKind:
    """A load test's directory (``summary.json`` of format ``customs-sim-load/1``)."""
    return ReportKind(
        name="load_test",
        priority=20,
        detect=is_load_test,
        context=_context,
        template="load_test.html",
    )
