"""What ``customs-sim load`` shows: the phases as they pass, then the result as tables.

Per operation: calls sent (``sent/planned`` when not all were), response time from the intended
moment (p50, p95, p99), service time p99 (``svc99``) and schedule-lag p99 (``lag99``; ms), and
the calls mismatched, failed and dropped; then the
objectives that broke (or that all held), and where the files are. For a headroom search, every
step and the finding in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from sim.cli.common import console
from sim.results.load import Headroom, LoadResult, OperationLoad

__all__ = ["print_headroom", "print_result", "progress_printer"]


def progress_printer(speed: float) -> Callable[[dict[str, Any]], None]:
    """A callback printing one line per phase of a run."""

    def show(event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "setup_start":
            console.print(f"set-up: {event['calls']} calls (untimed), then {event['timed']} "
                          f"timed calls over {event['schedule_s']:.1f} s at {speed:g}x",
                          highlight=False)
        elif kind == "setup_done":
            console.print(f"set-up done in {event['seconds']:.1f} s "
                          f"({event['mismatched']} mismatched)", highlight=False)
        elif kind == "timed_start":
            at = datetime.fromtimestamp(float(event["t0"])).strftime("%H:%M:%S")
            console.print(f"timed phase from {at} on {event['workers']} worker(s)",
                          highlight=False)

    return show


def _row(op: OperationLoad) -> list[str]:
    r, s, lag = op.response_ms, op.service_ms, op.lag_ms
    sent = str(op.sent) if op.sent == op.planned else f"{op.sent}/{op.planned}"
    return [op.operation if op.operation != "*" else "all", sent,
            f"{r.p50:.1f}", f"{r.p95:.1f}", f"{r.p99:.1f}", f"{s.p99:.1f}", f"{lag.p99:.1f}",
            f"{op.mismatched}/{op.errors}/{op.dropped}"]


def print_result(result: LoadResult, out: Path | None) -> None:
    """The result's tables and where its files are (``out``; None: said elsewhere)."""
    table = Table(title=f"{result.speed:g}x against {result.target}",
                  caption="ms; p50-p99: response time from the intended moment",
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("operation", overflow="fold", min_width=17)
    for name in ("sent", "p50", "p95", "p99", "svc99", "lag99", "mis/err/drop"):  # fits 80
        table.add_column(name, justify="right", no_wrap=True)
    for op in result.operations:
        table.add_row(*_row(op))
    table.add_row(*_row(result.run), style="bold")
    console.print(table)
    console.print(f"planned {result.planned_rate:.1f} calls/s, achieved "
                  f"{result.achieved_rate:.1f} calls/s ({result.achieved_ratio:.1%}); set-up "
                  f"{result.setup.calls} calls in {result.setup.seconds:.1f} s",
                  highlight=False)
    broken = [c for c in result.slo if not c.holds]
    for check in broken:
        console.print(f"SLO broken: {check.describe()}", highlight=False, markup=False)
    if out is not None:
        console.print(f"results: {out / 'report.html'}, summary.json, junit.xml, "
                      f"latency_over_time.csv, mismatches.jsonl, locust.html", highlight=False,
                      soft_wrap=True)


def print_headroom(headroom: Headroom, period: str, out: Path) -> None:
    """Every step of a search, then its finding."""
    table = Table(title="headroom search", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in ("step", "speed-up", "holds", "p99 ms", "achieved", "broken"):
        table.add_column(name, justify="left" if name in ("holds", "broken") else "right")
    for number, step in enumerate(headroom.steps, start=1):
        why = step.aborted or ", ".join(step.broken)
        table.add_row(str(number), f"{step.speed:g}x", "yes" if step.holds else "no",
                      f"{step.p99_ms:.1f}", f"{step.achieved_rate:.1%}", why)
    console.print(table)
    console.print(f"the target {headroom.statement(period)} (search stopped: "
                  f"{headroom.stopped}) -> {out / 'report.html'}", highlight=False,
                  soft_wrap=True)
